/**
 * MonitoringChart: the ServiceMonitors of one environment (monitoring.yaml), one per metrics
 * port of the collector Service, following the cluster's scrape convention (the environment's
 * `monitoring` section): the chart sets the convention's scrape labels on each monitor and refuses
 * one that would carry an exclusion label; the StackServiceMonitor construct renders the labels it
 * is given.
 */
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { stackLabels } from '../constructs/labels.js';
import type { OtelCollector } from '../constructs/otel-collector.js';
import { StackServiceMonitor } from '../constructs/service-monitor.js';
import { describeBreach, scrapeBreaches, type ScrapeConvention } from '../core/scrape-convention.js';
import type { Environment } from '../environments/schema.js';

export interface MonitoringChartProps {
  readonly env: Environment;
  /** The collector whose Service is scraped. */
  readonly collector: OtelCollector;
}

/**
 * The labels of the monitor `name`: `labels` with every scrape label of `convention` set over
 * them. Throws naming each exclusion label it would carry and the fix.
 */
export function conventionLabels(
  name: string,
  labels: Readonly<Record<string, string>>,
  convention: ScrapeConvention,
): Record<string, string> {
  const result = { ...labels, ...convention.scrapeLabels };
  const excluded = scrapeBreaches(result, convention).filter((b) => b.kind === 'excluded');
  if (excluded.length > 0) {
    throw new Error(
      `ServiceMonitor ${name}: labels: ${excluded.map(describeBreach).join('; ')} (fix: ` +
        `remove the label, or correct monitoring.exclusionLabels in the environment)`,
    );
  }
  return result;
}

export class MonitoringChart extends Chart {
  public readonly monitors: readonly StackServiceMonitor[];

  constructor(scope: Construct, id: string, props: MonitoringChartProps) {
    const { env, collector } = props;
    super(scope, id, { namespace: env.namespace, labels: stackLabels(env.name) });
    this.monitors = collector.scrapePorts.map((port) => {
      const name = `${collector.name}-${port.name}`;
      return new StackServiceMonitor(this, port.name, {
        name,
        service: collector.service,
        matchLabels: collector.podSelector,
        port: port.name,
        interval: env.collector.scrapeInterval,
        honorLabels: port.honorLabels,
        labels: conventionLabels(
          name,
          { ...collector.podSelector, 'app.kubernetes.io/component': 'monitoring' },
          env.monitoring,
        ),
      });
    });
  }
}
