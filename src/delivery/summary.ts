/**
 * What the export tells a reviewer, worst first: the release identity (a change is a reinstall),
 * what Flux would prune, the stateful objects and the datastores, the chart values against the
 * live release's, and only then the object-by-object diff and the files. The same text is printed
 * and carried in the commit message, so the pull request shows the risk before the detail.
 */
import type { UnresolvedEntry } from '../environments/unresolved.js';
import type { ManifestDiff } from '../review/diff.js';
import { renderText, summaryLine } from '../review/render.js';
import type { PreviewReport, PruneEntry } from './preview.js';
import { IDENTITY_FIELDS, type DatastoreMode, type IdentityChange, type ReleaseIdentity } from './release.js';
import { valueCounts, type ValueDiff } from './values.js';

/** One release before and after (either side may be absent: a new install, an uninstall). */
export interface IdentityPair {
  readonly key: string;
  readonly before?: ReleaseIdentity;
  readonly after?: ReleaseIdentity;
  /** Repository-relative file of the release before. */
  readonly file?: string;
  readonly changes: readonly IdentityChange[];
}

export interface StatefulLine {
  readonly key: string;
  readonly file?: string;
  readonly fate: string;
}

export interface SummaryInput {
  readonly env: string;
  readonly folder: string;
  readonly identity: readonly IdentityPair[];
  readonly allowReinstall: boolean;
  readonly preview?: PreviewReport;
  /** Why there is no preview (kubectl missing). */
  readonly previewMissing?: string;
  readonly datastores: { readonly before?: DatastoreMode; readonly after?: DatastoreMode };
  readonly stateful: readonly StatefulLine[];
  readonly values?: ValueDiff;
  readonly diff: ManifestDiff;
  readonly written: readonly string[];
  readonly removed: readonly string[];
  readonly adopted: readonly string[];
  readonly kept: readonly string[];
  readonly unresolved: readonly UnresolvedEntry[];
}

const pad = (s: string, n: number) => s + ' '.repeat(Math.max(1, n - s.length));

function identitySection(input: SummaryInput): string[] {
  const lines = ['Release identity (as helm-controller computes it, before → after):'];
  if (input.identity.length === 0) return [...lines, '  no HelmRelease in the folder before or after'];
  for (const p of input.identity) {
    if (!p.before) {
      lines.push(`  + ${p.key}: a NEW release (nothing in the folder before): helm-controller installs it`);
      continue;
    }
    if (!p.after) {
      lines.push(
        `  - ${p.key}${p.file ? ` (${p.file})` : ''}: REMOVED: ` +
          `helm-controller uninstalls release ${p.before.releaseName} in ${p.before.targetNamespace}` +
          (input.allowReinstall ? ' (allowed by --allow-reinstall)' : ''),
      );
      continue;
    }
    for (const field of IDENTITY_FIELDS) {
      const changed = p.changes.some((c) => c.field === field);
      lines.push(`  ${changed ? '!' : ' '} ${pad(field, 17)}${p.before[field]} → ${p.after[field]}`);
    }
    if (p.changes.length === 0)
      lines.push(
        `  = unchanged: helm-controller upgrades release ${p.after.releaseName} in ${p.after.targetNamespace} in place`,
      );
    else {
      lines.push(
        `  ! REINSTALL: helm-controller uninstalls release ${p.before.releaseName} ` +
          `(${p.before.targetNamespace}) and installs ${p.after.releaseName} (${p.after.targetNamespace})` +
          (input.allowReinstall ? ' (allowed by --allow-reinstall)' : ''),
      );
    }
  }
  return lines;
}

function pruneLine(p: PruneEntry): string {
  const where = p.origin ? ` (${p.origin})` : '';
  if (p.fate === 'orphaned') return `    - ${p.key}${where}: left in the cluster, no longer applied (${p.reason})`;
  if (!p.danger) return `    - ${p.key}${where}: deleted`;
  return `    - ${p.key}${where}: DELETED, ${p.allowedBy ? `allowed by --allow-prune ${p.allowedBy}` : `needs --allow-prune ${p.kind}/${p.name}`}: ${p.danger}`;
}

function pruneSection(input: SummaryInput): string[] {
  if (!input.preview) return [`Prune preview: not built (${input.previewMissing ?? 'no preview'})`];
  const lines = [`Prune preview (kubectl kustomize of what applies ${input.folder}, before and after the export):`];
  for (const o of input.preview.owners) {
    const entries = input.preview.prunes.filter((p) => p.owner === o.ref);
    // An assumed owner's ref says its path and prune already (flux-owners.ts assumedOwner).
    const head = o.assumed
      ? `  ${o.ref}`
      : `  ${o.ref} (${o.file}), path ./${o.path === '.' ? '' : o.path}, prune: ${o.prune}`;
    lines.push(entries.length === 0 ? `${head}: nothing leaves what it applies` : `${head}:`);
    lines.push(...entries.map(pruneLine));
  }
  lines.push(...input.preview.notes.map((n) => `  note: ${n}`));
  return lines;
}

