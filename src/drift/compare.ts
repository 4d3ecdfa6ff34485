/**
 * Drift as a pure function: the fields a desired object (from dist/) sets, compared with the live
 * object. Fields dist/ does not set (server defaults, status, managedFields, resourceVersion) are
 * ignored by construction: the walk follows the desired object only.
 */
import { digest, isMap, namedItems, segment, sensitiveField, shown, type Shown } from '../review/diff.js';

export interface FieldDrift {
  readonly path: string;
  /** What dist/ sets. */
  readonly expected: Shown;
  /** What the cluster holds (`undefined` when the field is absent). */
  readonly live: Shown;
  readonly summary?: string;
}

/** Top-level metadata fields compared; the rest of metadata is the server's. */
const METADATA_FIELDS = new Set(['labels', 'annotations']);

function walk(desired: unknown, live: unknown, kind: string, path: string, out: FieldDrift[]): void {
  const sensitive = sensitiveField(kind, path);
  if (sensitive) {
    if (JSON.stringify(desired) !== JSON.stringify(live)) {
      const e = `sha256 ${digest(desired)}…`;
      const l = live === undefined ? undefined : `sha256 ${digest(live)}…`;
      out.push({ path, expected: e, live: l, summary: `${sensitive} differs (dist ${e}, cluster ${l ?? 'absent'})` });
    }
    return;
  }
  if (isMap(desired)) {
    if (!isMap(live)) {
      out.push({ path, expected: shown(desired), live: shown(live) });
      return;
    }
    for (const [k, v] of Object.entries(desired)) {
      if (path === '' && k === 'status') continue;
      if (path === 'metadata' && !METADATA_FIELDS.has(k)) continue;
      walk(v, live[k], kind, segment(path, k), out);
    }
    return;
  }
  if (Array.isArray(desired)) {
    if (!Array.isArray(live)) {
      out.push({ path, expected: shown(desired), live: shown(live) });
      return;
    }
    if (desired.every((d) => !isMap(d) && !Array.isArray(d))) {
      if (JSON.stringify(desired) !== JSON.stringify(live)) out.push({ path, expected: shown(desired), live: shown(live) });
      return;
    }
    const d = namedItems(desired);
    const l = namedItems(live);
    if (d && l) {
      for (const [name, item] of d) walk(item, l.get(name), kind, `${path}[name=${name}]`, out);
      return;
    }
    desired.forEach((item, i) => walk(item, live[i], kind, `${path}[${i}]`, out));
    if (live.length > desired.length) out.push({ path: `${path}.length`, expected: desired.length, live: live.length });
    return;
  }
  if (JSON.stringify(desired) !== JSON.stringify(live)) out.push({ path, expected: shown(desired), live: shown(live) });
}

/** Fields set in `desired` whose live value differs, in the desired object's key order. */
export function compareFields(desired: Record<string, unknown>, live: Record<string, unknown>): FieldDrift[] {
  const out: FieldDrift[] = [];
  walk(desired, live, String(desired.kind), '', out);
  return out;
}
