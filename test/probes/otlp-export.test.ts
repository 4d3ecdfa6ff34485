/**
 * `npm run probe -- --otlp <url>` against a loopback OTLP/HTTP receiver that decodes every push
 * with the vendored OTLP schema (test/support/otlp-receiver.ts): the metric contract
 * (src/evidence/metrics.ts) as the collector would read it, the series the remote-write translator
 * makes of it answering the dashboard's own queries on a real Prometheus, a collector that is
 * closed, failing or hanging never changing the exit code, no key fragment in any attribute, usage
 * errors. (The SDK loaded only with `--otlp`: the spawned runs of probe-script.test.ts and
 * redaction-e2e.test.ts.)
 *
 * Every describe runs concurrently with the others (each test has its own receiver, stand-ins and
 * files): the waits of this file (Prometheus starting, a hanging collector's deadline, the
 * demo's 100 latency calls) overlap instead of holding the worker one after the other. The delivery's retries run
 * on a virtual clock (attempts and waits counted, not waited for).
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLLECTOR_LABEL, collectorLabelValue } from '../../src/collector/service.js';
import { buildEvidenceDashboard } from '../../src/evidence/dashboard.js';
import {
  EVIDENCE_METRICS,
  GATEWAY_LATENCY_BUCKETS_SECONDS,
  PROBE_STATUS_CODES,
  RUNNER_METER_NAME,
  RUNNER_SERVICE_NAME,
} from '../../src/evidence/metrics.js';
import { DEFAULT_P95_BUDGET_MS } from '../../src/environments/probe-targets.js';
import type { PromSeries } from '../../src/loopback/mimir.js';
import { exportedSeries, type OtlpResource } from '../../src/loopback/otel-series.js';
import { startPlatform } from '../../src/loopback/platform.js';
import { TEST_TIMEOUT_MS } from '../support/deadlines.js';
import {
  attributesOf,
  type ExportRequest,
  type Metric,
  pointValue,
  type ReceivedExport,
  startOtlpReceiver,
} from '../support/otlp-receiver.js';
import { findPrometheus, type MimirOnPrometheus, startMimirOnPrometheus } from '../support/prometheus.js';
import { tempDir } from '../support/temp.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { virtualClock } from '../support/virtual-clock.js';
import { type Captured, runCli } from './helpers.js';
import { refusedPort } from '../support/refused-port.js';

const prometheus = findPrometheus();
const missing = 'missing' in prometheus ? prometheus.missing : undefined;
if (missing) console.log(`[otlp-export] the real-Prometheus test is skipped: ${missing}`);

function metricsOf(body: ExportRequest | undefined): Map<string, Metric> {
  const out = new Map<string, Metric>();
  for (const rm of body?.resourceMetrics ?? [])
    for (const sm of rm.scopeMetrics) for (const m of sm.metrics) out.set(m.name, m);
  return out;
}

/** Every string the push carries in an attribute (resource and data points). */
function attributeValues(body: ExportRequest | undefined): string[] {
  const out: string[] = [];
  for (const rm of body?.resourceMetrics ?? []) {
    out.push(...Object.values(attributesOf(rm.resource?.attributes)));
    for (const sm of rm.scopeMetrics)
      for (const m of sm.metrics)
        for (const p of [...(m.gauge?.dataPoints ?? []), ...(m.histogram?.dataPoints ?? [])])
          out.push(...Object.values(attributesOf(p.attributes)));
  }
  return out;
}

/** Prometheus' text for a bucket boundary (`le`), as the translator writes it. */
const le = (bound: number) => String(bound);

/**
 * The series the collector's remote-write translator writes for a push, by the contract's rules
 * (docs/continuous-evidence.md "The metric contract"): unit `s` adds `_seconds`, a histogram becomes
 * cumulative `_bucket{le}` series plus `_sum` and `_count`, a gauge keeps its value; the resource
 * and scope labels as src/loopback/otel-series.ts shapes them (`job`, `instance`, `otel_scope_name`,
 * the external labels).
 */
