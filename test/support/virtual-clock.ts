/**
 * A virtual clock for code that takes a `Clock` (src/core/clock.ts): time moves only when the
 * code under test sleeps, by exactly what it asked for, and every sleep is recorded. A retry loop
 * run on it gives the same attempts and the same sleeps on any machine, however loaded.
 */
import type { Clock } from '../../src/core/clock.js';

export interface VirtualClock extends Clock {
  /** Every sleep asked for, in order (ms). */
  readonly sleeps: readonly number[];
}

export function virtualClock(start = 0): VirtualClock {
  let now = start;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
  };
}
