/**
 * The one place that decides which cluster a command talks to. The policy, for every command:
 * only a cluster someone named, or the pod's own. `KubeConfig.loadFromDefault()` silently falls
 * back to `http://localhost:8080` when it finds no configuration at all; that fallback is refused,
 * so no command ever reads (or trusts) a cluster nobody named. Inside a pod the in-cluster service
 * account serves.
 *
 * - `loadKubeConfig`: the commands a person runs with `--kubeconfig` / `--context` (`drift`,
 *   `crds --from-cluster`, `seal` fetching the certificate): `--kubeconfig`, else KUBECONFIG, else
 *   `~/.kube/config`, else the in-cluster service account (the client's own order).
 * - `loadKubeConfigFromEnv`: the probes (CI and, later, a CronJob): KUBECONFIG (its first existing
 *   file) or the in-cluster service account only, read from the environment they are given; no
 *   `~/.kube/config` guessing, since a CI job must never probe whatever cluster its runner knows.
 */
import { existsSync } from 'node:fs';
import { delimiter } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { ConfigurationError } from '../core/command-error.js';

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

/** A kubeconfig for the probes, and where it came from (for the header line; never credentials). */
export interface KubeConfigFromEnv extends LoadedKubeConfig {
  readonly source: string;
}

const SA_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * Loads the Kubernetes configuration from `env.KUBECONFIG` (the first listed file that exists)
 * or the in-cluster service account. Throws KubeConfigError naming the fix otherwise.
 */
export async function loadKubeConfigFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): Promise<KubeConfigFromEnv> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  let source: string;
  if (env.KUBECONFIG) {
    const files = env.KUBECONFIG.split(delimiter).filter(Boolean);
    const file = files.find((f) => existsSync(f));
    if (!file)
      throw new KubeConfigError(
        `KUBECONFIG names no existing file (${files.join(', ')}) (fix: point KUBECONFIG at a kubeconfig file)`,
      );
    try {
      kc.loadFromFile(file);
    } catch (err) {
      throw new KubeConfigError(
        `KUBECONFIG ${file}: ${(err as Error).message} (fix: point KUBECONFIG at a valid kubeconfig)`,
      );
    }
    source = `KUBECONFIG ${file}`;
  } else if (env.KUBERNETES_SERVICE_HOST && existsSync(SA_TOKEN)) {
    kc.loadFromCluster();
    source = 'in-cluster service account';
  } else {
    throw new KubeConfigError(
      'no Kubernetes configuration: KUBECONFIG is not set and this is not a pod with a service account ' +
        '(fix: export KUBECONFIG=<file>; the probes never fall back to a default address)',
    );
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) {
    throw new KubeConfigError(
      `${source}: no current context with a cluster server (fix: kubectl config use-context <name>)`,
    );
  }
  return { kc, server: cluster.server, source };
}
