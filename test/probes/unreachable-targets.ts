/**
 * Targets for tests of the probe machinery (runner, defineProbe): every URL unreachable
 * (127.0.0.1:1), the engine selector unresolved, `oauth` absent. Probes built in those tests
 * never call out; a real probe run against them could only error.
 */
import type { TargetsInput } from '../../src/environments/probe-targets.js';

export const UNREACHABLE_TARGETS: TargetsInput = {
  namespace: 'arcade',
  release: 'arcade',
  chartVersion: '1.8.8',
  collectorService: 'arcade-otel-collector',
  engineSelector: { unresolved: 'engine labels not recorded in FACTS' },
  urls: {
    api: 'http://127.0.0.1:1',
    coordinator: 'http://127.0.0.1:1',
    dashboard: 'http://127.0.0.1:1',
    experience: 'http://127.0.0.1:1',
  },
  expectedCoordinatorUri: 'http://127.0.0.1:1',
  users: ['a'],
  gateways: [{ slug: 'g', tools: ['T'] }],
  mimir: {
    queryUrl: 'http://127.0.0.1:1/prometheus',
    tenant: 't',
    collectorLabel: { name: 'arcade_stack_collector', value: 'c/n/s' },
  },
};
