/**
 * The canary key against a hostile platform (test/support/hostile-arcade.ts): the API host,
 * the MCP gateway (a real SDK server), the reference server, the other hosts and Mimir echo the
 * key in 5xx bodies, response headers, MCP tool results, JSON-RPC error messages and tool names,
 * in every form; the engine's log (through the Kubernetes stand-in) carries it too. Neither the
 * real `npm run probe` (spawned, plain output, pushing its metrics with --otlp) nor the CLI on an
 * 80×24 terminal (in-process, real files) lets 8 consecutive characters of the key or of any of
 * its forms out, in stdout, stderr, --json, --junit, --markdown or the OTLP push; and no excerpt
 * was cut before it was redacted.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runProbeCli } from '../../src/probes/cli.js';
import { registry } from '../../src/probes/registry.js';
import type { ProbeReport } from '../../src/probes/types.js';
import { canaryKey, findLeak } from '../support/canary.js';
import { startOtlpReceiver } from '../support/otlp-receiver.js';
import { CUT_PAD, echo, startHostileArcade, type HostileArcade } from '../support/hostile-arcade.js';
import { NAMESPACE, startPlatform, type Platform } from '../../src/loopback/platform.js';
import { tempDir } from '../support/temp.js';
import { probeScript } from './helpers.js';

const key = canaryKey();
const marker = `[redacted …${key.slice(-4)}]`;
let platform: Platform;
let hostile: HostileArcade;
let targetsFile: string;

beforeAll(async () => {
  [platform, hostile] = await Promise.all([
    startPlatform({ arcade: { apiKey: key }, latencyCalls: 5 }),
    startHostileArcade(key),
  ]);
  // The engine logs an export failure quoting the key (and its forms) in the window.
  platform.kube.setLog(
    NAMESPACE,
    'arcade-engine-7c9f-abcde',
    Array.from({ length: 30 }, (_, i) => ({
      time: new Date(Date.now() - (600 - i * 20) * 1000),
      text:
        i === 20
          ? `{"level":"error","msg":"failed to upload metrics: ${echo(key, `Bearer ${key}`).replace(/\n/g, ' | ')}"}`
          : '{"level":"info","msg":"ok"}',
    })),
    'engine',
  );
  const t = platform.targets;
  targetsFile = join(tempDir('probe-hostile-'), 'targets.yaml');
  writeFileSync(
    targetsFile,
    stringify({
      ...t,
      urls: {
        api: hostile.url,
        coordinator: `${hostile.url}/coordinator`,
        dashboard: `${hostile.url}/dashboard`,
        experience: `${hostile.url}/experience`,
      },
      referenceServerUrl: `${hostile.url}/ref/mcp`,
      mimir: { ...t.mimir, queryUrl: `${hostile.url}/mimir` },
    }),
  );
});

afterAll(async () => {
  await Promise.all([platform?.close(), hostile?.close()]);
});

interface Outputs {
  readonly stdout: string;
  readonly stderr: string;
  readonly json: string;
  readonly junit: string;
  readonly markdown: string;
}

function expectNoLeak(outputs: Outputs): void {
  for (const [name, text] of Object.entries(outputs)) {
    expect(findLeak(text, key), `${name} leaks part of the key`).toBeUndefined();
    // Redacted before shortened: a cut excerpt would show the key's first 5 characters after the pad.
    expect(text, name).not.toContain(`${CUT_PAD.slice(-20)}${key.slice(0, 5)}`);
  }
  // Not vacuous: the echoes reached every report, redacted.
  for (const name of ['stdout', 'json', 'junit', 'markdown'] as const) expect(outputs[name], name).toContain(marker);
  const report = JSON.parse(outputs.json) as ProbeReport;
  const status = Object.fromEntries(report.results.map((r) => [r.id, r.status]));
  for (const id of [
    'endpoints.health',
    'gateway.tools-list',
    'gateway.exec-proof',
    'oauth.token-status',
    'gateway.latency',
    'otel.engine-export-clean',
    'otel.metrics-in-mimir',
  ]) {
    expect(['fail', 'error'], id).toContain(status[id]);
  }
  // Every path the echo took was exercised: MCP (gateway and reference), REST, other hosts, Mimir.
  for (const path of [
    'POST /mcp/zeb-gateway-test',
    'POST /ref/mcp',
    'GET /v1/config',
    'GET /coordinator',
    'GET /mimir/api/v1/query',
  ]) {
    expect(hostile.requests, path).toContain(path);
  }
}

function readFiles(dir: string) {
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return { json: read('r.json'), junit: read('r.xml'), markdown: read('r.md') };
}

const fileArgs = (dir: string) => [
  '--json',
  join(dir, 'r.json'),
  '--junit',
  join(dir, 'r.xml'),
  '--markdown',
  join(dir, 'r.md'),
];

// The two runs read the same stand-ins and each writes its own files: they run side by side.
describe.concurrent('a hostile platform echoing the canary key in every form', () => {
  it('npm run probe (spawned, plain output, --otlp): no 8 characters of the key or of any form in stdout, stderr, any report or the push', async () => {
    const dir = tempDir('probe-hostile-out-');
    const receiver = await startOtlpReceiver();
    try {
      const run = await probeScript(
        ['--targets', targetsFile, ...fileArgs(dir), '--otlp', receiver.url],
        { KUBECONFIG: platform.env.KUBECONFIG, ARCADE_API_KEY: key },
        { loadedPackages: true },
      );
      expect(run.status).toBe(1);
      expectNoLeak({ stdout: run.stdout, stderr: run.stderr, ...readFiles(dir) });
      expect(run.stdout).toContain(`ARCADE_API_KEY …${key.slice(-4)}`);
      // The push arrived, decoded, and carries no part of the key either.
      expect(run.stdout).toContain(`sent the run's metrics to ${receiver.url} (OTLP)`);
      expect(receiver.received).toHaveLength(1);
      expect(receiver.received[0]?.decodeError).toBeUndefined();
      // The real process names itself as otlp-export.test.ts checks in process (package.json's version).
      expect(receiver.received[0]?.userAgent).toMatch(/^arcade-stack\/\d+\.\d+\.\d+\S* \(nodejs\)$/);
      expect(findLeak(JSON.stringify(receiver.received[0]?.body), key)).toBeUndefined();
      // With --otlp the process loads the OpenTelemetry SDK (without it, it does not:
      // probe-script.test.ts, the same preload on the healthy spawned run).
      expect(run.packages).toEqual(
        expect.arrayContaining(['@opentelemetry/sdk-metrics', '@opentelemetry/otlp-transformer']),
      );
    } finally {
      await receiver.close();
    }
  }, 60_000);

  it('the CLI on an 80×24 terminal (live view, colour, real files): no leak either', async () => {
    const dir = tempDir('probe-hostile-tty-');
    let stdout = '';
    let stderr = '';
    const code = await runProbeCli(['--targets', targetsFile, ...fileArgs(dir)], {
      env: { KUBECONFIG: platform.env.KUBECONFIG, ARCADE_API_KEY: key, FORCE_COLOR: '1' },
      stdout: { write: (s: string) => (stdout += s), isTTY: true, columns: 80, rows: 24 },
      stderr: { write: (s: string) => (stderr += s) },
      retry: { attempts: 1, backoffMs: 10, maxBackoffMs: 10 },
    });
    expect(code).toBe(1);
    expect(stdout).toMatch(/\u001b\[\d+A/); // the live view did redraw
    expectNoLeak({ stdout, stderr, ...readFiles(dir) });
    const s = (JSON.parse(readFiles(dir).json) as ProbeReport).summary;
    expect(s.passed + s.failed + s.errors + s.skipped + s.knownGaps).toBe(registry.length);
    expect(stdout.trimEnd().split('\n').pop()).toBe(
      `${s.passed} passed, ${s.failed} failed, ${s.errors} errors, ${s.skipped} skipped, ${s.knownGaps} known gaps`,
    );
  }, 60_000);
});
