/**
 * Reads CustomResourceDefinitions from a cluster (read-only: one list call) through
 * @kubernetes/client-node, for `npm run crds -- --from-cluster`. Fails closed: without a real
 * kubeconfig it refuses instead of falling back to the client's default of localhost:8080.
 */
import type { CachedSchema } from './crd-cache.js';
import { CrdError, schemasOfCrd } from './crd-cache.js';
import { loadKubeConfig, type KubeConfigOptions } from '../kube/kubeconfig.js';
import { toWire } from '../kube/wire.js';
import { withDeadline } from '../core/retry.js';

export interface ClusterCrdOptions extends KubeConfigOptions {
  /** Timeout of the list call. @default 20000 */
  readonly timeoutMs?: number;
}

export interface ClusterCrds {
  readonly server: string;
  readonly schemas: readonly CachedSchema[];
}

/** Lists every CRD of the cluster and returns the schemas of their served versions. */
export async function readClusterCrds(options: ClusterCrdOptions = {}): Promise<ClusterCrds> {
  const { ApiextensionsV1Api } = await import('@kubernetes/client-node');
  const { kc, server } = await loadKubeConfig(options, ', or use --from <dir|file>');
  const api = kc.makeApiClient(ApiextensionsV1Api);
  const timeoutMs = options.timeoutMs ?? 20_000;
  try {
    const list = await withDeadline(timeoutMs, () => api.listCustomResourceDefinition());
    const source = `cluster ${server}`;
    // The client returns typed models (x-kubernetes-* renamed); serialize back to the wire form.
    const schemas = list.items.flatMap((crd) => schemasOfCrd(toWire(crd), source));
    return { server: server, schemas };
  } catch (err) {
    if (err instanceof CrdError) throw err;
    const code = (err as { code?: unknown }).code;
    const hint =
      code === 401 || code === 403 ? ' (fix: the kubeconfig user needs list on customresourcedefinitions)' : '';
    throw new CrdError(`listing CustomResourceDefinitions on ${server} failed: ${(err as Error).message}${hint}`);
  }
}
