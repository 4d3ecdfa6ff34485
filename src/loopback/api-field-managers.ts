/**
 * The field managers of the loopback API stand-in's objects (src/loopback/kube-api.ts), as a real
 * API server records them in `metadata.managedFields`: the field set server-side apply records
 * for Flux's apply (`fluxApplied`: kustomize-controller's apply to an empty cluster, shaped by
 * ./api-server.ts), and another manager's update of some fields (`updatedBy`, e.g. `kubectl-edit`),
 * which takes those fields out of Flux's set. Drift (src/drift/) attributes a difference by them.
 */
import { fieldSpec, isAtomicStruct, rootStruct, type FieldSpec } from '../kube/api-types.js';
import { deepEqual } from '../kube/api-values.js';
import { FLUX_FIELD_MANAGER, keyElement, parseElement, type FieldsV1 } from '../kube/managed-fields.js';
import { CREATED_AT, fluxNormalize, served, type FluxApplyOptions, type ShapeOptions } from './api-server.js';
import { isRecord } from '../core/is-record.js';

type Obj = Record<string, unknown>;

/** Metadata fields server-side apply does not track (structured-merge-diff strips them). */
const UNTRACKED_METADATA = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'managedFields',
  'selfLink',
]);

function setOfValue(value: unknown, spec: FieldSpec | undefined, builtIn: boolean): FieldsV1 {
  if (Array.isArray(value)) {
    const keys = spec?.list;
    if (!Array.isArray(keys)) return {};
    const node: Record<string, FieldsV1> = {};
    for (const item of value) {
      if (!isRecord(item)) continue;
      const key = Object.fromEntries(keys.filter((k) => item[k] !== undefined).map((k) => [k, item[k]]));
      node[keyElement(key)] = { '.': {}, ...setOfObject(item, spec?.struct, builtIn) };
    }
    return node;
  }
  if (isRecord(value)) {
    if (spec?.map) return Object.fromEntries(Object.keys(value).map((k) => [`f:${k}`, {}]));
    if (spec?.struct && isAtomicStruct(spec.struct)) return {};
    return setOfObject(value, spec?.struct, builtIn);
  }
  return {};
}

function setOfObject(o: Obj, struct: string | undefined, builtIn: boolean, top = false): Record<string, FieldsV1> {
  const node: Record<string, FieldsV1> = {};
  for (const [key, value] of Object.entries(o)) {
    if (top && (key === 'apiVersion' || key === 'kind' || key === 'status')) continue;
    if (value === undefined) continue;
    if (top && key === 'metadata' && isRecord(value)) {
      const meta: Record<string, FieldsV1> = {};
      for (const [mk, mv] of Object.entries(value)) {
        if (UNTRACKED_METADATA.has(mk)) continue;
        meta[`f:${mk}`] = isRecord(mv) ? Object.fromEntries(Object.keys(mv).map((k) => [`f:${k}`, {}])) : {};
      }
      if (Object.keys(meta).length > 0) node['f:metadata'] = meta;
      continue;
    }
    node[`f:${key}`] = setOfValue(value, fieldSpec(struct, key), builtIn);
  }
  return node;
}

/**
 * The fieldsV1 set server-side apply records for an applied configuration: every field it sets;
 * associative lists (`+listType=map`) item by item under `k:{keys}` with `.`; atomic lists and
 * atomic structs (LabelSelector) whole; custom resources' lists whole.
 */
export function fieldSetOf(applied: Obj): FieldsV1 {
  const root = rootStruct(String(applied.apiVersion), String(applied.kind));
  return setOfObject(applied, root, root !== undefined, true);
}

function managedEntry(manager: string, operation: string, apiVersion: string, fields: FieldsV1): Obj {
  return { manager, operation, apiVersion, time: CREATED_AT, fieldsType: 'FieldsV1', fieldsV1: fields };
}

/** The live object after kustomize-controller applied `manifest` to an empty cluster. */
export function fluxApplied(manifest: Obj, options: FluxApplyOptions = {}): Obj {
  const sent = fluxNormalize(manifest, options);
  const live = served(sent, options);
  (live.metadata as Obj).managedFields = [
    managedEntry(FLUX_FIELD_MANAGER, 'Apply', String(live.apiVersion), fieldSetOf(sent)),
  ];
  return live;
}

// ---- another manager's update ----------------------------------------------------------------

type Path = readonly string[];

