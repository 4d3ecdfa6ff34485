/**
 * The Arcade chart value overrides: the ONE place that names a chart values key.
 *
 * Only `features.chatEnabled` is confirmed for chart 1.8.8. Every other key carries its
 * provenance so that `npm run check-values` (against `helm show values ... --version 1.8.8`) can
 * prove or refute it before the release goes live; Helm silently ignores unknown keys, so an
 * unchecked key may do nothing at all. See docs/chart-values.md for the evidence behind each.
 */
import type { HelmValue, HelmValues, ValuesFromSecret } from '../constructs/oci-helm-release.js';
import type { SecretSource } from '../constructs/secret-source.js';
import type { Environment, SecretId } from '../environments/schema.js';
import { render } from '../environments/unresolved.js';

/**
 * - `confirmed`: seen working on the live chart version.
 * - `vendor`: documented by Arcade for a later chart (1.11.x); to be checked against 1.8.8.
 * - `assumed`: our reading (chart conventions, engine docs); to be checked against 1.8.8.
 */
export type Provenance = 'confirmed' | 'vendor' | 'assumed';

/** One values path the stack sets, how, and why we believe the chart reads it. */
export interface Override {
  /** Dotted Helm values path (`\.` escapes a literal dot). */
  readonly path: string;
  readonly provenance: Provenance;
  /** Where the key comes from (document, observation) in a few words. */
  readonly source: string;
  /** `inline` in spec.values, or `secret` through valuesFrom/targetPath. */
  readonly via: 'inline' | 'secret';
}

/** The OTLP endpoint the engine must push to: the collector Service in the same namespace. */
export const ENGINE_OTLP_ENDPOINT = 'http://arcade-otel-collector:4318';

const KEYS = {
  chatEnabled: { path: 'features.chatEnabled', provenance: 'confirmed', source: 'observed on chart 1.8.8 (FACTS)' },
  ingressHostname: { path: 'ingress.hostname', provenance: 'vendor', source: 'Arcade values reference, chart 1.11.2' },
  gatewayHostname: { path: 'gateway.hostname', provenance: 'vendor', source: 'Arcade values reference, chart 1.11.2' },
  usageTracking: { path: 'usageTracking.enabled', provenance: 'vendor', source: 'Arcade values reference, chart 1.11.2 (off by default)' },
  oidcIssuer: { path: 'auth.oidc.issuer', provenance: 'assumed', source: 'chart convention; key not documented' },
  oidcClientId: { path: 'auth.oidc.clientId', provenance: 'assumed', source: 'chart convention; key not documented' },
  oidcClientSecret: { path: 'auth.oidc.clientSecret', provenance: 'assumed', source: 'chart convention; key not documented' },
  llmModels: { path: 'engine.extraConfig.llm.models', provenance: 'assumed', source: 'engine.extraConfig (vendor 1.11.2) + engine llm.models[].openai.base_url (vendor engine docs)' },
  otlpEnv: { path: 'engine.extraEnv', provenance: 'assumed', source: 'OTEL_EXPORTER_OTLP_* variables (vendor engine docs); extraEnv key not documented' },
  otelCollectorEnabled: { path: 'otelCollector.enabled', provenance: 'assumed', source: 'FACTS: do not enable a collector inside the chart; key not documented' },
  postgresEnabled: { path: 'postgresql.enabled', provenance: 'assumed', source: 'bundled-subchart convention; key not documented' },
  redisEnabled: { path: 'redis.enabled', provenance: 'assumed', source: 'bundled-subchart convention; key not documented' },
  enginePostgres: { path: 'engine.extraConfig.storage.postgres', provenance: 'assumed', source: 'engine.extraConfig (vendor 1.11.2) + storage.postgres.* (vendor engine docs)' },
  engineRedis: { path: 'engine.extraConfig.cache.redis', provenance: 'assumed', source: 'engine.extraConfig (vendor 1.11.2) + cache.redis.* (vendor engine docs)' },
  engineRootKeys: { path: 'engine.extraConfig.security.root_keys[0].value', provenance: 'assumed', source: 'engine.extraConfig (vendor 1.11.2) + security.root_keys[] (vendor engine docs)' },
} as const satisfies Record<string, Omit<Override, 'via'>>;