function translated(body: ExportRequest, external: Record<string, string>): PromSeries[] {
  return body.resourceMetrics.flatMap((rm) =>
    rm.scopeMetrics.flatMap((sm) => {
      const metrics: OtlpResource['metrics'][number][] = [];
      for (const m of sm.metrics) {
        const name = m.unit === 's' ? `${m.name}_seconds` : m.name;
        for (const p of m.gauge?.dataPoints ?? [])
          metrics.push({ name, attributes: attributesOf(p.attributes), value: pointValue(p) ?? Number.NaN });
        for (const p of m.histogram?.dataPoints ?? []) {
          const attributes = attributesOf(p.attributes);
          let cumulative = 0;
          for (const [i, count] of p.bucketCounts.entries()) {
            cumulative += count;
            const bound = p.explicitBounds[i];
            metrics.push({
              name: `${name}_bucket`,
              attributes: { ...attributes, le: bound === undefined ? '+Inf' : le(bound) },
              value: cumulative,
            });
          }
          metrics.push({ name: `${name}_sum`, attributes, value: p.sum ?? Number.NaN });
          metrics.push({ name: `${name}_count`, attributes, value: p.count });
        }
      }
      const resource: OtlpResource = {
        attributes: attributesOf(rm.resource?.attributes),
        ...(sm.scope ? { scope: { name: sm.scope.name } } : {}),
        metrics,
      };
      return exportedSeries(resource, external);
    }),
  );
}

interface DemoPush {
  readonly run: Captured;
  readonly push: ReceivedExport;
  readonly receivedAt: number;
}

let demo: Promise<DemoPush> | undefined;
/** One `--demo --otlp` run for the whole file (two describes read it). */
function demoPush(): Promise<DemoPush> {
  demo ??= (async () => {
    const receiver = await startOtlpReceiver();
    try {
      const run = await runCli(['--demo', '--otlp', receiver.url], {}, { files: true });
      const receivedAt = Date.now();
      expect(receiver.received).toHaveLength(1);
      return { run, push: receiver.received[0]!, receivedAt };
    } finally {
      await receiver.close();
    }
  })();
  return demo;
}

describe('npm run probe -- --demo --otlp <loopback receiver>', { timeout: TEST_TIMEOUT_MS, concurrent: true }, () => {
  let run: Captured;
  let push: ReceivedExport;
  let metrics: Map<string, Metric>;
  let receivedAt: number;

  beforeAll(async () => {
    ({ run, push, receivedAt } = await demoPush());
    metrics = metricsOf(push.body);
  }, TEST_TIMEOUT_MS);

  it('delivers one protobuf push to /v1/metrics, decoded by the OTLP schema, and says so', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(push).toMatchObject({ method: 'POST', path: '/v1/metrics', contentType: 'application/x-protobuf' });
    expect(push.decodeError).toBeUndefined();
    // Who sent it, as the OTLP exporter specification asks ("User Agent"): the product and the
    // release in package.json (RFC 7231's product/version), then the implementation's language.
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(push.userAgent).toBe(`arcade-stack/${version} (nodejs)`);
    const points = 2 * run.report!.results.length + 1 + 1;
    const note = { status: 'delivered', metrics: 4, dataPoints: points, detail: `4 metrics, ${points} data points` };
    expect(run.report?.delivery?.otlp).toMatchObject(note);
    expect(run.stdout).toContain(`sent the run's metrics to ${run.report?.delivery?.otlp.url} (OTLP): ${note.detail}`);
    expect(run.markdown).toContain(`Metrics delivered to \``);
    expect(run.stderr).toBe('');
  });

  it('as the service arcade-probes, instance per environment, one scope', () => {
    const body = push.body!;
    expect(body.resourceMetrics).toHaveLength(1);
    const rm = body.resourceMetrics[0]!;
    expect(attributesOf(rm.resource?.attributes)).toEqual({
      'service.name': RUNNER_SERVICE_NAME,
      'service.instance.id': 'arcade-probes-demo',
    });
    expect(rm.scopeMetrics.map((s) => s.scope?.name)).toEqual([RUNNER_METER_NAME]);
  });

  it('every metric of the contract: name, unit, description, kind and attributes', () => {
    expect([...metrics.keys()].sort()).toEqual(
      Object.values(EVIDENCE_METRICS)
        .map((m) => m.instrument)
        .sort(),
    );
    for (const contract of Object.values(EVIDENCE_METRICS)) {
      const m = metrics.get(contract.instrument)!;
      expect({ unit: m.unit ?? '', description: m.description }).toEqual({
        unit: contract.unit,
        description: contract.description,
      });
      const points = contract.kind === 'gauge' ? m.gauge?.dataPoints : m.histogram?.dataPoints;
      expect(points?.length, contract.instrument).toBeGreaterThan(0);
      for (const p of points ?? [])
        expect(Object.keys(attributesOf(p.attributes)).sort()).toEqual([...contract.attributes].sort());
    }
  });

  it('status and duration per probe, as the report has them', () => {
    const report = run.report!;
    const byProbe = (name: string) =>
      Object.fromEntries(
        (metrics.get(name)?.gauge?.dataPoints ?? []).map((p) => {
          const a = attributesOf(p.attributes);
          expect(a.environment).toBe('demo');
          return [a.probe, pointValue(p)];
        }),
      );
    expect(byProbe(EVIDENCE_METRICS.probeStatus.instrument)).toEqual(
      Object.fromEntries(report.results.map((r) => [r.id, PROBE_STATUS_CODES[r.status]])),
    );
    const durations = byProbe(EVIDENCE_METRICS.probeDuration.instrument);
    for (const r of report.results) expect(durations[r.id], r.id).toBeCloseTo(r.durationMs / 1000, 2);
  });

  it("gateway latency: a cumulative histogram of gateway.latency's calls, in the contract's buckets", () => {
    const latency = run.report!.results.find((r) => r.id === 'gateway.latency')!;
    const evidence = latency.evidence as { gateway: string; throughGateway: { calls: number; p50: number } };
    const histogram = metrics.get(EVIDENCE_METRICS.gatewayLatency.instrument)!.histogram!;
    expect(histogram.aggregationTemporality).toBe('AGGREGATION_TEMPORALITY_CUMULATIVE');
    expect(histogram.dataPoints).toHaveLength(1);
    const p = histogram.dataPoints[0]!;
    expect(attributesOf(p.attributes)).toEqual({ gateway: evidence.gateway, environment: 'demo' });
    expect(p.explicitBounds).toEqual([...GATEWAY_LATENCY_BUCKETS_SECONDS]);
    expect(p.bucketCounts).toHaveLength(GATEWAY_LATENCY_BUCKETS_SECONDS.length + 1);
    expect(p.count).toBe(evidence.throughGateway.calls);
    expect(p.bucketCounts.reduce((a, b) => a + b, 0)).toBe(p.count);
    // The samples are the probe's: its median lies in the bucket the histogram puts half the calls in.
    const median = evidence.throughGateway.p50 / 1000;
    expect(p.min! <= median && median <= p.max!).toBe(true);
    expect(p.sum! / p.count).toBeGreaterThan(0);
  });

  it('the last-run timestamp is when the run ended (unix seconds)', () => {
    const [point] = metrics.get(EVIDENCE_METRICS.lastRunTimestamp.instrument)!.gauge!.dataPoints;
    expect(attributesOf(point!.attributes)).toEqual({ environment: 'demo' });
    const ended = Date.parse(run.report!.startedAt) + run.report!.durationMs;
    expect(pointValue(point!)! * 1000).toBeCloseTo(ended, -1);
    expect(pointValue(point!)! * 1000).toBeLessThanOrEqual(receivedAt);
  });
});

