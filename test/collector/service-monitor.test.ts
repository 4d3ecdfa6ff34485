/**
 * StackServiceMonitor takes the cluster's scrape convention as a plain prop (the chart passes the
 * environment's `monitoring` section): it sets the scrape labels and refuses an exclusion label.
 */
import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { describe, expect, it } from 'vitest';
import { StackServiceMonitor, type StackServiceMonitorProps } from '../../src/constructs/service-monitor.js';

const convention = {
  scrapeLabels: { 'scrape.example.com/job': 'apps', tier: 'platform' },
  exclusionLabels: { 'scrape.example.com/skip': 'true' },
};

function monitor(extra: Partial<StackServiceMonitorProps> = {}) {
  const chart = Testing.chart();
  const service = new kplus.Service(chart, 'service', {
    metadata: { name: 'collector', namespace: 'arcade', labels: { app: 'collector' } },
    ports: [{ name: 'metrics', port: 8888 }],
  });
  new StackServiceMonitor(chart, 'monitor', {
    name: 'collector-metrics',
    service,
    matchLabels: { app: 'collector' },
    port: 'metrics',
    scrape: convention,
    ...extra,
  });
  return Testing.synth(chart).find((o) => o.kind === 'ServiceMonitor') as {
    metadata: { labels: Record<string, string> };
  };
}

describe('StackServiceMonitor and the scrape convention', () => {
  it("sets every scrape label of the convention it is given, over the caller's labels", () => {
    expect(monitor({ labels: { team: 'arcade', tier: 'mislabelled' } }).metadata.labels).toEqual({
      team: 'arcade',
      'scrape.example.com/job': 'apps',
      tier: 'platform',
    });
  });

  it('refuses an exclusion label, naming it and the fix; the same key with another value is allowed', () => {
    expect(() => monitor({ labels: { 'scrape.example.com/skip': 'true' } })).toThrow(
      new RegExp(
        /^ServiceMonitor collector-metrics: labels: carries scrape\.example\.com\/skip: true,/.source +
          / which makes the cluster's scraper skip it .*\(fix: remove the label, or correct/.source +
          / monitoring\.exclusionLabels in the environment\)$/.source,
      ),
    );
    expect(monitor({ labels: { 'scrape.example.com/skip': 'false' } }).metadata.labels).toMatchObject({
      'scrape.example.com/skip': 'false',
    });
  });
});
