/**
 * scripts/probe.ts end to end (a few spawns) and the canary-key test: an ARCADE_API_KEY
 * generated at run time appears in no stdout, stderr, JSON, JUnit or Markdown, whether the run
 * passes or fails. Also: usage errors and a missing kubeconfig exit 2 before any probe runs,
 * and --demo gives a full passing report without a cluster.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registry } from '../../src/probes/registry.js';
import { NO_PROBE_DEADLINE_MS } from '../support/deadlines.js';
import { startPlatform } from '../../src/loopback/platform.js';
import { failing, probeScript, runCli, statuses } from './helpers.js';
import { tempDir } from '../support/temp.js';

const canaryKey = () => `arc_canary${randomBytes(24).toString('base64url')}`;

describe.concurrent('npm run probe (scripts/probe.ts)', () => {
  it('--help exits 0 with the usage text; usage errors exit 2 with the reason', async () => {
    // In-process: the script only hands its arguments and streams to runProbeCli. The spawned
    // script's exit codes are proven on the real process: 2 for a mistyped option (for every
    // script, test/scripts/every-script.test.ts), 0 for a healthy run (below), 1 for a failing one
    // (test/probes/redaction-e2e.test.ts).
    const help = await runCli(['--help'], {});
    expect(help).toMatchObject({ code: 0, stdout: expect.stringContaining('--revision <git-sha>'), stderr: '' });
    expect(help.stdout).toMatch(/^Usage: npm run probe -- \[options\]\n/);
    const bad = await runCli(['--only', 'no.such-probe'], {});
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown probe id(s) no.such-probe');
    expect(bad.stdout).toBe('');
  });

  it('without a kubeconfig: configuration error, exit 2, before any probe runs', async () => {
    // In-process, with no KUBECONFIG in the CLI's environment (a spawned script's exit 2 is proven
    // by test/scripts/every-script.test.ts).
    const r = await runCli(['--env', 'backstage-wus2-v4'], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('configuration error (no probe was run)');
    expect(r.stderr).toContain('KUBECONFIG is not set');
    expect(r.stdout).not.toMatch(/passed|PASS|FAIL/);
    expect(r.report).toBeUndefined();
  });

  it('a healthy platform: every probe passes, exit 0, and the canary key is in no output or file', async () => {
    const key = canaryKey();
    const platform = await startPlatform({ arcade: { apiKey: key }, latencyCalls: 10 });
    const dir = tempDir('probe-out-');
    try {
      const files = { json: join(dir, 'r.json'), junit: join(dir, 'r.xml'), markdown: join(dir, 'r.md') };
      const r = await probeScript(
        [
          '--targets',
          platform.targetsFile,
          '--timeout',
          String(NO_PROBE_DEADLINE_MS / 1000),
          '--json',
          files.json,
          '--junit',
          files.junit,
          '--markdown',
          files.markdown,
        ],
        { KUBECONFIG: platform.env.KUBECONFIG, ARCADE_API_KEY: key },
        { loadedPackages: true },
      );
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      // Without --otlp the OpenTelemetry SDK is never loaded (lean start-up); the spawned run with
      // --otlp in redaction-e2e.test.ts sees the same preload list it.
      expect(r.packages?.filter((p) => p.startsWith('@opentelemetry/'))).toEqual([]);
      expect(r.stdout.trimEnd().split('\n').pop()).toBe(
        `${registry.length} passed, 0 failed, 0 errors, 0 skipped, 0 known gaps`,
      );
      expect(r.stdout).toContain(`ARCADE_API_KEY …${key.slice(-4)}`);
      const outputs = [r.stdout, r.stderr, ...Object.values(files).map((f) => readFileSync(f, 'utf8'))];
      for (const text of outputs) expect(text).not.toContain(key);
      expect(JSON.parse(outputs[2]!)).toMatchObject({ summary: { passed: registry.length, failed: 0, errors: 0 } });
      // Which cluster was read, and why that one: in the first line and in the reports' header.
      const server = platform.kube.url;
      const kubernetes = { server, context: 'loopback', source: `KUBECONFIG ${platform.env.KUBECONFIG}` };
      expect(JSON.parse(outputs[2]!).kubernetes).toEqual(kubernetes);
      expect(r.stdout.split('\n')[0]).toContain(`Kubernetes ${server} (context loopback, from ${kubernetes.source})`);
      expect(outputs[4]).toContain(`Kubernetes: \`${server}\`, context \`loopback\`, from ${kubernetes.source}.`);
      expect(platform.kube.writes()).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await platform.close();
    }
  });
});

describe.concurrent('the canary key on failing runs (in-process)', () => {
  it('appears in no stdout, stderr, JSON, JUnit or Markdown when probes fail and error', async () => {
    const key = canaryKey();
    const platform = await startPlatform({
      arcade: { apiKey: key, wrongIdentity: true, unknownTool5xx: true, deadHost: 'dashboard' },
      faults: { mimirDown: true },
      latencyCalls: 5,
    });
    try {
      const run = await runCli(['--targets', platform.targetsFile], platform.env, { files: true });
      expect(run.code).toBe(1);
      expect(failing(run.report).length).toBeGreaterThanOrEqual(4);
      const files = [run.stdout, JSON.stringify(run.report), run.junit ?? '', run.markdown ?? ''];
      for (const text of files) expect(text.length).toBeGreaterThan(0);
      for (const text of [...files, run.stderr]) expect(text).not.toContain(key);
    } finally {
      await platform.close();
    }
  });
});

describe.concurrent('--demo', () => {
  it('starts the stand-ins and passes every probe without a cluster or a key from the caller', async () => {
    const run = await runCli(['--demo', '--skip', 'gateway.latency'], {});
    expect(run.code).toBe(0);
    expect(statuses(run.report)).toEqual(
      Object.fromEntries(registry.filter((p) => p.id !== 'gateway.latency').map((p) => [p.id, 'pass'])),
    );
    expect(run.report!.environment).toBe('demo');
    expect(run.stdout).toContain('Starting loopback stand-ins');
  });

  it('refuses --demo together with --env', async () => {
    const run = await runCli(['--demo', '--env', 'backstage-wus2-v4'], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--demo brings its own targets');
  });
});
