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

/** Share of the container memory limit used as memory_limiter's hard limit and GOMEMLIMIT. */
export const MEMORY_LIMIT_RATIO = 0.8;
/** Share of memory_limiter's hard limit kept as spike allowance. */
export const SPIKE_RATIO = 0.25;

/** Parses a Kubernetes memory quantity in Mi or Gi into MiB; throws naming the field otherwise. */
export function parseMemoryMiB(quantity: string, field: string): number {
  const match = /^([1-9]\d*)(Mi|Gi)$/.exec(quantity);
  if (!match) {
    throw new Error(
      `${field}: '${quantity}' is not a memory quantity in Mi or Gi (fix: write it like '512Mi' or '1Gi')`,
    );
  }
  const value = Number(match[1]);
  return match[2] === 'Gi' ? value * 1024 : value;
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
