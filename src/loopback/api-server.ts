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
 * `SetOwnerLabels`). The field set server-side apply records for it: ./api-field-managers.ts.
 */
import { createHash } from 'node:crypto';
import { defaultValue, fieldSpec, isAtomicStruct, rootStruct, structFields } from '../kube/api-types.js';
import { canonicalizeQuantities, isEmpty, isZero } from '../kube/api-values.js';
import { FLUX_OWNER_LABEL_PREFIX } from '../kube/managed-fields.js';
import { isRecord } from '../core/is-record.js';

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
  const [a = 0, b = 0] = h; // a sha256 digest has 32 bytes
  return `10.96.${a}.${Math.max(1, b)}`;
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
