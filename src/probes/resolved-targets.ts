/**
 * The targets as the probes read them: one typed object in which every field is either present,
 * with its value, or missing, with the reason (an unresolved marker's reason, or "not set").
 *
 * The targets file (`--targets`, targets.ts) and an environment's `probes` section
 * (src/environments/probes.ts) are validated into `Targets`, whose leaves may still be
 * `{ unresolved: "<why>" }` markers or absent optional fields. `resolveTargets` turns that data
 * into `ResolvedTargets` once per run, so that a probe picks the fields it needs by property
 * (`(t) => ({ api: t.urls.api })`, see define-probe.ts) and TypeScript knows their types: no path
 * strings, no casts, no "is it unresolved?" checks inside a probe.
 *
 * Fields that always have a value (required by the schema or defaulted) are `Present<T>`; those
 * that may be missing are `Field<T>`, so a probe that reads one outside its needs must handle the
 * missing case, and one that reads a `Present` field need not. Every field carries its `name` in
 * the targets file (`urls.api`, `gateways[0].tools`): the reasons and a skip's evidence name it.
 */
import { isUnresolved, type Unresolved } from '../environments/unresolved.js';
import type { Targets } from '../environments/probe-targets.js';

/** A target field with its value. */
interface Present<T> {
  readonly ok: true;
  /** Where the field is written in the targets (`urls.api`): for people, never parsed. */
  readonly name: string;
  readonly value: T;
}

/** A target field without a usable value, and why. */
interface Missing {
  readonly ok: false;
  readonly name: string;
  /** `<name> is unresolved: <the marker's reason>` or `<name> is not set`. */
  readonly because: string;
}

/** A target field: its value, or the reason it has none. */
export type Field<T> = Present<T> | Missing;

/** A value of the targets data without its "unresolved" and "absent" forms. */
type Known<T> = Exclude<T, Unresolved | undefined>;

type Gateway = Targets['gateways'][number];

/** One gateway of the targets: its slug, and its fields that may be unresolved. */
export interface ResolvedGateway {
  readonly slug: string;
  /** The exact expected `tools/list`. */
  readonly tools: Field<Known<Gateway['tools']>>;
  /** The toolkit of the reference Echo/Add/Whoami tools on this gateway. */
  readonly referenceToolkit: Field<Known<Gateway['referenceToolkit']>>;
}

/** The targets, each field present or missing with its reason. Meanings: `TargetsSchema` (targets.ts). */
export interface ResolvedTargets {
  readonly namespace: Present<string>;
  readonly release: Present<string>;
  /** The HelmRelease's namespace; the targets' `namespace` when not given (TargetsSchema's default). */
  readonly releaseNamespace: Present<string>;
  readonly chartVersion: Present<string>;
  readonly kustomization: Field<Known<Targets['kustomization']>>;
  readonly collectorService: Present<string>;
  readonly engineSelector: Field<Known<Targets['engineSelector']>>;
  readonly urls: {
    readonly api: Field<string>;
    readonly coordinator: Field<string>;
    readonly dashboard: Field<string>;
    readonly experience: Field<string>;
  };
  readonly expectedCoordinatorUri: Field<string>;
  readonly users: Field<Known<Targets['users']>>;
  readonly gateways: Present<readonly ResolvedGateway[]>;
  readonly referenceServerUrl: Field<string>;
  readonly mimir: {
    readonly queryUrl: Field<string>;
    readonly tenant: Field<string>;
    readonly collectorLabel: Present<Targets['mimir']['collectorLabel']>;
    readonly engineJob: Present<string>;
  };
  readonly oauth: Field<Known<Targets['oauth']>>;
  readonly latency: Present<Targets['latency']>;
  readonly unknownTool: Present<Targets['unknownTool']>;
  readonly monitoring: Field<Known<Targets['monitoring']>>;
  readonly logWindowMinutes: Present<number>;
  readonly datastores: Field<Known<Targets['datastores']>>;
  readonly ruler: Field<Known<Targets['ruler']>>;
}

/** A field that the schema guarantees. */
function present<T>(name: string, value: T): Present<T> {
  return { ok: true, name, value };
}

/** A field that may be an unresolved marker or absent. */
function field<V>(name: string, value: V): Field<Known<V>> {
  if (value === undefined) return { ok: false, name, because: `${name} is not set` };
  if (isUnresolved(value)) return { ok: false, name, because: `${name} is unresolved: ${value.unresolved}` };
  return { ok: true, name, value: value as Known<V> };
}

/** The targets with every field resolved to its value or the reason it has none. */
export function resolveTargets(t: Targets): ResolvedTargets {
  // `satisfies`: a field added to TargetsSchema but not resolved here does not compile.
  return {
    namespace: present('namespace', t.namespace),
    release: present('release', t.release),
    releaseNamespace: present('releaseNamespace', t.releaseNamespace ?? t.namespace),
    chartVersion: present('chartVersion', t.chartVersion),
    kustomization: field('kustomization', t.kustomization),
    collectorService: present('collectorService', t.collectorService),
    engineSelector: field('engineSelector', t.engineSelector),
    urls: {
      api: field('urls.api', t.urls.api),
      coordinator: field('urls.coordinator', t.urls.coordinator),
      dashboard: field('urls.dashboard', t.urls.dashboard),
      experience: field('urls.experience', t.urls.experience),
    } satisfies Record<keyof Targets['urls'], unknown>,
    expectedCoordinatorUri: field('expectedCoordinatorUri', t.expectedCoordinatorUri),
    users: field('users', t.users),
    gateways: present(
      'gateways',
      t.gateways.map((gw, i) => ({
        slug: gw.slug,
        tools: field(`gateways[${i}].tools`, gw.tools),
        referenceToolkit: field(`gateways[${i}].referenceToolkit`, gw.referenceToolkit),
      })),
    ),
    referenceServerUrl: field('referenceServerUrl', t.referenceServerUrl),
    mimir: {
      queryUrl: field('mimir.queryUrl', t.mimir.queryUrl),
      tenant: field('mimir.tenant', t.mimir.tenant),
      collectorLabel: present('mimir.collectorLabel', t.mimir.collectorLabel),
      engineJob: present('mimir.engineJob', t.mimir.engineJob),
    } satisfies Record<keyof Targets['mimir'], unknown>,
    oauth: field('oauth', t.oauth),
    latency: present('latency', t.latency),
    unknownTool: present('unknownTool', t.unknownTool),
    monitoring: field('monitoring', t.monitoring),
    logWindowMinutes: present('logWindowMinutes', t.logWindowMinutes),
    datastores: field('datastores', t.datastores),
    ruler: field('ruler', t.ruler),
  } satisfies Record<keyof Targets, unknown>;
}
