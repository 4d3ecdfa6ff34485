/**
 * The continuous-evidence Grafana dashboard, built from the typed builders of the Grafana
 * Foundation SDK (`@grafana/grafana-foundation-sdk`, the classic dashboard JSON every Grafana
 * version imports and the sidecar loads), with the data source as its one variable. The queries
 * come from ./dashboard-queries.ts; what each panel shows and why its window:
 * docs/continuous-evidence.md "The dashboard".
 *
 * The SDK is loaded on first use, not when this module is imported: it is about 900 KB of
 * CommonJS that every synth would otherwise parse, and only an environment with the continuous
 * mode on needs it (README "Performance budget": no heavy imports on paths that do not need them).
 * Its types are imported as types only; `createRequire` loads the same modules at run time, in the
 * synth bundle (packages stay external there), under tsx and under vitest alike.
 */
import type * as Common from '@grafana/grafana-foundation-sdk/common';
import type * as Grafana from '@grafana/grafana-foundation-sdk/dashboard';
import type * as Prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import type * as Stat from '@grafana/grafana-foundation-sdk/stat';
import type * as Statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import type * as Timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { type DashboardScope, dashboardQueries, LAST_RUN_LOOKBACK } from './dashboard-queries.js';
import { PROBE_STATUS_CODES } from './metrics.js';

/** The SDK modules the dashboard is built with. */
interface Sdk {
  readonly common: typeof Common;
  readonly dashboard: typeof Grafana;
  readonly prometheus: typeof Prometheus;
  readonly stat: typeof Stat;
  readonly statetimeline: typeof Statetimeline;
  readonly timeseries: typeof Timeseries;
}

let loaded: Sdk | undefined;

/** The SDK, loaded once, the first time a dashboard is built. */
function sdk(): Sdk {
  if (!loaded) {
    const require = createRequire(import.meta.url);
    loaded = {
      common: require('@grafana/grafana-foundation-sdk/common') as typeof Common,
      dashboard: require('@grafana/grafana-foundation-sdk/dashboard') as typeof Grafana,
      prometheus: require('@grafana/grafana-foundation-sdk/prometheus') as typeof Prometheus,
      stat: require('@grafana/grafana-foundation-sdk/stat') as typeof Stat,
      statetimeline: require('@grafana/grafana-foundation-sdk/statetimeline') as typeof Statetimeline,
      timeseries: require('@grafana/grafana-foundation-sdk/timeseries') as typeof Timeseries,
    };
  }
  return loaded;
}

