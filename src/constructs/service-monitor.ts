/**
 * StackServiceMonitor: a ServiceMonitor (`monitoring.coreos.com/v1`) selecting one Service by the
 * stack's own labels and one of its named ports. Its labels are the chart's: the monitoring chart
 * gives the labels of the cluster's scrape convention (on backstage-wus2-v4: `release:
 * prometheus-operator`, never `grafana-agent: external`, which Grafana Agent skips) and refuses an
 * exclusion label before this construct sees it (src/charts/monitoring-chart.ts).
 *
 * @see https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.ServiceMonitor
 */
import type * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { ServiceMonitor, ServiceMonitorSpecEndpointsScheme } from '../../imports/monitoring.coreos.com.js';

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
  /** Labels of the ServiceMonitor (the scrape convention's included; the stack labels come from the chart). @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

export class StackServiceMonitor extends Construct {
  public readonly monitor: ServiceMonitor;

  constructor(scope: Construct, id: string, props: StackServiceMonitorProps) {
    super(scope, id);
    const service = props.service;
    const serviceName = service.name;
    const labels = { ...props.labels };
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
