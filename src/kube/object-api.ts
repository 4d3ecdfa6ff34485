/**
 * The generic object API drift (../drift/cluster.ts) and the probes (../probes/kube.ts) read and
 * list with: client-node's `KubernetesObjectApi` as `KubernetesObjectApi.makeApiClient(kc)` makes it
 * (the kubeconfig context's namespace the default for an object that names none), over a
 * configuration of the caller's (./bounded-client.ts: bounded, cancelled by one attempt's or one
 * reader's signal), with its API discovery answers (one request per group version) kept in a cache
 * the caller shares between all the APIs it makes: each drift attempt and each probe reader gets an
 * API of its own, and would otherwise ask for discovery again. The cache is the client's protected
 * `apiVersionResourceCache`, hence the subclass.
 */
import type { Configuration, KubeConfig, KubernetesObjectApi, V1APIResourceList } from '@kubernetes/client-node';

/** API discovery answers by group version, shared by every object API made with it. */
export type DiscoveryCache = Record<string, V1APIResourceList>;

/** A `KubernetesObjectApi` over `config` that keeps its discovery answers in `discovery` (above). */
export async function sharedDiscoveryObjectApi(
  kc: KubeConfig,
  config: Configuration,
  discovery: DiscoveryCache,
): Promise<KubernetesObjectApi> {
  const client = await import('@kubernetes/client-node');
  class SharedDiscoveryObjectApi extends client.KubernetesObjectApi {
    constructor() {
      super(config);
      this.setDefaultNamespace(kc);
      this.apiVersionResourceCache = discovery;
    }
  }
  return new SharedDiscoveryObjectApi();
}
