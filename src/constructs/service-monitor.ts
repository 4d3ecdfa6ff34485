/**
 * StackServiceMonitor: a ServiceMonitor (`monitoring.coreos.com/v1`) that follows the cluster's
 * scrape convention, given by the chart from the environment (on backstage-wus2-v4: labelled
 * `release: prometheus-operator`, never `grafana-agent: external`, which Grafana Agent skips),
 * selecting one Service by the stack's own labels and one of its named ports.
 *
 * @see https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.ServiceMonitor
 */
import type * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ServiceMonitor, ServiceMonitorSpecEndpointsScheme } from '../../imports/monitoring.coreos.com.js';
import { describeBreach, scrapeBreaches, type ScrapeConvention } from '../core/scrape-convention.js';

export interface StackServiceMonitorProps {
  /** Object name. */
  readonly name: string;
  /** The Service to scrape (its namespace is the ServiceMonitor's). */
  readonly service: kplus.Service;
  /** Labels selecting the Service: each must be one of the Service's own labels. */
  readonly matchLabels: Readonly<Record<string, string>>;
  /** Name of the Service port to scrape: must be one of the Service's named ports. */
  readonly port: string;
  /** Scrape interval (Prometheus duration). @default 60s */
  readonly interval?: string;
  /** HTTP path of the metrics. @default /metrics */
  readonly path?: string;
  /** Keep the target's own job/instance labels (an exporter relaying other sources). @default false */
  readonly honorLabels?: boolean;
  /** Extra labels (the stack labels come from the chart). @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /** The cluster's scrape convention: its scrape labels are set, its exclusion labels refused. */
  readonly scrape: ScrapeConvention;
}

export class StackServiceMonitor extends Construct {
  public readonly monitor: ServiceMonitor;

  constructor(scope: Construct, id: string, props: StackServiceMonitorProps) {
    super(scope, id);
    const service = props.service;
    const serviceName = service.name;
    const labels = { ...props.labels, ...props.scrape.scrapeLabels };
    const excluded = scrapeBreaches(labels, props.scrape).filter((b) => b.kind === 'excluded');
    if (excluded.length > 0) {
      throw new Error(
        `ServiceMonitor ${props.name}: labels: ${excluded.map(describeBreach).join('; ')} (fix: ` +
          `remove the label, or correct monitoring.exclusionLabels in the environment)`,
      );
    }
    if (Object.keys(props.matchLabels).length === 0) {
      throw new Error(
        `ServiceMonitor ${props.name}: matchLabels is empty and would select every Service (fix: give the Service's stack labels)`,
      );
    }
    for (const [key, value] of Object.entries(props.matchLabels)) {
      const actual = service.metadata.getLabel(key);
      if (actual !== value) {
        throw new Error(
          `ServiceMonitor ${props.name}: matchLabels.${key}=${value} does not select Service ` +
            `${serviceName} (its value: ${actual ?? 'unset'}) (fix: use the Service's own labels)`,
        );
      }
    }
    const names = service.ports.map((p) => p.name).filter((n): n is string => n !== undefined);
    if (!names.includes(props.port)) {
      throw new Error(
        `ServiceMonitor ${props.name}: port '${props.port}' is not a named port of Service ${serviceName} (fix: use one of ${names.join(', ')})`,
      );
    }
    const namespace = service.metadata.namespace;
    this.monitor = new ServiceMonitor(this, 'monitor', {
      metadata: { name: props.name, labels },
      spec: {
        selector: { matchLabels: { ...props.matchLabels } },
        ...(namespace ? { namespaceSelector: { matchNames: [namespace] } } : {}),
        endpoints: [
          {
            port: props.port,
            path: props.path ?? '/metrics',
            scheme: ServiceMonitorSpecEndpointsScheme.HTTP,
            interval: props.interval ?? '60s',
            ...(props.honorLabels ? { honorLabels: true } : {}),
          },
        ],
      },
    });
  }
}