describe.skipIf(missing !== undefined)(
  '--demo --otlp translated as the remote-write exporter writes it, on a real Prometheus',
  { timeout: TEST_TIMEOUT_MS, concurrent: true },
  () => {
    let run: Captured;
    let push: ReceivedExport;
    let mimir: MimirOnPrometheus;
    const namespace = 'arcade';
    const scope = {
      environment: 'demo',
      namespace,
      collectorLabel: { name: COLLECTOR_LABEL, value: collectorLabelValue('otlp-cluster', namespace) },
      engineJob: 'arcade_engine',
      scheduleMinutes: 5,
    };
    const external = { cluster: 'otlp-cluster', namespace, [COLLECTOR_LABEL]: scope.collectorLabel.value };
    const queries = new Map<string, string>();
    const at = Math.floor(Date.now() / 1000);

    beforeAll(async () => {
      ({ run, push } = await demoPush());
      mimir = await startMimirOnPrometheus(prometheus as { path: string; version: string });
      const pushed = await mimir.push(translated(push.body!, external), { timestampMs: at * 1000 });
      expect(pushed.status, pushed.body).toBe(204);
      for (const panel of buildEvidenceDashboard(scope).panels ?? []) {
        if (!('targets' in panel)) continue;
        for (const t of (panel.targets ?? []) as { expr?: string; legendFormat?: string }[])
          queries.set(`${panel.title} / ${t.legendFormat}`, t.expr ?? '');
      }
    }, TEST_TIMEOUT_MS);
    afterAll(async () => {
      await mimir?.close();
    });

    async function values(key: string, by = ''): Promise<Record<string, number>> {
      const expr = queries.get(key);
      expect(expr, key).toBeDefined();
      const answer = await mimir.query(expr!, { timeSeconds: at + 60 });
      expect(answer.status, answer.body).toBe(200);
      const result = (
        JSON.parse(answer.body) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }
      ).data.result;
      return Object.fromEntries(result.map((r) => [r.metric[by] ?? '', Number(r.value[1])]));
    }

    it("the dashboard's queries read the run: each probe's status, the calls measured, the last run", async () => {
      expect(await values('Probe status now / {{probe}}', 'probe')).toEqual(
        Object.fromEntries(run.report!.results.map((r) => [r.id, PROBE_STATUS_CODES[r.status]])),
      );
      expect(await values('Worst status now / __auto')).toEqual({ '': PROBE_STATUS_CODES.pass });
      const latency = run.report!.results.find((r) => r.id === 'gateway.latency')!.evidence as {
        gateway: string;
        throughGateway: { calls: number };
      };
      expect(await values('Tool calls measured / {{gateway}}', 'gateway')).toEqual({
        [latency.gateway]: latency.throughGateway.calls,
      });
      const p50 = await values('Gateway latency percentiles / p50 {{gateway}}', 'gateway');
      expect(p50[latency.gateway]).toBeGreaterThan(0);
      const since = await values('Since the last run / __auto');
      expect(since['']).toBeGreaterThanOrEqual(0);
    });
  },
);