function statefulSection(input: SummaryInput): string[] {
  const { before, after } = input.datastores;
  const lines = ['Stateful objects:'];
  if (after) {
    const what =
      before === undefined
        ? `(no release before) → ${after}`
        : before === after
          ? `${before} → ${after} (${after === 'bundled' ? "the chart's own PostgreSQL and Redis keep running" : 'the managed datastores stay'})`
          : `${before} → ${after} (SWITCH: data not migrated is lost; the engine root key must stay the same)`;
    lines.push(`  datastores: ${what}`);
  }
  lines.push(...input.stateful.map((s) => `  ${s.key}${s.file ? ` (${s.file})` : ''}: ${s.fate}`));
  if (lines.length === 1) lines.push('  none in the folder');
  return lines;
}

function valuesSection(input: SummaryInput): string[] {
  if (!input.values) return ['Values: no release on one side, nothing to compare'];
  const v = input.values;
  const lines = [
    `Values (the live release's, resolved from the repository → the exported release's): ${valueCounts(v)}`,
  ];
  for (const c of v.changes) {
    if (c.change === 'added') lines.push(`  + ${c.path}: ${c.after}`);
    else if (c.change === 'dropped') lines.push(`  - ${c.path}: ${c.before}`);
    else lines.push(`  ~ ${c.path}: ${c.before} → ${c.after}`);
  }
  lines.push(...v.unknown.map((u) => `  not compared: ${u}`));
  if (v.changes.some((c) => c.change === 'dropped')) {
    lines.push(
      '  (a dropped value is one the live release sets and the exported one does not: to keep ' +
        "it, carry it in the environment's release.values or release.valuesFrom)",
    );
  }
  return lines;
}

function filesSection(input: SummaryInput): string[] {
  const lines = [
    `Files in ${input.folder}: ${input.written.length} written, ${input.removed.length} removed${input.removed.length ? ` (${input.removed.join(', ')})` : ''}`,
  ];
  if (input.adopted.length > 0)
    lines.push(
      `  adopted hand-written files (--adopt; their objects are replaced or pruned as above): ${input.adopted.join(', ')}`,
    );
  if (input.kept.length > 0)
    lines.push(
      `  kept hand-written files (--keep, listed in its kustomization.yaml and recorded): ${input.kept.join(', ')}`,
    );
  if (input.unresolved.length > 0) {
    lines.push(
      'Unresolved values (exported with --allow-unresolved, rendered as <unresolved: ...>):',
      ...input.unresolved.map((u) => `  - ${u.path}: ${u.reason}`),
    );
  }
  return lines;
}

/** The summary, worst first. */
export function renderSummary(input: SummaryInput): string {
  return [
    ...identitySection(input),
    '',
    ...pruneSection(input),
    '',
    ...statefulSection(input),
    '',
    ...valuesSection(input),
    '',
    renderText(
      input.diff,
      `Objects (semantic diff of ${input.folder} ${input.preview ? 'as Flux applies it' : 'as its files say (no kustomize build)'}):`,
    ),
    '',
    ...filesSection(input),
  ].join('\n');
}

/** The commit subject: the environment, then the risk in a few words. */
export function commitSubject(input: SummaryInput): string {
  // As the body says: a release only installed (nothing in the folder before) is NEW, one only
  // uninstalled is REMOVED; REINSTALL is an existing release uninstalled and installed again (its
  // identity changed, or one removed while another is installed).
  const [changed, removed, added] = [
    input.identity.some((p) => p.before && p.after && p.changes.length > 0),
    input.identity.some((p) => p.before && !p.after),
    input.identity.some((p) => !p.before),
  ];
  const identity =
    changed || (removed && added)
      ? 'REINSTALL'
      : removed
        ? 'release REMOVED'
        : added
          ? 'NEW release'
          : input.identity.length > 0
            ? 'identity unchanged'
            : 'no release';
  const deleted = input.preview?.prunes.filter((p) => p.fate === 'deleted').length;
  const prunes =
    deleted === undefined
      ? 'no prune preview'
      : deleted === 0
        ? 'Flux deletes nothing'
        : `Flux deletes ${deleted} object(s)`;
  const values = input.values ? `values ${valueCounts(input.values)}` : summaryLine(input.diff);
  return `arcade-stack: export ${input.env} (${identity}; ${prunes}; ${values})`;
}
