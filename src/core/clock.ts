/**
 * The clock that retries, backoff and deadlines are measured on: the system's by default, a
 * virtual one in tests, so that "retry until the deadline" is counted in attempts rather than
 * in how fast the machine happens to be (a loaded CI runner must not change the outcome).
 *
 * Only scheduling goes through it; the per-attempt timeouts that stop a hung request stay on
 * real timers (they guard against a server that never answers, whatever the clock says).
 */

export interface Clock {
  /** Milliseconds since an arbitrary origin (only differences are meaningful). */
  now(): number;
  /** Resolves after `ms` milliseconds on this clock. */
  sleep(ms: number): Promise<void>;
}

/** Wall-clock time and real timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
};
