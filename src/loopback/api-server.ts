/**
 * Objects shaped the way the Kubernetes API server returns them, and the way Flux's
 * kustomize-controller applies them, for the loopback API stand-in (src/loopback/kube-api.ts).
 *
 * What a real server does to a manifest before a GET returns it (src/kube/api-types.ts holds the
 * per-field table and its sources):
 * - decodes it into Go types: the zero value of an `omitempty` value field (`minReadySeconds: 0`,
 *   `hostNetwork: false`) and empty lists and maps (`externalIPs: []`) are gone; a pointer field
 *   keeps `false` (`automountServiceAccountToken: false`);
 * - runs the defaulting functions (`dnsPolicy`, probe timings, `protocol: TCP`, `targetPort`, ...);
 *   rounds ResourceList quantities up to milli units and writes every quantity canonically
 *   (`1000m` -> `1`);
 * - custom resources keep every value sent and get their CRD schema's `default`s;
 * - adds what it owns: uid, resourceVersion, generation, creationTimestamp, managedFields,
 *   status, a Service's cluster IP and IP families, the deprecated `serviceAccount` alias, and
 *   (through the deployment controller) the revision annotation.
 *
 * What Flux does before it applies (fluxcd/pkg `ssa/normalize/normalize.go`: a round trip through
 * the typed object, `protocol: TCP` on container and Service ports; `ssa/manager.go`
 * `SetOwnerLabels`), and the field set server-side apply records for it.
 */
import { createHash } from 'node:crypto';
import {
  canonicalizeQuantities,
  defaultValue,
  fieldSpec,
  isAtomicStruct,
  isEmpty,
  isRecord,
  isZero,
  rootStruct,
  structFields,
  deepEqual,
  type FieldSpec,
} from '../kube/api-types.js';
import {
  FLUX_FIELD_MANAGER,
  FLUX_OWNER_LABEL_PREFIX,
  keyElement,
  parseElement,
  type FieldsV1,
} from '../kube/managed-fields.js';

type Obj = Record<string, unknown>;

/** A CRD version's schema, for CRD defaulting. */
export interface CrdSchema {
  readonly group: string;
  readonly kind: string;
  readonly version: string;
  readonly openAPIV3Schema: Record<string, unknown>;
}

export interface ShapeOptions {
  /** CRD schemas whose `default`s apply to custom resources. @default none */
  readonly crds?: readonly CrdSchema[];
}

/** A fixed time: shaping is deterministic. */
export const CREATED_AT = '2026-01-05T10:00:00Z';

const NO_GENERATION = new Set(['ConfigMap', 'Secret', 'ServiceAccount', 'Service']);

// ---- decoding into Go types: omitted values -------------------------------------------------

/** Drops what `encoding/json` never writes for these types: zero `omitempty` values, empty lists and maps. */
function dropOmitted(o: Obj, struct: string): void {
  for (const [key, value] of Object.entries(o)) {
    const spec = fieldSpec(struct, key);
    if (!spec) continue;
    if (spec.struct && isRecord(value)) dropOmitted(value, spec.struct);
    if (spec.struct && spec.list && Array.isArray(value))
      for (const item of value) if (isRecord(item)) dropOmitted(item, spec.struct);
    if (spec.required) continue;
    if ((spec.omitZero && isZero(value)) || ((spec.list || spec.map) && isEmpty(value)) || value === null)
      delete o[key];
  }
}

// ---- defaulting ---------------------------------------------------------------------------

/** Runs the table's server defaults on a struct and everything below it, fields in declaration order. */
function defaultStruct(o: Obj, struct: string): void {
  for (const [key, spec] of structFields(struct)) {
    if (o[key] === undefined && spec.default?.by === 'server') {
      const value = defaultValue(spec, o);
      if (value !== undefined) o[key] = structuredClone(value);
    }
    const value = o[key];
    if (!spec.struct || isAtomicStruct(spec.struct)) continue;
    if (spec.list && Array.isArray(value))
      for (const item of value) if (isRecord(item)) defaultStruct(item, spec.struct);
    if (!spec.list && isRecord(value)) defaultStruct(value, spec.struct);
  }
}

/** Structural-schema defaulting of a custom resource: a missing property gets its `default`. */
function crdDefaults(value: unknown, schema: Record<string, unknown>): void {
  if (isRecord(value) && isRecord(schema.properties)) {
    for (const [key, sub] of Object.entries(schema.properties)) {
      if (!isRecord(sub)) continue;
      if (value[key] === undefined && sub.default !== undefined) value[key] = structuredClone(sub.default);
      if (value[key] !== undefined) crdDefaults(value[key], sub);
    }
  }
  if (Array.isArray(value) && isRecord(schema.items)) for (const item of value) crdDefaults(item, schema.items);
}

function stableIp(key: string): string {
  const h = createHash('sha256').update(key).digest();
  return `10.96.${h[0]}.${Math.max(1, h[1]!)}`;
}

