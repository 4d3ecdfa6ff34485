/**
 * Every probe, in report order: deployment (cluster), the gateway's deployment/functional/
 * security/performance probes, then observability. Ids are unique and part of the interface.
 */
import { deploymentProbes, observabilityProbes } from './cluster-probes.js';
import { gatewayProbes } from './gateway-probes.js';
import type { Probe } from './types.js';

function checked(probes: readonly Probe[]): readonly Probe[] {
  const seen = new Set<string>();
  for (const p of probes) {
    if (seen.has(p.id)) throw new Error(`probe id ${p.id} is registered twice (fix: give each probe a unique id)`);
    seen.add(p.id);
  }
  return probes;
}

export const registry: readonly Probe[] = checked([...deploymentProbes, ...gatewayProbes, ...observabilityProbes]);
