/**
 * Kubeconfigs whose user runs a real credential command (an exec plugin, an auth-provider's
 * cmd-path), for test/kube/credential-plugin.test.ts and test/kube/credential-refusals.test.ts: the
 * command is given a file to append to, so a test counts its runs (and reads their order) there.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeKubeconfig } from '../../src/loopback/kubeconfig.js';
import { tempDir } from './temp.js';

/**
 * A kubeconfig of cluster "loopback" at `server` (insecure-skip-tls-verify unless `cluster` says
 * otherwise) and user "loopback-user" (`user(runs)`: its entry, given the file its command appends
 * to), and the lines that file holds.
 */
export function kubeconfigWith(server: string, user: (runs: string) => object, cluster: object = {}) {
  const dir = tempDir('credentials-');
  const runs = join(dir, 'runs');
  writeFileSync(runs, '');
  const kubeconfig = writeKubeconfig(server, { ...user(runs) }, { cluster: { ...cluster }, dir });
  return { kubeconfig, lines: () => readFileSync(runs, 'utf8').split('\n').filter(Boolean) };
}

/** An exec user running `sh -c script <runs> ...args` (`$0` is the file to append to). */
export const shExec =
  (script: string, ...args: string[]) =>
  (runs: string) => ({
    exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'sh', args: ['-c', script, runs, ...args] },
  });
