/**
 * The OpenTelemetry Collector configuration as a typed object: only the components this stack
 * uses, with their upstream key names, serialized with `yaml` into the collector's ConfigMap.
 * Never a YAML string in TypeScript (STYLE.md): build it with ./build.ts, check it with
 * ./validate.ts. The Service name and the ports are in ./service.ts.
 *
 * @see https://opentelemetry.io/docs/collector/configuration/
 */

/** Every listener binds all interfaces: since v0.104 the default is localhost, unreachable from the Service. */
export const BIND_ALL = '0.0.0.0';

/** `otlp` receiver. @see https://github.com/open-telemetry/opentelemetry-collector/tree/main/receiver/otlpreceiver */
export interface OtlpReceiverConfig {
  readonly protocols: {
    readonly grpc?: { readonly endpoint: string };
    readonly http?: { readonly endpoint: string };
  };
}

/** `memory_limiter` processor (must be first). */
export interface MemoryLimiterConfig {
  readonly check_interval: string;
  readonly limit_mib: number;
  readonly spike_limit_mib: number;
}

/** `batch` processor (must be last). */
export interface BatchConfig {
  readonly timeout: string;
  readonly send_batch_size: number;
  readonly send_batch_max_size: number;
}

/** `deltatocumulative` processor (contrib): state is per replica. */
export interface DeltaToCumulativeConfig {
  readonly max_stale: string;
  readonly max_streams: number;
}

/** Exporter retry settings (exporterhelper `retry_on_failure`). */
export interface RetryOnFailureConfig {
  readonly enabled: boolean;
  readonly initial_interval: string;
  readonly max_interval: string;
  readonly max_elapsed_time: string;
}

/**
 * HTTP client settings of `prometheusremotewrite` (confighttp.ClientConfig), in the exporter's
 * `http:` block. Since contrib v0.158.0 the same keys at the exporter's top level (`endpoint`,
 * `headers`, `tls`, ...) are deprecated; with the feature gate
 * `exporter.prometheusremotewritexporter.removeTopLevelHTTPSettings` they are a startup error
 * (`exporter/prometheusremotewriteexporter/config.go`, `Config.Unmarshal`). docs/telemetry.md.
 */
export interface RemoteWriteHttpClientConfig {
  readonly endpoint: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** The HTTP client's own timeout (the exporter's top-level `timeout` is exporterhelper's). */
  readonly timeout: string;
  /** `insecure: true` only for an `http://` endpoint (no TLS on the wire). */
  readonly tls?: { readonly insecure: boolean };
}

/**
 * `prometheusremotewrite` exporter (contrib), in the form current contrib expects: client
 * settings under `http`, nothing of them at the top level (the builder refuses the flat form).
 * @see https://github.com/open-telemetry/opentelemetry-collector-contrib/tree/main/exporter/prometheusremotewriteexporter
 */
export interface PrometheusRemoteWriteConfig {
  readonly http: RemoteWriteHttpClientConfig;
  /** Labels added to every series the exporter writes (not where a data point attribute has the same name). */
  readonly external_labels?: Readonly<Record<string, string>>;
  /** exporterhelper's timeout for one export. */
  readonly timeout: string;
  readonly retry_on_failure: RetryOnFailureConfig;
  readonly remote_write_queue: {
    readonly enabled: boolean;
    readonly queue_size: number;
    readonly num_consumers: number;
  };
}

/**
 * `prometheus` exporter (contrib): a scrape endpoint (scrape mode).
 * @see https://github.com/open-telemetry/opentelemetry-collector-contrib/tree/main/exporter/prometheusexporter
 */
export interface PrometheusExporterConfig {
  readonly endpoint: string;
  /** Labels on every metric the endpoint exposes. */
  readonly const_labels?: Readonly<Record<string, string>>;
  readonly metric_expiration: string;
}

/** `health_check` extension. */
export interface HealthCheckConfig {
  readonly endpoint: string;
  readonly path: string;
}

/** `service.telemetry`: the collector's own logs and metrics (current `readers` form). */
export interface TelemetryConfig {
  readonly logs: { readonly level: 'debug' | 'info' | 'warn' | 'error'; readonly encoding: 'json' | 'console' };
  readonly metrics: {
    readonly level: 'none' | 'basic' | 'normal' | 'detailed';
    readonly readers: readonly {
      readonly pull: { readonly exporter: { readonly prometheus: { readonly host: string; readonly port: number } } };
    }[];
  };
}

export interface PipelineConfig {
  readonly receivers: readonly string[];
  readonly processors: readonly string[];
  readonly exporters: readonly string[];
}

/** Component ids are `<type>` or `<type>/<name>`. */
type Ids<T extends string> = T | `${T}/${string}`;

export interface CollectorConfig {
  readonly receivers: Readonly<Partial<Record<Ids<'otlp'>, OtlpReceiverConfig>>>;
  readonly processors: {
    readonly memory_limiter?: MemoryLimiterConfig;
    readonly deltatocumulative?: DeltaToCumulativeConfig;
    readonly batch?: BatchConfig;
  };
  readonly exporters: {
    readonly prometheusremotewrite?: PrometheusRemoteWriteConfig;
    readonly prometheus?: PrometheusExporterConfig;
  };
  readonly extensions: { readonly health_check?: HealthCheckConfig };
  readonly service: {
    readonly extensions: readonly string[];
    readonly pipelines: Readonly<Record<string, PipelineConfig>>;
    readonly telemetry: TelemetryConfig;
  };
}
