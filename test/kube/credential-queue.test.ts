/**
 * When requests wait for one another to apply the kubeconfig's credentials (src/kube/credentials.ts,
 * review of a914349..9f717c2), with a real `sh` exec plugin that appends to a file each time it
 * runs: after the credential it gave expired (its ExecCredential's expirationTimestamp), the
 * requests made at once run it one at a time until a success, as at the start, not all at once (an
 * interactive re-login started N times); and a queued request whose caller gave up ends at once,
 * though the plugin ahead of it has not ended. Counted by the lines the plugin writes, never timed.
 * The stamps are fixed dates: 2000 has passed, 2999 has not.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type HttpMethod, RequestContext } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { CredentialError, kubeCredentials } from '../../src/kube/credentials.js';
import { loadKubeConfig } from '../../src/kube/kubeconfig.js';
import { kubeconfigWith, shExec } from '../support/exec-kubeconfig.js';
import { tempDir } from '../support/temp.js';

const credential = (expiry?: string) =>
  JSON.stringify({
    apiVersion: 'client.authentication.k8s.io/v1',
    kind: 'ExecCredential',
    status: { token: 't0', ...(expiry ? { expirationTimestamp: expiry } : {}) },
  });
const EXPIRED = '2000-01-01T00:00:00Z';
/** Once `ready()` holds, checked every 10 ms: the pace of the plugin's process, never asserted. */
async function until(ready: () => boolean): Promise<void> {
  while (!ready()) await new Promise((resolve) => setTimeout(resolve, 10));
}
const context = () => new RequestContext('http://127.0.0.1:9/api', 'GET' as HttpMethod);

/** A kubeconfig whose plugin prints what the file `$1` holds, or fails when it holds `fail`; and that file. */
async function pluginPrinting(first: string) {
  const out = join(tempDir('credential-queue-'), 'out');
  writeFileSync(out, first);
  const script =
    'echo ran >> "$0"; if [ "$(cat "$1")" = fail ]; then echo "error: the refresh token expired" >&2; exit 1; fi; cat "$1"';
  const config = kubeconfigWith('http://127.0.0.1:9', shExec(script, out));
  const { kc } = await loadKubeConfig({ kubeconfig: config.kubeconfig });
  return { kc, out, runs: () => config.lines().length };
}

describe('after the credential expired, requests made at once run the plugin one at a time', () => {
  it('until a success: one run, then the others apply the new credential without running it', async () => {
    const { kc, out, runs } = await pluginPrinting(credential(EXPIRED));
    await kubeCredentials(kc).applySecurityAuthentication(context());
    expect(runs()).toBe(1);
    writeFileSync(out, credential('2999-01-01T00:00:00Z'));
    const contexts = Array.from({ length: 4 }, context);
    await Promise.all(contexts.map((c) => kubeCredentials(kc).applySecurityAuthentication(c)));
    for (const c of contexts) expect(c.getHeaders().Authorization).toBe('Bearer t0');
    // Before: each of the four found the credential expired and ran the plugin, at once (5 runs).
    expect(runs()).toBe(2);
  });

  it('a failing re-login runs once; every request, and every later one, fails saying it is not run again', async () => {
    const { kc, out, runs } = await pluginPrinting(credential(EXPIRED));
    await kubeCredentials(kc).applySecurityAuthentication(context());
    writeFileSync(out, 'fail');
    const settled = await Promise.allSettled(
      Array.from({ length: 4 }, () => kubeCredentials(kc).applySecurityAuthentication(context())),
    );
    const refusal = new CredentialError(
      'the exec credential plugin "sh" of kubeconfig user "loopback-user" failed: error: the refresh token expired (fix: ' +
        'run it yourself, with the arguments the kubeconfig gives it, and do what it asks, such as logging in ' +
        "again, or mend the user's exec in the kubeconfig; it is not run again in this command)",
    );
    expect(settled).toEqual(Array(4).fill({ status: 'rejected', reason: refusal }));
    await expect(kubeCredentials(kc).applySecurityAuthentication(context())).rejects.toThrow(refusal);
    // Before: 1 + 4 runs, each message saying "it was run once".
    expect(runs()).toBe(2);
  });
});

describe('a queued request whose caller gave up', () => {
  it('ends at once with its reason while the plugin ahead still runs; it runs nothing, the next keeps its turn', async () => {
    const dir = tempDir('credential-abort-');
    const release = join(dir, 'release');
    // Each run writes `start`, waits (at most 20 s) until the test writes `release`, then `end`.
    const script =
      `echo start >> "$0"; i=0; while [ ! -e "$1" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done; ` +
      `echo end >> "$0"; printf '%s' '${credential()}'`;
    const config = kubeconfigWith('http://127.0.0.1:9', shExec(script, release));
    const { kc } = await loadKubeConfig({ kubeconfig: config.kubeconfig });
    const [first, third] = [context(), context()];
    const applied = kubeCredentials(kc).applySecurityAuthentication(first);
    const gaveUp = new AbortController();
    const queued = kubeCredentials(kc, gaveUp.signal).applySecurityAuthentication(context());
    const next = kubeCredentials(kc).applySecurityAuthentication(third);
    await until(() => config.lines().length > 0);
    gaveUp.abort(new Error('the caller gave up'));
    await expect(queued).rejects.toThrow('the caller gave up');
    // Settled before the plugin ahead of it ended: it has not been released yet.
    expect(config.lines()).toEqual(['start']);
    writeFileSync(release, '');
    await applied;
    await next;
    expect([first, third].map((c) => c.getHeaders().Authorization)).toEqual(['Bearer t0', 'Bearer t0']);
    // Two runs, one after the other (the credential has no expirationTimestamp: it runs for every request).
    expect(config.lines()).toEqual(['start', 'end', 'start', 'end']);
  });
});
