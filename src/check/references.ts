/**
 * Reference rules: every Secret and ConfigMap a reader names must resolve in a namespace that
 * reader can read. Kubernetes gives no cross-namespace reference here:
 *
 * - a container reads `secretKeyRef`, `configMapKeyRef`, `envFrom` and volume sources from its
 *   own Pod's namespace; for the pods a HelmRelease's chart renders, that is the release's
 *   `targetNamespace` (default: the HelmRelease's namespace), so a `secretKeyRef` anywhere in
 *   `spec.values` is read there;
 * - helm-controller reads `spec.valuesFrom` only from the HelmRelease's own namespace
 *   (`ChartValuesFromReferences(..., hr.Namespace, ...)` in helm-controller
 *   internal/chartutil/values.go).
 *
 * A Secret is provided by a `Secret`, a `SealedSecret` (the controller creates the Secret with
 * its name and namespace) or an `ExternalSecret` (`spec.target.name`, default its own name, in
 * its namespace). A name produced only in another namespace is an error (`refs.wrong-namespace`:
 * the reader would not start or not reconcile); a name produced nowhere in the folder is a
 * warning (`refs.not-in-dist`: it must exist in the cluster or in the GitOps folder, which
 * `npm run export` checks for `valuesFrom`). `optional: true` references are not checked, nor
 * the objects the cluster itself puts into every namespace (CLUSTER_PROVIDED).
 */
import type { Finding } from './finding.js';
import { refOf } from './manifests.js';
import { type PlacedObject, workloadOf } from './workloads.js';
import { isRecord } from '../core/is-record.js';

type Rec = Record<string, unknown>;
type RefKind = 'Secret' | 'ConfigMap';

/** One reference found in an object. */
export interface ObjectReference {
  readonly kind: RefKind;
  readonly name: string;
  /** Where the reader looks. */
  readonly namespace: string;
  /** Dotted path of the reference inside the object. */
  readonly path: string;
  /** Who reads it, for the message. */
  readonly reader: string;
  readonly optional: boolean;
}

const rec = (v: unknown): Rec => (isRecord(v) ? v : {});

/**
 * Objects every namespace holds without anyone applying them: `kube-root-ca.crt`, the cluster's CA
 * bundle, published into each namespace by kube-controller-manager's root CA publisher (Kubernetes
 * 1.20+); the automatic service-account token volume reads it, and so does the probe runner's
 * explicit one (src/constructs/probe-runner.ts).
 * @see https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#bound-service-account-token-volume
 */
const CLUSTER_PROVIDED: ReadonlySet<string> = new Set(['ConfigMap/kube-root-ca.crt']);
const list = (v: unknown): Rec[] => (Array.isArray(v) ? v.filter(isRecord) : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** `Kind/name` → the namespaces it is produced in, for every Secret and ConfigMap of the objects. */
export function providedObjects(objects: readonly PlacedObject[]): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  const add = (kind: RefKind, namespace: string | undefined, name: string | undefined) => {
    if (!namespace || !name) return;
    const key = `${kind}/${name}`;
    byName.set(key, [...(byName.get(key) ?? []), namespace]);
  };
  for (const { object: o } of objects) {
    const ns = str(o.metadata.namespace);
    if (o.kind === 'Secret' && o.apiVersion === 'v1') add('Secret', ns, o.metadata.name);
    else if (o.kind === 'ConfigMap' && o.apiVersion === 'v1') add('ConfigMap', ns, o.metadata.name);
    else if (o.kind === 'SealedSecret' && o.apiVersion.startsWith('bitnami.com/')) add('Secret', ns, o.metadata.name);
    else if (o.kind === 'ExternalSecret' && o.apiVersion.startsWith('external-secrets.io/'))
      add('Secret', ns, str(rec(rec(o.spec).target).name) ?? o.metadata.name);
  }
  return byName;
}

/** References in a pod spec: env, envFrom, volumes (projected too), image pull secrets. */
function podReferences(pod: Rec, podPath: string, namespace: string, reader: string): ObjectReference[] {
  const out: ObjectReference[] = [];
  const push = (kind: RefKind, name: unknown, path: string, optional: unknown) => {
    const n = str(name);
    if (n) out.push({ kind, name: n, namespace, path, reader, optional: optional === true });
  };
  for (const group of ['initContainers', 'containers'] as const) {
    list(pod[group]).forEach((c, i) => {
      const cPath = `${podPath}.${group}[${i}]`;
      list(c.env).forEach((e, j) => {
        const from = rec(e.valueFrom);
        const s = rec(from.secretKeyRef);
        const m = rec(from.configMapKeyRef);
        push('Secret', s.name, `${cPath}.env[${j}].valueFrom.secretKeyRef`, s.optional);
        push('ConfigMap', m.name, `${cPath}.env[${j}].valueFrom.configMapKeyRef`, m.optional);
      });
      list(c.envFrom).forEach((e, j) => {
        push('Secret', rec(e.secretRef).name, `${cPath}.envFrom[${j}].secretRef`, rec(e.secretRef).optional);
        push(
          'ConfigMap',
          rec(e.configMapRef).name,
          `${cPath}.envFrom[${j}].configMapRef`,
          rec(e.configMapRef).optional,
        );
      });
    });
  }
  list(pod.volumes).forEach((v, i) => {
    const vPath = `${podPath}.volumes[${i}]`;
    push('Secret', rec(v.secret).secretName, `${vPath}.secret`, rec(v.secret).optional);
    push('ConfigMap', rec(v.configMap).name, `${vPath}.configMap`, rec(v.configMap).optional);
    list(rec(v.projected).sources).forEach((src, j) => {
      push('Secret', rec(src.secret).name, `${vPath}.projected.sources[${j}].secret`, rec(src.secret).optional);
      push(
        'ConfigMap',
        rec(src.configMap).name,
        `${vPath}.projected.sources[${j}].configMap`,
        rec(src.configMap).optional,
      );
    });
  });
  list(pod.imagePullSecrets).forEach((s, i) => {
    push('Secret', s.name, `${podPath}.imagePullSecrets[${i}]`, false);
  });
  return out;
}

