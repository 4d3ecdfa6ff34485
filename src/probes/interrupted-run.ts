/**
 * A probe run stopped by SIGINT/SIGTERM (scripts/probe.ts is interruptible: the first signal aborts
 * the run's signal, a second ends the process at once). The run is raced against the signal: on
 * an interrupt the command stops waiting, its `finally` stops the `--demo` stand-ins (removing the
 * temporary kubeconfig folder, which holds a loopback token; also while they are still starting),
 * no report is written, and it prints `probe: interrupted by SIGINT: ...` and exits 130 (143 for
 * SIGTERM), as every interruptible command does. The run itself takes the same signal
 * (./runner.ts `signal`): its attempts and retry waits end with it, so nothing keeps the process
 * alive and nothing is printed after the interrupt's line (docs/probes.md).
 */
import { Interrupted, type InterruptSignal, interruptedBy } from '../core/command-error.js';
import { untilAborted } from '../core/retry.js';

/**
 * `work`'s value, or an Interrupted (worded by `message`) as soon as `signal` aborts; `work`'s
 * failure after the interrupt is no longer the command's (../core/retry.ts untilAborted).
 */
export function untilInterrupted<T>(
  work: Promise<T>,
  signal: AbortSignal | undefined,
  message: (by: InterruptSignal) => string,
): Promise<T> {
  return untilAborted(work, signal, (s) => new Interrupted(interruptedBy(s), message(interruptedBy(s))));
}
