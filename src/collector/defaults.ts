/**
 * The collector's defaults, which the environment schema (src/environments/collector.ts) fills in:
 * the collector chart passes the construct the environment's values, defaults applied. No
 * imports, so the schema loads it without cdk8s.
 */
export const COLLECTOR_DEFAULTS = {
  /** The contrib distribution: it has prometheusremotewrite and deltatocumulative. */
  imageRepository: 'otel/opentelemetry-collector-contrib',
  /** Pinned collector version (newest seen upstream when this was written, docs/telemetry.md). */
  imageTag: '0.159.0',
  /** Two replicas with a PodDisruptionBudget, spread across nodes. */
  replicas: 2,
  /** Where the cluster's scraper runs (FACTS "Telemetry": Grafana Agent in `monitoring`). */
  monitoringNamespace: 'monitoring',
} as const;
