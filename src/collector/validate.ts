/**
 * Checks a collector configuration before it is rendered: every rule here is a way the collector
 * would start and silently lose metrics, or refuse to start, on the cluster. Each problem names
 * the configuration path (and the environment field to change) and the fix.
 */
import type { ExitCode } from '../core/command-error.js';
import { ProblemsError } from '../core/problems-error.js';
import type { CollectorConfig } from './config.js';
import { COLLECTOR_LABEL, COLLECTOR_PORTS } from './service.js';

/** A collector configuration the builder refuses; `problems` holds one line per broken rule. */
export class CollectorConfigError extends ProblemsError {
  /** The environment's collector settings are wrong: configuration. */
  override readonly exitCode: ExitCode = 2;
  constructor(problems: readonly string[]) {
    super('invalid collector configuration', problems);
    this.name = 'CollectorConfigError';
  }
}

/** What the configuration is deployed with (facts outside the config itself). */
export interface CollectorDeployment {
  /** Number of collector replicas. */
  readonly replicas: number;
}

/**
 * The HTTP client keys that belong in `prometheusremotewrite.http`: at the exporter's top level
 * they are deprecated since contrib v0.158.0 and a startup error under the feature gate
 * `exporter.prometheusremotewritexporter.removeTopLevelHTTPSettings` (contrib
 * `exporter/prometheusremotewriteexporter/config.go`, `topLevelHTTPClientKeys`). `timeout` is not
 * one: at the top level it is exporterhelper's.
 */
export const REMOTE_WRITE_HTTP_KEYS = [
  'endpoint',
  'proxy_url',
  'tls',
  'headers',
  'auth',
  'compression',
  'compression_params',
  'read_buffer_size',
  'write_buffer_size',
  'max_idle_conns',
  'max_idle_conns_per_host',
  'max_conns_per_host',
  'idle_conn_timeout',
  'disable_keep_alives',
  'http2_read_idle_timeout',
  'http2_ping_timeout',
  'cookies',
  'middlewares',
  'force_attempt_http2',
] as const;

/** A Prometheus label name that is not reserved (`__` is Prometheus' own). */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Problems of the labels an exporter adds to every series (`at` names the config path). */
function seriesLabelProblems(at: string, labels: Readonly<Record<string, string>> | undefined): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(labels ?? {})) {
    if (!LABEL_NAME.test(name) || name.startsWith('__')) {
      problems.push(
        `${at}.${name}: not a Prometheus label name, or reserved (__ prefix) (fix: use letters, digits and _ , not starting with __)`,
      );
    } else if (value.trim() === '') {
      problems.push(
        `${at}.${name}: empty value; Prometheus drops a label with an empty value (fix: give it a value or remove it)`,
      );
    }
  }
  if (!labels?.[COLLECTOR_LABEL]) {
    problems.push(
      `${at}: no ${COLLECTOR_LABEL} label; the otel.metrics-in-mimir probe finds what came ` +
        `through this collector by it (fix: keep the label the collector chart adds)`,
    );
  }
  return problems;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** The host part of `host:port` (IPv6 in brackets allowed). */
function hostOf(endpoint: string): string {
  const at = endpoint.lastIndexOf(':');
  return at < 0 ? endpoint : endpoint.slice(0, at);
}

function isLocal(host: string): boolean {
  return LOCAL_HOSTS.has(host.toLowerCase()) || /^127\./.test(host);
}

/** Every listener of the configuration, with its path. */
function listeners(config: CollectorConfig): { path: string; host: string }[] {
  const found: { path: string; host: string }[] = [];
  for (const [id, receiver] of Object.entries(config.receivers)) {
    if (receiver?.protocols.grpc)
      found.push({ path: `receivers.${id}.protocols.grpc.endpoint`, host: hostOf(receiver.protocols.grpc.endpoint) });
    if (receiver?.protocols.http)
      found.push({ path: `receivers.${id}.protocols.http.endpoint`, host: hostOf(receiver.protocols.http.endpoint) });
  }
  if (config.extensions.health_check)
    found.push({ path: 'extensions.health_check.endpoint', host: hostOf(config.extensions.health_check.endpoint) });
  if (config.exporters.prometheus)
    found.push({ path: 'exporters.prometheus.endpoint', host: hostOf(config.exporters.prometheus.endpoint) });
  config.service.telemetry.metrics.readers.forEach((reader, i) => {
    found.push({
      path: `service.telemetry.metrics.readers[${i}].pull.exporter.prometheus.host`,
      host: reader.pull.exporter.prometheus.host,
    });
  });
  return found;
}

