/**
 * Workloads as the policies see them: the pod template of each workload kind (Deployment,
 * StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod) and where it sits, and Kubernetes'
 * label-selector semantics to find a workload's neighbours (PodDisruptionBudget, NetworkPolicy).
 */
import type { KubeObject } from '../core/manifests.js';
import { isRecord } from '../core/is-record.js';

/** An object with where it came from. */
export interface PlacedObject {
  readonly object: KubeObject;
  readonly file: string;
  readonly line: number;
}

type Rec = Record<string, unknown>;

/** `v` as a map, or an empty one. */
export const rec = (v: unknown): Rec => (isRecord(v) ? v : {});
/** The maps of `v` when it is a list, or none. */
export const list = (v: unknown): Rec[] => (Array.isArray(v) ? v.filter(isRecord) : []);
const labelsOf = (v: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(rec(v)).filter((e): e is [string, string] => typeof e[1] === 'string'));

export interface Workload {
  readonly placed: PlacedObject;
  readonly podSpec: Rec;
  readonly podSpecPath: string;
  readonly podLabels: Record<string, string>;
  readonly replicas: number;
  readonly selector?: Rec;
  /** Jobs run to completion: no readiness/liveness probes expected. */
  readonly runsToCompletion: boolean;
}

/** The pod template of a workload kind (and where it sits), or undefined for other kinds. */
export function workloadOf(placed: PlacedObject): Workload | undefined {
  const o = placed.object;
  const spec = rec(o.spec);
  const base = { placed, selector: isRecord(spec.selector) ? spec.selector : undefined };
  switch (o.kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'ReplicaSet':
    case 'DaemonSet': {
      const template = rec(spec.template);
      const replicas = o.kind === 'DaemonSet' ? 1 : typeof spec.replicas === 'number' ? spec.replicas : 1;
      return {
        ...base,
        podSpec: rec(template.spec),
        podSpecPath: 'spec.template.spec',
        podLabels: labelsOf(rec(template.metadata).labels),
        replicas,
        runsToCompletion: false,
      };
    }
    case 'Job': {
      const template = rec(spec.template);
      return {
        placed,
        podSpec: rec(template.spec),
        podSpecPath: 'spec.template.spec',
        podLabels: labelsOf(rec(template.metadata).labels),
        replicas: 1,
        runsToCompletion: true,
      };
    }
    case 'CronJob': {
      const template = rec(rec(rec(spec.jobTemplate).spec).template);
      return {
        placed,
        podSpec: rec(template.spec),
        podSpecPath: 'spec.jobTemplate.spec.template.spec',
        podLabels: labelsOf(rec(template.metadata).labels),
        replicas: 1,
        runsToCompletion: true,
      };
    }
    case 'Pod':
      return {
        placed,
        podSpec: spec,
        podSpecPath: 'spec',
        podLabels: labelsOf(o.metadata.labels),
        replicas: 1,
        runsToCompletion: false,
      };
    default:
      return undefined;
  }
}

/** Kubernetes label-selector semantics (matchLabels and matchExpressions). */
export function selectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  if (!isRecord(selector)) return false;
  for (const [k, v] of Object.entries(labelsOf(selector.matchLabels))) if (labels[k] !== v) return false;
  for (const expr of list(selector.matchExpressions)) {
    const key = String(expr.key);
    const values = Array.isArray(expr.values) ? expr.values.map(String) : [];
    const has = Object.hasOwn(labels, key);
    const value = has ? labels[key] : undefined;
    switch (expr.operator) {
      case 'In':
        if (value === undefined || !values.includes(value)) return false;
        break;
      case 'NotIn':
        if (value !== undefined && values.includes(value)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
