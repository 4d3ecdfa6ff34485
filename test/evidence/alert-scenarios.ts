/**
 * What each continuous-evidence alert must do, as scenarios shared by the promtool unit tests
 * (alert-rules-promtool.test.ts: the rules as an evaluator runs them, `for:` included) and the
 * real-Prometheus tests (alert-queries.test.ts: each rule's expression over series pushed through
 * remote write). A scenario is a set of series, one value per minute (`undefined`: no sample that
 * minute), shaped as they reach Mimir:
 * - the runner's, pushed once per run (every 5 minutes) through the collector: the remote-write
 *   translator's shaping (test/support/otel-series.ts `exportedSeries`: job, instance, the
 *   collector's external labels, the scope labels);
 * - the engine's, pushed about every minute through the collector, shaped the same way;
 * - the collector's own metrics and `up`, scraped by the cluster's agent every minute
 *   (`scrapedSeries`: job = the Service, namespace, pod, ...).
 * Each check names the rows the rule's expression returns at that minute (labels and value), and
 * whether the alert fires then (after its `for:`).
 */
import { COLLECTOR_SELF_METRICS, SCRAPE_UP_METRIC } from '../../src/collector/self-metrics.js';
import { COLLECTOR_LABEL, collectorLabelValue, OTEL_COLLECTOR_NAME } from '../../src/collector/service.js';
import type { ALERTS, AlertScope } from '../../src/evidence/alerts.js';
import { EVIDENCE_METRICS, PROBE_STATUS_CODES, RUNNER_SERVICE_NAME } from '../../src/evidence/metrics.js';
import { engineResource, exportedSeries, otherClientResource, scrapedSeries } from '../../src/loopback/otel-series.js';

export const CLUSTER = 'alerts-cluster';
export const RUNBOOK = 'https://git.example.com/platform/arcade-stack/blob/main/docs/alerts.md';

/** The scope of one environment whose series live in a TSDB beside others' (told apart by environment and namespace). */
export function scopeOf(environment: string, namespace: string): AlertScope {
  return {
    environment,
    namespace,
    collectorLabel: { name: COLLECTOR_LABEL, value: collectorLabelValue(CLUSTER, namespace) },
    engineJob: 'arcade_engine',
    scheduleMinutes: 5,
    runbookUrl: RUNBOOK,
    labels: { team: 'platform' },
  };
}

/** One series over the scenario's minutes. */
export interface Timeline {
  readonly labels: Readonly<Record<string, string>>;
  /** The value at minute i, or undefined for no sample. */
  readonly values: readonly (number | undefined)[];
}

