/**
 * A kubeconfig server's userinfo (`http://admin:<password>@host:port`) reaches no output and no
 * saved report (src/core/userinfo.ts): drift's lines, `npm run crds -- --from-cluster`'s messages,
 * the probe report's `kubernetes.server` (JSON, JUnit, Markdown, the terminal) and npm run seal's
 * certificate fetch (`GET <url>`), with the real loopback platform's API stand-in answering, and
 * with a closed port (node-fetch's message quotes the request's URL). The requests still go to the
 * URL whole; the host and port are shown. A URL of a targets file or an environment
 * (src/environments/fields.ts httpUrl) with userinfo is refused, naming the field, without quoting
 * the value.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { main as crds } from '../../scripts/crds.js';
import { main as drift } from '../../scripts/drift.js';
import { ENVIRONMENTS_DIR, parseEnvironment } from '../../src/environments/load.js';
import { startPlatform } from '../../src/loopback/platform.js';
import { fetchControllerCertificate } from '../../src/seal/fetch-certificate.js';
import { runCli } from '../probes/helpers.js';
import { refusedPort } from '../support/refused-port.js';
import { runMain } from '../support/run-script.js';
import { tempDir } from '../support/temp.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

// In a template: the repository's secret scan takes a literal password in a URL for a leak.
const PASSWORD = 'u5er1nfoP4ss';

/** The platform, and a copy of its kubeconfig whose server (its own, or a closed port) carries `admin:<password>@`. */
async function platformWithUserinfo(answering: boolean) {
  const p = await startPlatform();
  cleanups.push(() => p.close());
  const own = p.kube.url.replace(/^http:\/\//, '').replace(/\/+$/, '');
  const hostPort = answering ? own : `127.0.0.1:${await refusedPort()}`;
  const text = readFileSync(p.kube.kubeconfig, 'utf8');
  expect(text).toContain(p.kube.url);
  const kubeconfig = join(tempDir('userinfo-kubeconfig-'), 'config');
  writeFileSync(kubeconfig, text.replace(p.kube.url, `http://admin:${PASSWORD}@${hostPort}`));
  return { p, kubeconfig, hostPort };
}

type Run = (
  p: Awaited<ReturnType<typeof startPlatform>>,
  kubeconfig: string,
) => Promise<{ shown: string[]; withServer: string }>;

const runs: [string, Run][] = [
  [
    'npm run drift',
    async (_p, kubeconfig) => {
      const r = await runMain(drift, ['--env', 'backstage-wus2-v4'], {
        env: { ...process.env, KUBECONFIG: kubeconfig },
      });
      return { shown: [r.stdout, r.stderr], withServer: r.stdout + r.stderr };
    },
  ],
  [
    'npm run crds -- --from-cluster',
    async (_p, kubeconfig) => {
      const cache = join(tempDir('userinfo-crds-'), 'cache');
      const r = await runMain(crds, ['--from-cluster', '--kubeconfig', kubeconfig, '--cache', cache]);
      return { shown: [r.stdout, r.stderr], withServer: r.stdout + r.stderr };
    },
  ],
  [
    'npm run probe (--json, --junit, --markdown, the terminal)',
    async (p, kubeconfig) => {
      const r = await runCli(
        ['--targets', p.targetsFile, '--only', 'k8s.workloads-ready'],
        { ...p.env, KUBECONFIG: kubeconfig },
        { files: true },
      );
      const json = JSON.stringify(r.report);
      expect(r.report?.kubernetes?.server).toBeDefined();
      return {
        shown: [r.stdout, r.stderr, json, r.junit ?? '', r.markdown ?? ''],
        withServer: `${r.report?.kubernetes?.server}\n${r.markdown}\n${r.stdout}`,
      };
    },
  ],
  [
    "npm run seal's certificate fetch",
    async (_p, kubeconfig) => {
      const options = { name: 'sealed-secrets', namespace: 'kube-system', kubeconfig, attempts: 1 };
      const message = await fetchControllerCertificate(options).then(
        () => 'fetched',
        (err: unknown) => (err as Error).message,
      );
      return { shown: [message], withServer: message };
    },
  ],
];

describe("a kubeconfig server's userinfo is never shown", () => {
  it.each(
    runs.flatMap(([name, run]) => [
      [name, 'the API answering', true, run] as const,
      [name, 'a closed port', false, run] as const,
    ]),
  )('%s, %s: the password appears nowhere, the host and port do', async (_name, _server, answering, run) => {
    const { p, kubeconfig, hostPort } = await platformWithUserinfo(answering);
    const { shown, withServer } = await run(p, kubeconfig);
    for (const text of shown) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain('admin:');
    }
    expect(withServer).toContain(`http://${hostPort}`);
  });
});

describe('a URL of a targets file or an environment with userinfo is refused, its password not quoted', () => {
  it('a targets file: mimir.queryUrl (npm run probe exits 2 before any probe)', async () => {
    const p = await startPlatform();
    cleanups.push(() => p.close());
    const targets = parse(readFileSync(p.targetsFile, 'utf8')) as { mimir: { queryUrl: string } };
    targets.mimir.queryUrl = targets.mimir.queryUrl.replace('http://', `http://admin:${PASSWORD}@`);
    const file = join(tempDir('userinfo-targets-'), 'targets.yaml');
    writeFileSync(file, stringify(targets));
    const r = await runCli(['--targets', file], p.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}: mimir.queryUrl: carries user:password@`);
    for (const text of [r.stdout, r.stderr, JSON.stringify(r.report ?? {})]) expect(text).not.toContain(PASSWORD);
  });

  it('an environment: collector.mimir.pushUrl', () => {
    const file = join(ENVIRONMENTS_DIR, 'backstage-wus2-v4.yaml');
    const env = parse(readFileSync(file, 'utf8')) as { collector?: { mimir?: object } };
    const pushUrl = `http://admin:${PASSWORD}@mimir.example/api/v1/push`;
    env.collector = { ...env.collector, mimir: { ...env.collector?.mimir, pushUrl } };
    const refused = (() => {
      try {
        parseEnvironment(stringify(env), 'backstage-wus2-v4.yaml');
      } catch (err) {
        return (err as Error).message;
      }
      return 'not refused';
    })();
    expect(refused).toContain('backstage-wus2-v4.yaml: collector.mimir.pushUrl: carries user:password@');
    expect(refused).not.toContain(PASSWORD);
  });
});
