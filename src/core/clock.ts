/**
 * The one clock of a command: what retries, backoff and deadlines are measured on, what reports
 * and time windows read as the time, and what progress output is scheduled on. The system's by
 * default, a virtual one in tests, so that "retry until the deadline" is counted in attempts
 * rather than in how fast the machine happens to be (a loaded CI runner must not change the outcome).
 *
 * Only scheduling goes through it; the per-attempt timeouts that stop a hung request stay on
 * real timers (they guard against a server that never answers, whatever the clock says).
 */

export interface Clock {
  /** Milliseconds since the epoch (a virtual clock: the time its test set). */
  now(): number;
  /**
   * Resolves after `ms` milliseconds on this clock. With `signal`: rejects with its reason once it
   * aborts (at once when it already has), the wait's timer cleared (an interrupt during a backoff).
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Calls `fn` once after `ms` milliseconds on this clock, unless the returned function cancels it
   * first. Never keeps the process alive on its own (progress lines, redraws).
   */
  schedule(fn: () => void, ms: number): () => void;
}

/** Wall-clock time and node's timers, looked up at call time (so a test's fake timers apply). */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
  schedule: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    handle.unref();
    return () => clearTimeout(handle);
  },
};