/** A row the rule's expression returns: its labels (no rule labels) and value. */
export interface Row {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Check {
  readonly minute: number;
  /** What the expression returns then (empty: nothing). */
  readonly rows: readonly Row[];
  /** Whether the alert fires then (its `for:` passed); the firing alerts are the rows. */
  readonly fires: boolean;
}

export interface Scenario {
  readonly title: string;
  readonly alert: keyof typeof ALERTS;
  readonly series: (scope: AlertScope) => readonly Timeline[];
  readonly checks: (scope: AlertScope) => readonly Check[];
}

/** The collector's external labels in a namespace (what it adds to everything it relays). */
function external(scope: AlertScope): Record<string, string> {
  return { cluster: CLUSTER, namespace: scope.namespace, [COLLECTOR_LABEL]: scope.collectorLabel.value };
}

/** Values every `every` minutes from `from` to `to` (inclusive), undefined in between. */
function every(
  every: number,
  values: readonly number[],
  { from = 0, length }: { from?: number; length: number },
): (number | undefined)[] {
  const out: (number | undefined)[] = Array.from({ length }, () => undefined);
  values.forEach((v, i) => {
    const minute = from + i * every;
    if (minute < length) out[minute] = v;
  });
  return out;
}

/** The labels of one runner metric data point, as the translator writes them. */
function runnerLabels(scope: AlertScope, name: string, attributes: Record<string, string>): Record<string, string> {
  const [series] = exportedSeries(
    {
      attributes: { 'service.name': RUNNER_SERVICE_NAME, 'service.instance.id': `arcade-probes-${scope.environment}` },
      scope: { name: 'arcade-stack/probes' },
      metrics: [{ name, attributes, value: 0 }],
    },
    external(scope),
  );
  return series!.labels;
}

const withoutName = (labels: Readonly<Record<string, string>>): Record<string, string> => {
  const { __name__: _name, ...rest } = labels;
  return rest;
};

function statusSeries(scope: AlertScope, probe: string, runs: readonly number[], length: number): Timeline {
  return {
    labels: runnerLabels(scope, EVIDENCE_METRICS.probeStatus.prometheus, { probe, environment: scope.environment }),
    values: every(5, runs, { length }),
  };
}

function lastRunSeries(scope: AlertScope, runs: number, length: number, from = 0): Timeline {
  return {
    labels: runnerLabels(scope, EVIDENCE_METRICS.lastRunTimestamp.prometheus, { environment: scope.environment }),
    // The value is the run's end time; the alert reads presence only, so any increasing value does.
    values: every(
      5,
      Array.from({ length: runs }, (_, i) => 1_780_000_000 + (from + 5 * i) * 60),
      { from, length },
    ),
  };
}

const target = (scope: AlertScope, n: number) => ({
  service: OTEL_COLLECTOR_NAME,
  namespace: scope.namespace,
  pod: `${OTEL_COLLECTOR_NAME}-5f7b9c-${n}`,
  container: 'otel-collector',
  endpoint: 'metrics',
  instance: `10.244.1.${n}:8888`,
  externalLabels: { cluster: CLUSTER },
});

function scraped(scope: AlertScope, pod: number, name: string, labels: Record<string, string>): Record<string, string> {
  return scrapedSeries(target(scope, pod), [{ name, labels, value: 0 }])[0]!.labels;
}

const EXPORTER = { exporter: 'prometheusremotewrite', service_name: 'otelcol-contrib', service_version: '0.159.0' };

/** A counter growing by `perMinute` from minute `from` on (flat before), for `length` minutes. */
function counter(perMinute: number, length: number, from = 0): number[] {
  return Array.from({ length }, (_, i) => 100 + Math.max(0, i - from) * perMinute);
}

const none = (minute: number): Check => ({ minute, rows: [], fires: false });

export const SCENARIOS: readonly Scenario[] = [
  {
    title: 'a probe failing in two consecutive runs fires; its neighbour passing does not',
    alert: 'probeFailing',
    series: (s) => [
      statusSeries(s, 'gateway.exec-proof', [0, 3, 3], 12),
      statusSeries(s, 'otel.metrics-in-mimir', [0, 0, 0], 12),
    ],
    checks: (s) => {
      const labels = withoutName(statusSeries(s, 'gateway.exec-proof', [], 1).labels);
      // Checks fall between runs (as real runs end at any second): a check on a run's minute would
      // see the window's first sample in Prometheus 2 (closed ranges) but not in 3 (left-open).
      return [none(6), none(9), { minute: 11, rows: [{ labels, value: 3 }], fires: true }];
    },
  },
  {
    title: 'error then fail is failing twice (the value is the better of the two)',
    alert: 'probeFailing',
    series: (s) => [statusSeries(s, 'oauth.token-status', [4, 3], 6)],
    checks: (s) => [
      none(0),
      {
        minute: 5,
        rows: [{ labels: withoutName(statusSeries(s, 'oauth.token-status', [], 1).labels), value: 3 }],
        fires: true,
      },
    ],
  },
  {
    title: 'one failed run between passes never fires',
    alert: 'probeFailing',
    series: (s) => [statusSeries(s, 'gateway.latency', [0, 3, 0, 3, 0], 21)],
    checks: () => [none(6), none(11), none(16), none(20)],
  },
  {
    title: 'known gaps and skips in a row never fire',
    alert: 'probeFailing',
    series: (s) => [
      statusSeries(s, 'oauth.token-status', [PROBE_STATUS_CODES['known-gap'], PROBE_STATUS_CODES['known-gap']], 6),
      statusSeries(s, 'gateway.tools-list', [PROBE_STATUS_CODES.skip, PROBE_STATUS_CODES.skip], 6),
    ],
    checks: () => [none(5)],
  },
  {
    title: 'a runner that stops after failing runs stops this alert (the silence alert takes over)',
    alert: 'probeFailing',
    series: (s) => [statusSeries(s, 'gateway.exec-proof', [3, 3], 17)],
    checks: (s) => [
      {
        minute: 5,
        rows: [{ labels: withoutName(statusSeries(s, 'gateway.exec-proof', [], 1).labels), value: 3 }],
        fires: true,
      },
      none(16),
    ],
  },
  {
    title: 'the runner silent for three schedules fires; a late run does not',
    alert: 'runnerSilent',
    // Runs at 0, 5, 10, then a late one at 22 (12 minutes after the last), then nothing.
    series: (s) => {
      const timeline = lastRunSeries(s, 3, 40);
      const values = [...timeline.values];
      values[22] = 1_780_000_000 + 22 * 60;
      return [{ labels: timeline.labels, values }];
    },
    checks: (s) => {
      const labels = { job: RUNNER_SERVICE_NAME, environment: s.environment };
      return [none(10), none(21), none(24), none(36), { minute: 38, rows: [{ labels, value: 1 }], fires: true }];
    },
  },
  {
    title: 'a runner that never ran fires (once the window is empty)',
    alert: 'runnerSilent',
    series: (s) => [lastRunSeries({ ...s, environment: `${s.environment}-other` }, 2, 10)],
    checks: (s) => [
      {
        minute: 5,
        rows: [{ labels: { job: RUNNER_SERVICE_NAME, environment: s.environment }, value: 1 }],
        fires: true,
      },
    ],
  },
  {
    title: 'collector send failures lasting 5 minutes fire; a flat failure counter does not',
    alert: 'collectorSendFailures',
    series: (s) => [
      { labels: scraped(s, 1, COLLECTOR_SELF_METRICS.exporterSendFailed, EXPORTER), values: counter(60, 16, 5) },
      { labels: scraped(s, 1, COLLECTOR_SELF_METRICS.exporterSent, EXPORTER), values: counter(600, 16) },
      { labels: scraped(s, 2, COLLECTOR_SELF_METRICS.exporterSendFailed, EXPORTER), values: counter(0, 16) },
    ],
    checks: (s) => {
      const labels = { namespace: s.namespace, exporter: EXPORTER.exporter };
      return [
        none(5),
        // From minute 10 the 5-minute window holds only growth: 60 points a minute = 1/s.
        { minute: 10, rows: [{ labels, value: 1 }], fires: false },
        { minute: 15, rows: [{ labels, value: 1 }], fires: true },
      ];
    },
  },
  {
    title: 'points dropped from a full queue are send failures too',
    alert: 'collectorSendFailures',
    series: (s) => [
      { labels: scraped(s, 1, COLLECTOR_SELF_METRICS.exporterEnqueueFailed, EXPORTER), values: counter(30, 12) },
    ],
    checks: (s) => [
      {
        minute: 11,
        rows: [{ labels: { namespace: s.namespace, exporter: EXPORTER.exporter }, value: 0.5 }],
        fires: true,
      },
    ],
  },
  {
    title: "the engine's series missing for 10 minutes fires; another client's series do not count",
    alert: 'engineSeriesMissing',
    series: (s) => {
      const engine = exportedSeries(engineResource(), external(s));
      const other = exportedSeries(otherClientResource(), external(s));
      return [
        ...engine.map((e) => ({
          labels: e.labels,
          values: Array.from({ length: 30 }, (_, i) => (i <= 8 ? e.value : undefined)),
        })),
        ...other.map((o) => ({ labels: o.labels, values: Array.from({ length: 30 }, () => o.value) })),
      ];
    },
    checks: (s) => {
      const labels = { [COLLECTOR_LABEL]: s.collectorLabel.value, job: s.engineJob };
      return [none(8), none(18), { minute: 19, rows: [{ labels, value: 1 }], fires: true }];
    },
  },
  {
    title: 'the engine pushing under another service name is missing too (the job the alert expects is not there)',
    alert: 'engineSeriesMissing',
    series: (s) =>
      exportedSeries(engineResource({ serviceName: 'arcade-engine' }), external(s)).map((e) => ({
        labels: e.labels,
        values: Array.from({ length: 12 }, () => e.value),
      })),
    checks: (s) => [
      {
        minute: 11,
        rows: [{ labels: { [COLLECTOR_LABEL]: s.collectorLabel.value, job: s.engineJob }, value: 1 }],
        fires: true,
      },
    ],
  },
  {
    title: 'the collector down (every pod failing its scrape) for 5 minutes fires; one pod of two down does not',
    alert: 'collectorDown',
    series: (s) => [
      { labels: scraped(s, 1, SCRAPE_UP_METRIC, {}), values: [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0] },
      { labels: scraped(s, 2, SCRAPE_UP_METRIC, {}), values: [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0] },
    ],
    checks: (s) => [
      none(5),
      { minute: 6, rows: [{ labels: { namespace: s.namespace }, value: 0 }], fires: false },
      { minute: 11, rows: [{ labels: { namespace: s.namespace }, value: 0 }], fires: true },
    ],
  },
  {
    title: 'the collector gone (no scrape target at all) fires',
    alert: 'collectorDown',
    series: (s) => [{ labels: scraped(s, 1, SCRAPE_UP_METRIC, {}), values: [1, 1, 1] }],
    checks: (s) => {
      const labels = { job: OTEL_COLLECTOR_NAME, namespace: s.namespace };
      return [
        none(7),
        { minute: 8, rows: [{ labels, value: 1 }], fires: false },
        { minute: 13, rows: [{ labels, value: 1 }], fires: true },
      ];
    },
  },
];
