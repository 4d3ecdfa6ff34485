/**
 * The continuous-evidence alert rules (issue 14, docs/alerts.md): Prometheus rule groups from one
 * environment's values, as plain data. The same groups become a PrometheusRule in
 * `dist/<env>/alerts.yaml` (src/charts/alerts-chart.ts), the Mimir ruler's rule file
 * `dist/<env>.mimir-rules.yaml` that `npm run rules -- --sync` loads, and the rule file the
 * promtool tests and the real-Prometheus tests read.
 *
 * Two kinds of series, two kinds of window (docs/continuous-evidence.md "The metric contract"):
 * - The runner pushes once per run (a short-lived process): its series have one sample per
 *   schedule. Its alerts read `*_over_time` windows at least one schedule long, never `rate()`.
 * - The collector runs for days and the cluster's agent scrapes its own metrics about every
 *   minute: its counters are read with `rate(...[5m])`, its health with the agent's `up`.
 *
 * Every alert carries `severity`, `component` and the environment's `environment` and `namespace`
 * (the labels Alertmanager routes on, docs/alerts.md "Routing"), the environment's extra labels,
 * a `summary`, a `description` and a `runbook_url` into docs/alerts.md.
 */
import { COLLECTOR_SELF_METRICS, SCRAPE_UP_METRIC } from '../collector/self-metrics.js';
import { OTEL_COLLECTOR_NAME } from '../collector/service.js';
import { COLLECTOR_RATE_WINDOW, type DashboardScope, selector } from './dashboard-queries.js';
import { EVIDENCE_METRICS, FAILING_STATUS_CODE, RUNNER_SERVICE_NAME } from './metrics.js';

/** What the rules of one environment select on (the dashboard's scope: the same series) and carry. */
export interface AlertScope extends DashboardScope {
  /** Where docs/alerts.md is read (each rule links `<runbookUrl>#<anchor>`). */
  readonly runbookUrl: string;
  /** Extra labels on every alert (`continuous.alerts.labels`). */
  readonly labels: Readonly<Record<string, string>>;
}

/** One alerting rule, as a Prometheus rule file holds it. */
export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: {
    readonly summary: string;
    readonly description: string;
    readonly runbook_url: string;
  };
}

/** One rule group, as a Prometheus rule file (and Mimir's ruler API) holds it. */
export interface RuleGroup {
  readonly name: string;
  readonly interval: string;
  readonly rules: readonly AlertingRule[];
}

/** The alerts, by role: names, severities, components and runbook anchors in one place. */
export const ALERTS = {
  probeFailing: {
    name: 'ArcadeProbeFailing',
    severity: 'critical',
    component: 'probes',
    anchor: 'arcadeprobefailing',
  },
  runnerSilent: {
    name: 'ArcadeProbeRunnerSilent',
    severity: 'warning',
    component: 'probe-runner',
    anchor: 'arcadeproberunnersilent',
  },
  collectorSendFailures: {
    name: 'ArcadeCollectorSendFailures',
    severity: 'warning',
    component: 'collector',
    anchor: 'arcadecollectorsendfailures',
  },
  engineSeriesMissing: {
    name: 'ArcadeEngineSeriesMissing',
    severity: 'warning',
    component: 'engine-telemetry',
    anchor: 'arcadeengineseriesmissing',
  },
  collectorDown: {
    name: 'ArcadeCollectorDown',
    severity: 'critical',
    component: 'collector',
    anchor: 'arcadecollectordown',
  },
} as const;

/** A probe alerts when it failed (fail or error) in this many consecutive runs. */
const FAILING_RUNS = 2;
/** The runner is silent when no run arrived for this many schedules. */
const SILENT_SCHEDULES = 3;
/** The engine's series are missing when none arrived through the collector for this long (it pushes about every 60 s). */
const ENGINE_SILENCE = '10m';
/** How long the collector's send failures and its absence last before they alert. */
const COLLECTOR_FOR = '5m';
/** How often the groups are evaluated (Prometheus' and Mimir's default). */
const EVALUATION_INTERVAL = '1m';

