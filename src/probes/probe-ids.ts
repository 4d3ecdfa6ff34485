/**
 * Every probe id, in report order: what the command line needs (`--only`, `--skip`, the list in
 * `--help`) without loading the probes, so `npm run probe` answers --help and refuses bad usage
 * before it loads every probe, zod and yaml (cli-options.ts). registry.ts refuses to load when
 * this list and the registered probes differ, so the two cannot drift apart.
 */
export const PROBE_IDS: readonly string[] = [
  'flux.release-ready',
  'k8s.workloads-ready',
  'datastores.managed',
  'endpoints.health',
  'gateway.tools-list',
  'gateway.exec-proof',
  'gateway.unknown-tool',
  'gateway.rejects-bad-key',
  'oauth.token-status',
  'gateway.latency',
  'otel.collector-ready',
  'otel.engine-export-clean',
  'otel.metrics-in-mimir',
  'monitoring.servicemonitors',
  'alerts.rules-loaded',
];
