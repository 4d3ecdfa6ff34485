/**
 * Loading a kubeconfig for the read-only commands that accept `--kubeconfig` / `--context`
 * (`drift`, `crds --from-cluster`, `seal` fetching the certificate).
 *
 * `KubeConfig.loadFromDefault()` silently falls back to `http://localhost:8080` when it finds no
 * configuration at all; that fallback is refused here, so no command ever reads (or trusts) a
 * cluster nobody named. (`npm run probe` is stricter still: KUBECONFIG or in-cluster only, see
 * src/probes/kube.ts.)
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { ConfigurationError } from '../shared/command-error.js';

/** No usable kubeconfig: configuration the person must give (exit 2; nothing was read). */
export class KubeConfigError extends ConfigurationError {}

export interface KubeConfigOptions {
  /** Kubeconfig file. @default KUBECONFIG, then ~/.kube/config */
  readonly kubeconfig?: string;
  /** @default the kubeconfig's current context */
  readonly context?: string;
}

export interface LoadedKubeConfig {
  readonly kc: KubeConfig;
  /** The current cluster's API server URL. */
  readonly server: string;
}

/**
 * Loads the kubeconfig, or throws KubeConfigError with the fix; `hint` is appended to each fix
 * (e.g. ", or use --from <dir|file>").
 */
export async function loadKubeConfig(options: KubeConfigOptions, hint = ''): Promise<LoadedKubeConfig> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  try {
    if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
    else kc.loadFromDefault();
    if (options.context) kc.setCurrentContext(options.context);
  } catch (err) {
    throw new KubeConfigError(
      `kubeconfig: ${(err as Error).message} (fix: point --kubeconfig or KUBECONFIG at a valid kubeconfig${hint})`,
    );
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster || (!options.kubeconfig && cluster.name === 'cluster' && cluster.server === 'http://localhost:8080')) {
    throw new KubeConfigError(`no kubeconfig found (fix: set KUBECONFIG or pass --kubeconfig <file>${hint})`);
  }
  return { kc, server: cluster.server };
}
