/**
 * The checks that can refuse an export (src/delivery/export.ts), each returning its problems
 * with the fix: the release identity against the live one, the prunes Flux would do and the
 * `--allow-prune` consents for them, the valuesFrom references, and, without kubectl, the
 * fail-closed rule.
 */

import { posix } from 'node:path';
import { providedObjects } from '../check/references.js';
import { KUSTOMIZATION_FILE, type KubeObject, type LocatedObject } from '../core/manifests.js';
import { KUSTOMIZATION_FILES, type BuiltObject } from './kustomize.js';
import { consents, inventoryId, parseConsent, type PruneEntry, type PruneConsent } from './preview.js';
import { inFolder } from './prune-danger.js';
import {
  describeChange,
  environmentField,
  identityChanges,
  releaseIdentity,
  type IdentityChange,
  type ReleaseIdentity,
} from './release.js';
import type { IdentityPair } from './summary.js';
import type { Target } from './target.js';

/** The refusal for a dangerous deletion, with the safe move for where the object comes from. */
function pruneProblem(
  p: PruneEntry,
  folder: string,
  ctx: { kept: ReadonlySet<string>; removedOwned: ReadonlySet<string>; handWritten: ReadonlySet<string> },
): string {
  const file = p.origin && inFolder(p.origin, folder) ? posix.relative(folder, p.origin) : undefined;
  const consent = `--allow-prune ${p.kind}/${p.name}`;
  let fix: string;
  if (p.kind === 'HelmRelease' || p.kind === 'Kustomization') {
    fix =
      `the export's ${p.kind} replaces it under another name or namespace: make the ` +
      `environment's release fields match the live one (the identity refusal names them)`;
  } else if (file && ctx.kept.has(file)) {
    fix =
      `${p.origin} is kept, but without the folder's old kustomization file it builds into ` +
      `another object: write what that file added (namespace:, namePrefix:, patches) into ` +
      `${p.origin} itself, in its own commit`;
  } else if (file && ctx.handWritten.has(file)) {
    fix =
      `keep it: --keep ${file} leaves the file in ${folder} and in its kustomization.yaml; or ` +
      `move the file where the stack does not own it, with the annotation ` +
      `kustomize.toolkit.fluxcd.io/prune: disabled, in its own commit`;
  } else if (file && ctx.removedOwned.has(file)) {
    fix =
      `the stack no longer writes ${p.origin}: keep it in the environment, or move the object ` +
      `where the stack does not own it (with kustomize.toolkit.fluxcd.io/prune: disabled) in its own commit`;
  } else {
    fix = `find what stops building it${p.origin ? ` (it comes from ${p.origin})` : ''} and keep it`;
  }
  const from = p.origin ? ` (${p.origin})` : '';
  return `Flux Kustomization ${p.owner} (prune: true) would delete ${p.key}${from}: ${p.danger} (fix: ${fix}; only if the deletion is intended: ${consent})`;
}

/**
 * The environment fields that give the live identity back. A release object in another namespace
 * than its workloads also needs `release.targetNamespace` (the schema refuses it without one).
 */
function fieldsToSet(changes: readonly IdentityChange[], live: ReleaseIdentity): string[] {
  const fields = changes.map(environmentField);
  if (
    changes.some((c) => c.field === 'namespace') &&
    !changes.some((c) => c.field === 'targetNamespace') &&
    live.targetNamespace !== live.namespace
  ) {
    fields.push(`release.targetNamespace: ${live.targetNamespace}`);
  }
  return fields;
}

