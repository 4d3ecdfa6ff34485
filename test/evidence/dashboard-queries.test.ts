/**
 * Every query of the continuous-evidence dashboard, run against a real Prometheus (Debian's
 * package, behind the Mimir-shaped proxy of test/support/prometheus.ts; one for the whole file) over
 * series shaped as they reach Mimir: the runner's pushed through the collector (the remote-write
 * translator's shaping, test/support/otel-series.ts `exportedSeries`), one sample per run every
 * five minutes, and the collector's own metrics scraped by the cluster's agent every minute
 * (`scrapedSeries`). Each query is evaluated at fixed times (Prometheus' `time` parameter), so
 * every answer is exact. The queries are taken from the built dashboard itself, panel by panel.
 *
 * Scenarios live side by side in one TSDB, told apart by their environment and namespace labels.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLLECTOR_SELF_METRICS } from '../../src/collector/self-metrics.js';
import { COLLECTOR_LABEL, collectorLabelValue, OTEL_COLLECTOR_NAME } from '../../src/collector/service.js';
import { buildEvidenceDashboard } from '../../src/evidence/dashboard.js';
import type { DashboardScope } from '../../src/evidence/dashboard-queries.js';
import { EVIDENCE_METRICS, PROBE_STATUS_CODES, RUNNER_SERVICE_NAME } from '../../src/evidence/metrics.js';
import { TEST_TIMEOUT_MS } from '../support/deadlines.js';
import { engineResource, exportedSeries, otherClientResource, scrapedSeries } from '../../src/loopback/otel-series.js';
import { findPrometheus, type MimirOnPrometheus, startMimirOnPrometheus } from '../support/prometheus.js';
import type { PromSeries } from '../../src/loopback/mimir.js';

const prometheus = findPrometheus();
const missing = 'missing' in prometheus ? prometheus.missing : undefined;
if (missing) console.log(`[dashboard-queries] skipped: the dashboard queries need a real Prometheus: ${missing}`);

const CLUSTER = 'evidence-cluster';
const MINUTE = 60;
/** The reference time (unix seconds, a whole minute in the recent past): every query is evaluated relative to it. */
const T = Math.floor(Date.now() / 1000 / MINUTE) * MINUTE - MINUTE;

function scopeOf(environment: string, namespace: string): DashboardScope {
  return {
    environment,
    namespace,
    collectorLabel: { name: COLLECTOR_LABEL, value: collectorLabelValue(CLUSTER, namespace) },
    engineJob: 'arcade_engine',
    scheduleMinutes: 5,
  };
}

/** Healthy path, one probe failing in the last two runs; the gateway got faster in the last run. */
const healthy = scopeOf('evidence-healthy', 'arcade');
/** The collector under pressure: sends failing, memory limiter refusing, a queue, one pod not scraped. */
const pressure = scopeOf('evidence-pressure', 'arcade-pressure');
/** Nothing at all was written for this one. */
const empty = scopeOf('evidence-empty', 'arcade-empty');

/** The collector's external labels in a namespace (what it adds to everything it relays). */
const external = (scope: DashboardScope) => ({
  cluster: CLUSTER,
  namespace: scope.namespace,
  [COLLECTOR_LABEL]: scope.collectorLabel.value,
});

/**
 * Runs start every five minutes (T-20m, T-15m, T-10m, T-5m) and end when their probes are done,
 * 5 to 55 s later: two consecutive samples can be more than five minutes apart, which a window of
 * one schedule would show as a gap.
 */
const RUNS = [
  [20, 10],
  [15, 50],
  [10, 5],
  [5, 55],
].map(([minutes, seconds]) => T - minutes! * MINUTE + seconds!);
const LAST_RUN = RUNS[3]!;

const FAST: readonly (readonly [string, number])[] = [
  ['0.1', 5],
  ['0.25', 8],
  ['0.5', 9],
  ['1', 10],
  ['+Inf', 10],
];
const SLOW: readonly (readonly [string, number])[] = [
  ['0.1', 0],
  ['0.25', 0],
  ['0.5', 0],
  ['1', 10],
  ['+Inf', 10],
];

