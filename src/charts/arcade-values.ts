/**
 * The Arcade chart value overrides: the ONE place that names a chart values key.
 *
 * Only `features.chatEnabled` is confirmed for chart 1.8.8. Every other key carries its
 * provenance so that `npm run check-values` (against `helm show values ... --version 1.8.8`) can
 * prove or refute it before the release goes live; Helm silently ignores unknown keys, so an
 * unchecked key may do nothing at all. See docs/chart-values.md for the evidence behind each.
 *
 * Over 300 lines because it is the one place that names a chart values key: the key table, the
 * values built from it, and the pass-through of an environment's own values (which must not set a
 * key the table owns) stay together, so no key can be added anywhere else.
 */
import { isRecord } from '../core/is-record.js';
import { formatPath, parsePath, setAt, type Segment } from '../core/values-path.js';
import type { HelmValue, HelmValues, ValuesFromSecret, ValuesReference } from '../constructs/oci-helm-release.js';
import { EnvironmentError } from '../environments/load.js';
import type { SecretSource } from '../constructs/secret-source.js';
import { SECRET_READER } from '../environments/namespaces.js';
import { SECRET_IDS, SECRET_KEYS, SECRETS_BY_MODE, type Environment, type SecretId } from '../environments/schema.js';
import { render } from '../environments/unresolved.js';
import type { SecretSources } from './secrets-chart.js';

/**
 * - `confirmed`: seen working on the live chart version.
 * - `vendor`: documented by Arcade for a later chart (1.11.x); to be checked against 1.8.8.
 * - `assumed`: our reading (chart conventions, engine docs); to be checked against 1.8.8.
 * - `environment`: passed through from the environment file (`release.values`/`release.valuesFrom`,
 *   the live release's values the stack does not model); checked like every other key.
 */
export type Provenance = 'confirmed' | 'vendor' | 'assumed' | 'environment';

/** One values path the stack sets, how, and why we believe the chart reads it. */
export interface Override {
  /** Dotted Helm values path (`\.` escapes a literal dot). */
  readonly path: string;
  readonly provenance: Provenance;
  /** Where the key comes from (document, observation) in a few words. */
  readonly source: string;
  /** `inline` in spec.values, or through valuesFrom/targetPath from a `secret` or a `configmap`. */
  readonly via: 'inline' | 'secret' | 'configmap';
}

const KEYS = {
  chatEnabled: { path: 'features.chatEnabled', provenance: 'confirmed', source: 'observed on chart 1.8.8 (FACTS)' },
  ingressHostname: { path: 'ingress.hostname', provenance: 'vendor', source: 'Arcade values reference, chart 1.11.2' },
  gatewayHostname: { path: 'gateway.hostname', provenance: 'vendor', source: 'Arcade values reference, chart 1.11.2' },
  usageTracking: {
    path: 'usageTracking.enabled',
    provenance: 'vendor',
    source: 'Arcade values reference, chart 1.11.2 (off by default)',
  },
  oidcIssuer: { path: 'auth.oidc.issuer', provenance: 'assumed', source: 'chart convention; key not documented' },
  oidcClientId: { path: 'auth.oidc.clientId', provenance: 'assumed', source: 'chart convention; key not documented' },
  oidcClientSecret: {
    path: 'auth.oidc.clientSecret',
    provenance: 'assumed',
    source: 'chart convention; key not documented',
  },
  llmModels: {
    path: 'engine.extraConfig.llm.models',
    provenance: 'vendor',
    source:
      'engine.extraConfig (values reference, chart 1.11.2) + llm.models[].openai.{base_url,api_key} (engine config schema 2.0: api_key required)',
  },
  engineEnv: {
    path: 'engine.extraEnv',
    provenance: 'assumed',
    source:
      'engine container env (chart convention; key not documented): OTEL_EXPORTER_OTLP_* (vendor engine docs) and the Secret references',
  },
  otelCollectorEnabled: {
    path: 'otelCollector.enabled',
    provenance: 'assumed',
    source: 'FACTS: do not enable a collector inside the chart; key not documented',
  },
  postgresEnabled: {
    path: 'postgresql.enabled',
    provenance: 'assumed',
    source: 'bundled-subchart convention; key not documented',
  },
  redisEnabled: {
    path: 'redis.enabled',
    provenance: 'assumed',
    source: 'bundled-subchart convention; key not documented',
  },
  enginePostgres: {
    path: 'engine.extraConfig.storage.postgres',
    provenance: 'vendor',
    source:
      'engine.extraConfig (values reference, chart 1.11.2) + storage.postgres.{host,port,db,user,password,sslmode} (engine config schema 2.0)',
  },
  engineRedis: {
    path: 'engine.extraConfig.cache.redis',
    provenance: 'vendor',
    source:
      'engine.extraConfig (values reference, chart 1.11.2) + cache.redis.{addr,password} (engine config schema 2.0; tls is not in the schema: assumed)',
  },
  engineRootKeys: {
    path: 'engine.extraConfig.security.root_keys',
    provenance: 'vendor',
    source:
      'engine.extraConfig (values reference, chart 1.11.2) + security.root_keys[].{id,default,value} (engine config schema 2.0)',
  },
} as const satisfies Record<string, Omit<Override, 'via'>>;