/** Where each managed Secret key lands in the values (valuesFrom `targetPath`). */
const SECRET_TARGETS: Readonly<Record<SecretId, Readonly<Record<string, { base: keyof typeof KEYS; leaf: string }>>>> = {
  postgres: {
    host: { base: 'enginePostgres', leaf: 'host' },
    port: { base: 'enginePostgres', leaf: 'port' },
    database: { base: 'enginePostgres', leaf: 'db' },
    user: { base: 'enginePostgres', leaf: 'user' },
    password: { base: 'enginePostgres', leaf: 'password' },
    sslmode: { base: 'enginePostgres', leaf: 'sslmode' },
  },
  redis: {
    host: { base: 'engineRedis', leaf: 'host' },
    port: { base: 'engineRedis', leaf: 'port' },
    password: { base: 'engineRedis', leaf: 'password' },
    tls: { base: 'engineRedis', leaf: 'tls' },
  },
  engine: { 'root-key': { base: 'engineRootKeys', leaf: '' } },
  oidc: { 'client-secret': { base: 'oidcClientSecret', leaf: '' } },
};

export interface ArcadeValues {
  readonly values: HelmValues;
  readonly valuesFrom: readonly ValuesFromSecret[];
  /** Every path set, inline and through Secrets, with its provenance (for check-values). */
  readonly overrides: readonly Override[];
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
  if (bases.size !== 1) {
    throw new Error(`hosts: the four hosts must share one parent domain, got ${[...bases].join(', ')} (fix: use <component>.<domain>)`);
  }
  return [...bases][0]!;
}

/** Sets a value at a dotted path in a plain object tree (paths here are fixed, dot-separated). */
function setPath(tree: Record<string, HelmValue>, path: string, value: HelmValue): void {
  const parts = path.split('.');
  let node: Record<string, HelmValue> = tree;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[part] = {};
    node = node[part] as Record<string, HelmValue>;
  }
  node[parts[parts.length - 1]!] = value;
}

/**
 * Builds the release's values for an environment. `secrets` is given in managed mode only; in
 * bundled mode the chart keeps its own datastores (today's live state) and no Secret is read.
 */
export function arcadeValues(env: Environment, secrets?: Readonly<Record<SecretId, SecretSource>>): ArcadeValues {
  const values: Record<string, HelmValue> = {};
  const overrides: Override[] = [];
  const set = (key: keyof typeof KEYS, value: HelmValue) => {
    setPath(values, KEYS[key].path, value);
    overrides.push({ ...KEYS[key], via: 'inline' });
  };

  set('chatEnabled', false);
  set('usageTracking', false);
  const domain = baseDomain(env.hosts);
  set('ingressHostname', domain);
  set('gatewayHostname', env.hosts.api);
  set('oidcIssuer', render(env.oidc.issuer));
  set('oidcClientId', render(env.oidc.clientId));
  set('llmModels', [{ id: 'primary', openai: { base_url: render(env.llm.baseUrl) } }]);
  set('otlpEnv', [
    { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: ENGINE_OTLP_ENDPOINT },
    { name: 'OTEL_EXPORTER_OTLP_PROTOCOL', value: 'http/protobuf' },
  ]);
  set('otelCollectorEnabled', false);

  const valuesFrom: ValuesFromSecret[] = [];
  if (env.datastores.mode === 'managed') {
    if (!secrets) throw new Error(`environment ${env.name}: datastores.mode is managed but no Secrets were built`);
    set('postgresEnabled', false);
    set('redisEnabled', false);
    for (const [role, targets] of Object.entries(SECRET_TARGETS) as [SecretId, (typeof SECRET_TARGETS)[SecretId]][]) {
      for (const [key, target] of Object.entries(targets)) {
        const base = KEYS[target.base];
        const targetPath = target.leaf ? `${base.path}.${target.leaf}` : base.path;
        valuesFrom.push({ secret: secrets[role], key, targetPath });
        overrides.push({ path: targetPath, provenance: base.provenance, source: base.source, via: 'secret' });
      }
    }
  }
  return { values, valuesFrom, overrides };
}
