/**
 * Where the collector is reached: the Service name the engine already pushes to, and the ports
 * (FACTS "Telemetry"). One definition for the construct, the builder, the release's OTLP endpoint
 * and the probes; no imports, so the probes load it without cdk8s.
 */

/** The Service name the engine already pushes to (FACTS "Telemetry"): never change it. */
export const OTEL_COLLECTOR_NAME = 'arcade-otel-collector';

/** Ports the collector listens on, and the Service port names the stack gives them. */
export const COLLECTOR_PORTS = {
  /** OTLP/gRPC receiver. */
  'otlp-grpc': 4317,
  /** OTLP/HTTP receiver (the engine pushes here). */
  'otlp-http': 4318,
  /** The collector's own metrics (service.telemetry pull reader). */
  metrics: 8888,
  /** The prometheus exporter (scrape mode only). */
  'prom-export': 8889,
  /** The health_check extension (readiness and liveness probes). */
  health: 13133,
} as const;

/** The collector's OTLP/HTTP base URL at `host` (the Service name, namespace-qualified where the client is elsewhere). */
export function otlpHttpUrl(host: string): string {
  return `http://${host}:${COLLECTOR_PORTS['otlp-http']}`;
}

/**
 * The label the collector puts on every series it relays (remote write: the exporter's
 * `external_labels`; scrape mode: the prometheus exporter's `const_labels`). Nothing else in
 * Mimir carries it: the collector's own metrics are scraped by the cluster's agent, not relayed,
 * and another OTLP client's series carry it with their own `job`. So
 * `count by (job) ({arcade_stack_collector="<value>"})` lists exactly who pushed through this
 * collector (`otel.metrics-in-mimir`). The `arcade_stack_` prefix keeps it clear of every OTel
 * attribute and Prometheus target label in use; the exporter skips an external label whose name a
 * data point attribute already has (contrib `createAttributes`), so a generic name such as
 * `source` could be silently replaced. docs/telemetry.md "Which series came through the collector".
 */
export const COLLECTOR_LABEL = 'arcade_stack_collector';

/** The collector label's value: `<cluster>/<namespace>/<collector Service>`, one per deployed collector. */
export function collectorLabelValue(cluster: string, namespace: string, service: string = OTEL_COLLECTOR_NAME): string {
  return `${cluster}/${namespace}/${service}`;
}