/**
 * How the engine reads the managed Secrets: as container environment variables from
 * `secretKeyRef`, referenced from its config with the engine's own `${env:NAME}` substitution
 * (engine config schema 2.0 and its example use it for every credential). Why not `valuesFrom`
 * (docs/chart-values.md): the engine needs `cache.redis.addr` as one `host:port` string and
 * `security.root_keys[]` items with an `id`, which a `valuesFrom` `targetPath` (one key at one
 * path, applied over the inline values) cannot compose, and env references keep the values out
 * of the Helm release Secret. Kubernetes expands `$(NAME)` of earlier variables, which composes the Redis address.
 */
/** The engine variable carrying one Secret key: `ARCADE_STACK_<SECRET>_<KEY>`, e.g. `ARCADE_STACK_POSTGRES_PASSWORD`. */
function envName(secret: SecretId, key: string): string {
  return `ARCADE_STACK_${secret}_${key}`.toUpperCase().replace(/-/g, '_');
}

/** `${env:NAME}`: the engine's own substitution of an environment variable into its config. */
const envRef = (name: string) => `\${env:${name}}`;
const secretRef = (secret: SecretId, key: string) => envRef(envName(secret, key));

/**
 * The managed-mode Secrets the engine reads through its env (the OIDC client secret is a chart
 * value, through valuesFrom; the LLM key is read in every mode, see arcadeValues).
 */
const ENGINE_SECRETS = SECRET_IDS.filter(
  (id) => SECRET_READER[id] === 'engine' && !(SECRETS_BY_MODE.bundled as readonly SecretId[]).includes(id),
);

/** The Redis address the engine wants (`host:port`), composed by Kubernetes from the two keys. */
const REDIS_ADDR = 'ARCADE_STACK_REDIS_ADDR';

export interface ArcadeValues {
  readonly values: HelmValues;
  readonly valuesFrom: readonly ValuesFromSecret[];
  /** The environment's own `valuesFrom` entries (merged before the stack's). */
  readonly valuesFromRefs: readonly ValuesReference[];
  /** Every path set, inline and through Secrets, with its provenance (for check-values). */
  readonly overrides: readonly Override[];
  /**
   * `valuesFrom` entries without a `targetPath`: a whole values document whose keys live in the
   * GitOps repository, so check-values cannot list them (export resolves and lists them).
   */
  readonly documents: readonly ValuesReference[];
}

/**
 * The common parent domain of the four public hosts, e.g. `arcade.st.dev` for
 * `api.arcade.st.dev`, `coordinator.arcade.st.dev`, … Throws when the hosts do not share one.
 */
