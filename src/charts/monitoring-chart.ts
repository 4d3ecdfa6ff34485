/**
 * MonitoringChart: the ServiceMonitors of one environment (monitoring.yaml), one per metrics
 * port of the collector Service, following the cluster's scrape convention (the environment's
 * `monitoring` section, passed to each monitor as a plain prop).
 */
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { stackLabels } from '../constructs/labels.js';
import type { OtelCollector } from '../constructs/otel-collector.js';
import { StackServiceMonitor } from '../constructs/service-monitor.js';
import type { Environment } from '../environments/schema.js';

export interface MonitoringChartProps {
  readonly env: Environment;
  /** The collector whose Service is scraped. */
  readonly collector: OtelCollector;
}

export class MonitoringChart extends Chart {
  public readonly monitors: readonly StackServiceMonitor[];

  constructor(scope: Construct, id: string, props: MonitoringChartProps) {
    const { env, collector } = props;
    super(scope, id, { namespace: env.namespace, labels: stackLabels(env.name) });
    this.monitors = collector.scrapePorts.map(
      (port) =>
        new StackServiceMonitor(this, port.name, {
          name: `${collector.name}-${port.name}`,
          service: collector.service,
          matchLabels: collector.podSelector,
          port: port.name,
          interval: env.collector.scrapeInterval,
          honorLabels: port.honorLabels,
          labels: { ...collector.podSelector, 'app.kubernetes.io/component': 'monitoring' },
          scrape: env.monitoring,
        }),
    );
  }
}