/** `secretKeyRef` / `configMapKeyRef` maps anywhere in a HelmRelease's values (chart-rendered pod env). */
function valuesReferences(
  tree: unknown,
  path: string,
  namespace: string,
  reader: string,
  out: ObjectReference[],
): void {
  if (Array.isArray(tree)) {
    tree.forEach((item, i) => {
      valuesReferences(item, `${path}[${i}]`, namespace, reader, out);
    });
    return;
  }
  if (!isRecord(tree)) return;
  for (const [key, value] of Object.entries(tree)) {
    const here = `${path}.${key}`;
    const name = isRecord(value) ? str(value.name) : undefined;
    if ((key === 'secretKeyRef' || key === 'configMapKeyRef') && isRecord(value) && name) {
      out.push({
        kind: key === 'secretKeyRef' ? 'Secret' : 'ConfigMap',
        name,
        namespace,
        path: here,
        reader,
        optional: value.optional === true,
      });
    } else valuesReferences(value, here, namespace, reader, out);
  }
}

/** Every Secret/ConfigMap reference of one object, with the namespace its reader looks in. */
export function referencesOf(placed: PlacedObject): ObjectReference[] {
  const o = placed.object;
  const ns = str(o.metadata.namespace);
  if (!ns) return [];
  if (o.kind === 'HelmRelease' && o.apiVersion.startsWith('helm.toolkit.fluxcd.io/')) {
    const spec = rec(o.spec);
    const target = str(spec.targetNamespace) ?? ns;
    const out: ObjectReference[] = [];
    list(spec.valuesFrom).forEach((v, i) => {
      const kind = v.kind === 'Secret' || v.kind === 'ConfigMap' ? v.kind : undefined;
      const name = str(v.name);
      if (kind && name)
        out.push({
          kind,
          name,
          namespace: ns,
          path: `spec.valuesFrom[${i}]`,
          reader: `helm-controller (valuesFrom of HelmRelease ${ns}/${o.metadata.name})`,
          optional: v.optional === true,
        });
    });
    valuesReferences(spec.values, 'spec.values', target, `the chart's pods (installed into ${target})`, out);
    return out;
  }
  const workload = workloadOf(placed);
  return workload
    ? podReferences(workload.podSpec, workload.podSpecPath, ns, `the pods of ${o.kind} ${ns}/${o.metadata.name}`)
    : [];
}

/** The `refs.*` findings of one environment's objects. */
export function checkReferences(objects: readonly PlacedObject[]): Finding[] {
  const provided = providedObjects(objects);
  const findings: Finding[] = [];
  for (const placed of objects) {
    for (const r of referencesOf(placed)) {
      if (r.optional || CLUSTER_PROVIDED.has(`${r.kind}/${r.name}`)) continue;
      const where = provided.get(`${r.kind}/${r.name}`) ?? [];
      if (where.includes(r.namespace)) continue;
      const base = {
        area: 'refs' as const,
        file: placed.file,
        line: placed.line,
        object: refOf(placed.object),
        path: r.path,
      };
      if (where.length > 0) {
        findings.push({
          ...base,
          severity: 'error',
          rule: 'refs.wrong-namespace',
          message:
            `${r.kind} ${r.name} is read by ${r.reader} in namespace "${r.namespace}", but it is produced only in ` +
            `${where.map((n) => `"${n}"`).join(', ')}: a reference never crosses namespaces`,
          fix:
            `produce the ${r.kind} in namespace "${r.namespace}" (the stack places each Secret beside ` +
            `its reader: src/environments/namespaces.ts), or move the reader`,
        });
      } else {
        findings.push({
          ...base,
          severity: 'warning',
          rule: 'refs.not-in-dist',
          message: `${r.kind} ${r.name} (read by ${r.reader} in namespace "${r.namespace}") is not produced by this folder`,
          fix:
            `make sure it exists in namespace "${r.namespace}" before the release reconciles (npm run ` +
            `export checks the GitOps folder for valuesFrom), or mark the reference optional`,
        });
      }
    }
  }
  return findings;
}
