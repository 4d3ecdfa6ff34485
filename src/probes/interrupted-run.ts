/**
 * A probe run stopped by SIGINT/SIGTERM (scripts/probe.ts is interruptible: the first signal aborts
 * the run's signal, a second ends the process at once). The run is raced against the signal: on
 * an interrupt the command stops waiting, its `finally` stops the `--demo` stand-ins (removing the
 * temporary kubeconfig folder, which holds a loopback token; also while they are still starting),
 * no report is written, and it prints `probe: interrupted by SIGINT: ...` and exits 130 (143 for
 * SIGTERM), as every interruptible command does. A probe still in flight ends on its own deadline,
 * against stand-ins that are gone.
 */
import { Interrupted, type InterruptSignal, interruptedBy } from '../core/command-error.js';

/** `work`'s value, or an Interrupted (worded by `message`) as soon as `signal` aborts. */
export async function untilInterrupted<T>(
  work: Promise<T>,
  signal: AbortSignal | undefined,
  message: (by: InterruptSignal) => string,
): Promise<T> {
  if (signal === undefined) return work;
  let onAbort = () => {};
  const stopped = new Promise<never>((_, reject) => {
    onAbort = () => reject(new Interrupted(interruptedBy(signal), message(interruptedBy(signal))));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, stopped]);
  } finally {
    signal.removeEventListener('abort', onAbort);
    work.catch(() => undefined); // its failure after the interrupt is no longer the command's
  }
}
