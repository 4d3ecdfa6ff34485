/**
 * `k8s.workloads-ready`: every Deployment and StatefulSet in the namespace is ready and up to
 * date at its current generation, and no pod is stuck in CrashLoopBackOff or an image pull error.
 */
import { defineProbe } from '../define-probe.js';
import { outcome, type ProbeOutcome } from '../types.js';
import { list, nameOf, num, str } from './objects.js';
import type { UncheckedKubeObject } from '../../core/manifests.js';

/** Waiting reasons that mean a pod will not become ready by itself. */
export const STUCK_REASONS = [
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'CreateContainerConfigError',
  'InvalidImageName',
];

export interface WorkloadsInput {
  readonly namespace: string;
  readonly deployments: readonly UncheckedKubeObject[];
  readonly statefulSets: readonly UncheckedKubeObject[];
  readonly pods: readonly UncheckedKubeObject[];
}

function workloadProblem(kind: 'Deployment' | 'StatefulSet', w: UncheckedKubeObject): string | undefined {
  const desired = num(w, 'spec.replicas') ?? 1;
  const generation = num(w, 'metadata.generation');
  const observed = num(w, 'status.observedGeneration');
  const ready = num(w, 'status.readyReplicas') ?? 0;
  const updated = num(w, 'status.updatedReplicas') ?? 0;
  const total = num(w, 'status.replicas') ?? 0;
  const id = `${kind.toLowerCase()}/${nameOf(w)}`;
  if (generation !== undefined && (observed === undefined || observed < generation))
    return `${id} not observed at generation ${generation}`;
  if (ready < desired) return `${id} ${ready}/${desired} ready`;
  if (updated < desired) return `${id} ${updated}/${desired} up to date`;
  if (kind === 'Deployment') {
    const available = num(w, 'status.availableReplicas') ?? 0;
    if (available < desired) return `${id} ${available}/${desired} available`;
    if (total > desired) return `${id} rollout in progress (${total} replicas for ${desired})`;
  } else {
    const current = str(w, 'status.currentRevision');
    const update = str(w, 'status.updateRevision');
    if (current && update && current !== update) return `${id} rollout in progress (revision ${current} -> ${update})`;
  }
  return undefined;
}

/** `pod/container: reason` for every container waiting for a stuck reason. */
export function stuckContainers(pods: readonly UncheckedKubeObject[]): string[] {
  const out: string[] = [];
  for (const pod of pods) {
    for (const cs of [...list(pod, 'status.initContainerStatuses'), ...list(pod, 'status.containerStatuses')]) {
      const reason = str(cs, 'state.waiting.reason');
      if (reason && STUCK_REASONS.includes(reason)) {
        out.push(`pod/${nameOf(pod)} ${str(cs, 'name') ?? '?'}: ${reason} (restarts ${num(cs, 'restartCount') ?? 0})`);
      }
    }
  }
  return out;
}

export function evaluateWorkloads(input: WorkloadsInput): ProbeOutcome {
  const all = [
    ...input.deployments.map((w) => ['Deployment', w] as const),
    ...input.statefulSets.map((w) => ['StatefulSet', w] as const),
  ];
  if (all.length === 0)
    return outcome.fail(`no Deployment or StatefulSet in namespace ${input.namespace}: nothing is deployed`, {
      namespace: input.namespace,
    });
  const problems = all.map(([kind, w]) => workloadProblem(kind, w)).filter((p): p is string => p !== undefined);
  const stuck = stuckContainers(input.pods);
  const evidence = {
    namespace: input.namespace,
    workloads: all.map(
      ([kind, w]) =>
        `${kind.toLowerCase()}/${nameOf(w)} ${num(w, 'status.readyReplicas') ?? 0}/${num(w, 'spec.replicas') ?? 1}`,
    ),
    pods: input.pods.length,
    notReady: problems,
    stuckPods: stuck,
  };
  if (problems.length > 0 || stuck.length > 0)
    return outcome.fail([...stuck, ...problems].slice(0, 4).join('; '), evidence);
  return outcome.pass(`${all.length} workloads ready and up to date, ${input.pods.length} pods, none stuck`, evidence);
}

export const workloadsReady = defineProbe({
  id: 'k8s.workloads-ready',
  category: 'deployment',
  title: 'Deployments and StatefulSets ready, no pod crashlooping',
  needs: (t) => ({ namespace: t.namespace }),
  needsKube: true,
  retry: 'eventual',
  async run(ctx, { namespace }) {
    const kube = await ctx.kube();
    const [deployments, statefulSets, pods] = await Promise.all([
      kube.list('apps/v1', 'Deployment', namespace),
      kube.list('apps/v1', 'StatefulSet', namespace),
      kube.list('v1', 'Pod', namespace),
    ]);
    return evaluateWorkloads({ namespace, deployments, statefulSets, pods });
  },
});
