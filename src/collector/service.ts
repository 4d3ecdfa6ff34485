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
export type CollectorPortName = keyof typeof COLLECTOR_PORTS;
