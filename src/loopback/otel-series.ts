/**
 * Series shaped the way they reach Mimir, for the Mimir stand-in (./mimir.ts) and the real
 * Prometheus behind ./prometheus.ts: what the collector's `prometheusremotewrite` exporter writes
 * for an OTLP resource, and what the cluster's agent writes for the collector's own metrics.
 *
 * The exporter's shaping, from opentelemetry-collector-contrib
 * `pkg/translator/prometheusremotewrite/helper.go` as read for the pinned 0.159.0 series
 * (docs/telemetry.md "Facts and provenance" cites it; re-read it when the image is bumped):
 * - `createAttributes`: a data point's attributes become labels (names sanitized: every
 *   character outside `[a-zA-Z0-9_]` becomes `_`, a leading digit gets `key_`); `service.name`,
 *   prefixed with `service.namespace/` when that is set, becomes `job`; `service.instance.id`
 *   becomes `instance`; the exporter's `external_labels` are added unless a data point attribute
 *   already has that name (the attribute wins); other resource attributes are NOT labels.
 * - every data point also carries `otel_scope_name` / `otel_scope_version` of its scope
 *   (`createScopeLabels`, unless `disable_scope_info`).
 * - `addResourceTargetInfo`: one `target_info` series (value 1) per resource, labelled with the
 *   resource attributes other than `service.namespace`, `service.name`, `service.instance.id`,
 *   plus `job`/`instance` and the external labels; none at all when the resource has only those
 *   three identifying attributes, or neither `job` nor `instance` results.
 * Metric names are given here already in their Prometheus form (`_total`, unit suffixes): the
 * name translation is not what these tests are about.
 */
import type { PromSeries } from './mimir.js';

/** One OTLP resource as the engine (or another client) pushes it to the collector. */
export interface OtlpResource {
  /** Resource attributes (`service.name`, `service.instance.id`, `host.name`, ...). */
  readonly attributes: Readonly<Record<string, string>>;
  /** The instrumentation scope of the metrics. @default none */
  readonly scope?: { readonly name: string; readonly version?: string };
  readonly metrics: readonly {
    readonly name: string;
    readonly attributes?: Readonly<Record<string, string>>;
    readonly value: number;
  }[];
}

const IDENTIFYING = ['service.namespace', 'service.name', 'service.instance.id'];

/** The label name the translator gives an attribute name (the subset of its rules these fixtures use). */
export function sanitizeLabelName(name: string): string {
  const replaced = name.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(replaced) ? `key_${replaced}` : replaced;
}

function labelsOf(
  attributes: Readonly<Record<string, string>>,
  ignore: readonly string[] = [],
): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (ignore.includes(key)) continue;
    const name = sanitizeLabelName(key);
    // Attributes colliding after sanitizing are joined with ';' (createAttributes).
    labels[name] = name in labels && labels[name] !== value ? `${labels[name]};${value}` : value;
  }
  return labels;
}

/** job / instance from the resource's identifying attributes (createAttributes). */
function identity(resource: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  const name = resource['service.name'];
  if (name !== undefined) {
    const ns = resource['service.namespace'];
    out.job = ns !== undefined ? `${ns}/${name}` : name;
  }
  const instance = resource['service.instance.id'];
  if (instance !== undefined) out.instance = instance;
  return out;
}

/** External labels are added where no attribute already has the name. */
function withExternal(
  labels: Record<string, string>,
  external: Readonly<Record<string, string>>,
): Record<string, string> {
  const out = { ...labels };
  for (const [k, v] of Object.entries(external)) if (!(k in out)) out[k] = v;
  return out;
}

/**
 * The series the exporter writes for one resource: each metric's data point, and `target_info`
 * when the resource has a non-identifying attribute. `targetInfo: false` is the exporter's
 * `target_info.enabled: false`.
 */
export function exportedSeries(
  resource: OtlpResource,
  externalLabels: Readonly<Record<string, string>>,
  options: { readonly targetInfo?: boolean } = {},
): PromSeries[] {
  const id = identity(resource.attributes);
  const scope = resource.scope
    ? {
        otel_scope_name: resource.scope.name,
        ...(resource.scope.version ? { otel_scope_version: resource.scope.version } : {}),
      }
    : {};
  const series: PromSeries[] = resource.metrics.map((m) => ({
    labels: { ...withExternal({ ...labelsOf(m.attributes ?? {}), ...id }, externalLabels), ...scope, __name__: m.name },
    value: m.value,
  }));
  const nonIdentifying = Object.keys(resource.attributes).filter((k) => !IDENTIFYING.includes(k));
  if ((options.targetInfo ?? true) && nonIdentifying.length > 0 && Object.keys(id).length > 0) {
    series.push({
      labels: {
        ...withExternal({ ...labelsOf(resource.attributes, IDENTIFYING), ...id }, externalLabels),
        __name__: 'target_info',
      },
      value: 1,
    });
  }
  return series;
}