/** Returns every problem of the configuration (empty when it is valid). */
export function collectorConfigProblems(config: CollectorConfig, deployment: CollectorDeployment): string[] {
  const problems: string[] = [];
  const defined = {
    receivers: new Set(Object.keys(config.receivers)),
    processors: new Set(Object.keys(config.processors)),
    exporters: new Set(Object.keys(config.exporters)),
  };
  const used = { receivers: new Set<string>(), processors: new Set<string>(), exporters: new Set<string>() };
  const pipelines = Object.entries(config.service.pipelines);

  if (defined.exporters.size === 0) {
    problems.push(
      'exporters: no exporter is defined, so every metric would be dropped (fix: set collector.mode to remote-write or scrape)',
    );
  }
  if (pipelines.length === 0) {
    problems.push(
      'service.pipelines: no pipeline is defined (fix: define a metrics pipeline otlp -> memory_limiter -> batch -> exporter)',
    );
  }

  for (const [name, pipeline] of pipelines) {
    const at = `service.pipelines.${name}`;
    for (const kind of ['receivers', 'processors', 'exporters'] as const) {
      for (const id of pipeline[kind]) {
        used[kind].add(id);
        if (!defined[kind].has(id)) {
          problems.push(
            `${at}.${kind}: '${id}' is not defined under ${kind} (fix: define ${kind}.${id}, or remove it from the pipeline)`,
          );
        }
      }
    }
    if (pipeline.receivers.length === 0) problems.push(`${at}.receivers: the pipeline has no receiver (fix: add otlp)`);
    if (pipeline.exporters.length === 0)
      problems.push(
        `${at}.exporters: the pipeline has no exporter, its metrics would be dropped (fix: add the exporter of collector.mode)`,
      );
    const processors = pipeline.processors;
    if (processors[0] !== 'memory_limiter') {
      problems.push(
        `${at}.processors: memory_limiter must come first so it can refuse data before anything ` +
          `buffers it (got [${processors.join(', ')}]) (fix: put memory_limiter first)`,
      );
    }
    if (processors[processors.length - 1] !== 'batch') {
      problems.push(
        `${at}.processors: batch must come last, after every processor that changes data (got [${processors.join(', ')}]) (fix: put batch last)`,
      );
    }
    if (pipeline.exporters.includes('prometheusremotewrite') && pipeline.exporters.includes('prometheus')) {
      problems.push(
        `${at}.exporters: prometheusremotewrite and prometheus together would store every series ` +
          `twice in Mimir (fix: choose one with collector.mode: remote-write or scrape)`,
      );
    }
  }

  for (const kind of ['receivers', 'exporters'] as const) {
    for (const id of defined[kind]) {
      if (!used[kind].has(id))
        problems.push(
          `${kind}.${id}: defined but in no pipeline, so it never runs (fix: add it to service.pipelines.metrics.${kind}, or remove it)`,
        );
    }
  }
  for (const id of config.service.extensions) {
    if (!(id in config.extensions))
      problems.push(
        `service.extensions: '${id}' is not defined under extensions (fix: define extensions.${id}, or remove it)`,
      );
  }
  if (!config.extensions.health_check || !config.service.extensions.includes('health_check')) {
    problems.push(
      `extensions.health_check: must be defined and enabled in service.extensions; the probes ` +
        `use port ${COLLECTOR_PORTS.health} (fix: keep the builder's health_check)`,
    );
  }

  const prw = config.exporters.prometheusremotewrite;
  if (prw) {
    // A cast or a hand-edited object can still carry the deprecated flat form: refuse it.
    for (const key of REMOTE_WRITE_HTTP_KEYS.filter((k) => Object.hasOwn(prw, k))) {
      problems.push(
        `exporters.prometheusremotewrite.${key}: HTTP client settings at the exporter's top level ` +
          `are deprecated since contrib v0.158.0 and a startup error under the feature gate ` +
          `exporter.prometheusremotewritexporter.removeTopLevelHTTPSettings (fix: move it to exporters.prometheusremotewrite.http.${key})`,
      );
    }
    const http = (prw as { http?: typeof prw.http }).http;
    if (!http?.endpoint) {
      problems.push(
        'exporters.prometheusremotewrite.http.endpoint: no push URL; the exporter would push to its placeholder default (fix: set collector.mimir.pushUrl)',
      );
    } else {
      const tenantHeader = Object.entries(http.headers ?? {}).find(([k]) => k.toLowerCase() === 'x-scope-orgid');
      if (!tenantHeader || tenantHeader[1].trim() === '') {
        problems.push(
          `exporters.prometheusremotewrite.http.headers: the Mimir URL ${http.endpoint} has no ` +
            `X-Scope-OrgID tenant header; Mimir refuses it with 401 'no org id' (fix: set collector.mimir.tenant)`,
        );
      }
      if (http.endpoint.startsWith('https://') && http.tls?.insecure) {
        problems.push(
          `exporters.prometheusremotewrite.http.tls.insecure: true disables TLS for the https:// URL ` +
            `${http.endpoint} (fix: leave tls.insecure false for https)`,
        );
      }
    }
    problems.push(...seriesLabelProblems('exporters.prometheusremotewrite.external_labels', prw.external_labels));
  }
  if (config.exporters.prometheus) {
    problems.push(
      ...seriesLabelProblems('exporters.prometheus.const_labels', config.exporters.prometheus.const_labels),
    );
  }

  for (const listener of listeners(config)) {
    if (isLocal(listener.host)) {
      problems.push(
        `${listener.path}: bound to ${listener.host}, unreachable through the Service and the probes (fix: bind 0.0.0.0)`,
      );
    }
  }

  if (config.processors.deltatocumulative && deployment.replicas > 1) {
    problems.push(
      `processors.deltatocumulative: the converted state is kept per replica, but replicas is ` +
        `${deployment.replicas}; series would restart at each replica (fix: set ` +
        `collector.replicas: 1, or collector.deltaToCumulative: false)`,
    );
  }
  return problems;
}

/** Throws a CollectorConfigError listing every problem; returns the configuration when valid. */
export function validateCollectorConfig(config: CollectorConfig, deployment: CollectorDeployment): CollectorConfig {
  const problems = collectorConfigProblems(config, deployment);
  if (problems.length > 0) throw new CollectorConfigError(problems);
  return config;
}
