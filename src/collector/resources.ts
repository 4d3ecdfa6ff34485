/**
 * The collector container's CPU and memory, read from the Kubernetes quantities an environment
 * gives (`collector.resources`) into numbers the collector construct renders: millicores and MiB.
 * Memory in Mi or Gi only, because GOMEMLIMIT and memory_limiter are derived from the limit
 * (./memory.ts). Throws naming the environment field and the fix; never a NaN request.
 */
import { parseMemoryMiB } from './memory.js';

/** Quantities as written in the environment file. */
export interface ResourceQuantities {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

/** The same, read: CPU in millicores, memory in MiB. */
export interface ResourceAmounts {
  readonly requests: { readonly cpuMillis: number; readonly memoryMiB: number };
  readonly limits: { readonly cpuMillis: number; readonly memoryMiB: number };
}

/** CPU quantity (`250m`, `1`, `0.5`) in millicores; throws naming the field otherwise. */
export function parseCpuMillis(cpu: string, field: string): number {
  const match = /^(?:([1-9]\d*)m|(\d+(?:\.\d+)?))$/.exec(cpu);
  const value = match ? (match[1] !== undefined ? Number(match[1]) : Math.round(Number(match[2]) * 1000)) : 0;
  if (!(value > 0))
    throw new Error(`${field}: '${cpu}' is not a CPU quantity above zero (fix: write it like '250m' or '1')`);
  return value;
}

/** Reads every quantity of `resources`; `field` is where they sit in the environment file. */
export function resourceAmounts(resources: ResourceQuantities, field: string): ResourceAmounts {
  const read = (kind: 'requests' | 'limits') => ({
    cpuMillis: parseCpuMillis(resources[kind].cpu, `${field}.${kind}.cpu`),
    memoryMiB: parseMemoryMiB(resources[kind].memory, `${field}.${kind}.memory`),
  });
  return { requests: read('requests'), limits: read('limits') };
}
