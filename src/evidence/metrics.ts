/**
 * The continuous-evidence metric contract (issue 14), shared by the probe runner that exports the
 * metrics, the Grafana dashboard and the alert rules that read them. One definition: change it
 * here and in docs/continuous-evidence.md "The metric contract" in the same commit.
 *
 * The runner exports OTLP (cumulative temporality: the collector's `prometheusremotewrite`
 * exporter drops delta) to the stack's collector, which remote-writes to Mimir. The exporter's
 * translator appends unit and type suffixes (contrib `pkg/translator/prometheus`
 * `BuildCompliantName`, `add_metric_suffixes` default true): unit `s` becomes `_seconds`, a
 * histogram becomes `_bucket`/`_sum`/`_count`, a unitless gauge keeps its name. The resource's
 * `service.name` becomes `job`, `service.instance.id` becomes `instance`, and the collector's
 * external labels (`cluster`, `namespace`, `arcade_stack_collector`) are added to every series
 * (contrib `pkg/translator/prometheusremotewrite/helper.go`, `createAttributes`).
 *
 * No imports: the dashboard, the rules, the environments and the runner load it without cdk8s or zod
 * (and the probes' types are checked against it by a test, so it sits below the probes).
 */

/** The probe statuses (src/probes/types.ts `ProbeStatus`; test/evidence/metrics.test.ts keeps the two equal). */
type MetricProbeStatus = 'pass' | 'known-gap' | 'skip' | 'fail' | 'error';

/**
 * The status gauge's value per probe status: worse is higher, so `>= FAILING_STATUS_CODE` means
 * failing and `max` over probes is the worst status.
 */
export const PROBE_STATUS_CODES = {
  pass: 0,
  'known-gap': 1,
  skip: 2,
  fail: 3,
  error: 4,
} as const satisfies Record<MetricProbeStatus, number>;

/** `arcade_probe_status >= 3`: the probe failed or could not establish its fact. */
export const FAILING_STATUS_CODE = PROBE_STATUS_CODES.fail;

/** The runner's OTel `service.name`, so its series carry `job="arcade-probes"` in Mimir. */
export const RUNNER_SERVICE_NAME = 'arcade-probes';

/** The runner's instrumentation scope (the meter name): `otel_scope_name` on every series in Mimir. */
export const RUNNER_METER_NAME = 'arcade-stack/probes';

/**
 * The runner's `service.instance.id` (`instance` in Mimir): derived from the environment's name
 * only, so every run of one environment (a new process, a new pod each time) writes the same
 * series. A pod name or a random id would start new series at every run (288 a day per probe on a
 * 5-minute schedule), and `last_over_time` over them would keep a stale run's value beside the new
 * one. Runs of one environment from anywhere (the CronJob, a post-deploy CI run) share the series:
 * they report the same thing, the state of that environment.
 */
export function runnerInstanceId(environment: string): string {
  return `${RUNNER_SERVICE_NAME}-${environment}`;
}

/**
 * Bucket boundaries (seconds) of `arcade_gateway_latency`: Prometheus' default buckets (client_golang
 * `DefBuckets`, 5 ms to 10 s, what a reader of a Prometheus histogram expects) plus 1.5 s, the default
 * p95 budget of `gateway.latency` (src/environments/probe-targets.ts `DEFAULT_P95_BUDGET_MS`), so the
 * share of calls within the budget is read from a bucket boundary, not interpolated across 1-2.5 s.
 * Calls slower than 10 s land in `+Inf` (the probe's own timeout ends them soon after).
 */
export const GATEWAY_LATENCY_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2.5, 5, 10] as const;

/** One metric of the contract: the OTLP instrument and the name it has in Mimir. */
export interface EvidenceMetric {
  /** The OTLP instrument name the runner creates. */
  readonly instrument: string;
  readonly kind: 'gauge' | 'histogram';
  /** UCUM unit (`s`), or '' for none. */
  readonly unit: string;
  /** Data point attributes (labels in Mimir). */
  readonly attributes: readonly string[];
  /** The Prometheus metric name in Mimir (a histogram's base name: add `_bucket`, `_sum`, `_count`). */
  readonly prometheus: string;
  readonly description: string;
}

/** Every metric the runner exports, by role. */
export const EVIDENCE_METRICS = {
  probeStatus: {
    instrument: 'arcade_probe_status',
    kind: 'gauge',
    unit: '',
    attributes: ['probe', 'environment'],
    prometheus: 'arcade_probe_status',
    description: 'Status of the probe in the last run: 0 pass, 1 known-gap, 2 skip, 3 fail, 4 error',
  },
  probeDuration: {
    instrument: 'arcade_probe_duration',
    kind: 'gauge',
    unit: 's',
    attributes: ['probe', 'environment'],
    prometheus: 'arcade_probe_duration_seconds',
    description: 'How long the probe took in the last run',
  },
  gatewayLatency: {
    instrument: 'arcade_gateway_latency',
    kind: 'histogram',
    unit: 's',
    attributes: ['gateway', 'environment'],
    prometheus: 'arcade_gateway_latency_seconds',
    description: 'Latency of the tool calls gateway.latency made through each gateway in the last run',
  },
  lastRunTimestamp: {
    instrument: 'arcade_probe_last_run_timestamp',
    kind: 'gauge',
    unit: 's',
    attributes: ['environment'],
    prometheus: 'arcade_probe_last_run_timestamp_seconds',
    description: 'Unix time at which the last run ended',
  },
} as const satisfies Record<string, EvidenceMetric>;

/** How often the runner runs by default (the CronJob's `*\/5 * * * *`). */
export const DEFAULT_SCHEDULE_MINUTES = 5;

/**
 * The `*_over_time` window that reads "the last run": one push per run means one sample per
 * schedule, and an instant selector looks back only 5 minutes (Prometheus' and Mimir's default
 * lookback delta), so a plain `arcade_probe_status` goes empty between runs. Two schedules long:
 * a run that starts or ends late still leaves the previous value visible, and a runner silent for
 * two schedules shows as no data (the alerts say why).
 */
export function lastRunWindow(scheduleMinutes: number = DEFAULT_SCHEDULE_MINUTES): string {
  if (!Number.isInteger(scheduleMinutes) || scheduleMinutes < 1)
    throw new Error(`scheduleMinutes must be a whole number of minutes >= 1 (got ${scheduleMinutes})`);
  return `${2 * scheduleMinutes}m`;
}
