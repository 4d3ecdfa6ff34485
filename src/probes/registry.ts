/**
 * Every probe, in report order: deployment (cluster), the gateway's deployment/functional/
 * security/performance probes, then observability. One file per probe: `cluster/<name>.ts` for
 * what reads the cluster (and Mimir), `gateway/<name>.ts` for what talks to the API host and its
 * MCP gateways, each with its pure evaluator. Ids are unique and part of the interface.
 */
import { datastoresManaged } from './cluster/datastores.js';
import { engineExportClean } from './cluster/engine-export.js';
import { fluxReleaseReady } from './cluster/flux-release.js';
import { metricsInMimir } from './cluster/mimir-metrics.js';
import { rulesLoaded } from './cluster/rules-loaded.js';
import { collectorReady } from './cluster/otel-collector.js';
import { serviceMonitorsScraped } from './cluster/servicemonitors.js';
import { workloadsReady } from './cluster/workloads.js';
import { rejectsBadKey } from './gateway/bad-key.js';
import { endpointsHealth } from './gateway/endpoints.js';
import { execProof } from './gateway/exec-proof.js';
import { gatewayLatency } from './gateway/latency.js';
import { oauthTokenStatus } from './gateway/oauth.js';
import { toolsList } from './gateway/tools-list.js';
import { unknownTool } from './gateway/unknown-tool.js';
import { PROBE_IDS } from './probe-ids.js';
import type { Probe } from './types.js';

/** Deployment probes that read the cluster: first, since they gate the rest. */
const deploymentProbes: readonly Probe[] = [fluxReleaseReady, workloadsReady, datastoresManaged];

/** The probes of the API host and its MCP gateways, in report order. */
export const gatewayProbes: readonly Probe[] = [
  endpointsHealth,
  toolsList,
  execProof,
  unknownTool,
  rejectsBadKey,
  oauthTokenStatus,
  gatewayLatency,
];

/** The telemetry path: collector, engine export, Mimir, scrape conventions; the alert rules loaded. */
const observabilityProbes: readonly Probe[] = [
  collectorReady,
  engineExportClean,
  metricsInMimir,
  serviceMonitorsScraped,
  rulesLoaded,
];

function checked(probes: readonly Probe[]): readonly Probe[] {
  const seen = new Set<string>();
  for (const p of probes) {
    if (seen.has(p.id)) throw new Error(`probe id ${p.id} is registered twice (fix: give each probe a unique id)`);
    seen.add(p.id);
  }
  const ids = probes.map((p) => p.id).join(', ');
  if (ids !== PROBE_IDS.join(', '))
    throw new Error(
      `the registered probes (${ids}) are not PROBE_IDS (${PROBE_IDS.join(', ')}) (fix: list each id, in report order, in src/probes/probe-ids.ts)`,
    );
  return probes;
}

export const registry: readonly Probe[] = checked([...deploymentProbes, ...gatewayProbes, ...observabilityProbes]);
