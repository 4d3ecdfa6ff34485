/**
 * A virtual clock for code that takes a `Clock` (src/core/clock.ts): time moves only when the
 * code under test sleeps, by exactly what it asked for, or when the test advances it; every sleep
 * is recorded, and what was scheduled runs when the time passes its due time. A retry loop run on
 * it gives the same attempts and the same sleeps on any machine, however loaded.
 */
import type { Clock } from '../../src/core/clock.js';

export interface VirtualClock extends Clock {
  /** Every sleep asked for, in order (ms). */
  readonly sleeps: readonly number[];
  /** Moves the time forward by `ms` (as if something took that long), running what falls due. */
  advance(ms: number): void;
}

export function virtualClock(start = 0): VirtualClock {
  let now = start;
  const sleeps: number[] = [];
  const scheduled = new Set<{ readonly due: number; readonly fn: () => void }>();
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      const next = [...scheduled].filter((t) => t.due <= until).sort((a, b) => a.due - b.due)[0];
      if (!next) break;
      scheduled.delete(next);
      now = Math.max(now, next.due);
      next.fn();
    }
    now = until;
  };
  return {
    now: () => now,
    // A virtual sleep ends at once: only a signal that already aborted can stop it.
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      sleeps.push(ms);
      advance(ms);
    },
    schedule: (fn, ms) => {
      const timer = { due: now + ms, fn };
      scheduled.add(timer);
      return () => void scheduled.delete(timer);
    },
    advance,
    sleeps,
  };
}
