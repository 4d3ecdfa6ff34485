/**
 * Work in flight that a measurement should not overlap: the gateway fan-out of a run (many
 * sessions at once keep the probe process busy, and a latency timed meanwhile would measure the
 * probe process, not the gateway).
 */
import { settleWithin } from '../../core/retry.js';

export class ActivityGate {
  private readonly active = new Set<Promise<void>>();

  /** Marks work as started; call the returned function when it is done (idempotent). */
  enter(): () => void {
    let done!: () => void;
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    this.active.add(finished);
    return () => {
      this.active.delete(finished);
      done();
    };
  }

  /**
   * Resolves when all work entered so far is done, after `maxMs` at the latest, or as soon as
   * `signal` aborts. Never rejects.
   */
  async idle(signal: AbortSignal, maxMs: number): Promise<void> {
    if (this.active.size === 0) return;
    await settleWithin(maxMs, Promise.all([...this.active]), signal);
  }
}
