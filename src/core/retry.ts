/**
 * Deadlines and bounded retries, one way for every command that talks to a cluster or a service.
 *
 * `withDeadline` gives one attempt an AbortSignal that aborts at the deadline (`AbortSignal.timeout`,
 * joined with the caller's own signal by `AbortSignal.any`), with DeadlineError as its reason, and
 * rejects with it at once, even when the attempt ignores the signal: a request that never answers
 * cannot hang the command. Callers that pass the signal on (fetch, node's http, client-node's
 * middleware) also cancel the request. The signal aborts as well when the attempt ends, so nothing
 * it started outlives it. `rejectionOnAbort` ends many requests bound to one signal the caller
 * owns (no deadline of its own), `untilAborted` one (its listener removed when it settles), and `settleWithin` waits a bounded time for work it never fails on.
 *
 * `retryTransient` runs attempts until one returns, with exponential backoff between them (on a
 * Clock, so tests count attempts and sleeps instead of waiting): an attempt throws Transient for
 * what another attempt may fix (a timeout, the network, 429, 5xx) and any other error to stop at
 * once. When every attempt failed it throws RetriesExhausted with the last reason (and whether it
 * was the deadline), for the caller to turn into its own error with the fix. The caller's signal
 * (an interrupt) ends an attempt and a backoff wait alike, with its own reason.
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
  /** The server asked for this wait before the next attempt (e.g. `Retry-After`): the backoff is at least this. */
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/**
 * Every attempt failed transiently; `message` is the last one's reason, `timedOut` whether that
 * reason was the attempt's deadline (DeadlineError's bare `timed out after Ns`, which names no
 * server: the caller says whose answer it waited for).
 */
export class RetriesExhausted extends Error {
  constructor(
    message: string,
    readonly attempts: number,
    readonly timedOut = false,
  ) {
    super(message);
    this.name = 'RetriesExhausted';
  }
}

/**
 * Runs `attempt` with a signal that aborts after `timeoutMs` (reason: DeadlineError) or when
 * `parent` aborts (its reason), and rejects with that reason as soon as it does.
 */
export function withDeadline<T>(
  timeoutMs: number,
  attempt: (signal: AbortSignal) => Promise<T>,
  parent?: AbortSignal,
): Promise<T> {
  const deadline = AbortSignal.timeout(timeoutMs);
  const stop = parent ? AbortSignal.any([parent, deadline]) : deadline;
  return abortable(stop, () => (deadline.aborted ? new DeadlineError(timeoutMs) : parent?.reason), attempt);
}

/**
 * `work`'s outcome, or `reasonOf(signal)` (the signal's own reason unless given) as soon as
 * `signal` aborts, at once when it has already; `work` still runs its course, and its failure after
 * the abort counts as handled. Its listener is removed when `work` settles, so a long-lived signal
 * (a command's interrupt) does not gather one per call.
 */
export function untilAborted<T>(
  work: Promise<T>,
  signal: AbortSignal | undefined,
  reasonOf: (signal: AbortSignal) => unknown = (s) => s.reason,
): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(reasonOf(signal));
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

/**
 * A promise that rejects with `signal`'s reason once it aborts and never resolves: one listener
 * however many requests race it (`Promise.race([request, rejection])`), e.g. every request of a
 * probe's attempt, so a request that ignores the abort still ends with it. Its rejection counts as
 * handled: only a race reports it. (`untilAborted` of work that never ends: its listener stays.)
 */
export function rejectionOnAbort(signal: AbortSignal): Promise<never> {
  const rejection = untilAborted(new Promise<never>(() => {}), signal);
  rejection.catch(() => undefined);
  return rejection;
}

function abortable<T>(
  stop: AbortSignal,
  reasonOf: () => unknown,
  attempt: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    const onStop = () => {
      const reason = reasonOf();
      controller.abort(reason);
      reject(reason);
    };
    if (stop.aborted) return onStop();
    stop.addEventListener('abort', onStop, { once: true });
    let running: Promise<T>;
    try {
      running = attempt(controller.signal);
    } catch (err) {
      running = Promise.reject(err);
    }
    // The signal aborts before the caller resumes: nothing the attempt started outlives it.
    const end = () => {
      stop.removeEventListener('abort', onStop);
      controller.abort();
    };
    running.then(
      (value) => {
        end();
        resolve(value);
      },
      (err: unknown) => {
        end();
        reject(err);
      },
    );
  });
}

/**
 * Waits until `work` settles, `maxMs` passed or `signal` aborted, whichever comes first; never
 * rejects (for a courtesy: letting in-flight work finish, a session's goodbye). Its timer is a
 * plain `setTimeout`, cleared when the wait ends (a test's fake timers move it; an unref'd timer:
 * a wait never keeps the process alive by itself).
 */
export async function settleWithin(maxMs: number, work: Promise<unknown>, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    await Promise.race([
      work.then(
        () => undefined,
        () => undefined,
      ),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, maxMs);
        timer.unref?.();
        onAbort = () => resolve();
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
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
  /**
   * No attempt starts later than this after the first one began (on `clock`): when the next wait
   * would end past it, the last reason is thrown at once (RetriesExhausted), without waiting.
   * @default no bound but `attempts`
   */
  readonly budgetMs?: number;
  /**
   * The caller's own signal (an interrupt): joined with each attempt's deadline (withDeadline's
   * parent) and given to the backoff's sleep. Once it aborts, retryTransient rejects with its
   * reason at once, from an attempt or a wait, and starts no further attempt.
   * @default never aborted
   */
  readonly signal?: AbortSignal;
}

/**
 * Runs `attempt` until it returns; retries it (after `backoffMs`, then twice that, ..., or longer
 * when the failure asks for it: `Transient.retryAfterMs`) while it throws Transient or times out;
 * rethrows any other error at once. Throws RetriesExhausted with the last reason when no attempt is
 * left, or when the next one would start past `budgetMs`.
 */
export async function retryTransient<T>(
  options: RetryOptions,
  attempt: (signal: AbortSignal, n: number) => Promise<T>,
): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 3);
  const backoffMs = options.backoffMs ?? 500;
  const clock = options.clock ?? systemClock;
  const start = clock.now();
  let last = '';
  let timedOut = false;
  let wait = 0;
  for (let n = 1; n <= attempts; n++) {
    if (n > 1) {
      if (options.budgetMs !== undefined && clock.now() + wait - start > options.budgetMs)
        throw new RetriesExhausted(last, n - 1, timedOut);
      await clock.sleep(wait, options.signal);
    }
    try {
      return await withDeadline(options.timeoutMs, (signal) => attempt(signal, n), options.signal);
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (!(err instanceof Transient || err instanceof DeadlineError)) throw err;
      last = err.message;
      timedOut = err instanceof DeadlineError;
      wait = Math.max(backoffMs * 2 ** (n - 1), err instanceof Transient ? (err.retryAfterMs ?? 0) : 0);
    }
  }
  throw new RetriesExhausted(last, attempts, timedOut);
}
