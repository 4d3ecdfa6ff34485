/**
 * The monitoring chart follows the cluster's scrape convention (the environment's `monitoring`
 * section): it sets the scrape labels on every ServiceMonitor and refuses one that would carry an
 * exclusion label. The StackServiceMonitor construct renders the labels the chart gives it.
 */
import { App, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { CollectorChart } from '../../src/charts/collector-chart.js';
import { MonitoringChart } from '../../src/charts/monitoring-chart.js';
import { loadEnvironment } from '../../src/environments/load.js';
import type { Environment } from '../../src/environments/schema.js';

const scrapeMode = (monitoring: Environment['monitoring']): Environment => {
  const env = loadEnvironment('backstage-wus2-v4').env;
  return { ...env, collector: { ...env.collector, mode: 'scrape' }, monitoring };
};

/** The ServiceMonitors' labels by name, as the monitoring chart renders them for `env`. */
function monitorLabels(env: Environment): Record<string, Record<string, string>> {
  const app = new App();
  const { collector } = new CollectorChart(app, 'collector', { env });
  const chart = new MonitoringChart(app, 'monitoring', { env, collector });
  const monitors = Testing.synth(chart) as {
    kind: string;
    metadata: { name: string; labels: Record<string, string> };
  }[];
  return Object.fromEntries(
    monitors.filter((o) => o.kind === 'ServiceMonitor').map((o) => [o.metadata.name, o.metadata.labels]),
  );
}

const SELECTOR = {
  'app.kubernetes.io/name': 'opentelemetry-collector',
  'app.kubernetes.io/instance': 'arcade-otel-collector',
};
const STACK = {
  'app.kubernetes.io/part-of': 'arcade',
  'app.kubernetes.io/managed-by': 'arcade-stack',
  'arcade-stack.dev/environment': 'backstage-wus2-v4',
};

describe('the monitoring chart and the scrape convention', () => {
  it("sets every scrape label of the environment's convention, over the chart's own labels", () => {
    const labels = monitorLabels(
      scrapeMode({
        scrapeLabels: { 'scrape.example.com/job': 'apps', 'app.kubernetes.io/component': 'platform' },
        exclusionLabels: { 'scrape.example.com/skip': 'true' },
      }),
    );
    const expected = {
      ...STACK,
      ...SELECTOR,
      'app.kubernetes.io/component': 'platform',
      'scrape.example.com/job': 'apps',
    };
    expect(labels).toEqual({
      'arcade-otel-collector-metrics': expected,
      'arcade-otel-collector-prom-export': expected,
    });
  });

  it('refuses an exclusion label, naming the monitor, the label and the fix; the same key with another value is allowed', () => {
    const excluding = (value: string) =>
      scrapeMode({
        scrapeLabels: { release: 'prometheus-operator' },
        exclusionLabels: { 'app.kubernetes.io/component': value },
      });
    expect(() => monitorLabels(excluding('monitoring'))).toThrow(
      new RegExp(
        /^ServiceMonitor arcade-otel-collector-metrics: labels: /.source +
          /carries app\.kubernetes\.io\/component: monitoring,/.source +
          / which makes the cluster's scraper skip it .*\(fix: remove the label, or correct/.source +
          / monitoring\.exclusionLabels in the environment\)$/.source,
      ),
    );
    expect(monitorLabels(excluding('other'))['arcade-otel-collector-metrics']).toMatchObject({
      'app.kubernetes.io/component': 'monitoring',
      release: 'prometheus-operator',
    });
  });
});