describe('a collector that cannot take the metrics never changes the exit code', {
  timeout: TEST_TIMEOUT_MS,
  concurrent: true,
}, () => {
  const one = ['--demo', '--only', 'endpoints.health'];

  async function expectNoted(run: Captured, reason: RegExp): Promise<void> {
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trimEnd().split('\n').pop()).toBe('1 passed, 0 failed, 0 errors, 0 skipped, 0 known gaps');
    expect(run.report?.delivery?.otlp).toMatchObject({ status: 'failed', metrics: 3 });
    expect(run.report?.delivery?.otlp.detail).toMatch(reason);
    expect(run.stderr).toMatch(
      /^probe: warning: the run's metrics were not delivered to http:\/\/127\.0\.0\.1:\d+\/v1\/metrics \(OTLP\): /,
    );
    expect(run.stderr).toContain("the results and the exit code below are the probes', unchanged");
    expect(run.markdown).toContain('**Metrics not delivered**');
  }

  // The retries run on a virtual clock: attempts and waits are counted, not waited for.
  it('nothing listens (connection refused): retried with backoff (OTLP/HTTP), no attempt past the deadline', async () => {
    const clock = virtualClock();
    const run = await runCli(
      [...one, '--otlp', `http://127.0.0.1:${await refusedPort()}/v1/metrics`],
      {},
      { files: true, clock },
    );
    await expectNoted(run, /^connect ECONNREFUSED 127\.0\.0\.1:\d+ \(4 attempts\)$/);
    // Attempts at 0, 1, 3 and 7 s; the next (at 15 s) would start past the 10 s deadline.
    expect(clock.sleeps).toEqual([1000, 2000, 4000]);
  });

  it('the collector answers 500: final, not retried', async () => {
    const receiver = await startOtlpReceiver({ kind: 'fail', status: 500 });
    const clock = virtualClock();
    try {
      const run = await runCli([...one, '--otlp', receiver.url], {}, { files: true, clock });
      await expectNoted(run, /^HTTP 500 Internal Server Error: collector refused the export \(stand-in\)$/);
      expect(receiver.received).toHaveLength(1);
      expect(clock.sleeps).toEqual([]);
    } finally {
      await receiver.close();
    }
  });

  it('a busy collector (503 with Retry-After) is tried again after the wait it asked for', async () => {
    const receiver = await startOtlpReceiver({ kind: 'fail', status: 503, retryAfter: '3', times: 1 });
    const clock = virtualClock();
    try {
      const run = await runCli([...one, '--otlp', receiver.url], {}, { files: true, clock });
      expect(run.code, run.stderr).toBe(0);
      expect(run.report?.delivery?.otlp).toMatchObject({ status: 'delivered', metrics: 3 });
      expect(run.stderr).toBe('');
      expect(receiver.received.map((r) => r.decodeError ?? r.body?.resourceMetrics.length)).toEqual([1, 1]);
      expect(clock.sleeps).toEqual([3000]);
    } finally {
      await receiver.close();
    }
  });

  it("a Retry-After given as an HTTP date is read against the run's clock, not the machine's", async () => {
    // The virtual clock starts at the epoch: 5 s after it is a 5 s wait (the machine's clock would
    // make that date long past, and the wait the 1 s backoff).
    const receiver = await startOtlpReceiver({
      kind: 'fail',
      status: 503,
      retryAfter: new Date(5000).toUTCString(),
      times: 1,
    });
    const clock = virtualClock();
    try {
      const run = await runCli([...one, '--otlp', receiver.url], {}, { files: true, clock });
      expect(run.code, run.stderr).toBe(0);
      expect(run.report?.delivery?.otlp).toMatchObject({ status: 'delivered' });
      expect(receiver.received).toHaveLength(2);
      expect(clock.sleeps).toEqual([5000]);
    } finally {
      await receiver.close();
    }
  });

  it('the collector never answers: the deadline ends the delivery', async () => {
    const receiver = await startOtlpReceiver({ kind: 'hang' });
    try {
      const run = await runCli([...one, '--otlp', receiver.url], {}, { files: true, otlpDeadlineMs: 500 });
      await expectNoted(run, /timed out|timeout/i);
    } finally {
      await receiver.close();
    }
  });

  it('a failing run keeps its exit code 1 when the delivery succeeds', async () => {
    const receiver = await startOtlpReceiver();
    const platform = await startPlatform({ arcade: { unhealthy: true } });
    try {
      const run = await runCli(
        ['--targets', platform.targetsFile, '--only', 'endpoints.health', '--otlp', receiver.url],
        { ...platform.env },
      );
      expect(run.code, run.stderr).toBe(1);
      expect(run.report?.delivery?.otlp.status).toBe('delivered');
      const status = metricsOf(receiver.received[0]?.body).get(EVIDENCE_METRICS.probeStatus.instrument);
      const [result] = run.report!.results;
      expect(result?.status).toBe('fail');
      expect(status?.gauge?.dataPoints.map(pointValue)).toEqual([PROBE_STATUS_CODES.fail]);
    } finally {
      await platform.close();
      await receiver.close();
    }
  });
});