/** The data source variable every panel and query reads through. */
export const DATASOURCE_VARIABLE = 'datasource';
const DATASOURCE = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` };

/** Grafana limits a dashboard uid to 40 characters. */
const MAX_UID = 40;

/** The dashboard's uid: `arcade-evidence-<environment>`, or a stable hash of it when that is too long. */
export function dashboardUid(environment: string): string {
  const plain = `arcade-evidence-${environment}`;
  if (plain.length <= MAX_UID) return plain;
  return `arcade-evidence-${createHash('sha256')
    .update(environment)
    .digest('hex')
    .slice(0, MAX_UID - 16)}`;
}

/** Colours of the status codes: the same worse-is-higher order as the codes. */
const STATUS_COLOURS: Record<keyof typeof PROBE_STATUS_CODES, string> = {
  pass: 'green',
  'known-gap': 'blue',
  skip: 'text',
  fail: 'red',
  error: 'orange',
};

/** Value mapping code → status name and colour, for the status panels. */
function statusMappings(): Grafana.ValueMapping[] {
  const options = Object.fromEntries(
    Object.entries(PROBE_STATUS_CODES).map(([status, code]) => [
      String(code),
      { text: status, color: STATUS_COLOURS[status as keyof typeof PROBE_STATUS_CODES], index: code },
    ]),
  );
  return [{ type: sdk().dashboard.MappingType.ValueToText, options }];
}

function thresholds(base: string, steps: readonly (readonly [number, string])[]) {
  const { ThresholdsConfigBuilder, ThresholdsMode } = sdk().dashboard;
  return new ThresholdsConfigBuilder()
    .mode(ThresholdsMode.Absolute)
    .steps([{ value: null, color: base }, ...steps.map(([value, color]) => ({ value, color }))]);
}

function query(refId: string, expr: string, legend: string, kind: 'instant' | 'range') {
  const q = new (sdk().prometheus.DataqueryBuilder)()
    .refId(refId)
    .expr(expr)
    .legendFormat(legend)
    .datasource(DATASOURCE);
  return kind === 'instant' ? q.instant() : q.range();
}

/** A stat panel over one instant query. */
function stat(title: string, description: string, expr: string, legend = '__auto') {
  const { ReduceDataOptionsBuilder, BigValueGraphMode } = sdk().common;
  return new (sdk().stat.PanelBuilder)()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .withTarget(query('A', expr, legend, 'instant'))
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .graphMode(BigValueGraphMode.None);
}

/** A time series panel over range queries. */
function timeseries(title: string, description: string, targets: readonly (readonly [string, string])[]) {
  const panel = new (sdk().timeseries.PanelBuilder)().title(title).description(description).datasource(DATASOURCE);
  targets.forEach(([expr, legend], i) => {
    panel.withTarget(query(String.fromCharCode(65 + i), expr, legend, 'range'));
  });
  return panel;
}

/** The dashboard of one environment, as Grafana's dashboard JSON model. */
export function buildEvidenceDashboard(scope: DashboardScope): Grafana.Dashboard {
  const { BigValueTextMode, VisibilityMode } = sdk().common;
  const { DashboardBuilder, DatasourceVariableBuilder, RowBuilder } = sdk().dashboard;
  const q = dashboardQueries(scope);
  const schedule = scope.scheduleMinutes;
  const lastRun = `the last run's value (last_over_time over ${q.window}, two ${schedule}-minute schedules)`;
  const panels = [
    new RowBuilder(`Probes: the last run (every ${schedule} minutes)`),
    stat('Worst status now', `The worst probe status of ${lastRun}.`, q.worstStatus)
      .mappings(statusMappings())
      .noValue(`no run in ${q.window}`)
      .span(8)
      .height(5),
    stat('Failing probes', `Probes that failed or errored (status >= 3) in ${lastRun}.`, q.failingProbes)
      .thresholds(thresholds('green', [[1, 'red']]))
      .noValue(`no run in ${q.window}`)
      .span(8)
      .height(5),
    stat('Since the last run', 'Time since the last run ended (its last-run timestamp).', q.sinceLastRun)
      .unit('s')
      .thresholds(
        thresholds('green', [
          [2 * schedule * 60, 'orange'],
          [3 * schedule * 60, 'red'],
        ]),
      )
      .noValue(`no run in ${LAST_RUN_LOOKBACK}`)
      .span(8)
      .height(5),
    stat('Probe status now', `Each probe's status in ${lastRun}.`, q.statusByProbe, '{{probe}}')
      .mappings(statusMappings())
      .textMode(BigValueTextMode.ValueAndName)
      .noValue(`no run in ${q.window}`)
      .span(24)
      .height(6),
    new (sdk().statetimeline.PanelBuilder)()
      .title('Probe status over time')
      .description(`Each probe's status at every point: ${lastRun}.`)
      .datasource(DATASOURCE)
      .withTarget(query('A', q.statusByProbe, '{{probe}}', 'range'))
      .mappings(statusMappings())
      .showValue(VisibilityMode.Never)
      .mergeValues(true)
      .span(24)
      .height(10),
    timeseries('Probe duration', `How long each probe took: ${lastRun}.`, [[q.durationByProbe, '{{probe}}']])
      .unit('s')
      .span(24)
      .height(8),
    new RowBuilder("Gateway latency: the last run's tool calls"),
    timeseries(
      'Gateway latency percentiles',
      "Percentiles of the tool-call latency through each gateway, from the last run's histogram buckets " +
        `(last_over_time over ${q.window}; never rate(): every run is a new process whose counters restart).`,
      q.latency.map((l) => [l.expr, `p${Math.round(l.quantile * 100)} {{gateway}}`] as const),
    )
      .unit('s')
      .span(16)
      .height(8),
    stat(
      'Tool calls measured',
      'How many tool calls the percentiles of the last run rest on.',
      q.latencyCalls,
      '{{gateway}}',
    )
      .textMode(BigValueTextMode.ValueAndName)
      .noValue(`no run in ${q.window}`)
      .span(8)
      .height(8),
    new RowBuilder("Telemetry path: the engine's series in Mimir"),
    stat(
      'Engine series through the collector',
      `Series of job "${scope.engineJob}" carrying the collector's label ${scope.collectorLabel.name}: ` +
        "the engine's metrics arrived through the stack's collector.",
      q.engineSeries,
    )
      .thresholds(thresholds('red', [[1, 'green']]))
      .noValue(`none: no series of job ${scope.engineJob} came through the collector`)
      .span(8)
      .height(8),
    timeseries(
      'Series relayed by the collector, by job',
      'Every job that pushed through the collector, with its series count: a wrong engine job name shows here.',
      [[q.relayedByJob, '{{job}}']],
    )
      .span(16)
      .height(8),
    new RowBuilder('Collector health: its own metrics, scraped by the cluster agent'),
    timeseries('Metric points per second', 'Points received, refused, failed, sent and lost by the collector.', [
      [q.collectorFlow.received, 'received'],
      [q.collectorFlow.refused, 'refused by the pipeline'],
      [q.collectorFlow.failed, 'failed in the receiver'],
      [q.collectorFlow.sent, 'sent to Mimir'],
      [q.collectorFlow.sendFailed, 'send failed'],
      [q.collectorFlow.enqueueFailed, 'dropped: queue full'],
    ])
      .unit('short')
      .span(12)
      .height(8),
    timeseries('Exporter queue', 'Batches waiting to be sent to Mimir, and the queue capacity.', [
      [q.queueSize, 'queued {{exporter}}'],
      [q.queueCapacity, 'capacity {{exporter}}'],
    ])
      .span(4)
      .height(8),
    timeseries('Memory-limiter refusals', 'Points per second the memory limiter refused (0 while it never refused).', [
      [q.memoryLimiterRefused, 'refused'],
    ])
      .span(4)
      .height(8),
    stat(
      'Collector pods scraped',
      "Collector pods whose own metrics the agent scraped successfully (the agent's up).",
      q.collectorUp,
    )
      .thresholds(thresholds('red', [[1, 'green']]))
      .noValue('no collector target scraped')
      .span(4)
      .height(8),
  ];

  const builder = new DashboardBuilder(`Arcade continuous evidence: ${scope.environment}`)
    .uid(dashboardUid(scope.environment))
    .description(
      "Probe results over time, gateway latency, the engine's series and the collector's health for " +
        `${scope.environment} (arcade-stack, docs/continuous-evidence.md).`,
    )
    .tags(['arcade-stack', 'continuous-evidence'])
    .readonly()
    .refresh('1m')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('utc')
    .withVariable(new DatasourceVariableBuilder(DATASOURCE_VARIABLE).label('Data source (Mimir)').type('prometheus'));
  let id = 0;
  for (const panel of panels) {
    id += 1;
    if (panel instanceof RowBuilder) builder.withRow(panel.id(id));
    else builder.withPanel(panel.id(id));
  }
  return builder.build();
}

/** The dashboard as the file Grafana imports: pretty JSON, one trailing newline, the same bytes every time. */
export function evidenceDashboardJson(scope: DashboardScope): string {
  return `${JSON.stringify(buildEvidenceDashboard(scope), null, 2)}\n`;
}
