/**
 * `npm run drift`: dist/<env>/ against the live cluster, read-only. Reports objects missing in the
 * cluster, objects present only in the cluster that carry the stack's managed-by label (and this
 * environment's label), and differences in the fields dist/ sets.
 */
import { ENVIRONMENT_LABEL, MANAGED_BY } from '../constructs/labels.js';
import { indexObjects, objectKey, type ManifestFile } from '../core/manifests.js';
import { printable } from '../core/printable.js';
import type { Shown } from '../review/diff.js';
import { NotFound, type LiveCluster } from './cluster.js';
import { compareFields, type FieldDrift } from './compare.js';

export interface DriftedObject {
  readonly key: string;
  readonly file: string;
  readonly fields: readonly FieldDrift[];
}

export interface DriftReport {
  readonly env: string;
  readonly checked: number;
  readonly missing: readonly { key: string; file: string }[];
  readonly extra: readonly string[];
  readonly drifted: readonly DriftedObject[];
  /** Kinds the API server does not serve (CRD not installed?): their objects count as missing. */
  readonly unserved: readonly string[];
}

export function hasDrift(r: DriftReport): boolean {
  return r.missing.length > 0 || r.extra.length > 0 || r.drifted.length > 0;
}

/** Compares one environment's manifests (paths relative to dist/<env>/) with the cluster. */
export async function detectDrift(
  env: string,
  files: readonly ManifestFile[],
  cluster: LiveCluster,
): Promise<DriftReport> {
  const desired = indexObjects(files);
  const missing: { key: string; file: string }[] = [];
  const drifted: DriftedObject[] = [];
  const unserved = new Set<string>();
  for (const { key, file, object } of desired.values()) {
    const header = {
      apiVersion: object.apiVersion,
      kind: object.kind,
      name: object.metadata.name,
      namespace: object.metadata.namespace,
    };
    let live: Record<string, unknown> | undefined;
    try {
      live = await cluster.read(header);
    } catch (err) {
      if (!(err instanceof NotFound)) throw err;
      unserved.add(`${object.apiVersion} ${object.kind}`);
    }
    if (!live) {
      missing.push({ key, file });
      continue;
    }
    const fields = compareFields(object as unknown as Record<string, unknown>, live);
    if (fields.length > 0) drifted.push({ key, file, fields });
  }

  // Objects labelled as this stack's that dist/ does not hold (another environment's, by its
  // environment label, excepted).
  const selector = `app.kubernetes.io/managed-by=${MANAGED_BY}`;
  const scopes = new Map<string, { apiVersion: string; kind: string; namespace?: string }>();
  for (const { object } of desired.values()) {
    if (unserved.has(`${object.apiVersion} ${object.kind}`)) continue;
    scopes.set(`${object.apiVersion}|${object.kind}|${object.metadata.namespace ?? ''}`, {
      apiVersion: object.apiVersion,
      kind: object.kind,
      namespace: object.metadata.namespace,
    });
  }
  const extra: string[] = [];
  for (const s of scopes.values()) {
    const items = await cluster.list(s.apiVersion, s.kind, s.namespace, selector);
    for (const item of items) {
      const meta = item.metadata as { name: string; namespace?: string; labels?: Record<string, string> };
      const owner = meta.labels?.[ENVIRONMENT_LABEL];
      if (owner !== undefined && owner !== env) continue;
      const key = objectKey({ kind: s.kind, metadata: meta });
      if (!desired.has(key)) extra.push(key);
    }
  }
  return {
    env,
    checked: desired.size,
    missing,
    extra: [...new Set(extra)].sort(),
    drifted,
    unserved: [...unserved].sort(),
  };
}

/**
 * A value as the report quotes it: JSON.stringify escapes C0 controls but leaves C1 (U+009B is CSI
 * on some terminals), U+2028 and bidi marks raw, so what it writes is made printable too
 * (../core/printable.ts). Not `printableLine`: it would cut a long value at 160 characters, where
 * the difference may be, and collapse a no-break space into a space, which would show a live value
 * differing only by it as equal to dist/'s.
 */
function show(v: Shown): string {
  return v === undefined ? '(absent)' : typeof v === 'string' ? printable(JSON.stringify(v)) : String(v);
}

/**
 * The report, every line printable: besides the values (`show`), names, paths, managers and
 * summaries come from the cluster's objects and managedFields.
 */
export function formatDrift(r: DriftReport, server: string): string {
  const lines = [`drift ${r.env} against ${server}: ${r.checked} object(s) in dist/`];
  if (!hasDrift(r)) lines.push('no drift: every object exists and every field dist/ sets matches');
  for (const m of r.missing) lines.push(`- missing in cluster: ${m.key} (${m.file})`);
  for (const k of r.unserved) lines.push(`  (kind ${k} is not served by the API server: CRD not installed?)`);
  for (const e of r.extra) lines.push(`+ only in cluster (labelled managed-by ${MANAGED_BY}): ${e}`);
  for (const d of r.drifted) {
    lines.push(`~ differs: ${d.key} (${d.file})`);
    for (const f of d.fields) {
      const by = f.managers && f.managers.length > 0 ? ` (set by ${f.managers.join(', ')})` : '';
      lines.push(`    ${f.path}: ${f.summary ?? `dist ${show(f.expected)}, cluster ${show(f.live)}`}${by}`);
    }
  }
  return lines.map(printable).join('\n');
}