/** Without a preview the export fails closed: it refuses a takeover and anything that leaves the folder. */
export function failClosed(input: {
  previewMissing: string;
  rawBefore: ReadonlyMap<string, LocatedObject>;
  after: ReadonlyMap<string, LocatedObject>;
  target: Target;
  owned: ReadonlyMap<string, string>;
  handWritten: readonly string[];
  adopted: readonly string[];
  removed: readonly string[];
}): string | undefined {
  const { rawBefore, after, target, owned, handWritten, adopted, removed } = input;
  const afterIds = new Set([...after.values()].map((a) => inventoryId(a.object)));
  const lost = [...rawBefore.values()].filter((l) => !afterIds.has(inventoryId(l.object))).map((l) => l.key);
  const ownKustomization =
    target.record !== undefined &&
    owned.has(KUSTOMIZATION_FILE) &&
    !handWritten.some((f) => (KUSTOMIZATION_FILES as readonly string[]).includes(f));
  const takeover = adopted.length > 0 || !ownKustomization;
  if (!takeover && lost.length === 0 && removed.length === 0) return undefined;
  const what = [
    ...(takeover
      ? [
          `it takes over a folder the stack does not own yet${adopted.length ? ` (adopting ${adopted.join(', ')})` : ''}`,
        ]
      : []),
    ...(lost.length > 0 ? [`${lost.join(', ')} would leave what Flux applies`] : []),
    ...(removed.length > 0 ? [`it removes ${removed.join(', ')}`] : []),
  ];
  return (
    `${input.previewMissing}, so the export cannot build what Flux applies and preview what it would prune, and ${what.join('; ')} ` +
    '(fix: install kubectl, whose built-in kustomize is the one Flux uses, and run the export ' +
    'again; without it the export only updates its own earlier export when nothing leaves the folder)'
  );
}

/** Pairs the releases before and after, compares their identities, and refuses a reinstall unless allowed. */
export function compareIdentity(input: {
  beforeReleases: readonly LocatedObject[];
  afterReleases: readonly LocatedObject[];
  allBefore: readonly KubeObject[];
  allAfter: readonly KubeObject[];
  folder: string;
  envFile: string;
  allowReinstall: boolean;
}): { identity: IdentityPair[]; problems: string[] } {
  const { beforeReleases, afterReleases, folder } = input;
  const identity: IdentityPair[] = [];
  const problems: string[] = [];
  const pairedAfter = new Set<string>();
  for (const b of beforeReleases) {
    const match =
      afterReleases.find((a) => a.key === b.key) ??
      (beforeReleases.length === 1 && afterReleases.length === 1 ? afterReleases[0] : undefined);
    const file = `${folder}/${b.file}`;
    const old = releaseIdentity(b.object, input.allBefore);
    if (Object.values(old).some((v) => v.includes('${'))) {
      problems.push(
        `${b.key} (${file}) has an identity field holding \${...} after the build: Flux ` +
          `substitutes it after the build from values the repository may not hold, so it cannot be ` +
          `compared (fix: write the value into the file, in its own commit)`,
      );
    }
    if (!match) {
      identity.push({ key: b.key, before: old, file, changes: [] });
      if (!input.allowReinstall)
        problems.push(
          `${b.key} (${file}) would be removed: helm-controller would uninstall the release (fix: keep it in the environment, or pass --allow-reinstall)`,
        );
      continue;
    }
    pairedAfter.add(match.key);
    const now = releaseIdentity(match.object, input.allAfter);
    const changes = identityChanges(old, now);
    identity.push({
      key: b.key === match.key ? b.key : `${b.key} → ${match.key}`,
      before: old,
      after: now,
      file,
      changes,
    });
    if (changes.length > 0 && !input.allowReinstall) {
      problems.push(
        `release identity changes against ${b.key} in ${file} ` +
          `(${changes.map(describeChange).join('; ')}): helm-controller would uninstall the release ` +
          `and install a new one ` +
          `(fix: set in ${input.envFile}: ${fieldsToSet(changes, old).join(', ')}; or pass ` +
          `--allow-reinstall to reinstall on purpose: the summary then shows every field)`,
      );
    }
  }
  for (const a of afterReleases)
    if (!pairedAfter.has(a.key))
      identity.push({ key: a.key, after: releaseIdentity(a.object, input.allAfter), changes: [] });
  return { identity, problems };
}

