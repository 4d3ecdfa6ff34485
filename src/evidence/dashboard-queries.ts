/**
 * The PromQL of every panel of the continuous-evidence dashboard (./dashboard.ts), as plain
 * strings from one environment's values: no Grafana variable but the data source, so what the
 * dashboard asks is exactly what the tests ask a real Prometheus (test/evidence/dashboard-queries.test.ts).
 *
 * Two kinds of series, two kinds of window (docs/continuous-evidence.md "The dashboard"):
 * - The runner pushes once per run (a short-lived process), so its series have one sample per
 *   schedule. Its panels read `last_over_time(...[<two schedules>])` (`lastRunWindow`): the last
 *   run's value at every point of the graph, never empty between runs, never a blink. Latency
 *   percentiles come from the last run's buckets; never `rate()`, which would see a counter reset at
 *   every run (each run is a new process).
 * - The collector runs for days and the cluster's agent scrapes its own metrics; its counters are
 *   read with `rate(...[5m])`, at least four scrapes at the agent's usual 1-minute interval.
 */
import { COLLECTOR_SELF_METRICS, SCRAPE_UP_METRIC } from '../collector/self-metrics.js';
import { OTEL_COLLECTOR_NAME } from '../collector/service.js';
import { EVIDENCE_METRICS, FAILING_STATUS_CODE, lastRunWindow, RUNNER_SERVICE_NAME } from './metrics.js';

/** What the queries of one environment's dashboard select on. */
export interface DashboardScope {
  /** The environment's name: the runner's `environment` attribute, the dashboard's title and uid. */
  readonly environment: string;
  /** The namespace the collector runs in (its scraped self-metrics carry it as `namespace`). */
  readonly namespace: string;
  /** The label the collector puts on every series it relays (src/collector/service.ts). */
  readonly collectorLabel: { readonly name: string; readonly value: string };
  /** The engine's `job` in Mimir (`probes.mimir.engineJob`; vendor docs: `arcade_engine`, unconfirmed). */
  readonly engineJob: string;
  /** How often the runner runs, in minutes (the window of the last-run panels derives from it). */
  readonly scheduleMinutes: number;
}

/** The `rate()` window of the collector's counters: at least four scrapes at a 1-minute interval. */
export const COLLECTOR_RATE_WINDOW = '5m';
/** How far back "since the last run" looks: older than this, the panel says no run in a day. */
export const LAST_RUN_LOOKBACK = '1d';
/** The latency percentiles the latency panel draws. */
export const LATENCY_QUANTILES = [0.5, 0.9, 0.99] as const;

/** `{a="x",b="y"}`: a PromQL selector (JSON's string escapes are a subset of PromQL's). */
export function selector(labels: Readonly<Record<string, string>>): string {
  return `{${Object.entries(labels)
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
    .join(',')}}`;
}

/** Every query of the dashboard, by panel. */
export function dashboardQueries(scope: DashboardScope) {
  const window = lastRunWindow(scope.scheduleMinutes);
  const runner = selector({ job: RUNNER_SERVICE_NAME, environment: scope.environment });
  const collector = selector({ job: OTEL_COLLECTOR_NAME, namespace: scope.namespace });
  const relayed = { [scope.collectorLabel.name]: scope.collectorLabel.value };
  const last = (metric: string) => `last_over_time(${metric}${runner}[${window}])`;
  const status = last(EVIDENCE_METRICS.probeStatus.prometheus);
  const rate = (metric: string) => `sum(rate(${metric}${collector}[${COLLECTOR_RATE_WINDOW}]))`;
  const m = COLLECTOR_SELF_METRICS;
  return {
    window,
    /** The worst status of the last run (0 pass ... 4 error). */
    worstStatus: `max(${status})`,
    /** How many probes failed or errored in the last run (0 when none; no data when no run). */
    failingProbes: `sum(${status} >= bool ${FAILING_STATUS_CODE})`,
    /** Seconds since the last run ended. */
    sinceLastRun: `time() - max(last_over_time(${EVIDENCE_METRICS.lastRunTimestamp.prometheus}${runner}[${LAST_RUN_LOOKBACK}]))`,
    /** Each probe's status in the last run: the "now" tiles (instant) and the timeline (range). */
    statusByProbe: `max by (probe) (${status})`,
    /** Each probe's duration in the last run. */
    durationByProbe: `max by (probe) (${last(EVIDENCE_METRICS.probeDuration.prometheus)})`,
    /** Latency percentiles per gateway, from the last run's buckets. */
    latency: LATENCY_QUANTILES.map((q) => ({
      quantile: q,
      expr: `histogram_quantile(${q}, sum by (gateway, le) (${last(`${EVIDENCE_METRICS.gatewayLatency.prometheus}_bucket`)}))`,
    })),
    /** How many tool calls the percentiles rest on, per gateway. */
    latencyCalls: `sum by (gateway) (${last(`${EVIDENCE_METRICS.gatewayLatency.prometheus}_count`)})`,
    /** The engine's series that arrived through the collector (no data: none). */
    engineSeries: `count(${selector({ ...relayed, job: scope.engineJob })})`,
    /** Every job that pushed through the collector, with its series count (a wrong engine job shows here). */
    relayedByJob: `count by (job) (${selector(relayed)})`,
    /** Points per second through the collector, received to sent. */
    collectorFlow: {
      received: rate(m.receiverAccepted),
      refused: rate(m.receiverRefused),
      failed: rate(m.receiverFailed),
      sent: rate(m.exporterSent),
      sendFailed: rate(m.exporterSendFailed),
      enqueueFailed: rate(m.exporterEnqueueFailed),
    },
    /** Batches waiting in each exporter's queue, and its capacity. */
    queueSize: `max by (exporter) (${m.exporterQueueSize}${collector})`,
    queueCapacity: `max by (exporter) (${m.exporterQueueCapacity}${collector})`,
    /**
     * Points per second the memory limiter refused: 0 while it runs without refusing (its refused
     * series appears only at the first refusal), no data when the collector's metrics are missing.
     */
    memoryLimiterRefused: `${rate(m.memoryLimiterRefused)} or (0 * ${rate(m.memoryLimiterAccepted)})`,
    /** Collector pods the agent scraped successfully, of those it tried. */
    collectorUp: `sum(${SCRAPE_UP_METRIC}${collector})`,
    collectorTargets: `count(${SCRAPE_UP_METRIC}${collector})`,
  };
}