function leafPaths(tree: FieldsV1, prefix: Path = []): Path[] {
  const out: Path[] = [];
  for (const [el, child] of Object.entries(tree)) {
    const p = [...prefix, el];
    if (Object.keys(child).length === 0) out.push(p);
    else out.push(...leafPaths(child, p));
  }
  return out;
}

/** The value at a fieldsV1 path of an object (`.` is the item itself), or undefined. */
export function valueAt(obj: unknown, path: Path): unknown {
  let cur: unknown = obj;
  for (const el of path) {
    const e = parseElement(el);
    if (!e || cur === undefined) return undefined;
    if (e.kind === 'self') continue;
    if (e.kind === 'field') cur = isRecord(cur) ? cur[e.name] : undefined;
    else if (e.kind === 'key')
      cur = Array.isArray(cur)
        ? cur.find((i) => isRecord(i) && Object.entries(e.key).every(([k, v]) => deepEqual(i[k], v)))
        : undefined;
    else if (e.kind === 'value') cur = Array.isArray(cur) ? cur.find((i) => deepEqual(i, e.value)) : undefined;
    else cur = Array.isArray(cur) ? cur[e.index] : undefined;
  }
  return cur;
}

function without(tree: FieldsV1, path: Path): FieldsV1 {
  const [head, ...rest] = path;
  const subtree = head === undefined ? undefined : tree[head];
  if (head === undefined || subtree === undefined) return tree;
  const copy: Record<string, FieldsV1> = { ...tree };
  if (rest.length === 0) delete copy[head];
  else {
    const child = without(subtree, rest);
    if (Object.keys(child).length === 0) delete copy[head];
    else copy[head] = child;
  }
  return copy;
}

function withPath(tree: FieldsV1, path: Path): FieldsV1 {
  const [head, ...rest] = path;
  if (head === undefined) return tree;
  return { ...tree, [head]: withPath(tree[head] ?? {}, rest) };
}

/**
 * The live object after `manager` changed it with an Update (kubectl edit, a controller): the
 * server re-applies its defaults, and the fields whose value changed move to `manager` (other
 * managers lose them; conflicts are not checked for an Update).
 */
export function updatedBy(live: Obj, manager: string, mutate: (o: Obj) => void, options: ShapeOptions = {}): Obj {
  const before = structuredClone(live);
  const after = structuredClone(live);
  mutate(after);
  const meta = after.metadata as Obj;
  const kept = { uid: meta.uid, managedFields: meta.managedFields, creationTimestamp: meta.creationTimestamp };
  const shaped = served(after, options);
  const shapedMeta = shaped.metadata as Obj;
  const beforeMeta = before.metadata as Obj;
  Object.assign(shapedMeta, kept, { resourceVersion: String(Number(beforeMeta.resourceVersion ?? 1000) + 1) });
  if (typeof beforeMeta.generation === 'number')
    shapedMeta.generation = beforeMeta.generation + (deepEqual(before.spec, shaped.spec) ? 0 : 1);
  // Changed leaves: in either object's field set, with another value (or presence) in the other.
  const paths = new Map<string, Path>();
  for (const p of [...leafPaths(fieldSetOf(before)), ...leafPaths(fieldSetOf(shaped))]) paths.set(JSON.stringify(p), p);
  // A list item's `.` stands for the item's presence, not its content.
  const differs = (p: Path) =>
    p[p.length - 1] === '.'
      ? (valueAt(before, p) === undefined) !== (valueAt(shaped, p) === undefined)
      : !deepEqual(valueAt(before, p), valueAt(shaped, p));
  const changed = [...paths.values()].filter(differs);
  const entries = (Array.isArray(kept.managedFields) ? kept.managedFields : []) as Obj[];
  const next: Obj[] = [];
  let mine: FieldsV1 = {};
  for (const e of entries) {
    let fields = (e.fieldsV1 ?? {}) as FieldsV1;
    for (const p of changed) fields = without(fields, p);
    if (e.manager === manager && e.operation === 'Update') mine = fields;
    else if (Object.keys(fields).length > 0) next.push({ ...e, fieldsV1: fields });
  }
  for (const p of changed) if (valueAt(shaped, p) !== undefined) mine = withPath(mine, p);
  if (Object.keys(mine).length > 0) next.push(managedEntry(manager, 'Update', String(shaped.apiVersion), mine));
  shapedMeta.managedFields = next;
  return shaped;
}
