/**
 * The prune preview: what Flux applies before and after the export, built with kustomize from
 * every Flux Kustomization that applies the folder (src/delivery/flux-owners.ts,
 * src/delivery/kustomize.ts), and what leaves it. With `prune: true` kustomize-controller deletes
 * an object that leaves its build, unless the object carries
 * `kustomize.toolkit.fluxcd.io/prune: disabled`; with `prune: false` it is left in the cluster,
 * unmanaged.
 *
 * Some deletions cannot be undone, so each needs its own `--allow-prune Kind/name`: a Namespace
 * (everything in it goes: the release, its volumes, Helm's release Secrets, other apps), any
 * cluster-scoped object, PersistentVolumeClaims and PersistentVolumes, StatefulSets, Secrets (and
 * the SealedSecrets and ExternalSecrets that own a Secret), HelmReleases (an uninstall), Flux
 * Kustomizations (they prune what they applied), and objects of other apps.
 */
import { objectKey, type KubeObject } from '../core/manifests.js';
import { assumedOwner, findOwners, type FluxOwner } from './flux-owners.js';
import { buildOwner, type FolderPlan, readCheckout } from './build-cache.js';
import { type BuiltObject, KustomizeFailed, trackedFiles } from './kustomize.js';
import { type DangerContext, dangerOf, inFolder } from './prune-danger.js';
import { releaseFootprint } from './release.js';

/** Annotation that keeps kustomize-controller from deleting an object that left the build. */
export const PRUNE_DISABLED = 'kustomize.toolkit.fluxcd.io/prune';

/** One Flux Kustomization that applies the folder, built before and after. */
export interface OwnerView {
  readonly owner: FluxOwner;
  readonly before: readonly BuiltObject[];
  readonly after: readonly BuiltObject[];
}

/** One object that leaves what a Kustomization applies. */
export interface PruneEntry {
  /** The Kustomization (`namespace/name`). */
  readonly owner: string;
  /** `Kind namespace/name`, as diff and drift print it. */
  readonly key: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  /** Repository-relative file it came from. */
  readonly origin?: string;
  /** `deleted` by kustomize-controller, or `orphaned`: left in the cluster, no longer applied. */
  readonly fate: 'deleted' | 'orphaned';
  /** Why it is orphaned rather than deleted. */
  readonly reason?: string;
  /** Why the deletion needs its own `--allow-prune` (absent: an ordinary object). */
  readonly danger?: string;
  /** The `--allow-prune` value that consented. */
  readonly allowedBy?: string;
}

/**
 * What the preview tells: the Kustomizations, what leaves them, the notes. The builds themselves
 * stay inside the export (they hold Secret data as the repository does: never handed out).
 */
export interface PreviewReport {
  readonly owners: readonly FluxOwner[];
  readonly prunes: readonly PruneEntry[];
  readonly notes: readonly string[];
}

export interface Preview {
  /** Every Kustomization that applies the folder, with its two builds. */
  readonly views: readonly OwnerView[];
  readonly prunes: readonly PruneEntry[];
  /** How the owners were found (assumed, not applying the folder, applying it twice...). */
  readonly notes: readonly string[];
}

/** The identity kustomize-controller's inventory uses: group, kind, namespace, name. */
export function inventoryId(o: KubeObject): string {
  const slash = o.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : o.apiVersion.slice(0, slash);
  return `${group}|${o.kind}|${o.metadata.namespace ?? ''}|${o.metadata.name}`;
}

function annotationsOf(o: KubeObject): Record<string, string> {
  const a = o.metadata.annotations;
  return typeof a === 'object' && a !== null ? (a as Record<string, string>) : {};
}

/** What leaves one Kustomization's build. */
function prunesOf(view: OwnerView, ctx: DangerContext): PruneEntry[] {
  const after = new Set(view.after.map((b) => inventoryId(b.object)));
  const out: PruneEntry[] = [];
  for (const b of view.before) {
    if (after.has(inventoryId(b.object))) continue;
    const o = b.object;
    const disabled = annotationsOf(o)[PRUNE_DISABLED] === 'disabled';
    const base = {
      owner: view.owner.ref,
      key: objectKey(o),
      kind: o.kind,
      name: o.metadata.name,
      ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}),
      ...(b.origin ? { origin: b.origin } : {}),
    };
    if (!view.owner.prune) out.push({ ...base, fate: 'orphaned', reason: 'the Kustomization has prune: false' });
    else if (disabled) out.push({ ...base, fate: 'orphaned', reason: `${PRUNE_DISABLED}: disabled` });
    else {
      const danger = dangerOf(o, b.origin, ctx);
      out.push({ ...base, fate: 'deleted', ...(danger ? { danger } : {}) });
    }
  }
  return out;
}

