/**
 * The shape of an environment: one data file per target cluster under `environments/`.
 *
 * An environment file holds only what differs between clusters; everything else takes the
 * defaults written here (each default is the one FACTS.md gives for the live platform, with its
 * provenance in docs/facts.md). Scripts share this schema: synth renders it, `seal` edits the
 * ciphertext entries, `probe` reads its `probes` section, `export` and `drift` read the identity.
 */
import { z } from 'zod';
import { CollectorSettingsSchema } from './collector.js';
import { ProbesSettingsSchema } from './probes.js';
import { resolvable } from './unresolved.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Go duration as Flux accepts it (`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`, from the Flux CRDs). */
const FLUX_DURATION = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;
const SEMVER = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

export const dnsLabel = (what: string) =>
  z.string().max(63).regex(DNS_LABEL, `${what} must be a DNS-1123 label (lower-case letters, digits, '-')`);
const hostname = z.string().regex(DNS_SUBDOMAIN, 'must be a bare host name such as api.arcade.example.com (no scheme, no path)');
const duration = z.string().regex(FLUX_DURATION, "must be a Go duration such as '10m' or '1h30m'");
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

/** The Secrets the stack manages and the keys each must hold (fixed by the code, not by data). */
export const SECRET_KEYS = {
  postgres: ['host', 'port', 'database', 'user', 'password', 'sslmode'],
  redis: ['host', 'port', 'password', 'tls'],
  engine: ['root-key'],
  oidc: ['client-secret'],
} as const satisfies Record<string, readonly string[]>;
export type SecretId = keyof typeof SECRET_KEYS;
export const SECRET_IDS = Object.keys(SECRET_KEYS) as SecretId[];

/** A value sealed by `npm run seal`: ciphertext plus the Secret it is bound to (strict scope). */
export const SealedValueSchema = z
  .object({
    ciphertext: z.string().regex(/^[A-Za-z0-9+/]+=*$/, 'must be base64 ciphertext written by `npm run seal`').min(64),
    boundTo: z.string().regex(/^[a-z0-9-]+\/[a-z0-9.-]+$/, "must be '<namespace>/<secret name>' as written by `npm run seal`"),
    certificateSha256: z.string().regex(/^[a-f0-9]{64}$/, 'must be the sha256 of the sealing certificate, as written by `npm run seal`'),
  })
  .strict();
export type SealedValue = z.infer<typeof SealedValueSchema>;

/** A reference to a key in the external secret store (ExternalSecret `remoteRef`). */
export const RemoteRefSchema = z
  .object({
    remoteKey: z.string().min(1),
    property: z.string().min(1).optional(),
    version: z.string().min(1).optional(),
  })
  .strict();
export type RemoteRef = z.infer<typeof RemoteRefSchema>;

function secretValues<T extends z.ZodType>(entry: T) {
  // z.record over an enum is exhaustive in zod 4: every declared key must be given (a value or
  // an unresolved marker), and an unknown key is rejected.
  const one = <K extends SecretId>(id: K) => z.record(z.enum(SECRET_KEYS[id]), resolvable(entry));
  return z
    .object({ postgres: one('postgres'), redis: one('redis'), engine: one('engine'), oidc: one('oidc') })
    .strict();
}

const SecretNamesSchema = z
  .object({
    postgres: dnsLabel('secret name').default('arcade-postgres'),
    redis: dnsLabel('secret name').default('arcade-redis'),
    engine: dnsLabel('secret name').default('arcade-engine-root-key'),
    oidc: dnsLabel('secret name').default('arcade-oidc'),
  })
  .strict();

export const SealedSecretsProviderSchema = z
  .object({
    provider: z.literal('sealed-secrets'),
    /** The sealed-secrets controller, used by `npm run seal` to fetch the public certificate. */
    controller: z
      .object({
        name: resolvable(dnsLabel('controller name')),
        namespace: resolvable(dnsLabel('controller namespace')),
      })
      .strict(),
    names: SecretNamesSchema.prefault({}),
    values: secretValues(SealedValueSchema),
  })
  .strict();

export const ExternalSecretsProviderSchema = z
  .object({
    provider: z.literal('external-secrets'),
    /** An existing ClusterSecretStore (the stack never creates the store). */
    clusterSecretStore: resolvable(dnsLabel('ClusterSecretStore name')),
    refreshInterval: duration.default('1h'),
    names: SecretNamesSchema.prefault({}),
    values: secretValues(RemoteRefSchema),
  })
  .strict();

export const SecretsSchema = z.discriminatedUnion('provider', [
  SealedSecretsProviderSchema,
  ExternalSecretsProviderSchema,
]);

