/**
 * What export compares between the release Flux applies today and the stack's: the release
 * identity (a change makes helm-controller uninstall and reinstall) and the datastore mode (a
 * bundled → managed switch loses data unless it was migrated).
 *
 * The identity is read from the BUILT view (after kustomize's and Flux's transforms: a folder's
 * `namespace: arcade` is applied before anything is compared) with helm-controller's own rules:
 *
 * - `releaseName`: `spec.releaseName`, else `[targetNamespace-]name` (`HelmRelease.GetReleaseName`,
 *   fluxcd/helm-controller api/v2/helmrelease_types.go), shortened when over 53 characters to its
 *   first 40 characters, `-` and the first 12 hex digits of its sha256 (`release.ShortenName`,
 *   internal/release/name.go, applied to every install/upgrade in internal/action/install.go and
 *   upgrade.go);
 * - `targetNamespace`: `spec.targetNamespace`, else the HelmRelease's namespace
 *   (`GetReleaseNamespace`); `storageNamespace` likewise (`GetStorageNamespace`);
 * - a reinstall happens when the storage namespace, the release namespace, the shortened release
 *   name or the chart name changes (`ReleaseTargetChanged`, internal/action/verify.go); a new
 *   object name or namespace is a new HelmRelease, so the old one is deleted (uninstalled).
 */
import { createHash } from 'node:crypto';
import type { KubeObject } from '../core/manifests.js';
import { isRecord } from '../core/is-record.js';

/** The fields that identify a Helm release to helm-controller, with its defaults applied. */
export interface ReleaseIdentity {
  /** HelmRelease metadata.namespace (`(unset)` when nothing gives one). */
  readonly namespace: string;
  readonly name: string;
  /** Effective release name: spec.releaseName or `[targetNamespace-]name`, shortened as helm-controller does. */
  readonly releaseName: string;
  /** spec.targetNamespace, default the HelmRelease namespace. */
  readonly targetNamespace: string;
  /** spec.storageNamespace, default the HelmRelease namespace. */
  readonly storageNamespace: string;
  /** The chart's name (`(unknown)` when the source does not tell it). */
  readonly chart: string;
}

export const IDENTITY_FIELDS = [
  'namespace',
  'name',
  'releaseName',
  'targetNamespace',
  'storageNamespace',
  'chart',
] as const satisfies readonly (keyof ReleaseIdentity)[];

const UNSET = '(unset)';
export const UNKNOWN_CHART = '(unknown)';

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function rec(v: unknown): Record<string, unknown> {
  return isRecord(v) ? v : {};
}

export function isHelmRelease(o: KubeObject): boolean {
  return o.kind === 'HelmRelease' && o.apiVersion.startsWith('helm.toolkit.fluxcd.io/');
}

/** helm-controller's `release.ShortenName`: names over 53 characters become `<first 40>-<12 hex of sha256>`. */
export function shortenName(name: string): string {
  if (name.length <= 53) return name;
  return `${name.slice(0, 53 - 13)}-${createHash('sha256').update(name).digest('hex').slice(0, 12)}`;
}

/** The last path segment of an `oci://` URL (Helm pushes a chart to `<repository>/<chart name>`). */
function ociChartName(url: unknown): string | undefined {
  const u = str(url);
  if (!u?.startsWith('oci://')) return undefined;
  return str(u.replace(/\/+$/, '').split('/').pop());
}

/**
 * The chart's name: `spec.chart.spec.chart` (its last path segment, for a chart path in a Git
 * source), or for `spec.chartRef` to an OCIRepository the last segment of that source's URL. The
 * source is looked up among `objects` (the same build).
 */
function chartName(o: KubeObject, objects: readonly KubeObject[]): string {
  const spec = rec(o.spec);
  const template = str(rec(rec(spec.chart).spec).chart);
  if (template) return template.replace(/\/+$/, '').split('/').pop() ?? template;
  const ref = rec(spec.chartRef);
  if (str(ref.kind) === 'OCIRepository') {
    const namespace = str(ref.namespace) ?? str(o.metadata.namespace);
    const source = objects.find(
      (s) => s.kind === 'OCIRepository' && s.metadata.name === ref.name && str(s.metadata.namespace) === namespace,
    );
    return ociChartName(rec(source?.spec).url) ?? UNKNOWN_CHART;
  }
  return UNKNOWN_CHART;
}

