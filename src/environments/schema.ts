/**
 * The shape of an environment: one data file per target cluster under `environments/`.
 *
 * An environment file holds only what differs between clusters; everything else takes the
 * defaults written here (each default is the one FACTS.md gives for the live platform, with its
 * provenance in docs/facts.md). Scripts share this schema: synth renders it, `seal` edits the
 * ciphertext entries, `probe` reads its `probes` section, `export` and `drift` read the identity.
 */
import { z } from 'zod';
import { credentialUnder } from '../core/credentials.js';
import { CollectorSettingsSchema } from './collector.js';
import { type ContinuousContext, ContinuousSettingsSchema, continuousNeeds } from './continuous.js';
import { MonitoringSettingsSchema } from './monitoring.js';
import { ProbesSettingsSchema } from './probe-targets.js';
import { DNS_SUBDOMAIN, dnsLabel, duration, hostname, httpUrl, SEMVER } from './fields.js';
import { SECRET_IDS, SECRET_KEYS, SECRETS_BY_MODE, SecretsSchema, type SecretId } from './secrets.js';
import { resolvable } from './unresolved.js';

export {
  type DatastoreMode,
  SECRET_IDS,
  SECRET_KEYS,
  SECRETS_BY_MODE,
  type SealedValue,
  type SecretId,
} from './secrets.js';

/** A Flux values key (`valuesFrom[].valuesKey`), as the HelmRelease v2 CRD allows it. */
const VALUES_KEY = /^[-._a-zA-Z0-9]+$/;
/** A Flux `valuesFrom[].targetPath`, as the HelmRelease v2 CRD allows it. */
const TARGET_PATH = /^([a-zA-Z0-9_\-.\\/]|\[[0-9]{1,5}\])+$/;

/**
 * A `valuesFrom` entry the environment passes through: a ConfigMap or Secret the stack does not
 * make (the live release's), merged in this order before the stack's own entries. Field shapes
 * from the HelmRelease v2 CRD (helm-controller v1.6.3); `literal` is left out on purpose (newer
 * than the cluster's Flux may be).
 */
export const ValuesReferenceSchema = z
  .object({
    kind: z.enum(['ConfigMap', 'Secret']),
    name: z.string().max(253).regex(DNS_SUBDOMAIN, 'must be a ConfigMap or Secret name'),
    /** @default 'values.yaml' (helm-controller) */
    valuesKey: z.string().max(253).regex(VALUES_KEY, 'must be a key of the object, such as values.yaml').optional(),
    /** @default - the key's YAML document is merged at the root of the values */
    targetPath: z
      .string()
      .max(250)
      .regex(TARGET_PATH, 'must be a Helm values path such as auth.oidc.clientSecret')
      .optional(),
    /** @default false */
    optional: z.boolean().optional(),
  })
  .strict();

