/**
 * A failing exec credential plugin (kubelogin, `aws eks get-token`: it may open a browser or prompt
 * each time it runs) runs once a command (src/kube/credentials.ts): a real `sh` plugin in the
 * kubeconfig appends a line to a file each time it runs, writes a coloured error on two lines to
 * stderr and exits 1. Drift took its failure (an error with no HTTP status) for the network and ran it
 * 3 times; each cluster probe of `npm run probe` ran it again. Now both stop at once, printably (the
 * plugin's stderr: its last lines), with a fix naming the kubeconfig user's exec; and the server is asked
 * nothing. crds --from-cluster: test/check/crds-cluster-hostile.test.ts.
 */
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main as drift } from '../../scripts/drift.js';
import { connect } from '../../src/drift/cluster.js';
import { writeKubeconfig } from '../../src/loopback/kubeconfig.js';
import { listenLoopback } from '../../src/loopback/listen.js';
import { startPlatform } from '../../src/loopback/platform.js';
import { result, runCli } from '../probes/helpers.js';
import { NO_PROBE_DEADLINE_MS } from '../support/deadlines.js';
import { kubeconfigWith, shExec } from '../support/exec-kubeconfig.js';
import { runMain } from '../support/run-script.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A kubeconfig for `server` whose user's exec plugin fails, and how many times it ran. */
function failingPlugin(server: string) {
  const script = String.raw`echo ran >> "$0"; printf '\033[31merror: the token expired\n\033[0mlog in again\n' >&2; exit 1`;
  const config = kubeconfigWith(server, shExec(script));
  return { kubeconfig: config.kubeconfig, runs: () => config.lines().length };
}

// Of its stderr, the last 4 lines (where a program says what went wrong), printable.
const REFUSAL =
  'the exec credential plugin "sh" of kubeconfig user "loopback-user" failed: \\u001b[31merror: the token expired | ' +
  '\\u001b[0mlog in again (fix: run it ' +
  'yourself, with the arguments the kubeconfig gives it, and do what it asks, such as logging in again, or mend the ' +
  "user's exec in the kubeconfig; it is not run again in this command)";

async function platform() {
  const p = await startPlatform();
  cleanups.push(() => p.close());
  return p;
}

describe('a failing exec credential plugin runs once', () => {
  it('npm run drift: once (not retried as a network failure), printably, with the fix; exit 1', async () => {
    const { kube } = await platform();
    const plugin = failingPlugin(kube.url);
    const run = await runMain(drift, ['--env', 'backstage-wus2-v4'], {
      env: { ...process.env, KUBECONFIG: plugin.kubeconfig },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`: ${REFUSAL} (nothing was assumed: drift unknown)\n`);
    expect(run.stderr).not.toContain('\u001b');
    expect(plugin.runs()).toBe(1);
    expect(kube.requests).toEqual([]);
  });

  it('npm run probe: once for the whole run, every cluster probe an error naming it', async () => {
    const p = await platform();
    const plugin = failingPlugin(p.kube.url);
    const probes = ['flux.release-ready', 'k8s.workloads-ready', 'datastores.managed'];
    const run = await runCli(['--targets', p.targetsFile, '--only', probes.join(',')], {
      ...p.env,
      KUBECONFIG: plugin.kubeconfig,
    });
    for (const id of probes) {
      expect(result(run.report, id).status).toBe('error');
      expect(result(run.report, id).detail).toContain(REFUSAL);
    }
    expect(run.code).toBe(1);
    expect(plugin.runs()).toBe(1);
    expect(p.kube.requests).toEqual([]);
  });
});

// Drift retries an error with no HTTP status only when it is the network's (node-fetch's FetchError),
// no longer any such error (src/drift/cluster.ts networkFailure).
describe('what drift still retries', () => {
  it('a connection reset twice, then the answer: read on the third attempt', async () => {
    const seen: string[] = [];
    const { server, url } = await listenLoopback((req, res) => {
      const path = req.url ?? '';
      seen.push(path);
      if (path.startsWith('/apis/apps/v1/')) {
        if (seen.filter((p) => p === path).length < 3) return void req.socket.destroy();
        const object = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'engine', namespace: 'arcade' } };
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(object));
      }
      const resources = [{ name: 'deployments', namespaced: true, kind: 'Deployment', verbs: ['get'] }];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'APIResourceList', groupVersion: 'apps/v1', resources }));
    });
    cleanups.push(() => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    });
    const kubeconfig = writeKubeconfig(url, 'loopback-bearer-token');
    cleanups.push(async () => rmSync(dirname(kubeconfig), { recursive: true, force: true }));
    const cluster = await connect({ kubeconfig, timeoutMs: NO_PROBE_DEADLINE_MS, attempts: 3, backoffMs: 0 });
    const header = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'engine', namespace: 'arcade' };
    expect((await cluster.read(header))?.metadata).toMatchObject({ name: 'engine' });
    expect(seen.filter((p) => p.startsWith('/apis/apps/v1/'))).toHaveLength(3);
  });
});
