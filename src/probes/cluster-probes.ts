/**
 * The probes that read the cluster (and Mimir): deployment and observability. Each lives in
 * `./cluster/<name>.ts` with its pure evaluator; this list fixes their order in reports.
 */
import { datastoresManaged } from './cluster/datastores.js';
import { engineExportClean } from './cluster/engine-export.js';
import { fluxReleaseReady } from './cluster/flux-release.js';
import { metricsInMimir } from './cluster/mimir-metrics.js';
import { collectorReady } from './cluster/otel-collector.js';
import { serviceMonitorsScraped } from './cluster/servicemonitors.js';
import { workloadsReady } from './cluster/workloads.js';
import type { Probe } from './types.js';

/** Deployment probes first (they gate the rest), then observability. */
export const deploymentProbes: readonly Probe[] = [fluxReleaseReady, workloadsReady, datastoresManaged];
export const observabilityProbes: readonly Probe[] = [
  collectorReady,
  engineExportClean,
  metricsInMimir,
  serviceMonitorsScraped,
];