/** Applies each --allow-prune to the deletion it names; a dangerous deletion without one, or a consent matching nothing, is a problem. */
export function consentToPrunes(
  raw: readonly PruneEntry[],
  ctx: {
    allowPrune: readonly string[];
    folder: string;
    keptOrigins: ReadonlySet<string>;
    problemContext: Parameters<typeof pruneProblem>[2];
  },
): { prunes: PruneEntry[]; problems: string[] } {
  const problems: string[] = [];
  const given: PruneConsent[] = [];
  for (const text of ctx.allowPrune) {
    const c = parseConsent(text);
    if (c) given.push(c);
    else
      problems.push(
        `--allow-prune ${text}: give Kind/name or Kind/namespace/name (fix: e.g. --allow-prune Namespace/arcade)`,
      );
  }
  const used = new Set<PruneConsent>();
  const prunes = raw.map((entry) => {
    // A kept file's object must stay: if it leaves, the file lost a transform of the old kustomization.
    const p =
      entry.fate === 'deleted' && !entry.danger && entry.origin && ctx.keptOrigins.has(entry.origin)
        ? { ...entry, danger: 'its file is kept (--keep), yet the object leaves what Flux applies' }
        : entry;
    if (p.fate !== 'deleted' || !p.danger) return p;
    const c = given.find((g) => consents(g, p));
    if (!c) return p;
    used.add(c);
    return { ...p, allowedBy: c.text };
  });
  for (const p of prunes)
    if (p.fate === 'deleted' && p.danger && !p.allowedBy)
      problems.push(pruneProblem(p, ctx.folder, ctx.problemContext));
  for (const c of given) {
    if (used.has(c)) continue;
    const deletable = prunes.filter((p) => p.fate === 'deleted' && p.danger).map((p) => `${p.kind}/${p.name}`);
    problems.push(
      `--allow-prune ${c.text} matches nothing this export deletes ` +
        `(${deletable.length ? `it would delete ${deletable.join(', ')}` : 'it deletes no object that needs consent'}) ` +
        '(fix: drop it, or check the spelling)',
    );
  }
  return { prunes, problems };
}

/** Every valuesFrom of the exported releases must resolve where helm-controller reads it (their own namespace). */
export function checkValuesFrom(
  releases: readonly LocatedObject[],
  ctx: {
    before: readonly BuiltObject[];
    allAfter: readonly KubeObject[];
    keptOrigins: ReadonlySet<string>;
    folder: string;
  },
): { problems: string[]; warnings: string[] } {
  const problems: string[] = [];
  const warnings: string[] = [];
  const providedBefore = providedObjects(ctx.before.map((b) => ({ object: b.object, file: '', line: 0 })));
  const providedAfter = providedObjects(ctx.allAfter.map((object) => ({ object, file: '', line: 0 })));
  for (const a of releases) {
    const ns = a.object.metadata.namespace ?? '';
    const spec = (a.object.spec ?? {}) as Record<string, unknown>;
    const refs = Array.isArray(spec.valuesFrom) ? (spec.valuesFrom as Record<string, unknown>[]) : [];
    refs.forEach((r, i) => {
      if (r.optional === true || (r.kind !== 'Secret' && r.kind !== 'ConfigMap')) return;
      const name = String(r.name);
      const now = providedAfter.get(`${r.kind}/${name}`) ?? [];
      if (now.includes(ns)) return;
      const ref = `${a.key} reads ${r.kind} ${ns}/${name} (valuesFrom[${i}])`;
      if ((providedBefore.get(`${r.kind}/${name}`) ?? []).includes(ns)) {
        const holder = ctx.before.find(
          (b) => b.object.kind === r.kind && b.object.metadata.name === name && b.object.metadata.namespace === ns,
        )?.origin;
        const fix =
          holder && ctx.keptOrigins.has(holder)
            ? `${holder} is kept, but it no longer builds into namespace ${ns} without the folder's old ` +
              `kustomization file: write metadata.namespace: ${ns} into it, in its own commit`
            : `--keep ` +
              `${holder && inFolder(holder, ctx.folder) ? posix.relative(ctx.folder, holder) : 'the file that holds it'}, or ` +
              `move it out of ${ctx.folder} in its own commit`;
        problems.push(
          `${ref}, which this export removes from what Flux applies: the release would fail to reconcile (fix: ${fix})`,
        );
      } else if (now.length > 0) {
        problems.push(
          `${ref}, but Flux applies it only in ${now.join(', ')}: helm-controller reads valuesFrom ` +
            `from the HelmRelease's own namespace (fix: put it in ${ns}, or set release.namespace)`,
        );
      } else {
        warnings.push(
          `${ref}, which the repository does not hold: it must exist in the cluster, or the release fails to reconcile`,
        );
      }
    });
  }
  return { problems, warnings };
}