/** One run of the runner, as the collector relays it: status, duration, latency histogram, last-run time. */
function runnerRun(scope: DashboardScope, run: number, end: number): PromSeries[] {
  const env = scope.environment;
  const execProof = run >= 2 ? PROBE_STATUS_CODES.fail : PROBE_STATUS_CODES.pass;
  const buckets = run === 3 ? FAST : SLOW;
  const latency = EVIDENCE_METRICS.gatewayLatency.prometheus;
  const gateway = { gateway: 'zeb-gateway-test', environment: env };
  return exportedSeries(
    {
      attributes: { 'service.name': RUNNER_SERVICE_NAME, 'service.instance.id': `arcade-probes-${env}` },
      scope: { name: 'arcade-stack/probes' },
      metrics: [
        {
          name: EVIDENCE_METRICS.probeStatus.prometheus,
          attributes: { probe: 'gateway.exec-proof', environment: env },
          value: execProof,
        },
        {
          name: EVIDENCE_METRICS.probeStatus.prometheus,
          attributes: { probe: 'otel.metrics-in-mimir', environment: env },
          value: PROBE_STATUS_CODES.pass,
        },
        {
          name: EVIDENCE_METRICS.probeDuration.prometheus,
          attributes: { probe: 'gateway.exec-proof', environment: env },
          value: 1.5 + run,
        },
        {
          name: EVIDENCE_METRICS.probeDuration.prometheus,
          attributes: { probe: 'otel.metrics-in-mimir', environment: env },
          value: 0.25,
        },
        ...buckets.map(([le, count]) => ({ name: `${latency}_bucket`, attributes: { ...gateway, le }, value: count })),
        { name: `${latency}_count`, attributes: gateway, value: 10 },
        { name: `${latency}_sum`, attributes: gateway, value: run === 3 ? 2.5 : 8 },
        { name: EVIDENCE_METRICS.lastRunTimestamp.prometheus, attributes: { environment: env }, value: end },
      ],
    },
    external(scope),
  );
}

/** The collector's own metrics, one scrape of both pods `minute` minutes into the scenario. */
function collectorScrape(scope: DashboardScope, minute: number, underPressure: boolean): PromSeries[] {
  const m = COLLECTOR_SELF_METRICS;
  const pod = (n: number) => ({
    service: OTEL_COLLECTOR_NAME,
    namespace: scope.namespace,
    pod: `${OTEL_COLLECTOR_NAME}-5f7b9c-${n}`,
    container: 'otel-collector',
    endpoint: 'metrics',
    instance: `10.244.1.${n}:8888`,
    externalLabels: { cluster: CLUSTER },
  });
  const exposed = { service_name: 'otelcol-contrib', service_version: '0.159.0' };
  const receiver = { ...exposed, receiver: 'otlp', transport: 'http' };
  const exporter = { ...exposed, exporter: 'prometheusremotewrite' };
  const limiter = { ...exposed, processor: 'memory_limiter' };
  // Per pod and minute: 300 points received and sent (5/s); under pressure 60 refused (1/s) and 120 failed sends (2/s).
  const perPod = (n: number) => [
    { name: m.receiverAccepted, labels: receiver, value: 300 * minute },
    { name: m.receiverRefused, labels: receiver, value: underPressure ? 60 * minute : 0 },
    { name: m.receiverFailed, labels: receiver, value: 0 },
    { name: m.exporterSent, labels: exporter, value: 300 * minute },
    { name: m.exporterSendFailed, labels: exporter, value: underPressure ? 120 * minute : 0 },
    { name: m.exporterEnqueueFailed, labels: exporter, value: 0 },
    { name: m.exporterQueueSize, labels: exporter, value: underPressure ? 30 + n : 0 },
    { name: m.exporterQueueCapacity, labels: exporter, value: 10000 },
    { name: m.memoryLimiterAccepted, labels: limiter, value: 300 * minute },
    ...(underPressure ? [{ name: m.memoryLimiterRefused, labels: limiter, value: 60 * minute }] : []),
  ];
  return [
    ...scrapedSeries(pod(1), perPod(1)),
    ...scrapedSeries(pod(2), perPod(2)),
    // The agent's own `up` per target: under pressure, pod 2's last scrape failed.
    ...[1, 2].map((n) => ({
      labels: {
        __name__: 'up',
        job: OTEL_COLLECTOR_NAME,
        namespace: scope.namespace,
        instance: `10.244.1.${n}:8888`,
        cluster: CLUSTER,
      },
      value: underPressure && n === 2 ? 0 : 1,
    })),
  ];
}

/** Everything written, by timestamp (seconds): pushed in time order, as remote write delivers it. */
function timeline(): Map<number, PromSeries[]> {
  const at = new Map<number, PromSeries[]>();
  const add = (t: number, series: PromSeries[]) => at.set(t, [...(at.get(t) ?? []), ...series]);
  RUNS.forEach((end, run) => {
    add(end, runnerRun(healthy, run, end));
    add(end, runnerRun(pressure, run, end));
  });
  for (let minute = 0; minute <= 15; minute++) {
    const t = T - (15 - minute) * MINUTE;
    add(t, collectorScrape(healthy, minute, false));
    add(t, collectorScrape(pressure, minute, true));
    // The engine pushes every minute through the collector; another client too.
    add(t, [
      ...exportedSeries(engineResource(), external(healthy)),
      ...exportedSeries(otherClientResource(), external(healthy)),
    ]);
  }
  return at;
}

