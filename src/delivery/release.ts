/**
 * What export compares between the release in the GitOps repository and the stack's: the
 * release identity (a change makes Flux uninstall and reinstall) and the datastore mode (a
 * bundled → managed switch loses data unless it was migrated).
 */
import type { KubeObject } from '../review/manifests.js';

/** The fields that identify a Helm release to helm-controller, with Flux defaults applied. */
export interface ReleaseIdentity {
  /** HelmRelease metadata.namespace (`(unset)` when the file leaves it to the Kustomization). */
  readonly namespace: string;
  readonly name: string;
  /** spec.releaseName, default `[targetNamespace-]name`. */
  readonly releaseName: string;
  /** spec.targetNamespace, default the HelmRelease namespace. */
  readonly targetNamespace: string;
  /** spec.storageNamespace, default the HelmRelease namespace. */
  readonly storageNamespace: string;
}

const UNSET = '(unset)';

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function spec(o: KubeObject): Record<string, unknown> {
  const s = o.spec;
  return typeof s === 'object' && s !== null && !Array.isArray(s) ? (s as Record<string, unknown>) : {};
}

export function isHelmRelease(o: KubeObject): boolean {
  return o.kind === 'HelmRelease' && o.apiVersion.startsWith('helm.toolkit.fluxcd.io/');
}

/**
 * The effective identity as helm-controller computes it: `releaseName` defaults to
 * `[targetNamespace-]name`, target and storage namespaces default to the object's namespace.
 * @see https://fluxcd.io/flux/components/helm/helmreleases/#release-name
 */
export function releaseIdentity(o: KubeObject): ReleaseIdentity {
  const s = spec(o);
  const namespace = str(o.metadata.namespace) ?? UNSET;
  const targetNamespace = str(s.targetNamespace);
  return {
    namespace,
    name: o.metadata.name,
    releaseName: str(s.releaseName) ?? (targetNamespace ? `${targetNamespace}-${o.metadata.name}` : o.metadata.name),
    targetNamespace: targetNamespace ?? namespace,
    storageNamespace: str(s.storageNamespace) ?? namespace,
  };
}

/** Field-by-field differences of two identities, e.g. `releaseName: arcade → arcade-prod`. */
export function identityChanges(before: ReleaseIdentity, after: ReleaseIdentity): string[] {
  return (Object.keys(before) as (keyof ReleaseIdentity)[])
    .filter((k) => before[k] !== after[k])
    .map((k) => `${k}: ${before[k]} → ${after[k]}`);
}

export type DatastoreMode = 'bundled' | 'managed';

const DATASTORE_KEY = /postgres|redis|database|storage|cache/i;

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads the datastore mode from a HelmRelease alone (no annotation of ours can be relied on: the
 * hand-written release has none). The rule, fail-closed toward "bundled":
 *
 * - **managed** when the values disable a bundled datastore subchart (a top-level key naming
 *   PostgreSQL or Redis with `enabled: false`, e.g. `postgresql.enabled: false`), or when a
 *   `valuesFrom` entry places a Secret or ConfigMap key at a values path naming a datastore
 *   (`postgres`, `redis`, `database`, `storage`, `cache`), i.e. connection settings come from
 *   outside the chart;
 * - **bundled** otherwise: the chart's defaults (its own PostgreSQL and Redis) are in effect.
 *
 * Reading an unknown release as bundled means a switch to managed always needs
 * `--allow-datastore-switch`: the safe direction.
 */
export function datastoreMode(o: KubeObject): DatastoreMode {
  const s = spec(o);
  const values = isMap(s.values) ? s.values : {};
  for (const [key, value] of Object.entries(values)) {
    if (/postgres|redis/i.test(key) && isMap(value) && value.enabled === false) return 'managed';
  }
  const from = Array.isArray(s.valuesFrom) ? s.valuesFrom : [];
  for (const entry of from) {
    if (isMap(entry) && typeof entry.targetPath === 'string' && DATASTORE_KEY.test(entry.targetPath)) return 'managed';
  }
  return 'bundled';
}
