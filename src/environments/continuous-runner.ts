/**
 * `continuous.runner`: the in-cluster probe runner of the continuous mode (a CronJob in the
 * environment's namespace, src/charts/probe-runner-chart.ts; docs/continuous-evidence.md "The
 * runner in the cluster"). Its image, the base image that image is built on, and the Arcade API key
 * it sends, as a SealedSecret or an ExternalSecret of the environment's secret provider.
 *
 * Every value here that has no default is one the mode needs (`runnerNeeds`): while absent or
 * `{ unresolved: ... }`, the mode is not rendered (./continuous.ts).
 */
import { z } from 'zod';
import { parseQuantity } from '../core/quantity.js';
import { DNS_LABEL } from './fields.js';
import { RemoteRefSchema, SealedValueSchema } from './secrets.js';
import { isUnresolved, resolvable, type Unresolved } from './unresolved.js';

/**
 * An image reference pinned by digest: `[registry[:port]/]path[:tag]@sha256:<64 hex>`. The tag is
 * allowed for readers; the digest is what the node pulls, so a moved tag changes nothing.
 * @see https://github.com/distribution/reference/blob/main/reference.go (the grammar, lower-case path)
 */
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REGISTRY = '[a-z0-9]+(?:[.-][a-z0-9]+)*(?::[0-9]+)?';
const TAG = '[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}';
export const PINNED_IMAGE = new RegExp(
  `^(?:${REGISTRY}/)?${COMPONENT}(?:/${COMPONENT})*(?::${TAG})?@sha256:[a-f0-9]{64}$`,
);

const pinnedImage = (example: string) =>
  z
    .string()
    .regex(PINNED_IMAGE, `must be an image reference pinned by digest, such as ${example}@sha256:<64 hex digits>`);

/** A resource quantity as the API server reads it (src/core/quantity.ts), not negative. */
const quantity = z
  .string()
  .refine(
    (q) => (parseQuantity(q)?.unscaled ?? -1n) >= 0n,
    "must be a Kubernetes quantity such as '50m', '0.5', '192Mi' or '1Gi'",
  );

/** The runner's key sealed with kubeseal or `npm run seal` (the certificate's hash is optional here). */
const RunnerSealedKeySchema = SealedValueSchema.extend({
  certificateSha256: SealedValueSchema.shape.certificateSha256.optional(),
});

const ResourcesSchema = z
  .object({
    requests: z.object({ cpu: quantity, memory: quantity }).strict().default({ cpu: '50m', memory: '192Mi' }),
    limits: z.object({ cpu: quantity, memory: quantity }).strict().default({ cpu: '500m', memory: '384Mi' }),
  })
  .strict()
  .prefault({});

export const RunnerSettingsSchema = z
  .object({
    /**
     * The probe runner image, built from the repository's Dockerfile and pushed by the platform
     * team (README "The probe runner image"), pinned by digest.
     */
    image: resolvable(pinnedImage('registry.example.com/platform/arcade-probes:0.1.0')).optional(),
    /** The node 20 image the Dockerfile builds on (its BASE_IMAGE build argument), pinned by digest. */
    baseImage: resolvable(pinnedImage('node:20-bookworm-slim')).optional(),
    /**
     * The Arcade API key the runner sends (ARCADE_API_KEY): ciphertext sealed for
     * `<namespace>/<secretName>` with provider `sealed-secrets`, a `{ remoteKey, property }` in the
     * ClusterSecretStore with `external-secrets`. Never the key itself.
     */
    apiKey: resolvable(z.union([RunnerSealedKeySchema, RemoteRefSchema])).optional(),
    /** The Secret holding the key, in the environment's namespace. @default arcade-probes-api-key */
    secretName: z
      .string()
      .max(63)
      .regex(DNS_LABEL, 'must be a Secret name (DNS-1123 label)')
      .default('arcade-probes-api-key'),
    /**
     * TCP ports of the Kubernetes API server as the pods reach it (after the `kubernetes` Service's
     * address translation, which is what a NetworkPolicy sees): 443 on AKS, EKS and GKE, often
     * 6443 on kubeadm clusters (`kubectl get endpoints kubernetes -n default`). @default [443]
     */
    apiServerPorts: z.array(z.number().int().min(1).max(65535)).min(1).default([443]),
    /** The container's requests and limits. @default requests 50m/192Mi, limits 500m/384Mi */
    resources: ResourcesSchema,
  })
  .strict()
  .prefault({});

export type RunnerSettings = z.output<typeof RunnerSettingsSchema>;