/** The targets of the dashboard built for `scope`, by panel title and legend. */
function targetsOf(scope: DashboardScope): Map<string, string> {
  const out = new Map<string, string>();
  for (const panel of buildEvidenceDashboard(scope).panels ?? []) {
    if (!('targets' in panel)) continue;
    for (const target of panel.targets ?? []) {
      const t = target as { expr?: string; legendFormat?: string };
      out.set(`${panel.title} / ${t.legendFormat}`, t.expr ?? '');
    }
  }
  return out;
}

type Vector = { metric: Record<string, string>; value: [number, string] }[];

describe.skipIf(missing !== undefined)(
  'the dashboard queries on a real Prometheus',
  { timeout: TEST_TIMEOUT_MS },
  () => {
    let mimir: MimirOnPrometheus;
    const panels = targetsOf(healthy);
    const under = targetsOf(pressure);
    const none = targetsOf(empty);

    /** The instant vector a query returns at `time` (unix seconds). */
    async function vector(expr: string, time = T): Promise<Vector> {
      const answer = await mimir.query(expr, { timeSeconds: time });
      expect(answer.status, `${expr}: ${answer.body}`).toBe(200);
      const body = JSON.parse(answer.body) as { status: string; data: { resultType: string; result: Vector } };
      expect(body.data.resultType).toBe('vector');
      return body.data.result;
    }
    /** The values of a vector keyed by one label (or the only value under ''). */
    async function values(expr: string, by = '', time = T): Promise<Record<string, number>> {
      const result = await vector(expr, time);
      return Object.fromEntries(result.map((r) => [r.metric[by] ?? '', Number(r.value[1])]));
    }
    const expr = (targets: Map<string, string>, key: string) => {
      const found = targets.get(key);
      if (found === undefined)
        throw new Error(`no dashboard target '${key}' (have: ${[...targets.keys()].join('; ')})`);
      return found;
    };

    beforeAll(async () => {
      mimir = await startMimirOnPrometheus(prometheus as { path: string; version: string });
      for (const [t, series] of [...timeline().entries()].sort(([a], [b]) => a - b)) {
        const pushed = await mimir.push(series, { timestampMs: t * 1000 });
        expect(pushed.status, pushed.body).toBe(204);
      }
    }, TEST_TIMEOUT_MS);
    afterAll(async () => {
      await mimir?.close();
    });

    it('every query of every panel is valid PromQL and returns data for a deployment that has it', async () => {
      expect(panels.size).toBeGreaterThanOrEqual(20);
      for (const [key, query] of panels) {
        // In the healthy deployment the memory limiter never refused (0, not empty); every panel has data.
        expect((await vector(query)).length, `${key}: ${query}`).toBeGreaterThan(0);
      }
    });

    it('probe status now: the worst status, the failing count and each probe of the last run', async () => {
      expect(await values(expr(panels, 'Worst status now / __auto'))).toEqual({ '': PROBE_STATUS_CODES.fail });
      expect(await values(expr(panels, 'Failing probes / __auto'))).toEqual({ '': 1 });
      expect(await values(expr(panels, 'Probe status now / {{probe}}'), 'probe')).toEqual({
        'gateway.exec-proof': PROBE_STATUS_CODES.fail,
        'otel.metrics-in-mimir': PROBE_STATUS_CODES.pass,
      });
      expect(await values(expr(panels, 'Since the last run / __auto'))).toEqual({ '': T - LAST_RUN });
    });

    it('probe status over time: the status of the run before, at every point between runs (never empty, never a blink)', async () => {
      const query = expr(panels, 'Probe status over time / {{probe}}');
      // Every 30 s from the first run to 4.5 minutes after the last: always both probes, the value of the run before.
      for (let t = RUNS[0]!; t < LAST_RUN + 5 * MINUTE; t += 30) {
        const previous = RUNS.filter((r) => r <= t).length - 1;
        const expected = previous >= 2 ? PROBE_STATUS_CODES.fail : PROBE_STATUS_CODES.pass;
        expect(await values(query, 'probe', t), `at T${t - T}s`).toEqual({
          'gateway.exec-proof': expected,
          'otel.metrics-in-mimir': PROBE_STATUS_CODES.pass,
        });
      }
      // Why the window: a plain selector looks back only 5 minutes and goes empty before the next run.
      const plain = `arcade_probe_status{environment="${healthy.environment}"}`;
      expect(await vector(plain, LAST_RUN + 5 * MINUTE + 30)).toEqual([]);
      // Missed twice (no run for two schedules): no data, so the panel shows its "no run" text.
      expect(await vector(query, LAST_RUN + 10 * MINUTE + 1)).toEqual([]);
    });

    it("probe duration: each probe's last run", async () => {
      expect(await values(expr(panels, 'Probe duration / {{probe}}'), 'probe')).toEqual({
        'gateway.exec-proof': 4.5,
        'otel.metrics-in-mimir': 0.25,
      });
    });

    it("gateway latency percentiles come from the last run's buckets only", async () => {
      const p = (q: number) => expr(panels, `Gateway latency percentiles / p${q} {{gateway}}`);
      // Last run: 5 calls <= 0.1 s, 8 <= 0.25 s, 9 <= 0.5 s, 10 <= 1 s (linear interpolation within a bucket).
      expect((await values(p(50), 'gateway'))['zeb-gateway-test']).toBeCloseTo(0.1, 9);
      expect((await values(p(90), 'gateway'))['zeb-gateway-test']).toBeCloseTo(0.5, 9);
      expect((await values(p(99), 'gateway'))['zeb-gateway-test']).toBeCloseTo(0.95, 9);
      // Before the last run, the previous run's buckets (all 10 calls between 0.5 and 1 s).
      expect((await values(p(50), 'gateway', LAST_RUN - 30))['zeb-gateway-test']).toBeCloseTo(0.75, 9);
      expect(await values(expr(panels, 'Tool calls measured / {{gateway}}'), 'gateway')).toEqual({
        'zeb-gateway-test': 10,
      });
    });

    it("the engine's series arriving: its count, and every job that pushed through the collector", async () => {
      // The engine's two metrics and its target_info.
      expect(await values(expr(panels, 'Engine series through the collector / __auto'))).toEqual({ '': 3 });
      const jobs = await values(expr(panels, 'Series relayed by the collector, by job / {{job}}'), 'job');
      expect(Object.keys(jobs).sort()).toEqual(['arcade_engine', 'checkout', RUNNER_SERVICE_NAME].sort());
      // A wrong engine job finds nothing: the stat shows its "none" text.
      const wrong = targetsOf({ ...healthy, engineJob: 'arcade-engine' });
      expect(await vector(expr(wrong, 'Engine series through the collector / __auto'))).toEqual([]);
    });

    it('collector health when all is well: 10 points/s in and out, nothing refused, failed or queued, both pods up', async () => {
      const flow = async (legend: string, targets = panels) =>
        (await values(expr(targets, `Metric points per second / ${legend}`)))[''];
      expect(await flow('received')).toBeCloseTo(10, 9);
      expect(await flow('sent to Mimir')).toBeCloseTo(10, 9);
      for (const legend of [
        'refused by the pipeline',
        'failed in the receiver',
        'send failed',
        'dropped: queue full',
      ]) {
        expect(await flow(legend), legend).toBe(0);
      }
      expect(await values(expr(panels, 'Memory-limiter refusals / refused'))).toEqual({ '': 0 });
      expect(await values(expr(panels, 'Exporter queue / queued {{exporter}}'), 'exporter')).toEqual({
        prometheusremotewrite: 0,
      });
      expect(await values(expr(panels, 'Exporter queue / capacity {{exporter}}'), 'exporter')).toEqual({
        prometheusremotewrite: 10000,
      });
      expect(await values(expr(panels, 'Collector pods scraped / __auto'))).toEqual({ '': 2 });
    });

    it('collector health under pressure: refusals, failed sends, the queue and a pod down show', async () => {
      const flow = async (legend: string) => (await values(expr(under, `Metric points per second / ${legend}`)))[''];
      expect(await flow('refused by the pipeline')).toBeCloseTo(2, 9);
      expect(await flow('send failed')).toBeCloseTo(4, 9);
      expect((await values(expr(under, 'Memory-limiter refusals / refused')))['']).toBeCloseTo(2, 9);
      expect(await values(expr(under, 'Exporter queue / queued {{exporter}}'), 'exporter')).toEqual({
        prometheusremotewrite: 32,
      });
      expect(await values(expr(under, 'Collector pods scraped / __auto'))).toEqual({ '': 1 });
    });

    it('a deployment with nothing in Mimir shows no data in every panel (never a reassuring 0)', async () => {
      for (const [key, query] of none) expect(await vector(query), `${key}: ${query}`).toEqual([]);
    });
  },
);