/** The effective identity as helm-controller computes it (`objects`: the build, to find a chartRef's source). */
export function releaseIdentity(o: KubeObject, objects: readonly KubeObject[] = []): ReleaseIdentity {
  const s = rec(o.spec);
  const namespace = str(o.metadata.namespace) ?? UNSET;
  const targetNamespace = str(s.targetNamespace);
  return {
    namespace,
    name: o.metadata.name,
    releaseName: shortenName(
      str(s.releaseName) ?? (targetNamespace ? `${targetNamespace}-${o.metadata.name}` : o.metadata.name),
    ),
    targetNamespace: targetNamespace ?? namespace,
    storageNamespace: str(s.storageNamespace) ?? namespace,
    chart: chartName(o, objects),
  };
}

/** One identity field that differs. */
export interface IdentityChange {
  readonly field: keyof ReleaseIdentity;
  readonly before: string;
  readonly after: string;
}

/** Field-by-field differences (a chart name nobody can tell is not counted as a change). */
export function identityChanges(before: ReleaseIdentity, after: ReleaseIdentity): IdentityChange[] {
  return IDENTITY_FIELDS.filter(
    (k) => before[k] !== after[k] && !(k === 'chart' && (before[k] === UNKNOWN_CHART || after[k] === UNKNOWN_CHART)),
  ).map((k) => ({
    field: k,
    before: before[k],
    after: after[k],
  }));
}

/** `releaseName: arcade → arcade-prod` */
export function describeChange(c: IdentityChange): string {
  return `${c.field}: ${c.before} → ${c.after}`;
}

/** The environment field that sets each identity field, for a refusal's fix. */
export function environmentField(c: IdentityChange): string {
  switch (c.field) {
    case 'namespace':
      return `release.namespace: ${c.before}`;
    case 'name':
      return `release.name: ${c.before}`;
    case 'releaseName':
      return `release.releaseName: ${c.before}`;
    case 'targetNamespace':
      return `release.targetNamespace: ${c.before}`;
    case 'storageNamespace':
      return `release.storageNamespace: ${c.before}`;
    case 'chart':
      return `chart.url: oci://<registry>/<repository>/${c.before}`;
  }
}

export type DatastoreMode = 'bundled' | 'managed';

const DATASTORE_KEY = /postgres|redis|database|storage|cache/i;

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
  const s = rec(o.spec);
  const values = rec(s.values);
  for (const [key, value] of Object.entries(values)) {
    if (/postgres|redis/i.test(key) && rec(value).enabled === false) return 'managed';
  }
  const from = Array.isArray(s.valuesFrom) ? s.valuesFrom : [];
  for (const entry of from) {
    const target = str(rec(entry).targetPath);
    if (target && DATASTORE_KEY.test(target)) return 'managed';
  }
  return 'bundled';
}

/**
 * What a folder's HelmReleases (`objects` as built; others are skipped) use: the namespaces each
 * lives in, installs into and keeps its state in, and the Flux sources of its chart
 * (`spec.chart.spec.sourceRef`, `spec.chartRef`), each as {@link sourceKey}, in the HelmRelease's
 * namespace when the reference names none (as source-controller resolves it).
 */
export function releaseFootprint(objects: readonly KubeObject[]): { namespaces: Set<string>; sources: Set<string> } {
  const namespaces = new Set<string>();
  const sources = new Set<string>();
  for (const o of objects.filter(isHelmRelease)) {
    const s = rec(o.spec);
    const own = str(o.metadata.namespace);
    for (const n of [own, str(s.targetNamespace), str(s.storageNamespace)]) if (n) namespaces.add(n);
    for (const ref of [rec(rec(rec(s.chart).spec).sourceRef), rec(s.chartRef)]) {
      const [kind, name] = [str(ref.kind), str(ref.name)];
      if (kind && name) sources.add(sourceKey(kind, str(ref.namespace) ?? own ?? '', name));
    }
  }
  return { namespaces, sources };
}

/** How {@link releaseFootprint} names a source: `<Kind>|<namespace>|<name>`. */
export function sourceKey(kind: string, namespace: string, name: string): string {
  return `${kind}|${namespace}|${name}`;
}
