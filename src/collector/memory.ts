/**
 * Memory settings derived from the container's memory limit, so the collector refuses data
 * (memory_limiter) and the Go runtime collects garbage (GOMEMLIMIT) before the kernel kills it.
 *
 * Ratios follow the upstream guidance (memory_limiter README; the opentelemetry-collector Helm
 * chart sets GOMEMLIMIT to 80% of the limit): hard limit 80% of the container limit, spike
 * allowance 25% of that (soft limit 60%).
 *
 * @see https://github.com/open-telemetry/opentelemetry-collector/tree/main/processor/memorylimiterprocessor
 */
import { parseQuantity, wholeUnits } from '../core/quantity.js';

/** Share of the container memory limit used as memory_limiter's hard limit and GOMEMLIMIT. */
export const MEMORY_LIMIT_RATIO = 0.8;
/** Share of memory_limiter's hard limit kept as spike allowance. */
export const SPIKE_RATIO = 0.25;

const MIB = 1024n * 1024n;

/**
 * A Kubernetes memory quantity in MiB (`512Mi`, `1Gi`, `0.5Gi`, `536870912`), read by the one
 * quantity parser (src/core/quantity.ts); undefined unless it is a whole number of MiB above zero
 * (GOMEMLIMIT and memory_limiter are derived from it in MiB).
 */
export function memoryMiB(quantity: string): number | undefined {
  const q = parseQuantity(quantity);
  const mib = q ? wholeUnits(q, MIB) : undefined;
  return mib !== undefined && mib > 0n && mib <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(mib) : undefined;
}

/** `memoryMiB`, or an error naming the field and the fix. */
export function parseMemoryMiB(quantity: string, field: string): number {
  const mib = memoryMiB(quantity);
  if (mib === undefined) {
    throw new Error(
      `${field}: '${quantity}' is not a memory quantity of whole MiB above zero (fix: write it like '512Mi' or '1Gi')`,
    );
  }
  return mib;
}

export interface MemorySettings {
  /** memory_limiter `limit_mib`. */
  readonly limitMiB: number;
  /** memory_limiter `spike_limit_mib`. */
  readonly spikeLimitMiB: number;
  /** Value of the `GOMEMLIMIT` environment variable (Go syntax, e.g. `409MiB`). */
  readonly goMemLimit: string;
}

/** Derives the collector's memory settings from the container memory limit in MiB. */
export function memorySettings(containerLimitMiB: number): MemorySettings {
  const limitMiB = Math.floor(containerLimitMiB * MEMORY_LIMIT_RATIO);
  const spikeLimitMiB = Math.floor(limitMiB * SPIKE_RATIO);
  if (limitMiB < 32 || spikeLimitMiB < 1) {
    throw new Error(
      `collector.resources.limits.memory: ${containerLimitMiB}Mi leaves too little for the collector (fix: give at least 64Mi; 512Mi is the default)`,
    );
  }
  return { limitMiB, spikeLimitMiB, goMemLimit: `${limitMiB}MiB` };
}
