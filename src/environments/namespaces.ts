/**
 * Where each part of the stack lives. Three namespaces can differ (issue 16: a live release whose
 * HelmRelease object sits in `flux-system` while the engine runs in `arcade`):
 *
 * - the **release namespace** (`release.namespace`, default `namespace`): the HelmRelease and its
 *   chart source. helm-controller reads `valuesFrom` Secrets and ConfigMaps only here;
 * - the **engine namespace** (`release.targetNamespace`, default the release namespace, as
 *   helm-controller defaults it): where Helm installs the chart, so where the engine's pods run and
 *   where a `secretKeyRef` in their env is looked up;
 * - the **workload namespace** (`namespace`): the collector and its ServiceMonitors.
 *
 * Every managed Secret is placed in the namespace of its reader, so a reference always resolves;
 * the gate's `refs.*` rules (src/check/references.ts) prove it on the synthesized output.
 *
 * @see https://fluxcd.io/flux/components/helm/helmreleases/#values-references (same namespace)
 * @see https://kubernetes.io/docs/concepts/configuration/secret/ (a Pod reads Secrets of its own namespace)
 */
import type { Environment, SecretId } from './schema.js';

/** Namespace of the HelmRelease and its OCIRepository. */
export function releaseNamespace(env: Environment): string {
  return env.release.namespace ?? env.namespace;
}

/** Namespace the chart is installed into (helm-controller: `targetNamespace`, default the HelmRelease's). */
export function engineNamespace(env: Environment): string {
  return env.release.targetNamespace ?? releaseNamespace(env);
}

/**
 * Who reads each managed Secret: `engine` (the engine's containers, through `secretKeyRef` env
 * variables) or `release` (helm-controller, through `valuesFrom`). Fixed by the code in
 * src/charts/arcade-values.ts, which derives its lists from this table.
 */
export const SECRET_READER = {
  postgres: 'engine',
  redis: 'engine',
  engine: 'engine',
  oidc: 'release',
  llm: 'engine',
} as const satisfies Record<SecretId, 'engine' | 'release'>;

/** The namespace a managed Secret must live in: its reader's. */
export function secretNamespace(env: Environment, id: SecretId): string {
  return SECRET_READER[id] === 'engine' ? engineNamespace(env) : releaseNamespace(env);
}
