/**
 * What of a credential's secrets could still reach a message or a saved report (review of
 * a914349..9f717c2), with real kubeconfigs and real `sh` credential commands: a failing plugin's
 * stderr (`aws --debug`, `-v=9`: signed URLs, session tokens, Authorization headers) shows only
 * its last 4 lines that are not blank, at most 300 characters, with credential shapes hidden (src/core/token-shapes.ts); an
 * oidc id-token node's JSON.parse quoted; a server's or a proxy-url's userinfo
 * (src/core/userinfo.ts). test/kube/credential-refusals.test.ts: stdout and arguments.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type HttpMethod, RequestContext } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { main as drift } from '../../scripts/drift.js';
import { CredentialError, kubeCredentials } from '../../src/kube/credentials.js';
import { loadKubeConfig } from '../../src/kube/kubeconfig.js';
import { startPlatform } from '../../src/loopback/platform.js';
import { result, runCli } from '../probes/helpers.js';
import { kubeconfigWith, shExec } from '../support/exec-kubeconfig.js';
import { runMain } from '../support/run-script.js';
import { tempDir } from '../support/temp.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function platform() {
  const p = await startPlatform();
  cleanups.push(() => p.close());
  return p;
}

/** A plugin that appends `ran` to its file, writes the file `stderr` names to stderr and exits 1. */
function failingWith(server: string, text: string) {
  const stderr = join(tempDir('credential-stderr-'), 'stderr');
  writeFileSync(stderr, text);
  return kubeconfigWith(server, shExec(`echo ran >> "$0"; cat "$1" >&2; exit 1`, stderr));
}

// In a template: the repository's secret scan takes a literal password in a URL for a leak.
const PASSWORD = 's3cr3tP4ss';

const GCLOUD =
  'ERROR: (gcloud.auth.print-access-token) There was a problem refreshing your current auth tokens: ' +
  'Reauthentication failed. cannot prompt during non-interactive execution.';

const failed = (shown: string) =>
  `the exec credential plugin "sh" of kubeconfig user "loopback-user" failed: ${shown} (fix: run it yourself, with the ` +
  'arguments the kubeconfig gives it, and do what it asks, such as logging in again, or mend the ' +
  "user's exec in the kubeconfig; it is not run again in this command)";

describe("a failing plugin's stderr: its last lines, credential shapes hidden", () => {
  it('a debug dump, then a last line with every shape: in no output; the earliest of 4 lines left out (over 300 characters)', async () => {
    const p = await platform();
    // Built from parts: the gate's repository scan reads every tracked file for these shapes.
    const jwt = `${'eyJ'}s3cr3tHeader.${'eyJ'}s3cr3tPayload.s3cr3tSignature`;
    const debug =
      'DEBUG GET https://sts.amazonaws.com/?Action=GetCallerIdentity&X-Amz-Security-Token=s3cr3tSession1\n' +
      'DEBUG Authorization: AWS4-HMAC-SHA256 Credential=AKIAs3cr3t, Signature=s3cr3tSig\n' +
      'DEBUG X-Amz-Security-Token: s3cr3tSession2\n';
    const last =
      `error: Bearer s3cr3tBearer, id-token ${jwt}, ${'ya29'}.s3cr3tGoogleAccessToken ${'k8s-aws-v1'}.s3cr3tEks ` +
      'https://sts.amazonaws.com/?X-Amz-Security-Token=s3cr3tSession3&X-Amz-Date=20261203T000000Z ' +
      'token=s3cr3tToken password=s3cr3tPassword {"client_secret": "s3cr3tClient"}';
    const plugin = failingWith(p.kube.url, `${debug}${last}\n\n`);
    const shown =
      'DEBUG Authorization: <hidden> | DEBUG X-Amz-Security-Token: <hidden> | ' +
      'error: Bearer <hidden>, id-token <hidden>, <hidden> <hidden> ' +
      'https://sts.amazonaws.com/?X-Amz-Security-Token=<hidden>&X-Amz-Date=20261203T000000Z ' +
      'token=<hidden> password=<hidden> {"client_secret": "<hidden>"}';
    const probed = await runCli(['--targets', p.targetsFile, '--only', 'k8s.workloads-ready'], {
      ...p.env,
      KUBECONFIG: plugin.kubeconfig,
    });
    expect(result(probed.report, 'k8s.workloads-ready').detail).toContain(failed(shown));
    const drifted = await runMain(drift, ['--env', 'backstage-wus2-v4'], {
      env: { ...process.env, KUBECONFIG: plugin.kubeconfig },
    });
    expect(drifted.stderr).toContain(`: ${failed(shown)} (nothing was assumed: drift unknown)\n`);
    for (const text of [probed.stdout, probed.stderr, JSON.stringify(probed.report), drifted.stdout, drifted.stderr])
      expect(text).not.toMatch(/s3cr3t|AKIA/);
    expect(plugin.lines()).toEqual(['ran', 'ran']);
    expect(p.kube.requests).toEqual([]);
  });

  it('ordinary error lines are shown whole, the last 4; a line over 300 characters is cut', async () => {
    const { kube } = await platform();
    const cases: [string, string][] = [
      [
        'I1203 09:00:00 debug line\nerror: You must be logged in to the server (Unauthorized)\n',
        'I1203 09:00:00 debug line | error: You must be logged in to the server (Unauthorized)',
      ],
      // gcloud: the error is above "Please run:", the command and "to obtain new credentials.".
      [
        `first line\n${GCLOUD}\nPlease run:\n\n  $ gcloud auth login\n\nto obtain new credentials.\n`,
        `${GCLOUD} | Please run: | $ gcloud auth login | to obtain new credentials.`,
      ],
      [`error: ${'x'.repeat(400)}\n`, `error: ${'x'.repeat(292)}…`],
      ['\n  \n', '(nothing on stderr)'],
    ];
    for (const [stderr, shown] of cases) {
      const plugin = failingWith(kube.url, stderr);
      const run = await runMain(drift, ['--env', 'backstage-wus2-v4'], {
        env: { ...process.env, KUBECONFIG: plugin.kubeconfig },
      });
      expect(run.stderr).toContain(`: ${failed(shown)} (nothing was assumed: drift unknown)\n`);
      expect(plugin.lines()).toEqual(['ran']);
    }
  });
});

