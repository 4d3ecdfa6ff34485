/**
 * The collector's own metrics, as the cluster's agent scrapes them from port 8888 (the
 * `service.telemetry` pull reader) into Mimir: the names of the pinned collector version, for the
 * dashboard's and the alerts' collector-health queries. One definition; re-read the sources below
 * when `COLLECTOR_DEFAULTS.imageTag` changes (a test fails until `SELF_METRICS_VERSION` matches it).
 *
 * Where the names come from (open-telemetry/opentelemetry-collector, the mdatagen
 * `documentation.md` of each component, read for the 0.15x series):
 * - `receiver/receiverhelper/documentation.md`: `otelcol_receiver_accepted_metric_points`,
 *   `otelcol_receiver_refused_metric_points` (a downstream component, e.g. the memory limiter,
 *   refused them), `otelcol_receiver_failed_metric_points` (internal errors; until the
 *   `receiverhelper.newReceiverMetrics` gate is on, every error counts as refused:
 *   `receiver/receiverhelper/obsreport.go` `endOp`);
 * - `exporter/exporterhelper/documentation.md`: `otelcol_exporter_sent_metric_points`,
 *   `otelcol_exporter_send_failed_metric_points`, `otelcol_exporter_enqueue_failed_metric_points`,
 *   `otelcol_exporter_queue_size`, `otelcol_exporter_queue_capacity` (the remote-write exporter's
 *   `remote_write_queue` is exporterhelper's queue: contrib
 *   `exporter/prometheusremotewriteexporter/factory.go`);
 * - `processor/memorylimiterprocessor/metadata.yaml`: `otelcol_processor_memory_limiter_refused_metric_points`
 *   and `..._accepted_metric_points`. Before collector v0.155.0 these were
 *   `otelcol_processor_refused_metric_points` / `..._accepted_...` (renamed with a `memory_limiter`
 *   prefix, a breaking change): a dashboard on the old names goes silent, which looks like "never refused".
 *
 * The collector exposes them through the OpenTelemetry Go Prometheus exporter, which appends
 * `_total` to a monotonic sum and drops a unit in braces (`{datapoints}`, `{batches}`), so a counter
 * is scraped as `<name>_total` and a gauge as `<name>`. Each carries the component's id as a label
 * (`receiver`, `exporter`, `processor`) plus the scrape target's labels (`job` = the collector
 * Service, `namespace`, `pod`, ...).
 */

/** The collector version these names were read for: equal to `COLLECTOR_DEFAULTS.imageTag` (a test checks). */
export const SELF_METRICS_VERSION = '0.159.0';

/** The collector's own metrics, by role, with the names they have in Mimir. */
export const COLLECTOR_SELF_METRICS = {
  /** Points the OTLP receiver pushed into the pipeline (counter). */
  receiverAccepted: 'otelcol_receiver_accepted_metric_points_total',
  /** Points the receiver could not push: a later component (the memory limiter) refused them (counter). */
  receiverRefused: 'otelcol_receiver_refused_metric_points_total',
  /** Points the receiver failed on an internal error (counter; only with `receiverhelper.newReceiverMetrics`). */
  receiverFailed: 'otelcol_receiver_failed_metric_points_total',
  /** Points the exporter delivered to Mimir (counter). */
  exporterSent: 'otelcol_exporter_sent_metric_points_total',
  /** Points in failed sends to Mimir, after retries (counter). */
  exporterSendFailed: 'otelcol_exporter_send_failed_metric_points_total',
  /** Points dropped because the exporter's queue was full (counter). */
  exporterEnqueueFailed: 'otelcol_exporter_enqueue_failed_metric_points_total',
  /** Batches waiting in the exporter's queue (gauge). */
  exporterQueueSize: 'otelcol_exporter_queue_size',
  /** The queue's capacity in batches (gauge). */
  exporterQueueCapacity: 'otelcol_exporter_queue_capacity',
  /** Points the memory limiter let through (counter). */
  memoryLimiterAccepted: 'otelcol_processor_memory_limiter_accepted_metric_points_total',
  /** Points the memory limiter refused under memory pressure (counter; the series appears at the first refusal). */
  memoryLimiterRefused: 'otelcol_processor_memory_limiter_refused_metric_points_total',
} as const;

/** The series the agent writes for every scrape target: 1 when the last scrape succeeded, 0 when it failed. */
export const SCRAPE_UP_METRIC = 'up';
