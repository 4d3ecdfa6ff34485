/**
 * The one deadline/retry helper (src/core/retry.ts). Backoff runs on a virtual clock (attempts
 * and sleeps counted, not waited for); an attempt that must time out never answers, so only its
 * deadline can end it, however loaded the machine.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, test } from 'vitest';
import {
  DeadlineError,
  rejectionOnAbort,
  RetriesExhausted,
  retryTransient,
  settleWithin,
  Transient,
  untilAborted,
  withDeadline,
} from '../../src/core/retry.js';
import { virtualClock } from '../support/virtual-clock.js';

const never = () => new Promise<never>(() => undefined);

describe('withDeadline', () => {
  test('returns what the attempt returns in time', async () => {
    expect(await withDeadline(60_000, async () => 'answer')).toBe('answer');
  });

  test('rejects with DeadlineError when the attempt never answers, and aborts its signal', async () => {
    let seen: AbortSignal | undefined;
    const err = await withDeadline(20, (signal) => {
      seen = signal;
      return never();
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeadlineError);
    expect((err as Error).message).toBe('timed out after 0.02s');
    expect(seen?.aborted).toBe(true);
    // What the attempt started (a request, a session) learns why it stops.
    expect(seen?.reason).toBeInstanceOf(DeadlineError);
  });

  test('aborts the signal when the attempt ends, so nothing it started outlives it', async () => {
    let seen: AbortSignal | undefined;
    await withDeadline(60_000, async (signal) => {
      seen = signal;
      expect(signal.aborted).toBe(false);
    });
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).not.toBeInstanceOf(DeadlineError);
  });

  test("stops with the caller's reason when the caller's signal aborts first", async () => {
    const caller = new AbortController();
    const running = withDeadline(60_000, never, caller.signal);
    caller.abort(new Error('run cancelled'));
    await expect(running).rejects.toThrow('run cancelled');
  });
});

describe('rejectionOnAbort', () => {
  test("rejects with the signal's reason when it aborts, ending a race with a request that ignores it", async () => {
    const caller = new AbortController();
    const rejection = rejectionOnAbort(caller.signal);
    const running = Promise.race([never(), rejection]);
    const reason = new Error('probe timed out');
    caller.abort(reason);
    await expect(running).rejects.toBe(reason);
    await expect(rejectionOnAbort(caller.signal)).rejects.toBe(reason);
  });

  test('adds one listener however many requests race it', async () => {
    const caller = new AbortController();
    const rejection = rejectionOnAbort(caller.signal);
    const requests = Array.from({ length: 20 }, (_, i) => Promise.race([Promise.resolve(i), rejection]));
    await expect(Promise.all(requests)).resolves.toHaveLength(20);
    expect(EventEmitter.getEventListeners(caller.signal, 'abort')).toHaveLength(1);
  });
});

describe('untilAborted', () => {
  test("is the work's outcome, and removes its listener when the work settles", async () => {
    const caller = new AbortController();
    await expect(untilAborted(Promise.resolve('done'), caller.signal)).resolves.toBe('done');
    await expect(untilAborted(Promise.reject(new Error('gone')), caller.signal)).rejects.toThrow('gone');
    // A command's signal lives as long as the command: no listener is left per call.
    expect(EventEmitter.getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });

  test("rejects with the signal's reason (or the caller's error for it) at the abort, at once when aborted already", async () => {
    const caller = new AbortController();
    let fail: (err: Error) => void = () => undefined;
    const work = new Promise<never>((_, reject) => {
      fail = reject;
    });
    const running = untilAborted(work, caller.signal);
    const worded = untilAborted(work, caller.signal, (s) => new Error(`stopped by ${String(s.reason)}`));
    caller.abort('SIGINT');
    await expect(running).rejects.toBe('SIGINT');
    await expect(worded).rejects.toThrow('stopped by SIGINT');
    await expect(untilAborted(never(), caller.signal)).rejects.toBe('SIGINT');
    // The work's own failure after the abort is no longer anyone's: it counts as handled (vitest
    // fails a run on an unhandled rejection).
    fail(new Error('too late'));
    await expect(work).rejects.toThrow('too late');
    expect(EventEmitter.getEventListeners(caller.signal, 'abort')).toHaveLength(0);
  });

  test('without a signal is the work itself', () => {
    const work = Promise.resolve(1);
    expect(untilAborted(work, undefined)).toBe(work);
  });
});

describe('settleWithin', () => {
  test('returns when the work settles, rejected work included', async () => {
    await settleWithin(60_000, Promise.resolve('done'));
    await settleWithin(60_000, Promise.reject(new Error('gone')));
  });

  test('returns after maxMs when the work never settles', async () => {
    await settleWithin(20, never());
  });

  test('returns as soon as the signal aborts', async () => {
    const controller = new AbortController();
    const waiting = settleWithin(60_000, never(), controller.signal);
    controller.abort();
    await waiting;
  });
});

describe('retryTransient', () => {
  test('retries Transient failures with doubling backoff until an attempt returns', async () => {
    const clock = virtualClock();
    const seen: number[] = [];
    const result = await retryTransient({ timeoutMs: 60_000, attempts: 4, backoffMs: 100, clock }, async (_s, n) => {
      seen.push(n);
      if (n < 3) throw new Transient(`HTTP 503 (attempt ${n})`);
      return 'cert';
    });
    expect(result).toBe('cert');
    expect(seen).toEqual([1, 2, 3]);
    expect(clock.sleeps).toEqual([100, 200]);
  });

  test('rethrows any other error at once', async () => {
    const clock = virtualClock();
    let calls = 0;
    const refused = new Error('HTTP 403 forbidden');
    await expect(
      retryTransient({ timeoutMs: 60_000, clock }, async () => {
        calls++;
        throw refused;
      }),
    ).rejects.toBe(refused);
    expect(calls).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  test('gives up after the last attempt with its reason; a timeout counts as transient, and says it timed out', async () => {
    const clock = virtualClock();
    const err = await retryTransient({ timeoutMs: 20, attempts: 2, backoffMs: 7, clock }, never).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RetriesExhausted);
    expect(err).toMatchObject({ message: 'timed out after 0.02s', attempts: 2, timedOut: true });
    expect(clock.sleeps).toEqual([7]);
  });

  test('waits at least what a failure asks for (Retry-After), the doubling backoff otherwise', async () => {
    const clock = virtualClock();
    const waits = [5_000, undefined, 50];
    await retryTransient({ timeoutMs: 60_000, attempts: 4, backoffMs: 100, clock }, async (_s, n) => {
      if (n <= waits.length) throw new Transient('HTTP 429', waits[n - 1]);
      return 'ok';
    });
    expect(clock.sleeps).toEqual([5_000, 200, 400]);
  });

  test('budgetMs: no attempt starts past it; the last reason at once, without the wait that would end past it', async () => {
    const clock = virtualClock(1_000);
    const seen: number[] = [];
    const err = await retryTransient(
      { timeoutMs: 60_000, attempts: 10, backoffMs: 1_000, budgetMs: 10_000, clock },
      async (_s, n) => {
        seen.push(clock.now());
        throw new Transient(`connect ECONNREFUSED (attempt ${n})`);
      },
    ).catch((e: unknown) => e);
    // Attempts at 0, 1, 3 and 7 s; the next wait (8 s) would start one at 15 s, past the 10 s budget.
    expect(seen).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(clock.sleeps).toEqual([1_000, 2_000, 4_000]);
    expect(err).toBeInstanceOf(RetriesExhausted);
    expect(err).toMatchObject({ message: 'connect ECONNREFUSED (attempt 4)', attempts: 4, timedOut: false });
  });

  test("the caller's signal ends a backoff wait on the system clock: its reason at once, no further attempt", async () => {
    const caller = new AbortController();
    let attempts = 0;
    // An hour's wait: only the signal can end it within the test's time.
    const err = await retryTransient(
      { timeoutMs: 60_000, attempts: 3, backoffMs: 3_600_000, signal: caller.signal },
      async () => {
        attempts++;
        // After the attempt's rejection has reached retryTransient (microtasks first): it is waiting.
        setImmediate(() => caller.abort('SIGINT'));
        throw new Transient('HTTP 503');
      },
    ).catch((e: unknown) => e);
    expect(err).toBe('SIGINT');
    expect(attempts).toBe(1);
  });

  test("the caller's signal ends a running attempt with its reason, never retried", async () => {
    const caller = new AbortController();
    const clock = virtualClock();
    let seen: AbortSignal | undefined;
    const running = retryTransient({ timeoutMs: 3_600_000, attempts: 3, clock, signal: caller.signal }, (signal) => {
      seen = signal;
      return never();
    });
    caller.abort('SIGTERM');
    await expect(running).rejects.toBe('SIGTERM');
    expect(seen?.aborted).toBe(true);
    expect(clock.sleeps).toEqual([]);
  });
});
