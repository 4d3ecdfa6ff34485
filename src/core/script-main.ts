/**
 * A script's command as a function: `main(args, io)` parses `args` with the script's option table
 * (src/core/script-spec.ts), answers --help, runs the body and RETURNS the exit code, with everything
 * the command reads from or writes to the process injectable (stdout, stderr, stdin, environment,
 * working folder, the interrupt signal). The file under scripts/ exports `main` and runs it as
 * the process's command only when it is the process's entry (`runCommand`), so:
 *
 * - `npm run <name>` behaves as before: same parse, same messages, same exit codes, the same
 *   SIGINT/SIGTERM handling for interruptible commands (src/core/script.ts interruptSignal);
 * - tests call `main` in process (test/support/run-script.ts) instead of spawning `node --import
 *   tsx` for every case: a spawn pays node, tsx's loader and every module the script loads, about
 *   a second of CPU each (docs/benchmarks.md "Where the suite's time goes"). One real spawn per
 *   script stays where the process is what is tested (test/scripts/every-script.test.ts: exit
 *   code, argv parsing, stdout/stderr of a real process).
 *
 * A body writes through its context (`print`, `warn`, `io`) and resolves relative paths against
 * `io.cwd` (`path`), never through console.* or process.*, so two calls in one process (tests run
 * concurrently) never share output or options. process.exitCode is set only by runCommand.
 */
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ignoredLocationWarning } from './git-location.js';
import { describeFailure, interruptSignal, quietOnClosedOutput, sayInterrupted } from './script.js';
import { helpText, interruptedLeaves } from './script-help.js';
import { HELP, parseCommandLine, type OptionTable, type OptionValues, type ScriptSpec } from './script-spec.js';

/** Something text is written to: process.stdout/stderr, or a test's buffer. */
export interface TextSink {
  write(text: string): unknown;
}

/** What a command reads and writes: the process's own (processIo) or a caller's. */
export interface ScriptIo {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  readonly stdin: AsyncIterable<Buffer | string>;
  /** The environment variables the command reads (credentials, KUBECONFIG, CI). */
  readonly env: NodeJS.ProcessEnv;
  /** Relative paths in options resolve against it. */
  readonly cwd: string;
  /** Aborted to interrupt an interruptible command (as SIGINT/SIGTERM do for the process). */
  readonly signal: AbortSignal;
}

/** The process's own streams, environment and working folder; a signal nothing aborts. */
export function processIo(): ScriptIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    signal: new AbortController().signal,
  };
}

export interface MainContext {
  /** Writes `text` and a newline to stdout. */
  print(text: string): void;
  /** Prints `<name>: warning: <message>` on stderr. */
  warn(message: string): void;
  /** A path given on the command line, resolved against the command's working folder. */
  path(path: string): string;
  /** Aborted (reason: the signal name) when the command is interrupted. */
  readonly signal: AbortSignal;
  readonly io: ScriptIo;
}

/** A script's command: the exit code for `args`, with the process's io unless given. */
export type ScriptMain = (args: readonly string[], io?: Partial<ScriptIo>) => Promise<number>;

/**
 * The command of a script: parses, answers --help, runs `body`; returns what it returns (default
 * 0), or the exit code of what it throws, printed on stderr as describeFailure() words it.
 */
export function scriptMain<T extends OptionTable>(
  spec: ScriptSpec<T>,
  // biome-ignore lint/suspicious/noConfusingVoidType: a body that returns nothing means exit 0; `void` lets it omit the return
  body: (options: OptionValues<T>, context: MainContext) => Promise<number | void> | number | void,
): ScriptMain {
  return async (args, given = {}) => {
    const io: ScriptIo = { ...processIo(), ...given };
    const context: MainContext = {
      print: (text) => io.stdout.write(`${text}\n`),
      warn: (message) => io.stderr.write(`${spec.name}: warning: ${message}\n`),
      path: (path) => resolve(io.cwd, path),
      signal: io.signal,
      io,
    };
    try {
      const options = parseCommandLine(spec.options, args);
      if (options === HELP) {
        io.stdout.write(`${helpText(spec)}\n`);
        return 0;
      }
      const ignored = spec.gitRepository === undefined ? undefined : ignoredLocationWarning(io.env, spec.gitRepository);
      if (ignored) context.warn(ignored);
      return (await body(options, context)) ?? 0;
    } catch (err) {
      const failure = describeFailure(spec.name, err);
      io.stderr.write(`${failure.text}\n`);
      return failure.code;
    }
  };
}

/**
 * Whether the module at `moduleUrl` is the process's entry (`node [--import tsx] <file>`, `tsx <file>`, or
 * src/tooling/launch.mjs, which sets argv[1] to the script's source and runs its bundle, where
 * `import.meta.url` is the source's).
 */
function isProcessEntry(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync.native(entry) === realpathSync.native(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

/**
 * Runs `main` with the process's arguments and io and sets process.exitCode, when the module at
 * `moduleUrl` is the process's entry; does nothing when a test imports it. Interruptible commands
 * get a signal the first SIGINT/SIGTERM aborts (a second ends the process at once); the others say
 * one line before the signal ends them (./script.ts sayInterrupted). A closed stdout or stderr
 * (EPIPE) is no crash (./script.ts quietOnClosedOutput).
 */
export async function runCommand(
  moduleUrl: string,
  spec: { readonly name: string; readonly interruptible?: boolean; readonly interrupted?: string },
  main: ScriptMain,
): Promise<void> {
  if (!isProcessEntry(moduleUrl)) return;
  quietOnClosedOutput();
  const interrupts = spec.interruptible ? interruptSignal() : undefined;
  const unsay = interrupts ? undefined : sayInterrupted(spec.name, interruptedLeaves(spec));
  try {
    process.exitCode = await main(process.argv.slice(2), interrupts ? { signal: interrupts.signal } : {});
  } finally {
    interrupts?.dispose();
    unsay?.();
  }
}
