/**
 * The one place that decides which cluster a command talks to, and the one policy every command
 * follows (probe, drift, crds --from-cluster, seal): kubectl's.
 *
 * 1. `--kubeconfig <file>` where the command offers it: that file only;
 * 2. else `KUBECONFIG`: the merged list of files it names (kubectl's merge: files that do not
 *    exist are skipped, the first file that sets a value wins, current-context included);
 * 3. else `~/.kube/config`;
 * 4. else, inside a pod, the in-cluster service account (`KUBERNETES_SERVICE_HOST`/`_PORT` and the
 *    token under /var/run/secrets/kubernetes.io/serviceaccount);
 * 5. else a configuration error (exit 2) naming the fix. `--context` picks a context of what was
 *    loaded. The client's own `loadFromDefault()` would fall back to `http://localhost:8080` where
 *    kubectl errors; that fallback is never used, so no command reads a cluster nobody named.
 *
 * Every command prints where its configuration came from, the context and the server
 * (`describeKubeConfig`), so nobody reads a cluster they did not mean to. Why one policy and why
 * kubectl's: README "Which cluster a command reads".
 */
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { ConfigurationError } from '../core/command-error.js';
import { withoutUserinfo } from '../core/userinfo.js';

/** No usable kubeconfig: configuration the person must give (exit 2; nothing was read). */
export class KubeConfigError extends ConfigurationError {}

/** Where a pod's service account files are (client-node's and kubectl's path). */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface KubeConfigOptions {
  /** This kubeconfig file only (`--kubeconfig`). @default KUBECONFIG, then ~/.kube/config, then in-cluster */
  readonly kubeconfig?: string | undefined;
  /** @default the kubeconfig's current context */
  readonly context?: string | undefined;
  /** The environment the command runs with (KUBECONFIG, HOME, KUBERNETES_SERVICE_*). @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The service account's files (token, ca.crt, namespace). @default SERVICE_ACCOUNT_DIR */
  readonly serviceAccountDir?: string;
  /** Told `describeKubeConfig` of what was loaded, before any request: the command prints it. @default none */
  readonly announce?: (where: string) => void;
}

export interface LoadedKubeConfig {
  readonly kc: KubeConfig;
  /**
   * The current cluster's API server URL, whole (with any `user:password@`): for requests only,
   * never shown (a message or a report shows `server`).
   */
  readonly requestServer: string;
  /**
   * The same URL as every message and report shows it: without its userinfo
   * (`https://admin:<password>@host` is `https://host`, ../core/userinfo.ts). Computed once here, so
   * no caller can forget it.
   */
  readonly server: string;
  /**
   * The URLs whose userinfo the client sends (the cluster's server, whole, and its proxy-url): what
   * every message quoting a client's or a server's words hides (withoutUserinfoOf, ../core/redact.ts:
   * a proxy may echo the user name it was given). One list, so that no command forgets the proxy.
   */
  readonly userinfoUrls: readonly (string | undefined)[];
  /** The context read from. */
  readonly context: string;
  /** Where the configuration came from (never credentials), e.g. `KUBECONFIG /home/me/.kube/a`. */
  readonly source: string;
}

/**
 * `<server> (context <name>, from <source>)`: what a command prints before it reads a cluster; the
 * server as `server` holds it, without its userinfo (`https://admin:<password>@host` is shown as
 * `https://host`).
 */
export function describeKubeConfig(loaded: Pick<LoadedKubeConfig, 'server' | 'context' | 'source'>): string {
  return `${loaded.server} (context ${loaded.context}, from ${loaded.source})`;
}

function loadFile(kc: KubeConfig, file: string, what: string, fix: string): void {
  try {
    kc.loadFromFile(file);
  } catch (err) {
    throw new KubeConfigError(`${what} ${file}: ${(err as Error).message} (fix: ${fix})`);
  }
}

/**
 * Loads the configuration by kubectl's rules (above), or throws KubeConfigError with the fix;
 * `hint` is appended to each fix (e.g. ", or use --from <dir|file>").
 */
