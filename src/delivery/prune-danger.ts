/**
 * Why deleting an object needs its own `--allow-prune` (./preview.ts, the prune preview; the list
 * in docs/delivery.md "What needs consent"): what it holds or does, or whose it is.
 */
import { objectKey, type KubeObject } from '../core/manifests.js';
import type { BuiltObject } from './kustomize.js';
import { sourceKey } from './release.js';

/** Kinds that are cluster-scoped (an object of another kind without a namespace is treated as one too). */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'StorageClass',
  'CSIDriver',
  'CSINode',
  'VolumeAttachment',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'APIService',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'PriorityClass',
  'RuntimeClass',
  'IngressClass',
  'ClusterIssuer',
  'ClusterSecretStore',
  'ClusterExternalSecret',
  'PodSecurityPolicy',
  'FlowSchema',
  'PriorityLevelConfiguration',
]);

export function inFolder(origin: string | undefined, folder: string): boolean {
  return origin !== undefined && (origin === folder || origin.startsWith(`${folder}/`));
}

function isClusterScoped(o: KubeObject): boolean {
  return CLUSTER_SCOPED.has(o.kind) || !o.metadata.namespace;
}

/** Labels of an object. */
function labelsOf(o: KubeObject): Record<string, string> {
  const l = o.metadata.labels;
  return typeof l === 'object' && l !== null ? (l as Record<string, string>) : {};
}

export interface DangerContext {
  readonly folder: string;
  /** Names an object of this app may carry in `app.kubernetes.io/part-of`. */
  readonly ownNames: ReadonlySet<string>;
  /** The whole build before the export (to say what a Namespace holds). */
  readonly before: readonly BuiltObject[];
  /**
   * The namespaces the folder's objects use after the export, and its HelmReleases before and after
   * (./release.ts releaseFootprint: a namespace move's old one): an object elsewhere, neither labelled
   * part-of this app nor one of {@link sources}, is another app's (a hand-written Deployment billing/billing).
   */
  readonly namespaces?: ReadonlySet<string>;
  /** The Flux sources the folder's HelmReleases name (release.ts sourceKey): its own wherever they live. */
  readonly sources?: ReadonlySet<string>;
}

/** Why deleting `o` needs its own consent, or undefined for an ordinary object. */
export function dangerOf(o: KubeObject, origin: string | undefined, ctx: DangerContext): string | undefined {
  if (o.kind === 'Namespace') {
    const inside = ctx.before.filter((b) => b.object.metadata.namespace === o.metadata.name);
    const others = inside.filter((b) => !inFolder(b.origin, ctx.folder));
    const listed = others.slice(0, 3).map((b) => `${objectKey(b.object)}${b.origin ? ` (${b.origin})` : ''}`);
    return (
      `deleting a Namespace deletes everything in it: the release and what Helm installed, its volumes, Helm's release Secrets` +
      (others.length > 0
        ? `, and ${others.length} object(s) of other apps Flux applies there (${listed.join(', ')}${others.length > 3 ? ', ...' : ''})`
        : '')
    );
  }
  if (o.kind === 'PersistentVolumeClaim' || o.kind === 'PersistentVolume')
    return `a ${o.kind}: the data on its volume is deleted with it (reclaim policy Delete)`;
  if (o.kind === 'StatefulSet') return 'a StatefulSet: a stateful workload';
  if (o.kind === 'Secret') return 'a Secret: its value may exist nowhere else';
  if (o.kind === 'SealedSecret' || o.kind === 'ExternalSecret')
    return `an object that owns a Secret (${o.kind}: its controller deletes the Secret with it): the value may exist nowhere else`;
  if (o.kind === 'HelmRelease' && o.apiVersion.startsWith('helm.toolkit.fluxcd.io/'))
    return 'a HelmRelease: helm-controller uninstalls the release and everything Helm installed';
  if (o.kind === 'Kustomization' && o.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/'))
    return 'a Flux Kustomization: with prune it deletes everything it applied';
  if (isClusterScoped(o)) return 'a cluster-scoped object: shared by the whole cluster';
  if (origin !== undefined && !inFolder(origin, ctx.folder)) return `an object of another app (from ${origin})`;
  const partOf = labelsOf(o)['app.kubernetes.io/part-of'];
  if (partOf !== undefined && !ctx.ownNames.has(partOf))
    return `an object of another app (app.kubernetes.io/part-of: ${partOf})`;
  const ns = o.metadata.namespace ?? '';
  const source = ctx.sources?.has(sourceKey(o.kind, ns, o.metadata.name));
  if (partOf === undefined && ns !== '' && !source && ctx.namespaces?.has(ns) === false)
    return `an object of another app (in namespace ${ns}, which none of the export's objects use, and not labelled app.kubernetes.io/part-of this app)`;
  return undefined;
}
