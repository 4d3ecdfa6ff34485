/**
 * Failures a command expects, each with its exit code. The script harness (src/core/script.ts)
 * prints them as `<command>: <message>`, without a stack trace: the message names what is wrong
 * and the fix. Any other error is a bug and is printed with its stack.
 *
 * The exit code belongs to the kind of failure, not to the script, so every command answers the
 * same failure the same way: 2 for what the person gave (arguments, environment files, a
 * kubeconfig, input files: nothing was done), 1 for a finding, a refusal or a failure while doing
 * the work.
 */

/** 0 success, 1 finding or failure, 2 usage or configuration, 130/143 interrupted (SIGINT/SIGTERM). */
export type ExitCode = 0 | 1 | 2 | 130 | 143;

/** A failure whose message is the whole story. Subclasses choose the exit code (default 1). */
export class CommandError extends Error {
  readonly exitCode: ExitCode = 1;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** What the person gave is wrong or missing: environment files, settings, input files (exit 2). */
export class ConfigurationError extends CommandError {
  override readonly exitCode: ExitCode = 2;
}

/** The command line is wrong (exit 2); the harness adds where to read the usage. */
export class UsageError extends ConfigurationError {}

export type InterruptSignal = 'SIGINT' | 'SIGTERM';

/** The signal an interrupt's AbortSignal was aborted for (its reason: src/core/script.ts interruptSignal). */
export function interruptedBy(signal: AbortSignal): InterruptSignal {
  return signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT';
}

/** The command stopped on SIGINT/SIGTERM after cleaning up (exit 130/143: 128 + the signal number). */
export class Interrupted extends CommandError {
  override readonly exitCode: ExitCode;
  constructor(
    readonly signal: InterruptSignal,
    message: string,
  ) {
    super(message);
    this.exitCode = signal === 'SIGINT' ? 130 : 143;
  }
}