export function baseDomain(hosts: Environment['hosts']): string {
  const bases = new Set(
    Object.entries(hosts).map(([component, host]) => {
      const prefix = `${component}.`;
      if (!host.startsWith(prefix)) {
        throw new Error(
          `hosts.${component}: '${host}' does not start with '${prefix}'; the chart derives each host from one ` +
            `ingress.hostname (fix: use ${prefix}<domain> for every host)`,
        );
      }
      return host.slice(prefix.length);
    }),
  );
  const [base, ...others] = bases;
  if (base === undefined || others.length > 0) {
    throw new Error(
      `hosts: the four hosts must share one parent domain, got ${[...bases].join(', ')} (fix: use <component>.<domain>)`,
    );
  }
  return base;
}

/**
 * The engine variable for one Secret key, from a `secretKeyRef`. A key whose value is still
 * unresolved (left out of the SealedSecret/ExternalSecret) is referenced `optional: true`, so the
 * pod starts without it instead of stopping at CreateContainerConfigError. Only the LLM key is
 * referenced that way: without it the engine still serves tools (chat is off), while a missing
 * datastore credential or root key would only move the failure from the pod's start to its first
 * query, and `npm run export` refuses unresolved values anyway.
 */
function secretEnv(source: SecretSource, secret: SecretId, key: string, optionalWhileUnresolved = false): HelmValue {
  const optional = optionalWhileUnresolved && source.unresolvedKeys.includes(key);
  return {
    name: envName(secret, key),
    valueFrom: { secretKeyRef: { name: source.secretName, key, ...(optional ? { optional: true } : {}) } },
  };
}

/**
 * Builds the release's values for an environment. `secrets` are the Secrets of its datastore
 * mode (SECRETS_BY_MODE): the LLM key in both modes; in bundled mode the chart keeps its own
 * datastores (today's live state) and no other Secret is read.
 * `otlpEndpoint` is the collector Service's OTLP/HTTP URL (CollectorChart.otlpEndpoint).
 */
export function arcadeValues(env: Environment, secrets: SecretSources | undefined, otlpEndpoint: string): ArcadeValues {
  const need = (role: SecretId): SecretSource => {
    const source = secrets?.[role];
    if (!source)
      throw new Error(
        `environment ${env.name}: the release reads the ${role} Secret, but none was built (secrets.values.${role})`,
      );
    return source;
  };
  const values: Record<string, HelmValue> = {};
  const overrides: Override[] = [];
  const set = (key: keyof typeof KEYS, value: HelmValue) => {
    setAt(values, parsePath(KEYS[key].path), value);
    overrides.push({ ...KEYS[key], via: 'inline' });
  };

  set('chatEnabled', false);
  set('usageTracking', false);
  const domain = baseDomain(env.hosts);
  set('ingressHostname', domain);
  set('gatewayHostname', env.hosts.api);
  set('oidcIssuer', render(env.oidc.issuer));
  set('oidcClientId', render(env.oidc.clientId));
  set('llmModels', [
    { id: 'primary', openai: { base_url: render(env.llm.baseUrl), api_key: secretRef('llm', 'api-key') } },
  ]);
  const engineEnv: HelmValue[] = [
    { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: otlpEndpoint },
    { name: 'OTEL_EXPORTER_OTLP_PROTOCOL', value: 'http/protobuf' },
    secretEnv(need('llm'), 'llm', 'api-key', true),
  ];
  set('otelCollectorEnabled', false);

  const valuesFrom: ValuesFromSecret[] = [];
  if (env.datastores.mode === 'managed') {
    set('postgresEnabled', false);
    set('redisEnabled', false);
    for (const secret of ENGINE_SECRETS) {
      for (const key of SECRET_KEYS[secret]) engineEnv.push(secretEnv(need(secret), secret, key));
    }
    // Kubernetes expands $(NAME) of variables defined earlier in the list.
    engineEnv.push({ name: REDIS_ADDR, value: `$(${envName('redis', 'host')}):$(${envName('redis', 'port')})` });
    set('enginePostgres', {
      host: secretRef('postgres', 'host'),
      port: secretRef('postgres', 'port'),
      db: secretRef('postgres', 'database'),
      user: secretRef('postgres', 'user'),
      password: secretRef('postgres', 'password'),
      sslmode: secretRef('postgres', 'sslmode'),
    });
    set('engineRedis', {
      addr: envRef(REDIS_ADDR),
      password: secretRef('redis', 'password'),
      tls: secretRef('redis', 'tls'),
    });
    const rootKeyId = env.engine.rootKeyId;
    if (rootKeyId === undefined)
      throw new Error(`environment ${env.name}: engine.rootKeyId is required in managed mode`);
    set('engineRootKeys', [{ id: render(rootKeyId), default: true, value: secretRef('engine', 'root-key') }]);
    valuesFrom.push({ secret: need('oidc'), key: 'client-secret', targetPath: KEYS.oidcClientSecret.path });
    overrides.push({ ...KEYS.oidcClientSecret, via: 'secret' });
  }
  set('engineEnv', engineEnv);
  const passed = passThrough(env, overrides);
  return {
    values: passed.values ? mergeDisjoint(values, passed.values) : values,
    valuesFrom,
    valuesFromRefs: env.release.valuesFrom ?? [],
    overrides: [...overrides, ...passed.overrides],
    documents: (env.release.valuesFrom ?? []).filter((r) => r.targetPath === undefined),
  };
}