/**
 * What every rule group the stack makes is named with. In a Mimir ruler namespace a group is the
 * stack's exactly when its whole name matches RULE_GROUP_NAME (`npm run rules` writes and deletes no
 * other; ruler-plan.ts, docs/alerts.md "What the sync owns"): **a new group name must match it**
 * (a test checks every RULE_GROUP_NAMES value).
 */
export const RULE_GROUP_PREFIX = 'arcade-evidence-';

/**
 * The shape of the stack's group names: the prefix, then lower-case letters, digits and dashes. Such
 * a name is left unchanged by encodeURIComponent, so no proxy's decoding (`%2F`, `..`) can turn a
 * DELETE of it into a request for another group; any other name is not the stack's.
 */
export const RULE_GROUP_NAME = new RegExp(`^${RULE_GROUP_PREFIX}[a-z0-9-]+$`);

/** The rule groups' names; `alerts.rules-loaded` and `npm run rules` look for exactly these. */
export const RULE_GROUP_NAMES = {
  probes: `${RULE_GROUP_PREFIX}probes`,
  telemetry: `${RULE_GROUP_PREFIX}telemetry`,
} as const;

/**
 * The alerts of each rule group, whatever the environment (`alertRuleGroups` builds each group with
 * exactly these; test/probes/rules-loaded.test.ts "the targets of alerts.rules-loaded" keeps the
 * two equal): what `alerts.rules-loaded` expects the tenant's ruler to list, as its targets hold it.
 */
export function ruleGroupAlerts(): { name: string; alerts: string[] }[] {
  return [
    { name: RULE_GROUP_NAMES.probes, alerts: [ALERTS.probeFailing.name, ALERTS.runnerSilent.name] },
    {
      name: RULE_GROUP_NAMES.telemetry,
      alerts: [ALERTS.collectorSendFailures.name, ALERTS.engineSeriesMissing.name, ALERTS.collectorDown.name],
    },
  ];
}

