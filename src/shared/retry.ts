/**
 * Deadlines and bounded retries, one way for every command that talks to a cluster or a service.
 *
 * `withDeadline` gives one attempt an AbortSignal (`AbortSignal.timeout`, joined with the caller's
 * own signal by `AbortSignal.any`) and rejects with DeadlineError when it fires, even when the
 * attempt ignores the signal: a request that never answers cannot hang the command. Callers that
 * can pass the signal on (fetch, node's http, client-node's middleware) also cancel the request.
 *
 * `retryTransient` runs attempts until one returns, with exponential backoff between them (on a
 * Clock, so tests count attempts and sleeps instead of waiting): an attempt throws Transient for
 * what another attempt may fix (a timeout, the network, 429, 5xx) and any other error to stop at
 * once. When every attempt failed it throws RetriesExhausted with the last reason, for the caller
 * to turn into its own error with the fix.
 */
import { type Clock, systemClock } from './clock.js';

/** The attempt's deadline passed. */
export class DeadlineError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${timeoutMs / 1000}s`);
    this.name = 'DeadlineError';
  }
}

/** A failure another attempt may not have: retried by `retryTransient`. */
export class Transient extends Error {
  override name = 'Transient';
}

/** Every attempt failed transiently; `message` is the last one's reason. */
export class RetriesExhausted extends Error {
  constructor(
    message: string,
    readonly attempts: number,
  ) {
    super(message);
    this.name = 'RetriesExhausted';
  }
}

/**
 * Runs `attempt` with a signal that aborts after `timeoutMs` or when `parent` aborts, and rejects
 * with DeadlineError (or the parent's reason) as soon as it does.
 */
export function withDeadline<T>(
  timeoutMs: number,
  attempt: (signal: AbortSignal) => Promise<T>,
  parent?: AbortSignal,
): Promise<T> {
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = parent ? AbortSignal.any([parent, deadline]) : deadline;
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(deadline.aborted ? new DeadlineError(timeoutMs) : parent?.reason);
    if (signal.aborted) return stop();
    signal.addEventListener('abort', stop, { once: true });
    attempt(signal)
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', stop));
  });
}

export interface RetryOptions {
  /** Attempts in all (at least 1). @default 3 */
  readonly attempts?: number;
  /** The wait after the first failed attempt; it doubles after each further one. @default 500 */
  readonly backoffMs?: number;
  /** The deadline of each attempt (withDeadline): a timeout is Transient. */
  readonly timeoutMs: number;
  /** The clock backoff waits on. @default the system clock */
  readonly clock?: Clock;
}

/**
 * Runs `attempt` until it returns; retries it (after `backoffMs`, then twice that, ...) while it
 * throws Transient or times out; rethrows any other error at once. Throws RetriesExhausted with the
 * last reason when no attempt is left.
 */
export async function retryTransient<T>(
  options: RetryOptions,
  attempt: (signal: AbortSignal, n: number) => Promise<T>,
): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 3);
  const backoffMs = options.backoffMs ?? 500;
  const clock = options.clock ?? systemClock;
  let last = '';
  for (let n = 1; n <= attempts; n++) {
    if (n > 1) await clock.sleep(backoffMs * 2 ** (n - 2));
    try {
      return await withDeadline(options.timeoutMs, (signal) => attempt(signal, n));
    } catch (err) {
      if (!(err instanceof Transient || err instanceof DeadlineError)) throw err;
      last = err.message;
    }
  }
  throw new RetriesExhausted(last, attempts);
}
