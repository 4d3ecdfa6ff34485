/**
 * A kubeconfig naming a loopback stand-in of the Kubernetes API server (./kube-api.ts,
 * test/seal/api-server.ts): plain HTTP, so `insecure-skip-tls-verify` as client-node requires,
 * and a bearer token. Written to a new temporary folder, which the caller removes (`dirname` of the
 * returned path) when it is done.
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
}

/** Writes the kubeconfig (current context `loopback`) and returns its path. */
export function writeKubeconfig(url: string, token: string, options: KubeconfigOptions = {}): string {
  const file = join(mkdtempSync(join(tmpdir(), options.prefix ?? 'arcade-kubeconfig-')), 'config');
  writeFileSync(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'loopback', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'loopback-user', user: { token } }],
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
