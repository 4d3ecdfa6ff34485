/**
 * Builds the collector configuration for one deployment, then validates it (./validate.ts).
 *
 * Metrics pipeline: otlp (gRPC + HTTP on 0.0.0.0) → memory_limiter → [deltatocumulative] →
 * batch → prometheusremotewrite (remote-write mode) or prometheus (scrape mode), never both.
 */
import {
  BIND_ALL,
  type CollectorConfig,
  type PipelineConfig,
  type PrometheusExporterConfig,
  type PrometheusRemoteWriteConfig,
} from './config.js';
import { memorySettings } from './memory.js';
import { COLLECTOR_PORTS } from './service.js';
import { validateCollectorConfig } from './validate.js';

/** Push to Mimir with the remote-write protocol. */
export interface RemoteWriteExport {
  readonly mode: 'remote-write';
  /** Mimir push URL (`http://` means no TLS on the wire). */
  readonly pushUrl: string;
  /** Mimir tenant, sent as `X-Scope-OrgID`. */
  readonly tenant: string;
  /**
   * Labels added to every series (`external_labels`): the environment (cluster, namespace) and
   * the collector label (`COLLECTOR_LABEL`, ./service.ts), which the builder requires.
   */
  readonly externalLabels: Readonly<Record<string, string>>;
}

/** Expose a Prometheus endpoint scraped through a ServiceMonitor. */
export interface ScrapeExport {
  readonly mode: 'scrape';
  /** Labels on every exposed metric (`const_labels`): the collector label, which the builder requires. */
  readonly constLabels: Readonly<Record<string, string>>;
}

export type MetricsExport = RemoteWriteExport | ScrapeExport;

export interface CollectorConfigOptions {
  readonly export: MetricsExport;
  /** The container memory limit in MiB (memory_limiter is derived from it). */
  readonly memoryLimitMiB: number;
  /** Add the deltatocumulative processor (sources that send delta). @default false */
  readonly deltaToCumulative?: boolean;
  /** Replicas the configuration runs on (deltatocumulative needs 1). */
  readonly replicas: number;
}

const bind = (port: number) => `${BIND_ALL}:${port}`;

function remoteWrite(target: RemoteWriteExport): PrometheusRemoteWriteConfig {
  const plainHttp = target.pushUrl.startsWith('http://');
  return {
    // Client settings in the `http` block (the flat form is deprecated since contrib v0.158.0).
    http: {
      endpoint: target.pushUrl,
      headers: { 'X-Scope-OrgID': target.tenant },
      timeout: '30s',
      tls: { insecure: plainHttp },
    },
    external_labels: target.externalLabels,
    timeout: '30s',
    // 5xx and network errors are retried; other 4xx are dropped by the exporter (docs/telemetry.md).
    retry_on_failure: { enabled: true, initial_interval: '5s', max_interval: '30s', max_elapsed_time: '10m' },
    remote_write_queue: { enabled: true, queue_size: 10000, num_consumers: 5 },
  };
}

function scrapeEndpoint(target: ScrapeExport): PrometheusExporterConfig {
  // Series not refreshed for 5 minutes (five engine pushes) disappear from the endpoint.
  return { endpoint: bind(COLLECTOR_PORTS['prom-export']), const_labels: target.constLabels, metric_expiration: '5m' };
}

/** Builds and validates the configuration; throws CollectorConfigError naming every problem. */
export function buildCollectorConfig(options: CollectorConfigOptions): CollectorConfig {
  const memory = memorySettings(options.memoryLimitMiB);
  const delta = options.deltaToCumulative ?? false;
  const exporter = options.export.mode === 'remote-write' ? 'prometheusremotewrite' : 'prometheus';
  const metrics: PipelineConfig = {
    receivers: ['otlp'],
    processors: ['memory_limiter', ...(delta ? ['deltatocumulative'] : []), 'batch'],
    exporters: [exporter],
  };
  const config: CollectorConfig = {
    receivers: {
      otlp: {
        protocols: {
          grpc: { endpoint: bind(COLLECTOR_PORTS['otlp-grpc']) },
          http: { endpoint: bind(COLLECTOR_PORTS['otlp-http']) },
        },
      },
    },
    processors: {
      memory_limiter: { check_interval: '1s', limit_mib: memory.limitMiB, spike_limit_mib: memory.spikeLimitMiB },
      ...(delta ? { deltatocumulative: { max_stale: '5m', max_streams: 10000 } } : {}),
      batch: { timeout: '5s', send_batch_size: 8192, send_batch_max_size: 10000 },
    },
    exporters:
      options.export.mode === 'remote-write'
        ? { prometheusremotewrite: remoteWrite(options.export) }
        : { prometheus: scrapeEndpoint(options.export) },
    extensions: { health_check: { endpoint: bind(COLLECTOR_PORTS.health), path: '/' } },
    service: {
      extensions: ['health_check'],
      pipelines: { metrics },
      telemetry: {
        logs: { level: 'info', encoding: 'json' },
        metrics: {
          level: 'normal',
          readers: [{ pull: { exporter: { prometheus: { host: BIND_ALL, port: COLLECTOR_PORTS.metrics } } } }],
        },
      },
    },
  };
  return validateCollectorConfig(config, { replicas: options.replicas });
}