export async function loadKubeConfig(options: KubeConfigOptions = {}, hint = ''): Promise<LoadedKubeConfig> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const env = options.env ?? process.env;
  const kc = new KubeConfig();
  const fixFile = `point --kubeconfig or KUBECONFIG at a valid kubeconfig${hint}`;
  let source: string;
  const listed = (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
  // kubectl reads $HOME; an environment without HOME has no ~/.kube/config.
  const home = env.HOME ? join(env.HOME, '.kube', 'config') : undefined;
  const saDir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  if (options.kubeconfig) {
    if (!existsSync(options.kubeconfig))
      throw new KubeConfigError(`--kubeconfig ${options.kubeconfig}: no such file (fix: ${fixFile})`);
    loadFile(kc, options.kubeconfig, '--kubeconfig', fixFile);
    source = `--kubeconfig ${options.kubeconfig}`;
  } else if (listed.length > 0) {
    const files = listed.filter((f) => existsSync(f));
    if (files.length === 0)
      throw new KubeConfigError(
        `KUBECONFIG names no existing file (${listed.join(', ')}) (fix: point KUBECONFIG at a kubeconfig file${hint})`,
      );
    const [first, ...rest] = files as [string, ...string[]];
    loadFile(kc, first, 'KUBECONFIG', fixFile);
    for (const file of rest) {
      const next = new KubeConfig();
      loadFile(next, file, 'KUBECONFIG', fixFile);
      mergeFirstWins(kc, next);
    }
    source = `KUBECONFIG ${files.join(delimiter)}`;
  } else if (home && existsSync(home)) {
    loadFile(kc, home, '~/.kube/config', `fix or remove ${home}, or set KUBECONFIG${hint}`);
    source = `~/.kube/config (${home})`;
  } else if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT && existsSync(join(saDir, 'token'))) {
    loadInCluster(kc, env.KUBERNETES_SERVICE_HOST, env.KUBERNETES_SERVICE_PORT, saDir);
    source = 'in-cluster service account';
  } else {
    throw new KubeConfigError(
      'no Kubernetes configuration: KUBECONFIG is not set, ~/.kube/config does not exist and this is not a pod ' +
        `with a service account (fix: export KUBECONFIG=<file>${hint}; no command falls back to a default address)`,
    );
  }
  if (options.context) {
    if (!kc.getContextObject(options.context))
      throw new KubeConfigError(
        `--context ${options.context}: no such context in ${source} (fix: kubectl config get-contexts lists them)`,
      );
    kc.setCurrentContext(options.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) {
    throw new KubeConfigError(
      `${source}: no current context with a cluster server (fix: kubectl config use-context <name>, or pass --context)`,
    );
  }
  const loaded: LoadedKubeConfig = {
    kc,
    requestServer: cluster.server,
    server: withoutUserinfo(cluster.server),
    userinfoUrls: [cluster.server, cluster.proxyUrl],
    context: kc.getCurrentContext(),
    source,
  };
  options.announce?.(describeKubeConfig(loaded));
  return loaded;
}

/**
 * Adds `next`'s entries to `kc` as kubectl merges a KUBECONFIG list: the first file that names a
 * cluster, user or context (or sets current-context) wins, a later one of the same name is ignored
 * (client-node's `mergeConfig` throws "Duplicate cluster" instead, e.g. for two files that each
 * call their user `default`).
 */
function mergeFirstWins(kc: KubeConfig, next: KubeConfig): void {
  for (const cluster of next.clusters) if (!kc.getCluster(cluster.name)) kc.addCluster(cluster);
  for (const user of next.users) if (!kc.getUser(user.name)) kc.addUser(user);
  for (const context of next.contexts) if (!kc.getContextObject(context.name)) kc.addContext(context);
  if (!kc.getCurrentContext() && next.getCurrentContext()) kc.setCurrentContext(next.getCurrentContext());
}

/**
 * The pod's own configuration, as client-node's `loadFromCluster` builds it but from the given
 * environment and folder (so a test runs it with its own token files): the API server at
 * KUBERNETES_SERVICE_HOST:PORT verified with the service account's CA, its token re-read from the
 * file on every request (the kubelet rotates it).
 */
function loadInCluster(kc: KubeConfig, host: string, port: string, dir: string): void {
  const server = `${['80', '8080', '8001'].includes(port) ? 'http' : 'https'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const namespaceFile = join(dir, 'namespace');
  kc.loadFromOptions({
    clusters: [{ name: 'inCluster', server, caFile: join(dir, 'ca.crt'), skipTLSVerify: false }],
    users: [{ name: 'inClusterUser', authProvider: { name: 'tokenFile', config: { tokenFile: join(dir, 'token') } } }],
    contexts: [
      {
        name: 'inClusterContext',
        cluster: 'inCluster',
        user: 'inClusterUser',
        ...(existsSync(namespaceFile) ? { namespace: readFileSync(namespaceFile, 'utf8').trim() } : {}),
      },
    ],
    currentContext: 'inClusterContext',
  });
}