export interface PreviewOptions {
  readonly top: string;
  /** The folder, repository-relative. */
  readonly folder: string;
  readonly plan: FolderPlan;
  readonly ownNames: ReadonlySet<string>;
  /** @default 'kubectl' */
  readonly kubectl?: string;
  /** Aborted (the export interrupted): the running builds' kubectl are killed at once. @default never aborted */
  readonly signal?: AbortSignal;
}

/** A build's failure, a KustomizeFailed saying which side of the plan failed (other errors as they are). */
function sided(reason: unknown, side: 'before' | 'after'): unknown {
  return reason instanceof KustomizeFailed ? new KustomizeFailed(reason.path, reason.message, true, side) : reason;
}

/**
 * Builds the preview. Throws KubectlMissing when kubectl is not installed, KustomizeFailed
 * when a build fails, saying which (the build before the plan told first when both do). The plan
 * is one the export checked first (target.ts blockedOnTheWay, which it runs before anything else
 * reads the paths): no folder on the way to a planned path is a symbolic link, and no planned path
 * or folder on its way is taken by the other kind of entry. That check is the export's alone (a
 * copy of it here ran after it, on the same plan, and could not be reached).
 */
export async function buildPreview(options: PreviewOptions): Promise<Preview> {
  const { top, folder } = options;
  const files = await trackedFiles(top, options.signal);
  const checkout = readCheckout(top, files);
  const notes: string[] = [];
  const owners = findOwners(top, files, folder);
  const views: OwnerView[] = [];
  const build = {
    ...(options.kubectl ? { kubectl: options.kubectl } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  // Before and after build side by side (two kubectl at once); a failure is told as it was when
  // they ran one after the other: the one before the plan first.
  const viewOf = async (owner: FluxOwner): Promise<OwnerView> => {
    const [before, after] = await Promise.allSettled([
      buildOwner(checkout, owner, build),
      buildOwner(checkout, owner, build, { folder, plan: options.plan }),
    ]);
    if (before.status === 'rejected') throw sided(before.reason, 'before');
    if (after.status === 'rejected') throw sided(after.reason, 'after');
    return { owner, before: before.value, after: after.value };
  };
  for (const owner of owners) {
    if (owner.postBuild)
      notes.push(
        `Flux Kustomization ${owner.ref} sets spec.postBuild: variables substituted after the build are not previewed`,
      );
    const view = await viewOf(owner);
    if ([...view.before, ...view.after].some((b) => inFolder(b.origin, folder))) views.push(view);
    else
      notes.push(
        `Flux Kustomization ${owner.ref} (${owner.file}, path ` +
          `./${owner.path === '.' ? '' : owner.path}) contains ${folder} but does not apply it (no ` +
          `kustomization on the way lists it)`,
      );
  }
  if (views.length === 0) {
    const assumed = assumedOwner(top, folder);
    notes.push(assumed.assumed);
    views.push(await viewOf(assumed));
  }
  if (views.length > 1) {
    notes.push(
      `${folder} is applied by ${views.length} Flux Kustomizations ` +
        `(${views.map((v) => v.owner.ref).join(', ')}): every object is applied twice, and an ` +
        `object one of them drops is deleted by it and re-created by the other; keep one (docs/delivery.md)`,
    );
  }
  const prunes = views.flatMap((view) => {
    const ours = view.after.filter((b) => inFolder(b.origin, folder)).map((b) => b.object.metadata.namespace);
    const releases = releaseFootprint(
      [...view.before, ...view.after].filter((b) => inFolder(b.origin, folder)).map((b) => b.object),
    );
    const namespaces = new Set([...ours.filter((n) => n !== undefined), ...releases.namespaces]);
    return prunesOf(view, {
      folder,
      ownNames: options.ownNames,
      before: view.before,
      namespaces,
      sources: releases.sources,
    });
  });
  return { views, prunes, notes };
}

/** A `--allow-prune` value: `Kind/name` (any namespace) or `Kind/namespace/name`. */
export interface PruneConsent {
  readonly text: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

export function parseConsent(text: string): PruneConsent | undefined {
  const parts = text.split('/');
  if (parts.some((p) => p === '')) return undefined;
  const [kind, a, b, ...more] = parts;
  if (kind === undefined || a === undefined || more.length > 0) return undefined;
  return b === undefined ? { text, kind, name: a } : { text, kind, namespace: a, name: b };
}

export function consents(c: PruneConsent, p: PruneEntry): boolean {
  return (
    c.kind.toLowerCase() === p.kind.toLowerCase() &&
    c.name === p.name &&
    (c.namespace === undefined || c.namespace === (p.namespace ?? ''))
  );
}
