/**
 * Semantic diff of two manifest sets, object by object: added, removed and changed objects, and
 * for a changed object the field paths with old and new values. HelmRelease values come out key
 * by key because the walk descends into every map. Noisy or sensitive fields (SealedSecret
 * ciphertext, Secret data) are summarized by their sha256, never shown.
 */
import { indexObjects, sha256, type KubeObject, type ManifestFile } from '../core/manifests.js';
import { isRecord } from '../core/is-record.js';

/** A leaf value as shown to a reviewer (`undefined` when the field is absent on one side). */
export type Shown = string | number | boolean | null | undefined;

export interface FieldChange {
  /** Dotted path, e.g. `spec.values.features.chatEnabled`, `spec.valuesFrom[2].targetPath`. */
  readonly path: string;
  readonly before: Shown;
  readonly after: Shown;
  /** A summary replaces the values (ciphertext, Secret data): before/after are digests. */
  readonly summary?: string;
  /** before/after hold a map or list as compact JSON text (shown as is, not quoted). */
  readonly structured?: boolean;
}

export interface ObjectRef {
  readonly key: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly file: string;
}

export interface ObjectChange extends ObjectRef {
  readonly fields: readonly FieldChange[];
}

export interface ManifestDiff {
  readonly added: readonly ObjectRef[];
  readonly removed: readonly ObjectRef[];
  readonly changed: readonly ObjectChange[];
}

export function isEmptyDiff(d: ManifestDiff): boolean {
  return d.added.length === 0 && d.removed.length === 0 && d.changed.length === 0;
}

type Tree = unknown;

/** Short digest for summaries: the first 12 hex digits of sha256. */
export function digest(value: Tree): string {
  return sha256(typeof value === 'string' ? value : JSON.stringify(value)).slice(0, 12);
}

/**
 * Fields whose values are never shown: ciphertext (noise to a reviewer) and Secret data (a
 * secret). Matched on the object kind and the path below the object.
 */
export function sensitiveField(kind: string, path: string): 'ciphertext' | 'secret value' | undefined {
  if (kind === 'SealedSecret' && /^spec\.encryptedData\./.test(path)) return 'ciphertext';
  if (kind === 'Secret' && /^(data|stringData)\./.test(path)) return 'secret value';
  return undefined;
}

/** Appends a map key to a dotted path (quoted when it is not a plain word). */
export function segment(parent: string, key: string): string {
  const simple = /^[A-Za-z0-9_-]+$/.test(key);
  const part = simple ? key : `"${key.replace(/"/g, '\\"')}"`;
  return parent ? `${parent}.${part}` : part;
}

/** Items of a list keyed by a unique `name` when every item has one (env vars, containers). */
export function namedItems(list: readonly Tree[]): Map<string, Tree> | undefined {
  const out = new Map<string, Tree>();
  for (const item of list) {
    if (!isRecord(item) || typeof item.name !== 'string' || out.has(item.name)) return undefined;
    out.set(item.name, item);
  }
  return out;
}

export function shown(v: Tree): Shown {
  if (v === undefined || v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
    return v;
  return JSON.stringify(v);
}

/** Field-level differences between two trees, leaves only, in a stable order. */
export function diffTrees(before: Tree, after: Tree, kind: string, path = ''): FieldChange[] {
  const sensitive = sensitiveField(kind, path);
  if (sensitive) {
    if (JSON.stringify(before) === JSON.stringify(after)) return [];
    const b = before === undefined ? undefined : `sha256 ${digest(before)}…`;
    const a = after === undefined ? undefined : `sha256 ${digest(after)}…`;
    const what = before === undefined ? 'added' : after === undefined ? 'removed' : 'changed';
    return [{ path, before: b, after: a, summary: `${sensitive} ${what} (${b ?? 'none'} → ${a ?? 'none'})` }];
  }
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => diffTrees(before[k], after[k], kind, segment(path, k)));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const b = namedItems(before);
    const a = namedItems(after);
    if (b && a) {
      const names = [...new Set([...b.keys(), ...a.keys()])];
      return names.flatMap((n) => diffItem(b.get(n), a.get(n), kind, `${path}[name=${n}]`));
    }
    const n = Math.max(before.length, after.length);
    const out: FieldChange[] = [];
    for (let i = 0; i < n; i++) out.push(...diffItem(before[i], after[i], kind, `${path}[${i}]`));
    return out;
  }
  // A map or list on one side only: descend so each leaf is listed (values key by key).
  if (after === undefined && (isRecord(before) || Array.isArray(before))) {
    return isEmptyContainer(before)
      ? [leaf(path, before, after)]
      : diffTrees(before, Array.isArray(before) ? [] : {}, kind, path);
  }
  if (before === undefined && (isRecord(after) || Array.isArray(after))) {
    return isEmptyContainer(after)
      ? [leaf(path, before, after)]
      : diffTrees(Array.isArray(after) ? [] : {}, after, kind, path);
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [leaf(path, before, after)];
}

/** A change of one value; maps and lists are shown as compact JSON (`structured`). */
function leaf(path: string, before: Tree, after: Tree): FieldChange {
  const structured = [before, after].some((v) => typeof v === 'object' && v !== null);
  return { path, before: shown(before), after: shown(after), ...(structured ? { structured } : {}) };
}

/** A list item added or removed as a whole is one line (its content as JSON), not one per leaf. */
function diffItem(before: Tree, after: Tree, kind: string, path: string): FieldChange[] {
  if ((before === undefined) !== (after === undefined) && !sensitiveField(kind, path)) {
    return [leaf(path, before, after)];
  }
  return diffTrees(before, after, kind, path);
}

/** `{}` or `[]`: no leaves to list, so it is shown as itself. */
function isEmptyContainer(v: Tree): boolean {
  return isRecord(v) ? Object.keys(v).length === 0 : Array.isArray(v) && v.length === 0;
}

function ref(key: string, file: string, o: KubeObject): ObjectRef {
  return { key, kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name, file };
}

/** Diffs two sets of objects (already parsed). */
export function diffObjects(
  before: ReadonlyMap<string, { file: string; object: KubeObject }>,
  after: ReadonlyMap<string, { file: string; object: KubeObject }>,
): ManifestDiff {
  const added: ObjectRef[] = [];
  const removed: ObjectRef[] = [];
  const changed: ObjectChange[] = [];
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort();
  for (const key of keys) {
    const b = before.get(key);
    const a = after.get(key);
    if (!b && a) added.push(ref(key, a.file, a.object));
    else if (b && !a) removed.push(ref(key, b.file, b.object));
    else if (a && b) {
      const fields = diffTrees(b.object, a.object, a.object.kind);
      if (fields.length > 0) changed.push({ ...ref(key, a.file, a.object), fields });
    }
  }
  return { added, removed, changed };
}

/** Diffs two sets of manifest files (paths relative to each set's root). */
export function diffManifests(before: readonly ManifestFile[], after: readonly ManifestFile[]): ManifestDiff {
  return diffObjects(indexObjects(before), indexObjects(after));
}