/** Every rule group of one environment. */
export function alertRuleGroups(scope: AlertScope): RuleGroup[] {
  const runner = selector({ job: RUNNER_SERVICE_NAME, environment: scope.environment });
  const collector = selector({ job: OTEL_COLLECTOR_NAME, namespace: scope.namespace });
  const engine = selector({ [scope.collectorLabel.name]: scope.collectorLabel.value, job: scope.engineJob });
  const failingWindow = `${FAILING_RUNS * scope.scheduleMinutes}m`;
  const silentWindow = `${SILENT_SCHEDULES * scope.scheduleMinutes}m`;
  const status = `${EVIDENCE_METRICS.probeStatus.prometheus}${runner}`;
  const m = COLLECTOR_SELF_METRICS;
  const lost = (metric: string) =>
    `sum by (namespace, exporter) (rate(${metric}${collector}[${COLLECTOR_RATE_WINDOW}])) > 0`;

  const rule = (
    role: keyof typeof ALERTS,
    expr: string,
    forDuration: string | undefined,
    summary: string,
    description: string,
  ): AlertingRule => {
    const a = ALERTS[role];
    return {
      alert: a.name,
      expr,
      ...(forDuration ? { for: forDuration } : {}),
      labels: {
        ...scope.labels,
        severity: a.severity,
        component: a.component,
        environment: scope.environment,
        namespace: scope.namespace,
      },
      annotations: { summary, description, runbook_url: `${scope.runbookUrl}#${a.anchor}` },
    };
  };

  return [
    {
      name: RULE_GROUP_NAMES.probes,
      interval: EVALUATION_INTERVAL,
      rules: [
        rule(
          'probeFailing',
          // Every run of the window failed, and the window holds at least FAILING_RUNS runs: one bad
          // run is noise, two in a row is a fact. A runner that stops drains the window (then
          // ArcadeProbeRunnerSilent says so) instead of keeping a stale failure firing.
          `min_over_time(${status}[${failingWindow}]) >= ${FAILING_STATUS_CODE}\n` +
            `and\ncount_over_time(${status}[${failingWindow}]) >= ${FAILING_RUNS}`,
          undefined,
          `Probe {{ $labels.probe }} failed in ${FAILING_RUNS} consecutive runs in ${scope.environment}`,
          `Probe {{ $labels.probe }} reported fail or error (status code >= ${FAILING_STATUS_CODE}; the worst in the window is {{ $value }}) ` +
            `in every run of the last ${failingWindow}. Run npm run probe -- --env ${scope.environment} for the evidence.`,
        ),
        rule(
          'runnerSilent',
          // Absence, not the timestamp's value: a run that arrives is what counts, whatever clock it read.
          `absent_over_time(${EVIDENCE_METRICS.lastRunTimestamp.prometheus}${runner}[${silentWindow}])`,
          undefined,
          `No probe run arrived from ${scope.environment} for ${SILENT_SCHEDULES} schedules (${silentWindow})`,
          `No ${EVIDENCE_METRICS.lastRunTimestamp.prometheus} sample from job ${RUNNER_SERVICE_NAME} in the last ${silentWindow}: ` +
            `the CronJob did not run, its runs fail before they export, or the telemetry path (collector, Mimir) drops them. ` +
            'Until it runs again there is no continuous evidence.',
        ),
      ],
    },
    {
      name: RULE_GROUP_NAMES.telemetry,
      interval: EVALUATION_INTERVAL,
      rules: [
        rule(
          'collectorSendFailures',
          `${lost(m.exporterSendFailed)}\nor\n${lost(m.exporterEnqueueFailed)}`,
          COLLECTOR_FOR,
          `The collector in ${scope.namespace} is losing metric points (exporter {{ $labels.exporter }})`,
          "The collector's exporter {{ $labels.exporter }} failed to send or enqueue " +
            `{{ $value | printf "%.2f" }} points/s over the last ${COLLECTOR_RATE_WINDOW} ` +
            `(${m.exporterSendFailed}, ${m.exporterEnqueueFailed}): those points never reach Mimir.`,
        ),
        rule(
          'engineSeriesMissing',
          `absent_over_time(${engine}[${ENGINE_SILENCE}])`,
          undefined,
          `No engine series arrived through the collector of ${scope.namespace} for ${ENGINE_SILENCE}`,
          `No series with job="${scope.engineJob}" and ${scope.collectorLabel.name}="${scope.collectorLabel.value}" in the last ${ENGINE_SILENCE}: ` +
            'the engine stopped pushing, pushes elsewhere, under another service name, or the collector drops its metrics.',
        ),
        rule(
          'collectorDown',
          `sum by (namespace) (${SCRAPE_UP_METRIC}${collector}) == 0\nor\nabsent_over_time(${SCRAPE_UP_METRIC}${collector}[${COLLECTOR_FOR}])`,
          COLLECTOR_FOR,
          `The collector ${OTEL_COLLECTOR_NAME} in ${scope.namespace} is down`,
          `The cluster's agent reached no ${OTEL_COLLECTOR_NAME} pod in ${scope.namespace} (up == 0 or no scrape target at all) for ${COLLECTOR_FOR}: ` +
            "the engine's and the probe runner's metrics are dropped while it is down.",
        ),
      ],
    },
  ];
}

/** A Prometheus rule file (`rule_files:`, `promtool check rules`): the groups under `groups:`. */
export function ruleFile(groups: readonly RuleGroup[]): { readonly groups: readonly RuleGroup[] } {
  return { groups };
}

/** A Mimir ruler rule file (mimirtool's format, `mimirtool rules load`): the ruler namespace and its groups. */
export function mimirRuleFile(
  namespace: string,
  groups: readonly RuleGroup[],
): { readonly namespace: string; readonly groups: readonly RuleGroup[] } {
  return { namespace, groups };
}
