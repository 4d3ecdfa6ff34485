/**
 * What the quality gate reports: one finding per problem, each naming the file, the object, the
 * field path, the rule (with the ids of the public linters it mirrors) and the fix.
 */
import { objectKey } from '../core/manifests.js';

/** Which part of the gate produced a finding. */
export type CheckArea =
  | 'schema'
  | 'engine-config'
  | 'policy'
  | 'refs'
  | 'secret'
  | 'flux'
  | 'monitoring'
  | 'synth'
  | 'unresolved';

/** `error` fails the gate; `warning` is listed but does not (unresolved values). */
export type Severity = 'error' | 'warning';

/** The Kubernetes object a finding is about. */
export interface ObjectRef {
  readonly apiVersion?: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

export interface Finding {
  readonly severity: Severity;
  readonly area: CheckArea;
  /** Path relative to the repository root (or as given), e.g. `dist/backstage-wus2-v4/release.yaml`. */
  readonly file: string;
  /** 1-based line in the file, when known. */
  readonly line?: number;
  readonly object?: ObjectRef;
  /** Dotted field path inside the object, e.g. `spec.template.spec.containers[0].securityContext`. */
  readonly path?: string;
  /** This gate's rule id, e.g. `run-as-non-root` or `schema.unknown-field`. */
  readonly rule: string;
  /** The same rule in the public linters, e.g. `kube-linter run-as-non-root`, `Checkov CKV_K8S_23`. */
  readonly anchors?: readonly string[];
  readonly message: string;
  readonly fix: string;
}

/** `Kind namespace/name` or `Kind name`: the same key diff, export and drift print (`objectKey`). */
export function describeObject(o: ObjectRef): string {
  return objectKey({ kind: o.kind, metadata: { name: o.name, ...(o.namespace ? { namespace: o.namespace } : {}) } });
}

/** The keys of a JSON Pointer (RFC 6901: `~1` is `/`, `~0` is `~`), for `valueAt` (src/core/values-path.ts). */
export function pointerSegments(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** A JSON pointer (`/spec/valuesFrom/0/name`) as a dotted path (`spec.valuesFrom[0].name`). */
export function pointerToPath(pointer: string): string {
  if (pointer === '' || pointer === '/') return '';
  let out = '';
  for (const part of pointerSegments(pointer)) {
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** Joins a parent path and a child key or index into a dotted path. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (!/^[A-Za-z_$][\w$-]*$/.test(key)) return `${parent}[${JSON.stringify(key)}]`;
  return parent === '' ? key : `${parent}.${key}`;
}
