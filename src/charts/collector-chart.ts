/**
 * CollectorChart: the OpenTelemetry Collector of one environment (collector.yaml). It turns the
 * environment's `collector` section (src/environments/collector.ts) into the OtelCollector
 * construct's plain props: it builds and validates the configuration document
 * (src/collector/build.ts), reads the CPU and memory quantities and derives GOMEMLIMIT from the
 * memory limit (src/collector/resources.ts, memory.ts), and lists the Service ports
 * (src/collector/service.ts). The release chart points the engine at `otlpEndpoint`; the
 * monitoring chart scrapes `collector.scrapePorts`.
 */
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { buildCollectorConfig, type MetricsExport } from '../collector/build.js';
import type { CollectorConfig } from '../collector/config.js';
import { memorySettings } from '../collector/memory.js';
import { resourceAmounts } from '../collector/resources.js';
import {
  COLLECTOR_LABEL,
  COLLECTOR_PORTS,
  collectorLabelValue,
  OTEL_COLLECTOR_NAME,
  otlpHttpUrl,
} from '../collector/service.js';
import { stackLabels } from '../constructs/labels.js';
import { OtelCollector, type OtelCollectorEgress, type OtelCollectorPort } from '../constructs/otel-collector.js';
import type { MimirEgress } from '../environments/collector.js';
import { engineNamespace } from '../environments/namespaces.js';
import type { Environment } from '../environments/schema.js';
import { urlPort } from '../core/url-port.js';

export interface CollectorChartProps {
  readonly env: Environment;
}

function egressOf(mimir: MimirEgress | undefined, pushUrl: string): OtelCollectorEgress | undefined {
  if (!mimir) return undefined;
  return {
    cidrs: mimir.cidrs,
    namespaceLabels: mimir.namespaceLabels,
    podLabels: mimir.podLabels,
    ports: mimir.ports ?? [urlPort(pushUrl)],
  };
}

/**
 * The Service ports: the OTLP receivers the engine pushes to, the collector's own metrics, and in
 * scrape mode the prometheus exporter (whose series keep the job/instance labels they arrived with).
 */
function servicePorts(scrape: boolean): OtelCollectorPort[] {
  return [
    { name: 'otlp-grpc', port: COLLECTOR_PORTS['otlp-grpc'], from: 'clients' },
    { name: 'otlp-http', port: COLLECTOR_PORTS['otlp-http'], from: 'clients' },
    { name: 'metrics', port: COLLECTOR_PORTS.metrics, from: 'monitoring' },
    ...(scrape
      ? [{ name: 'prom-export', port: COLLECTOR_PORTS['prom-export'], from: 'monitoring', honorLabels: true } as const]
      : []),
  ];
}

export class CollectorChart extends Chart {
  public readonly collector: OtelCollector<CollectorConfig>;
  /** The OTLP/HTTP endpoint the engine pushes to (this chart's Service). */
  public readonly otlpEndpoint: string;

  constructor(scope: Construct, id: string, props: CollectorChartProps) {
    const { env } = props;
    super(scope, id, { namespace: env.namespace, labels: stackLabels(env.name) });
    const c = env.collector;
    // Every relayed series says which collector relayed it (COLLECTOR_LABEL, docs/telemetry.md).
    const collectorLabel = { [COLLECTOR_LABEL]: collectorLabelValue(env.cluster, env.namespace) };
    const exported: MetricsExport =
      c.mode === 'remote-write'
        ? {
            mode: 'remote-write',
            pushUrl: c.mimir.pushUrl,
            tenant: c.mimir.tenant,
            externalLabels: { cluster: env.cluster, namespace: env.namespace, ...collectorLabel },
          }
        : { mode: 'scrape', constLabels: collectorLabel };
    const resources = resourceAmounts(c.resources, 'collector.resources');
    const memory = memorySettings(resources.limits.memoryMiB);
    const config = buildCollectorConfig({
      export: exported,
      memoryLimitMiB: resources.limits.memoryMiB,
      deltaToCumulative: c.deltaToCumulative,
      replicas: c.replicas,
    });
    // The engine runs where the release installs it.
    const engine = engineNamespace(env);
    this.collector = new OtelCollector(this, 'otel-collector', {
      name: OTEL_COLLECTOR_NAME,
      image: `${c.image.repository}:${c.image.tag}${c.image.digest ? `@${c.image.digest}` : ''}`,
      replicas: c.replicas,
      resources,
      config,
      goMemLimit: memory.goMemLimit,
      ports: servicePorts(c.mode === 'scrape'),
      healthPort: COLLECTOR_PORTS.health,
      clientNamespace: engine,
      monitoringNamespace: c.monitoringNamespace,
      // Remote write without a described destination: egress stays open (docs/telemetry.md).
      egress:
        c.mode === 'remote-write' ? (egressOf(c.networkPolicy.mimirEgress, c.mimir.pushUrl) ?? 'open') : undefined,
      labels: stackLabels(env.name),
    });
    this.otlpEndpoint = otlpHttpUrl(this.collector.hostFor(engine));
  }
}