const isPrefix = (a: readonly Segment[], b: readonly Segment[]) =>
  a.length <= b.length && a.every((s, i) => s === b[i]);

/** Leaf paths of a values tree: maps are descended; lists, scalars and empty maps are leaves. */
function leafPaths(tree: HelmValue, prefix: Segment[] = []): Segment[][] {
  // isRecord narrows a HelmValue to its map member, HelmValues (a list is not a record).
  if (!isRecord(tree) || Object.keys(tree).length === 0) return [prefix];
  return Object.entries(tree).flatMap(([k, v]) => leafPaths(v, [...prefix, k]));
}

/** Deep merge of two value trees that set no path in common (passThrough checked it). */
function mergeDisjoint(a: HelmValues, b: HelmValues): HelmValues {
  const out: Record<string, HelmValue> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const mine = out[k];
    out[k] = isRecord(mine) && isRecord(v) ? mergeDisjoint(mine, v) : v;
  }
  return out;
}

/**
 * The environment's passed-through values (`release.values`, `release.valuesFrom`): every path
 * becomes an override with provenance `environment` (so check-values checks it), and a path that
 * overlaps one the stack sets is refused: the stack owns it (its value is derived from typed
 * fields such as `hosts`), and the export lists the stack's value against the live release's.
 */
function passThrough(env: Environment, own: readonly Override[]): { values?: HelmValues; overrides: Override[] } {
  const owned = own.map((o) => ({ o, segments: parsePath(o.path) }));
  const problems: string[] = [];
  const overrides: Override[] = [];
  const claim = (segments: Segment[], where: string) => {
    const hit = owned.find((p) => isPrefix(p.segments, segments) || isPrefix(segments, p.segments));
    if (hit) {
      problems.push(
        `environment ${env.name}: ${where}: the stack sets ${hit.o.path} itself (${hit.o.provenance}: ${hit.o.source}) ` +
          "(fix: remove it from the environment; npm run export lists the stack's value against the live release's)",
      );
    }
  };
  const values = env.release.values as HelmValues | undefined;
  if (values && Object.keys(values).length > 0) {
    for (const segments of leafPaths(values)) {
      const path = formatPath(segments);
      claim(segments, `release.values.${path}`);
      overrides.push({
        path,
        provenance: 'environment',
        source: 'release.values (a value of the live release the stack does not model)',
        via: 'inline',
      });
    }
  }
  (env.release.valuesFrom ?? []).forEach((r, i) => {
    if (r.targetPath === undefined) return;
    claim(parsePath(r.targetPath), `release.valuesFrom[${i}].targetPath`);
    overrides.push({
      path: r.targetPath,
      provenance: 'environment',
      source: `release.valuesFrom[${i}]: ${r.kind} ${r.name}, key ${r.valuesKey ?? 'values.yaml'}`,
      via: r.kind === 'Secret' ? 'secret' : 'configmap',
    });
  });
  if (problems.length > 0) throw new EnvironmentError(problems);
  return { ...(values && Object.keys(values).length > 0 ? { values } : {}), overrides };
}
