/**
 * CollectorChart: the OpenTelemetry Collector of one environment (collector.yaml), mapping the
 * environment's `collector` section (src/environments/collector.ts) onto the OtelCollector
 * construct. The release chart points the engine at `otlpEndpoint`; the monitoring chart scrapes
 * `collector.scrapePorts`.
 */
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { MetricsExport } from '../collector/build.js';
import { COLLECTOR_LABEL, collectorLabelValue } from '../collector/service.js';
import { stackLabels } from '../constructs/labels.js';
import { OtelCollector, type OtelCollectorEgress } from '../constructs/otel-collector.js';
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

export class CollectorChart extends Chart {
  public readonly collector: OtelCollector;
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
    // The engine runs where the release installs it.
    const engine = engineNamespace(env);
    this.collector = new OtelCollector(this, 'otel-collector', {
      image: c.image,
      replicas: c.replicas,
      resources: c.resources,
      export: exported,
      deltaToCumulative: c.deltaToCumulative,
      clientNamespace: engine,
      monitoringNamespace: c.monitoringNamespace,
      egress: c.mode === 'remote-write' ? egressOf(c.networkPolicy.mimirEgress, c.mimir.pushUrl) : undefined,
      labels: stackLabels(env.name),
    });
    this.otlpEndpoint = this.collector.otlpHttpEndpoint(engine);
  }
}
