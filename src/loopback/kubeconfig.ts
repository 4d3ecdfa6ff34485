/**
 * A kubeconfig naming a loopback stand-in of the Kubernetes API server (./kube-api.ts,
 * test/seal/api-server.ts): plain HTTP, so `insecure-skip-tls-verify` as client-node requires,
 * and a bearer token (or, for the credential tests, test/support/exec-kubeconfig.ts, any user
 * entry). Written to a new temporary folder unless given one, which the caller removes (`dirname`
 * of the returned path) when it is done.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface KubeconfigOptions {
  /** The context's default namespace. @default none */
  readonly namespace?: string;
  /** Prefix of the temporary folder's name. @default 'arcade-kubeconfig-' */
  readonly prefix?: string;
  /** More fields of the cluster's entry, over `insecure-skip-tls-verify: true` (a certificate-authority, a proxy-url). @default none */
  readonly cluster?: Readonly<Record<string, unknown>>;
  /** The folder to write `config` into. @default a new temporary folder */
  readonly dir?: string;
}

/**
 * Writes the kubeconfig (current context `loopback`: cluster `loopback` at `url`, user
 * `loopback-user` with `user`, a bearer token or the user's whole entry, e.g. an exec plugin's) and
 * returns its path.
 */
export function writeKubeconfig(
  url: string,
  user: string | Readonly<Record<string, unknown>>,
  options: KubeconfigOptions = {},
): string {
  const file = join(options.dir ?? mkdtempSync(join(tmpdir(), options.prefix ?? 'arcade-kubeconfig-')), 'config');
  writeFileSync(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'loopback', cluster: { server: url, 'insecure-skip-tls-verify': true, ...options.cluster } }],
      users: [{ name: 'loopback-user', user: typeof user === 'string' ? { token: user } : user }],
      contexts: [
        {
          name: 'loopback',
          context: {
            cluster: 'loopback',
            user: 'loopback-user',
            ...(options.namespace ? { namespace: options.namespace } : {}),
          },
        },
      ],
      'current-context': 'loopback',
    }),
  );
  return file;
}