/** Chart values as JSON: maps, lists, strings, numbers, booleans, null. */
const ChartValuesSchema = z.record(z.string(), z.json());

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
        releaseName: dnsLabel('releaseName')
          .max(53, 'a Helm release name has at most 53 characters; give the (shortened) name the live release uses')
          .default('arcade'),
        /** Where Helm installs the chart (the engine's namespace). @default the release namespace */
        targetNamespace: dnsLabel('targetNamespace').optional(),
        /** Where Helm keeps its release Secrets. @default the release namespace */
        storageNamespace: dnsLabel('storageNamespace').optional(),
        interval: duration.default('10m'),
        timeout: duration.default('10m'),
        retries: z.number().int().min(0).max(20).default(3),
        /** Start in warn: the chart's rendering has not been seen yet. */
        driftDetection: z.enum(['disabled', 'warn', 'enabled']).default('warn'),
        /**
         * Chart values the stack does not model, passed through unchanged (to adopt the live
         * release's values: docs/delivery.md). A path the stack sets itself is refused at synth;
         * every path is checked by `npm run check-values`; no credential (schema refusal below).
         * @default {}
         */
        values: ChartValuesSchema.optional(),
        /** The live release's `valuesFrom` entries, passed through in order. @default [] */
        valuesFrom: z.array(ValuesReferenceSchema).optional(),
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
        digest: z
          .string()
          .regex(/^sha256:[a-f0-9]{64}$/, "must be 'sha256:' and 64 hex digits")
          .optional(),
        interval: duration.default('1h'),
      })
      .strict()
      .prefault({}),
    hosts: z.object({ api: hostname, coordinator: hostname, dashboard: hostname, experience: hostname }).strict(),
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
        rootKeyId: resolvable(
          z.string().regex(/^[A-Za-z0-9_.-]+$/, 'must be a key id such as key1 (letters, digits, . _ -)'),
        ).optional(),
      })
      .strict()
      .prefault({}),
    /** The Secrets the release reads: the LLM key in every mode, the datastores' in managed mode (checked below). */
    secrets: SecretsSchema.optional(),
    /** The OpenTelemetry Collector (schema in ./collector.ts). */
    collector: CollectorSettingsSchema,
    /** The cluster's scrape convention for ServiceMonitors/PodMonitors (schema and defaults in ./monitoring.ts). */
    monitoring: MonitoringSettingsSchema,
    /** What the post-deploy probes expect (schema in ./probes.ts). */
    probes: ProbesSettingsSchema,
    /** The probes on a schedule, their metrics, dashboard and alerts; off by default (schema in ./continuous.ts). */
    continuous: ContinuousSettingsSchema,
  })
  .strict()
  .superRefine((env, ctx) => {
    for (const found of credentialsIn(env.release.values, ['release', 'values'])) {
      ctx.addIssue({
        code: 'custom',
        path: found,
        message:
          `'${String(found[found.length - 1])}' holds what looks like a credential, and the environment is committed to git; ` +
          'keep the value in a Secret (a SealedSecret in the GitOps repository) and pass it with release.valuesFrom: ' +
          `[{ kind: Secret, name: <secret>, valuesKey: <key>, targetPath: ${found.slice(2).map(String).join('.')} }]`,
      });
    }
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
    if (!env.secrets) {
      ctx.addIssue({
        code: 'custom',
        path: ['secrets'],
        message:
          env.datastores.mode === 'managed'
            ? "datastores.mode is 'managed' but no 'secrets' section names the provider; add secrets.provider " +
              "('sealed-secrets' or 'external-secrets') with values for every key, or set datastores.mode: bundled"
            : "the engine's LLM API key is read from a Secret in every mode, but no 'secrets' section names the provider; add " +
              "secrets.provider ('sealed-secrets' or 'external-secrets') with values.llm.api-key (a value, or { unresolved: \"<why>\" })",
      });
    } else {
      const wanted: readonly SecretId[] = SECRETS_BY_MODE[env.datastores.mode];
      for (const id of SECRET_IDS) {
        const given = env.secrets.values[id] !== undefined;
        if (!given && wanted.includes(id)) {
          ctx.addIssue({
            code: 'custom',
            path: ['secrets', 'values', id],
            message:
              `datastores.mode is '${env.datastores.mode}', so the release reads the ${id} Secret; give every key ` +
              `(${SECRET_KEYS[id].join(', ')}), each a value or { unresolved: "<why>" }`,
          });
        }
        if (given && !wanted.includes(id)) {
          ctx.addIssue({
            code: 'custom',
            path: ['secrets', 'values', id],
            message:
              `datastores.mode is '${env.datastores.mode}' (the chart's own datastores), so the ${id} Secret would not be used; ` +
              `remove it, or set datastores.mode: managed`,
          });
        }
      }
    }
    if (env.continuous.enabled) refuseHalfRendered(env, ctx);
    if (env.datastores.mode === 'managed' && env.engine.rootKeyId === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['engine', 'rootKeyId'],
        message:
          "datastores.mode is 'managed', so the engine's root key is read from a Secret and needs its id; give the id " +
          'the LIVE engine uses (security.root_keys[].id in its config), or { unresolved: "<why>" } until it is read',
      });
    }
  });

/**
 * The continuous mode is never half-rendered: Flux applies dist/<env>/ as one unit, so an
 * `<unresolved: ...>` in one of its objects would stall the whole folder. Turned on, every value it
 * needs must be known (./continuous.ts `continuousNeeds`); each one that is not is named.
 */
function refuseHalfRendered(env: ContinuousContext, ctx: z.RefinementCtx): void {
  for (const { path, fix } of continuousNeeds(env)) {
    ctx.addIssue({
      code: 'custom',
      path: path.split('.'),
      message:
        `continuous.enabled is true, but this value is missing (${fix}); Flux applies dist/${env.name}/ as one unit, ` +
        'so the continuous mode is rendered only with every value known: give it, or set continuous.enabled: false',
    });
  }
}

/**
 * Paths of string values under a credential-like key (credentialUnder, src/core/credentials.ts, the
 * rule of the gate's secret.env-value too): any value under a password key but a flag (a default
 * password is not random), a random-looking one under the others.
 */
function credentialsIn(tree: unknown, path: (string | number)[]): (string | number)[][] {
  if (Array.isArray(tree)) return tree.flatMap((item, i) => credentialsIn(item, [...path, i]));
  if (typeof tree !== 'object' || tree === null) return [];
  return Object.entries(tree).flatMap(([key, value]) => {
    const here = [...path, key];
    if (typeof value !== 'string') return credentialsIn(value, here);
    return credentialUnder(key, value) ? [here] : [];
  });
}

export type Environment = z.output<typeof EnvironmentSchema>;
export type SecretsConfig = z.output<typeof SecretsSchema>;