describe('what else could quote a secret', () => {
  it("an oidc id-token whose first segment is not JSON: the SyntaxError's message is withheld", async () => {
    const { kube } = await platform();
    const segment = (text: string) => Buffer.from(text).toString('base64url');
    const config = kubeconfigWith(kube.url, () => ({
      'auth-provider': {
        name: 'oidc',
        config: { 'id-token': `${segment('xs3cr3tHeader')}.${segment('{}')}.s3cr3tSig`, 'client-id': 'arcade' },
      },
    }));
    const run = await runMain(drift, ['--env', 'backstage-wus2-v4'], {
      env: { ...process.env, KUBECONFIG: config.kubeconfig },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      `: the kubeconfig's user "loopback-user" and cluster "loopback" could not be used: its credentials could not be applied: ` +
        "SyntaxError (its message is not shown: it may quote the text it refused) (fix: mend that user's entry in " +
        'the kubeconfig, or fetch the kubeconfig anew) (nothing was assumed: drift unknown)\n',
    );
    expect(run.stdout + run.stderr).not.toContain('s3cr3t');
    expect(kube.requests).toEqual([]);
  });

  it("a server's userinfo: neither at start-up (describeKubeConfig) nor in a refusal", async () => {
    const config = kubeconfigWith(
      `http://admin:${PASSWORD}@127.0.0.1:9`,
      shExec(`echo ran >> "$0"; printf '%s' '{"kind":"ExecCredential","status":{"token":"t0"}}'`),
      { 'insecure-skip-tls-verify': false },
    );
    const announced: string[] = [];
    const { kc, server, requestServer } = await loadKubeConfig({
      kubeconfig: config.kubeconfig,
      announce: (a) => announced.push(a),
    });
    expect(announced).toEqual([`http://127.0.0.1:9 (context loopback, from --kubeconfig ${config.kubeconfig})`]);
    // What every caller shows, computed once by the loader; the whole URL only for requests.
    expect([server, requestServer]).toEqual(['http://127.0.0.1:9', `http://admin:${PASSWORD}@127.0.0.1:9`]);
    const applied = kubeCredentials(kc).applySecurityAuthentication(
      new RequestContext('http://127.0.0.1:9/api', 'GET' as HttpMethod),
    );
    await expect(applied).rejects.toThrow(
      new CredentialError(
        `the kubeconfig's user "loopback-user" and cluster "loopback" could not be used: the server of cluster "loopback", ` +
          'http://127.0.0.1:9, is plain HTTP, which the client refuses unless insecure-skip-tls-verify is set (fix: ' +
          'give cluster "loopback" its https:// server, or, for a plain-HTTP server such as kubectl proxy, set ' +
          'insecure-skip-tls-verify: true on it)',
      ),
    );
    expect(config.lines()).toEqual(['ran']);
  });
});