/** The runner's key in the environment's provider: ciphertext, or a reference into the store. */
export type RunnerApiKey =
  | { readonly provider: 'sealed-secrets'; readonly ciphertext: string; readonly boundTo: string }
  | {
      readonly provider: 'external-secrets';
      readonly remoteKey: string;
      readonly property?: string;
      readonly version?: string;
    };

/** What the runner reads from the rest of the environment (structural). */
export interface RunnerContext {
  readonly name: string;
  readonly namespace: string;
  readonly secrets?: { readonly provider: 'sealed-secrets' | 'external-secrets' };
}

/** The runner with every value resolved (ContinuousPlan.runner). */
export interface RunnerPlan {
  readonly image: string;
  readonly baseImage: string;
  readonly apiKey: RunnerApiKey;
  readonly secretName: string;
  readonly apiServerPorts: readonly number[];
  readonly resources: RunnerSettings['resources'];
}

interface Need {
  readonly path: string;
  readonly fix: string;
}

const PATH = 'continuous.runner';

function missing(path: string, value: unknown, fix: string): Need[] {
  if (isUnresolved(value)) return [{ path, fix: `unresolved: ${value.unresolved}` }];
  return value === undefined ? [{ path, fix }] : [];
}

/** The key in the provider's form, or the reason it does not fit the provider. */
function keyFor(env: RunnerContext, runner: RunnerSettings): RunnerApiKey | string | undefined {
  const key = runner.apiKey;
  if (key === undefined || isUnresolved(key) || !env.secrets) return undefined;
  const binding = `${env.namespace}/${runner.secretName}`;
  if (env.secrets.provider === 'sealed-secrets') {
    if (!('ciphertext' in key)) return `secrets.provider is sealed-secrets: give { ciphertext, boundTo: ${binding} }`;
    if (key.boundTo !== binding)
      return `sealed for ${key.boundTo}, but the runner's Secret is ${binding}: the controller cannot decrypt it there (re-seal it for ${binding})`;
    return { provider: 'sealed-secrets', ciphertext: key.ciphertext, boundTo: key.boundTo };
  }
  if (!('remoteKey' in key))
    return 'secrets.provider is external-secrets: give { remoteKey, property } of the key in the secret store, never ciphertext';
  return { provider: 'external-secrets', ...key };
}

/** Every value the runner needs that the environment does not give, in field order. */
export function runnerNeeds(env: RunnerContext, runner: RunnerSettings): Need[] {
  const sealed = env.secrets?.provider !== 'external-secrets';
  const binding = `${env.namespace}/${runner.secretName}`;
  const needs: Need[] = [
    ...missing(
      `${PATH}.image`,
      runner.image,
      'the probe runner image pinned by digest (<registry>/<path>:<tag>@sha256:<digest>): build the Dockerfile and push it (README "The probe runner image")',
    ),
    ...missing(
      `${PATH}.baseImage`,
      runner.baseImage,
      'the node 20 image the Dockerfile builds on, pinned by digest (e.g. node:20-bookworm-slim@sha256:<digest>; ' +
        'docker buildx imagetools inspect node:20-bookworm-slim)',
    ),
    ...missing(
      `${PATH}.apiKey`,
      runner.apiKey,
      sealed
        ? `the Arcade API key the runner sends, sealed for ${binding}: printf %s "$KEY" | kubeseal --raw --scope strict ` +
            `--namespace ${env.namespace} --name ${runner.secretName} (docs/continuous-evidence.md "The API key")`
        : "{ remoteKey, property } of the Arcade API key the runner sends, in the environment's ClusterSecretStore " +
            '(docs/continuous-evidence.md "The API key")',
    ),
  ];
  const key = keyFor(env, runner);
  if (typeof key === 'string') needs.push({ path: `${PATH}.apiKey`, fix: key });
  return needs;
}

/** The runner, resolved; call only when `runnerNeeds` is empty. */
export function runnerPlan(env: RunnerContext, runner: RunnerSettings): RunnerPlan {
  const key = keyFor(env, runner);
  const known = (v: string | Unresolved | undefined): string | undefined =>
    v === undefined || isUnresolved(v) ? undefined : v;
  const image = known(runner.image);
  const baseImage = known(runner.baseImage);
  if (!image || !baseImage || key === undefined || typeof key === 'string')
    throw new Error(`runnerPlan(${env.name}): continuous.runner is incomplete (the schema should have refused it)`);
  return {
    image,
    baseImage,
    apiKey: key,
    secretName: runner.secretName,
    apiServerPorts: [...runner.apiServerPorts],
    resources: runner.resources,
  };
}