/** A scrape target as the agent labels it for a ServiceMonitor endpoint (prometheus-operator's relabelling). */
export interface ScrapeTarget {
  /** `job`: the Service name (no `jobLabel` on the ServiceMonitor). */
  readonly service: string;
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  /** The Service port name. */
  readonly endpoint: string;
  /** `<pod IP>:<port>`. */
  readonly instance: string;
  /** What the agent's own remote write adds (e.g. `cluster`). @default none */
  readonly externalLabels?: Readonly<Record<string, string>>;
}

/** Series the cluster's agent writes from scraping a target: the exposed labels plus the target's. */
export function scrapedSeries(
  target: ScrapeTarget,
  metrics: readonly {
    readonly name: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly value: number;
  }[],
): PromSeries[] {
  const targetLabels = {
    job: target.service,
    namespace: target.namespace,
    service: target.service,
    pod: target.pod,
    container: target.container,
    endpoint: target.endpoint,
    instance: target.instance,
  };
  return metrics.map((m) => ({
    labels: { ...m.labels, ...targetLabels, ...target.externalLabels, __name__: m.name },
    value: m.value,
  }));
}

// --- The deployment's series (fixtures shared by the stand-in, the demo and the Prometheus tests) ---

/** Where the series come from: the environment the collector runs in. */
export interface Deployment {
  readonly cluster: string;
  readonly namespace: string;
  /** The collector's external labels (cluster, namespace, arcade_stack_collector). */
  readonly externalLabels: Readonly<Record<string, string>>;
}

/**
 * The engine's resource as the vendor docs describe it: `service.name` `arcade_engine` (FACTS;
 * unconfirmed on the live engine), a `service.instance.id`, and, unless `identifyingOnly`, the
 * attributes an OTel Go SDK resource usually adds (so `target_info` is written).
 */
export function engineResource(
  options: {
    readonly serviceName?: string;
    readonly serviceNamespace?: string;
    readonly identifyingOnly?: boolean;
  } = {},
): OtlpResource {
  return {
    attributes: {
      'service.name': options.serviceName ?? 'arcade_engine',
      ...(options.serviceNamespace ? { 'service.namespace': options.serviceNamespace } : {}),
      'service.instance.id': 'engine-7d9f8-abcde',
      ...(options.identifyingOnly
        ? {}
        : { 'service.version': '1.8.8', 'host.name': 'engine-7d9f8-abcde', 'telemetry.sdk.language': 'go' }),
    },
    scope: { name: 'github.com/ArcadeAI/engine', version: '1.8.8' },
    metrics: [
      {
        name: 'http_server_request_duration_seconds_count',
        attributes: { 'http.request.method': 'POST', 'http.route': '/mcp/{slug}' },
        value: 42,
      },
      { name: 'tool_executions_total', attributes: { 'tool.name': 'ArcadeEvalRef.Echo' }, value: 7 },
    ],
  };
}

/** Another OTLP client pushing through the same collector (its own `service.name`). */
export function otherClientResource(serviceName = 'checkout'): OtlpResource {
  return {
    attributes: {
      'service.name': serviceName,
      'service.instance.id': `${serviceName}-0`,
      'telemetry.sdk.language': 'nodejs',
    },
    metrics: [
      { name: 'http_server_request_duration_seconds_count', attributes: { 'http.request.method': 'GET' }, value: 5 },
    ],
  };
}

/**
 * The collector's own metrics (port 8888, `service.telemetry`), as the cluster's agent scrapes
 * them through the ServiceMonitor: job = the Service name, never the collector label.
 */
export function collectorSelfSeries(deployment: Deployment, service = 'arcade-otel-collector'): PromSeries[] {
  const exposed = {
    service_instance_id: 'c0ffee00-0000-4000-8000-000000000001',
    service_name: 'otelcol-contrib',
    service_version: '0.159.0',
  };
  return scrapedSeries(
    {
      service,
      namespace: deployment.namespace,
      pod: `${service}-5f7b9c-x2x7q`,
      container: 'otel-collector',
      endpoint: 'metrics',
      instance: '10.244.1.17:8888',
      externalLabels: { cluster: deployment.cluster },
    },
    [
      {
        name: 'otelcol_receiver_accepted_metric_points_total',
        labels: { ...exposed, receiver: 'otlp', transport: 'http' },
        value: 1200,
      },
      {
        name: 'otelcol_exporter_sent_metric_points_total',
        labels: { ...exposed, exporter: 'prometheusremotewrite' },
        value: 1200,
      },
      { name: 'otelcol_process_uptime_seconds_total', labels: exposed, value: 3600 },
    ],
  );
}

/** What a healthy deployment has in Mimir: the engine's series through the collector, and the collector's own. */
export function healthySeries(deployment: Deployment): PromSeries[] {
  return [...exportedSeries(engineResource(), deployment.externalLabels), ...collectorSelfSeries(deployment)];
}
