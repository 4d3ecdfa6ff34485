/**
 * The `secrets` section of an environment: which Secrets the stack manages and the keys each
 * holds (fixed by the code), which ones each datastore mode needs, and the two providers' settings
 * with their values (SealedSecrets ciphertexts written by `npm run seal`, or External Secrets
 * references into an existing store). docs/secrets.md.
 */
import { z } from 'zod';
import { dnsLabel, duration } from './fields.js';
import { SECRET_KEYS, type SecretId } from './secret-keys.js';
import { resolvable } from './unresolved.js';

export { SECRET_IDS, SECRET_KEYS, type SecretId } from './secret-keys.js';

export type DatastoreMode = 'bundled' | 'managed';

/**
 * The Secrets an environment manages in each datastore mode: with the chart's bundled datastores
 * only the LLM key; with managed ones also every datastore credential, the engine root key and
 * the OIDC client secret.
 */
export const SECRETS_BY_MODE = {
  bundled: ['llm'],
  managed: ['postgres', 'redis', 'engine', 'oidc', 'llm'],
} as const satisfies Record<DatastoreMode, readonly SecretId[]>;

/** A value sealed by `npm run seal`: ciphertext plus the Secret it is bound to (strict scope). */
export const SealedValueSchema = z
  .object({
    ciphertext: z
      .string()
      .regex(/^[A-Za-z0-9+/]+=*$/, 'must be base64 ciphertext written by `npm run seal`')
      .min(64),
    boundTo: z
      .string()
      .regex(/^[a-z0-9-]+\/[a-z0-9.-]+$/, "must be '<namespace>/<secret name>' as written by `npm run seal`"),
    certificateSha256: z
      .string()
      .regex(/^[a-f0-9]{64}$/, 'must be the sha256 of the sealing certificate, as written by `npm run seal`'),
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

function secretValues<T extends z.ZodType>(entry: T) {
  // z.record over an enum is exhaustive in zod 4: every declared key must be given (a value or
  // an unresolved marker), and an unknown key is rejected. Which Secrets must be present depends
  // on the datastore mode (SECRETS_BY_MODE), checked on the whole environment below.
  const one = <K extends SecretId>(id: K) => z.record(z.enum(SECRET_KEYS[id]), resolvable(entry)).optional();
  return z
    .object({
      postgres: one('postgres'),
      redis: one('redis'),
      engine: one('engine'),
      oidc: one('oidc'),
      llm: one('llm'),
    })
    .strict();
}

const SecretNamesSchema = z
  .object({
    postgres: dnsLabel('secret name').default('arcade-postgres'),
    redis: dnsLabel('secret name').default('arcade-redis'),
    engine: dnsLabel('secret name').default('arcade-engine-root-key'),
    oidc: dnsLabel('secret name').default('arcade-oidc'),
    llm: dnsLabel('secret name').default('arcade-llm'),
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
