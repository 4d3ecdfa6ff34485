/**
 * Bounded concurrency, the one limiter of the probes: the runner's probes at once
 * (`--concurrency`) and a probe's own fan-out (gateways × users, latency calls).
 */

/** Runs `count` tasks with at most `concurrency` in flight; results in task order. */
export async function runLimited<T>(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<T>,
): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next;
      next += 1;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
  return results;
}