export const EnvironmentSchema = z
  .object({
    /** Must equal the file name without `.yaml`; also the folder under dist/. */
    name: dnsLabel('name'),
    description: z.string().optional(),
    /** Kubernetes cluster name, used in labels and telemetry. */
    cluster: dnsLabel('cluster'),
    /**
     * The workload namespace: the collector and its monitors, and (by default) the release, the
     * engine and the Secrets they read. Where each part lives: src/environments/namespaces.ts.
     */
    namespace: dnsLabel('namespace').default('arcade'),
    release: z
      .object({
        /**
         * Namespace of the HelmRelease object and its source (metadata.namespace); must match the
         * live release. @default the environment's `namespace`
         */
        namespace: dnsLabel('release namespace').optional(),
        /** HelmRelease object name; must match the live release to avoid a reinstall. */
        name: dnsLabel('release name').default('arcade'),
        /**
         * Helm release name, set explicitly (FACTS: "Set the Helm release name to arcade"). Helm
         * allows 53 characters; helm-controller shortens a longer default (docs/delivery.md).
         */
        releaseName: dnsLabel('releaseName').max(53, 'a Helm release name has at most 53 characters; give the (shortened) name the live release uses').default('arcade'),
        /** Where Helm installs the chart (the engine's namespace). @default the release namespace */
        targetNamespace: dnsLabel('targetNamespace').optional(),
        /** Where Helm keeps its release Secrets. @default the release namespace */
        storageNamespace: dnsLabel('storageNamespace').optional(),
        interval: duration.default('10m'),
        timeout: duration.default('10m'),
        retries: z.number().int().min(0).max(20).default(3),
        /** Start in warn: the chart's rendering has not been seen yet. */
        driftDetection: z.enum(['disabled', 'warn', 'enabled']).default('warn'),
      })
      .strict()
      .prefault({}),
    chart: z
      .object({
        url: z
          .string()
          .regex(/^oci:\/\/[^\s]+$/, 'must be an oci:// repository URL')
          .default('oci://public.ecr.aws/s5i6x9d1/charts/arcade'),
        version: z.string().regex(SEMVER, 'must be an exact chart version such as 1.8.8').default('1.8.8'),
        /** Optional digest pin (`sha256:…`); when set, Flux ignores the tag. */
        digest: z.string().regex(/^sha256:[a-f0-9]{64}$/, "must be 'sha256:' and 64 hex digits").optional(),
        interval: duration.default('1h'),
      })
      .strict()
      .prefault({}),
    hosts: z
      .object({ api: hostname, coordinator: hostname, dashboard: hostname, experience: hostname })
      .strict(),
    oidc: z
      .object({
        issuer: resolvable(httpUrl),
        clientId: resolvable(z.string().min(1)),
      })
      .strict(),
    llm: z.object({ baseUrl: resolvable(httpUrl) }).strict(),
    datastores: z
      .object({
        /** bundled: today's live state (the chart's in-cluster PostgreSQL/Redis); managed: the target. */
        mode: z.enum(['bundled', 'managed']),
      })
      .strict(),
    /** The engine's own settings the stack sets (managed mode). */
    engine: z
      .object({
        /**
         * Id of the engine's root encryption key (`security.root_keys[].id`, engine config schema
         * 2.0). Must be the id the LIVE engine uses with the key sealed as `engine/root-key`, or
         * vaulted tokens become unreadable. Required in managed mode (checked below).
         */
        rootKeyId: resolvable(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'must be a key id such as key1 (letters, digits, . _ -)')).optional(),
      })
      .strict()
      .prefault({}),
    /** Required when datastores.mode is managed (checked below). */
    secrets: SecretsSchema.optional(),
    /** The OpenTelemetry Collector (schema in ./collector.ts). */
    collector: CollectorSettingsSchema,
    /** What the post-deploy probes expect (schema in ./probes.ts). */
    probes: ProbesSettingsSchema,
  })
  .strict()
  .superRefine((env, ctx) => {
    const objectNamespace = env.release.namespace ?? env.namespace;
    if (objectNamespace !== env.namespace && env.release.targetNamespace === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['release', 'targetNamespace'],
        message:
          `release.namespace is '${objectNamespace}' (where the HelmRelease object lives) but release.targetNamespace is unset, ` +
          `so helm-controller would install the engine into '${objectNamespace}', away from its collector in '${env.namespace}'; ` +
          `set release.targetNamespace to the live release's spec.targetNamespace (normally '${env.namespace}')`,
      });
    }
    if (env.datastores.mode === 'managed' && !env.secrets) {
      ctx.addIssue({
        code: 'custom',
        path: ['secrets'],
        message:
          "datastores.mode is 'managed' but no 'secrets' section names the provider; add secrets.provider " +
          "('sealed-secrets' or 'external-secrets') with values for every key, or set datastores.mode: bundled",
      });
    }
    if (env.datastores.mode === 'managed' && env.engine.rootKeyId === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['engine', 'rootKeyId'],
        message:
          "datastores.mode is 'managed', so the engine's root key is read from a Secret and needs its id; give the id " +
          'the LIVE engine uses (security.root_keys[].id in its config), or { unresolved: "<why>" } until it is read',
      });
    }
    if (env.datastores.mode === 'bundled' && env.secrets) {
      ctx.addIssue({
        code: 'custom',
        path: ['secrets'],
        message:
          "datastores.mode is 'bundled' (the chart's own datastores), so a 'secrets' section would not be used; " +
          "remove it, or set datastores.mode: managed",
      });
    }
  });

export type EnvironmentInput = z.input<typeof EnvironmentSchema>;
export type Environment = z.output<typeof EnvironmentSchema>;
export type SecretsConfig = z.output<typeof SecretsSchema>;
