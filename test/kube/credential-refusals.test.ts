/**
 * The kubeconfig's credentials (src/kube/credentials.ts, src/kube/credential-refusal.ts), review of
 * session 15's ecd6391, with real `sh` credential commands in real kubeconfigs, each appending to a
 * file when it runs: a command's stdout and arguments never reach a message (a plugin printing a
 * bare token; a gcp auth-provider's cmd-args); a failure that is the kubeconfig's own (plain HTTP, a
 * file that cannot be read) is not blamed on the plugin; once the credentials were applied, requests
 * apply them at once (the plugin's runs overlap: told by the markers it writes, never by time).
 * test/kube/credential-plugin.test.ts: a failing plugin runs once; test/kube/credential-queue.test.ts:
 * after an expiry, and a queued request whose caller gave up; test/kube/credential-secrets.test.ts:
 * its stderr, an oidc id-token, userinfo.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main as crds } from '../../scripts/crds.js';
import { main as drift } from '../../scripts/drift.js';
import { connect } from '../../src/drift/cluster.js';
import { listenLoopback } from '../../src/loopback/listen.js';
import { startPlatform } from '../../src/loopback/platform.js';
import { result, runCli } from '../probes/helpers.js';
import { NO_PROBE_DEADLINE_MS } from '../support/deadlines.js';
import { kubeconfigWith, shExec } from '../support/exec-kubeconfig.js';
import { runMain } from '../support/run-script.js';
import { tempDir } from '../support/temp.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const SECRET = 's3cr3tT0k3nABCD';
const CREDENTIAL = '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t0"}}';

async function platform() {
  const p = await startPlatform();
  cleanups.push(() => p.close());
  return p;
}

const NOT_A_CREDENTIAL =
  'the exec credential plugin "sh" of kubeconfig user "loopback-user" printed something that is not an ExecCredential ' +
  "(JSON with a status), not shown here as it may be a secret (fix: give that user's exec a command that prints an " +
  "ExecCredential, as kubectl's exec plugins do, not a bare token; it is not run again in this command)";

describe("a credential command's output and arguments reach no message", () => {
  it('a plugin printing a bare token: drift, probe and crds --from-cluster refuse it without quoting it', async () => {
    const p = await platform();
    const plugin = kubeconfigWith(p.kube.url, shExec(`echo ran >> "$0"; echo ${SECRET}`));
    const env = { ...process.env, KUBECONFIG: plugin.kubeconfig };
    const drifted = await runMain(drift, ['--env', 'backstage-wus2-v4'], { env });
    expect(drifted.status).toBe(1);
    expect(drifted.stderr).toContain(`: ${NOT_A_CREDENTIAL} (nothing was assumed: drift unknown)\n`);
    const listed = await runMain(crds, ['--from-cluster'], { env });
    expect(listed.stderr).toContain(`listing CustomResourceDefinitions on ${p.kube.url} failed: ${NOT_A_CREDENTIAL}`);
    const probed = await runCli(['--targets', p.targetsFile, '--only', 'k8s.workloads-ready'], {
      ...p.env,
      KUBECONFIG: plugin.kubeconfig,
    });
    expect(result(probed.report, 'k8s.workloads-ready').detail).toContain(NOT_A_CREDENTIAL);
    for (const run of [drifted.stdout, drifted.stderr, listed.stdout, listed.stderr, probed.stdout, probed.stderr])
      expect(run).not.toContain('s3cr3t');
    expect(JSON.stringify(probed.report)).not.toContain('s3cr3t');
    // Once a command: one run each.
    expect(plugin.lines()).toEqual(['ran', 'ran', 'ran']);
    expect(p.kube.requests).toEqual([]);
  });

  it('a plugin printing JSON without a status (a token at the wrong place): refused without quoting it', async () => {
    const { kube } = await platform();
    const plugin = kubeconfigWith(
      kube.url,
      shExec(`echo ran >> "$0"; printf '%s' '{"kind":"ExecCredential","token":"${SECRET}"}'`),
    );
    const run = await runMain(drift, ['--env', 'backstage-wus2-v4'], {
      env: { ...process.env, KUBECONFIG: plugin.kubeconfig },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`: ${NOT_A_CREDENTIAL} (nothing was assumed: drift unknown)\n`);
    expect(run.stdout + run.stderr).not.toContain('s3cr3t');
    expect(plugin.lines()).toEqual(['ran']);
    expect(kube.requests).toEqual([]);
  });

  it("a gcp auth-provider's cmd-args: not in its failure, nor its stdout when it is not JSON", async () => {
    const { kube } = await platform();
    const gcp = (script: string) => (runs: string) => ({
      'auth-provider': {
        name: 'gcp',
        config: { 'cmd-path': 'sh', 'cmd-args': `-c '${script}' ${runs} --client-secret=${SECRET}` },
      },
    });
    const what = 'the "gcp" auth-provider command "sh" of kubeconfig user "loopback-user"';
    const failing = kubeconfigWith(kube.url, gcp('echo ran >> "$0"; echo not logged in >&2; exit 1'));
    const bare = kubeconfigWith(kube.url, gcp(`echo ran >> "$0"; echo ya29.${SECRET}`));
    const expected = [
      `${what} failed: not logged in (fix: run it yourself, with the arguments the kubeconfig gives it, and do what it ` +
        "asks, such as logging in again, or mend the user's auth-provider in the kubeconfig; it is not run again in " +
        'this command)',
      `${what} printed something that is not JSON, not shown here as it may be a secret (fix: mend that user's ` +
        'auth-provider cmd-path and cmd-args in the kubeconfig; it is not run again in this command)',
    ];
    for (const [i, config] of [failing, bare].entries()) {
      const run = await runMain(drift, ['--env', 'backstage-wus2-v4'], {
        env: { ...process.env, KUBECONFIG: config.kubeconfig },
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`: ${expected[i]} (nothing was assumed: drift unknown)\n`);
      expect(run.stdout + run.stderr).not.toContain('s3cr3t');
      expect(config.lines()).toEqual(['ran']);
    }
    expect(kube.requests).toEqual([]);
  });
});

describe("the kubeconfig's own faults are not the plugin's", () => {
  const succeeding = shExec(`echo ran >> "$0"; printf '%s' '${CREDENTIAL}'`);
  const fixes = {
    file: (field: string, owner: string) =>
      `(fix: mend the ${field} path of ${owner} in the kubeconfig, or fetch the kubeconfig anew)`,
  };
  const cases: [
    string,
    (dir: string) => object,
    (dir: string) => object,
    (url: string, dir: string) => string,
    number,
  ][] = [
    [
      'a plain http:// server without insecure-skip-tls-verify (refused after the plugin ran, and succeeded)',
      () => ({}),
      () => ({ 'insecure-skip-tls-verify': false }),
      (url) =>
        `the server of cluster "loopback", ${url}, is plain HTTP, which the client refuses unless insecure-skip-tls-verify is ` +
        'set (fix: give cluster "loopback" its https:// server, or, for a plain-HTTP server such as kubectl proxy, set ' +
        'insecure-skip-tls-verify: true on it)',
      1,
    ],
    [
      'a client-key file that does not exist (refused before the plugin runs)',
      (dir) => ({ 'client-key': join(dir, 'key.pem') }),
      () => ({}),
      (_url, dir) =>
        `the client-key file of user "loopback-user" cannot be read: ENOENT: no such file or directory, open ` +
        `'${join(dir, 'key.pem')}' ${fixes.file('client-key', 'user "loopback-user"')}`,
      0,
    ],
    [
      'a certificate-authority file that does not exist (refused before the plugin runs)',
      () => ({}),
      (dir) => ({ 'certificate-authority': join(dir, 'ca.pem') }),
      (_url, dir) =>
        `the certificate-authority file of cluster "loopback" cannot be read: ENOENT: no such file or directory, open ` +
        `'${join(dir, 'ca.pem')}' ${fixes.file('certificate-authority', 'cluster "loopback"')}`,
      0,
    ],
    [
      'a proxy-url that is not a URL, with userinfo (refused after the plugin ran, and succeeded)',
      () => ({}),
      () => ({ 'proxy-url': `http://admin:${SECRET}@proxy example:3128` }),
      () =>
        'the proxy-url of cluster "loopback", "http://proxy example:3128", is not a URL (fix: give cluster "loopback" a proxy-url ' +
        'such as http://proxy.example:3128 or socks5://proxy.example:1080, or remove it)',
      1,
    ],
  ];
  it.each(cases)('%s: named as the entry, with its fix', async (_name, user, cluster, detail, runs) => {
    const { kube } = await platform();
    const dir = tempDir('credential-files-');
    const config = kubeconfigWith(kube.url, (r) => ({ ...succeeding(r), ...user(dir) }), cluster(dir));
    const run = await runMain(drift, ['--env', 'backstage-wus2-v4'], {
      env: { ...process.env, KUBECONFIG: config.kubeconfig },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      `: the kubeconfig's user "loopback-user" and cluster "loopback" could not be used: ${detail(kube.url, dir)} ` +
        '(nothing was assumed: drift unknown)\n',
    );
    expect(run.stderr).not.toContain('exec credential plugin');
    expect(run.stderr).not.toContain('s3cr3t');
    expect(config.lines()).toHaveLength(runs);
    expect(kube.requests).toEqual([]);
  });

  it('a plugin that cannot be started is named, with its own fix', async () => {
    const { kube } = await platform();
    const config = kubeconfigWith(kube.url, () => ({
      exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'no-such-credential-plugin', args: [SECRET] },
    }));
    const run = await runMain(drift, ['--env', 'backstage-wus2-v4'], {
      env: { ...process.env, KUBECONFIG: config.kubeconfig },
    });
    expect(run.stderr).toContain(
      ': the exec credential plugin "no-such-credential-plugin" of kubeconfig user "loopback-user" could not be started: ' +
        'spawn no-such-credential-plugin ENOENT (fix: install it or put it on the PATH, or mend the command of that ' +
        "user's exec in the kubeconfig) (nothing was assumed: drift unknown)\n",
    );
    expect(run.stderr).not.toContain('s3cr3t');
  });
});

describe('requests wait for one another only until the credentials were applied once', () => {
  it('after one success, requests made at once run the plugin at once (its runs overlap)', async () => {
    const seen: string[] = [];
    const { server, url } = await listenLoopback((req, res) => {
      seen.push(`${req.url} ${req.headers.authorization}`);
      const path = req.url ?? '';
      const name = path.split('/').pop();
      const body = path.startsWith('/apis/apps/v1/namespaces/')
        ? { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'arcade' } }
        : {
            kind: 'APIResourceList',
            groupVersion: 'apps/v1',
            resources: [{ name: 'deployments', namespaced: true, kind: 'Deployment', verbs: ['get'] }],
          };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    cleanups.push(() => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    });
    // Each run writes `start`, waits (at most 10 s) until the file holds as many starts as `want` says, then `end`.
    const script =
      `echo start >> "$0"; i=0; while [ "$(grep -c start "$0")" -lt "$(cat "$1")" ] && [ $i -lt 200 ]; ` +
      `do sleep 0.05; i=$((i+1)); done; echo end >> "$0"; printf '%s' '${CREDENTIAL}'`;
    const dir = tempDir('credential-overlap-');
    const want = join(dir, 'want');
    writeFileSync(want, '1');
    const config = kubeconfigWith(url, shExec(script, want));
    const cluster = await connect({ kubeconfig: config.kubeconfig, timeoutMs: NO_PROBE_DEADLINE_MS, backoffMs: 0 });
    const read = (name: string) =>
      cluster.read({ apiVersion: 'apps/v1', kind: 'Deployment', name, namespace: 'arcade' });
    // API discovery, then the read: one after the other.
    expect((await read('engine'))?.metadata).toMatchObject({ name: 'engine' });
    expect(config.lines()).toEqual(['start', 'end', 'start', 'end']);
    const n = 4;
    writeFileSync(want, String(2 + n));
    const names = Array.from({ length: n }, (_, i) => `engine-${i}`);
    const objects = await Promise.all(names.map(read));
    expect(objects.map((o) => (o?.metadata as { name?: string } | undefined)?.name)).toEqual(names);
    // Every run of the four started before any of them ended.
    expect(config.lines()).toEqual([
      'start',
      'end',
      'start',
      'end',
      ...Array(n).fill('start'),
      ...Array(n).fill('end'),
    ]);
    expect(seen).toHaveLength(2 + n);
    for (const request of seen) expect(request).toMatch(/ Bearer t0$/);
  });
});
