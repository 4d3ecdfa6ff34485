/**
 * The collector container's CPU and memory, read from the Kubernetes quantities an environment
 * gives (`collector.resources`) into numbers the collector construct renders: millicores and MiB.
 * Both are read by the one quantity parser (src/core/quantity.ts, apimachinery's grammar). Memory
 * must be a whole number of MiB, because GOMEMLIMIT and memory_limiter are derived from the limit
 * in MiB (./memory.ts). Throws naming the environment field and the fix; never a NaN request.
 */
import { milliUnits, parseQuantity } from '../core/quantity.js';
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

/**
 * A CPU quantity in millicores, read by the API server's quantity grammar (src/core/quantity.ts:
 * `250m`, `1`, `0.5`, `2k`) and rounded up to whole millicores as the API server stores it;
 * undefined unless it is a quantity above zero.
 */
export function cpuMillis(cpu: string): number | undefined {
  const q = parseQuantity(cpu);
  const millis = q ? milliUnits(q) : 0n;
  return millis > 0n && millis <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(millis) : undefined;
}

/** `cpuMillis`, or an error naming the field and the fix. */
export function parseCpuMillis(cpu: string, field: string): number {
  const millis = cpuMillis(cpu);
  if (millis === undefined)
    throw new Error(`${field}: '${cpu}' is not a CPU quantity above zero (fix: write it like '250m' or '1')`);
  return millis;
}

/** Reads every quantity of `resources`; `field` is where they sit in the environment file. */
export function resourceAmounts(resources: ResourceQuantities, field: string): ResourceAmounts {
  const read = (kind: 'requests' | 'limits') => ({
    cpuMillis: parseCpuMillis(resources[kind].cpu, `${field}.${kind}.cpu`),
    memoryMiB: parseMemoryMiB(resources[kind].memory, `${field}.${kind}.memory`),
  });
  return { requests: read('requests'), limits: read('limits') };
}
