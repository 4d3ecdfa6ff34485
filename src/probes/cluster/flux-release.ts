/**
 * `flux.release-ready`: the HelmRelease is Ready=True, not Stalled, reconciled at its current
 * generation, and deployed at the pinned chart version; with `--revision`, the Flux
 * Kustomization's last applied revision (`master@sha1:<sha>`) is that commit.
 */
import { defineProbe } from '../define-probe.js';
import { outcome, type ProbeOutcome } from '../types.js';
import { condition, describeCondition, list, num, str } from './objects.js';
import type { UncheckedKubeObject } from '../../core/manifests.js';

export const HELMRELEASE_API = 'helm.toolkit.fluxcd.io/v2';
export const KUSTOMIZATION_API = 'kustomize.toolkit.fluxcd.io/v1';

export interface FluxReleaseInput {
  /** `<namespace>/<name>` of the HelmRelease (for messages). */
  readonly ref: string;
  readonly release: UncheckedKubeObject | undefined;
  readonly chartVersion: string;
  /** `--revision`, with the Kustomization read for it. */
  readonly revision?: {
    readonly sha: string;
    readonly ref: string;
    readonly kustomization: UncheckedKubeObject | undefined;
  };
}

/** The chart version Helm last deployed: v2 `status.history` (newest first), else v2beta `lastAppliedRevision`. */
export function deployedChartVersion(release: UncheckedKubeObject): string | undefined {
  const history = list(release, 'status.history');
  const deployed = history.find((h) => str(h, 'status') === 'deployed') ?? history[0];
  return str(deployed, 'chartVersion') ?? str(release, 'status.lastAppliedRevision');
}

/** The commit in a Flux source revision: `master@sha1:<sha>`, `sha1:<sha>` or the old `master/<sha>`. */
export function revisionSha(revision: string): string | undefined {
  const m = /(?:sha1:|\/)([0-9a-f]{7,40})$/.exec(revision) ?? /^([0-9a-f]{7,40})$/.exec(revision);
  return m?.[1];
}

export function evaluateFluxRelease(input: FluxReleaseInput): ProbeOutcome {
  const { release, ref } = input;
  if (!release) return outcome.fail(`HelmRelease ${ref} not found`, { release: ref });
  const ready = condition(release, 'Ready');
  const stalled = condition(release, 'Stalled');
  const generation = num(release, 'metadata.generation');
  const observed = num(release, 'status.observedGeneration');
  const chart = deployedChartVersion(release);
  const evidence: Record<string, unknown> = {
    release: ref,
    ready: ready?.status ?? 'absent',
    generation,
    observedGeneration: observed,
    chartVersion: chart ?? null,
    pinnedChartVersion: input.chartVersion,
  };
  const problems: string[] = [];
  if (ready?.status !== 'True') problems.push(`Ready is ${describeCondition(ready)}`);
  if (stalled?.status === 'True') problems.push(`Stalled: ${describeCondition(stalled)}`);
  if (generation === undefined || observed === undefined || observed !== generation) {
    problems.push(
      `observedGeneration ${observed ?? 'absent'} is not generation ${generation ?? 'absent'} (not reconciled yet)`,
    );
  }
  if (!chart) problems.push('no deployed chart version in status.history');
  else if (chart !== input.chartVersion) problems.push(`deployed chart ${chart}, pinned ${input.chartVersion} (stale)`);
  if (input.revision) {
    const { sha, kustomization } = input.revision;
    const applied = kustomization ? str(kustomization, 'status.lastAppliedRevision') : undefined;
    evidence.kustomization = input.revision.ref;
    evidence.lastAppliedRevision = applied ?? null;
    evidence.expectedRevision = sha;
    if (!kustomization) problems.push(`Kustomization ${input.revision.ref} not found`);
    else if (!applied) problems.push(`Kustomization ${input.revision.ref} has applied no revision yet`);
    else {
      const appliedSha = revisionSha(applied);
      if (!appliedSha || !(appliedSha.startsWith(sha.toLowerCase()) || sha.toLowerCase().startsWith(appliedSha))) {
        problems.push(`Kustomization ${input.revision.ref} applied ${applied}, not ${sha}`);
      }
    }
  }
  if (problems.length > 0) return outcome.fail(`${ref}: ${problems.join('; ')}`, evidence);
  const rev = input.revision ? `, revision ${String(evidence.lastAppliedRevision)} applied` : '';
  return outcome.pass(`${ref} Ready, chart ${chart}, generation ${generation} reconciled${rev}`, evidence);
}

export const fluxReleaseReady = defineProbe({
  id: 'flux.release-ready',
  category: 'deployment',
  title: 'Flux HelmRelease ready at the pinned chart version',
  needs: (t) => ({ namespace: t.namespace, release: t.release, chartVersion: t.chartVersion }),
  needsKube: true,
  retry: 'eventual',
  async run(ctx, { release: name, chartVersion }) {
    const namespace = ctx.targets.releaseNamespace.value;
    const kube = await ctx.kube();
    const release = await kube.get(HELMRELEASE_API, 'HelmRelease', namespace, name);
    let revision: FluxReleaseInput['revision'];
    if (ctx.revision) {
      // Only --revision needs it: the CLI refuses --revision without it (exit 2) before any probe runs.
      const k = ctx.targets.kustomization;
      if (!k.ok) {
        return outcome.error(
          '--revision needs targets.kustomization (the Flux Kustomization applying the folder), which is not set or unresolved',
        );
      }
      const { name: kName, namespace: kNamespace } = k.value;
      const kustomization = await kube.get(KUSTOMIZATION_API, 'Kustomization', kNamespace, kName);
      revision = { sha: ctx.revision, ref: `${kNamespace}/${kName}`, kustomization };
    }
    return evaluateFluxRelease({ ref: `${namespace}/${name}`, release, chartVersion, revision });
  },
});