describe('--otlp and secrets', { timeout: TEST_TIMEOUT_MS, concurrent: true }, () => {
  it('an environment named with the API key: no fragment of it reaches any attribute', async () => {
    const key = `arc_canary${randomBytes(24).toString('base64url')}`;
    const receiver = await startOtlpReceiver();
    const platform = await startPlatform({ arcade: { apiKey: key } });
    const dir = tempDir('otlp-hostile-');
    try {
      // The environment of a --targets run is the file's name: here, the whole key.
      const targets = join(dir, `${key}.yaml`);
      copyFileSync(platform.targetsFile, targets);
      const run = await runCli(['--targets', targets, '--only', 'endpoints.health', '--otlp', receiver.url], {
        ...platform.env,
        ARCADE_API_KEY: key,
      });
      expect(run.code, run.stderr).toBe(0);
      const values = attributeValues(receiver.received[0]?.body);
      expect(values.length).toBeGreaterThan(0);
      for (const value of values)
        for (let i = 0; i + 8 <= key.length; i++) expect(value, `fragment at ${i}`).not.toContain(key.slice(i, i + 8));
      expect(values).toContain(`arcade-probes-${run.report!.environment}`);
      expect(run.report!.environment).not.toContain(key);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await platform.close();
      await receiver.close();
    }
  });
});

/** `url` with a user and a made-up password (set through URL, so that no file holds such a URL: the gate's secret scan). */
function withCredentials(url: string): string {
  const u = new URL(url);
  u.username = 'user';
  u.password = randomBytes(6).toString('hex');
  return u.href;
}

describe('--otlp usage errors (exit 2, before any probe runs)', { concurrent: true }, () => {
  it.each([
    [
      'not-a-url',
      "--otlp must be an OTLP/HTTP metrics URL, e.g. http://arcade-otel-collector.arcade.svc:4318/v1/metrics (got 'not-a-url')",
    ],
    [
      'grpc://collector:4317/v1/metrics',
      '--otlp takes OTLP over HTTP (protobuf), not grpc (fix: an http:// or https:// URL',
    ],
    [
      'http://collector:4318',
      '--otlp http://collector:4318 has no path; the exporter posts to the URL as given and the collector takes ' +
        'OTLP metrics at /v1/metrics (fix: --otlp http://collector:4318/v1/metrics)',
    ],
    [withCredentials('http://collector:4318/v1/metrics'), '--otlp: the URL carries credentials'],
  ])('%s', async (value, message) => {
    const run = await runCli(['--demo', '--otlp', value], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe('');
    expect(run.report).toBeUndefined();
  });
});

describe('the contract', { concurrent: true }, () => {
  it('the latency buckets hold the default p95 budget as a boundary', () => {
    expect(GATEWAY_LATENCY_BUCKETS_SECONDS).toContain(DEFAULT_P95_BUDGET_MS / 1000);
    expect([...GATEWAY_LATENCY_BUCKETS_SECONDS].sort((a, b) => a - b)).toEqual([...GATEWAY_LATENCY_BUCKETS_SECONDS]);
  });
});