/**
 * The object as the API server stores and returns it after a write of `sent` (metadata.uid and the
 * rest derived from the object's identity, so the same input gives the same output).
 */
/** `o[key]` as a map, made an empty one first when it is absent or not a map. */
function recordAt(o: Obj, key: string): Obj {
  const value = o[key];
  if (isRecord(value)) return value;
  const made: Obj = {};
  o[key] = made;
  return made;
}

export function served(sent: Obj, options: ShapeOptions = {}): Obj {
  const o = structuredClone(sent);
  const apiVersion = String(o.apiVersion);
  const kind = String(o.kind);
  const meta = recordAt(o, 'metadata');
  const identity = `${apiVersion}/${kind}/${String(meta.namespace ?? '')}/${String(meta.name)}`;
  const root = rootStruct(apiVersion, kind);
  if (root) {
    if (kind === 'Secret' && isRecord(o.stringData)) {
      // The registry folds stringData into data and never returns stringData.
      const data = recordAt(o, 'data');
      for (const [k, v] of Object.entries(o.stringData)) data[k] = Buffer.from(String(v)).toString('base64');
      delete o.stringData;
    }
    dropOmitted(o, root);
    defaultStruct(o, root);
    canonicalizeQuantities(o);
  } else {
    const [group, version] = apiVersion.includes('/')
      ? [apiVersion.slice(0, apiVersion.lastIndexOf('/')), apiVersion.slice(apiVersion.lastIndexOf('/') + 1)]
      : ['', apiVersion];
    const crd = options.crds?.find((c) => c.group === group && c.kind === kind && c.version === version);
    if (crd) crdDefaults(o, crd.openAPIV3Schema);
  }
  if (kind === 'Service' && isRecord(o.spec) && o.spec.type !== 'ExternalName') {
    const spec = o.spec;
    spec.clusterIP ??= stableIp(identity);
    spec.clusterIPs ??= [spec.clusterIP];
    spec.ipFamilies ??= ['IPv4'];
    spec.ipFamilyPolicy ??= 'SingleStack';
    o.status = { loadBalancer: {} };
  }
  if (kind === 'Deployment') {
    meta.annotations = {
      ...(isRecord(meta.annotations) ? meta.annotations : {}),
      'deployment.kubernetes.io/revision': '1',
    };
    const replicas = isRecord(o.spec) ? o.spec.replicas : undefined;
    o.status = {
      observedGeneration: 1,
      replicas,
      readyReplicas: replicas,
      updatedReplicas: replicas,
      availableReplicas: replicas,
    };
  }
  meta.uid = createHash('sha256')
    .update(identity)
    .digest('hex')
    .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*$/, '$1-$2-$3-$4-$5');
  meta.resourceVersion = String(
    1000 + (parseInt(createHash('sha256').update(identity).digest('hex').slice(0, 6), 16) % 9000),
  );
  if (!NO_GENERATION.has(kind)) meta.generation = 1;
  meta.creationTimestamp = CREATED_AT;
  return o;
}

// ---- Flux's apply --------------------------------------------------------------------------

export interface FluxApplyOptions extends ShapeOptions {
  /** The Flux Kustomization applying the object (its owner labels). @default flux-system/arcade */
  readonly kustomization?: { readonly name: string; readonly namespace: string };
}

/** What kustomize-controller sends for a manifest: owner labels, then normalize.UnstructuredList. */
export function fluxNormalize(manifest: Obj, options: FluxApplyOptions = {}): Obj {
  const o = structuredClone(manifest);
  const ks = options.kustomization ?? { name: 'arcade', namespace: 'flux-system' };
  const meta = recordAt(o, 'metadata');
  meta.labels = {
    ...(isRecord(meta.labels) ? meta.labels : {}),
    [`${FLUX_OWNER_LABEL_PREFIX}name`]: ks.name,
    [`${FLUX_OWNER_LABEL_PREFIX}namespace`]: ks.namespace,
  };
  const root = rootStruct(String(o.apiVersion), String(o.kind));
  if (!root) return o;
  // The typed round trip: omitempty zero values and empty lists/maps vanish, quantities print canonically.
  dropOmitted(o, root);
  canonicalizeQuantities(o, false);
  const setTcp = (ports: unknown) => {
    if (Array.isArray(ports)) for (const p of ports) if (isRecord(p)) p.protocol ??= 'TCP';
  };
  if (o.kind === 'Service' && isRecord(o.spec)) setTcp(o.spec.ports);
  const podSpec =
    o.kind === 'Deployment' && isRecord(o.spec) && isRecord(o.spec.template) ? o.spec.template.spec : undefined;
  if (isRecord(podSpec) && Array.isArray(podSpec.containers))
    for (const c of podSpec.containers) if (isRecord(c)) setTcp(c.ports);
  return o;
}

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
  if (head === undefined || !(head in tree)) return tree;
  const copy: Record<string, FieldsV1> = { ...tree };
  if (rest.length === 0) delete copy[head];
  else {
    const child = without(tree[head]!, rest);
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
