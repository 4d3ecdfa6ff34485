/**
 * The script harness: every entry point under scripts/ declares its command line as one typed
 * option table and runs through scriptMain() (./script-main.ts), so every command parses,
 * documents and fails the same way:
 *
 * - Strict parsing, messages that never echo a value that may be a secret: script-spec.ts.
 * - `--help` (`-h`) is generated from the same table: script-help.ts.
 * - Exit codes: 0 success, 1 a finding or a failure, 2 bad usage or configuration; 130/143 when
 *   an interruptible command was stopped by SIGINT/SIGTERM (the shell's 128 + signal number).
 *   A failure the command expects (a CommandError: usage, configuration, refusal, finding; see
 *   src/core/command-error.ts) is printed as its message alone, `<command>: <message>`;
 *   anything else is a bug and keeps its stack trace.
 * - Every other command says one line when SIGINT/SIGTERM ends it (sayInterrupted), and a closed
 *   stdout or stderr (`| head -1`: EPIPE) ends nothing but the writing (quietOnClosedOutput).
 * - process.exit is never called: runCommand (./script-main.ts) sets process.exitCode and returns,
 *   so buffered output is flushed and a handle left open shows up as a hang in the tests rather
 *   than being hidden.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CommandError, ConfigurationError, UsageError, type InterruptSignal } from './command-error.js';
import { type CommandInputs, inputRefusal } from './command-inputs.js';
import { detachedGroupsRunning, killDetachedGroups, watchDetachedGroups } from './exec-program.mjs';
import { descriptorRefusal, fileWords, outputTarget } from './output-target.js';
import { nearestExisting, statOf } from './path-within.mjs';
import { printable } from './printable.js';
import { removeTemporaryFolders } from './temporary-folder.js';
import { unreachableRefusal } from './unreachable-path.js';

// The harness's surface in one import for scripts/: the spec and the help come from their own files.
export { defineScript, HELP, parseCommandLine, type OptionValues } from './script-spec.js';
export { helpText } from './script-help.js';
export { OPTION_FILE_MAX_BYTES, readOptionFile } from './option-file.js';

/**
 * Checks, before any work, that a file an option names (relative to `cwd`) can be written: its
 * folder exists and is writable, and the path is not a folder; `-` and the process's stream names
 * are its stdout/stderr (./output-target.ts). Returns the path to give writeOutput(); a usage error
 * otherwise, so a long run is not lost to a typo in a report path; a configuration error for a link
 * to nothing, a loop of links or a folder this user may not search (./unreachable-path.ts); a usage
 * error for one of the command's `inputs` (./command-inputs.ts: its sources, dist/, the folders it reads).
 */
export function outputFile(option: string, path: string, inputs: CommandInputs, cwd = process.cwd()): string {
  const to = outputTarget(path, cwd);
  const unreachable = to.kind === 'file' ? unreachableRefusal(path, fileWords(`--${option} ${path}`), cwd) : undefined;
  if (unreachable) throw new ConfigurationError(unreachable);
  const input = inputRefusal(`--${option} ${path}`, path, inputs, cwd);
  if (input) throw new UsageError(input);
  const problem = (() => {
    try {
      if (to.kind === 'stream') {
        if (to.fd === 0) return 'is standard input';
        return to.fd > 2 ? descriptorRefusal(to.fd) : undefined;
      }
      if (to.kind === 'device') {
        accessSync(to.path, constants.W_OK);
        return undefined;
      }
      if (statSync(to.path, { throwIfNoEntry: false })?.isDirectory()) return 'is a folder';
      if (!statSync(dirname(to.path)).isDirectory()) return `${dirname(to.path)} is not a folder`;
      accessSync(dirname(to.path), constants.W_OK);
      return undefined;
    } catch (err) {
      return `cannot write there (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
    }
  })();
  if (problem)
    throw new UsageError(
      `--${option} ${path}: ${problem} (fix: give a file path in an existing, writable folder, or - for standard output)`,
    );
  return path === '-' ? path : resolve(cwd, path);
}

/**
 * Checks, before any work, a file option of a command that writes other files beside it (the
 * bundle's `<file>.inputs.json` and `<file>.built-from.json`): only a regular file, or a new one,
 * is accepted. A missing folder is fine when its nearest existing part is a writable folder (the
 * command makes the rest, as the Dockerfile's `--out /out/probe-runner.mjs` needs); a file or a
 * device there is refused naming it. `-`, the process's streams (`/dev/stdout`…), a device, FIFO or
 * terminal, and a folder are usage errors naming `fix`: none of them can take a file beside it (as
 * root, `/dev/stdout` was replaced by a file). A link to nothing or a loop of links is refused
 * (./unreachable-path.ts), and so is one of the command's `inputs`, the file or one of those beside
 * it (`<file><suffix>` for each of `besides`: ./command-inputs.ts). A link is followed: the path
 * returned is the file it leads to, and the files beside it are written beside that file (the link
 * stays a link).
 */
export function plainOutputFile(
  option: string,
  path: string,
  {
    fix,
    inputs,
    besides,
  }: { readonly fix: string; readonly inputs: CommandInputs; readonly besides: readonly string[] },
  cwd = process.cwd(),
): string {
  const refuse = (problem: string) =>
    new UsageError(`--${option} ${path}: ${problem}; files are written beside it (fix: ${fix})`);
  if (path.trim() === '') throw refuse('is empty');
  if (path === '-') throw refuse('standard output cannot take the file');
  let to: ReturnType<typeof outputTarget>;
  try {
    to = outputTarget(path, cwd);
  } catch (err) {
    throw refuse(`cannot follow its links (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (to.kind === 'stream') throw refuse(`leads to this process's file descriptor ${to.fd}, not to a file`);
  if (to.kind === 'device') throw refuse(`leads to ${to.path}, a device, FIFO or terminal, not to a regular file`);
  const unreachable = unreachableRefusal(path, fileWords(`--${option} ${path}`), cwd);
  if (unreachable) throw new ConfigurationError(unreachable);
  // The file as given (a link's refusal says where it leads) and those written beside the file it leads to
  // (src/core/beside-bundle.mjs: <file>.inputs.json, .built-from.json), the inputs listed once.
  const written = [path, ...besides.map((suffix) => `${to.path}${suffix}`)];
  const input = inputRefusal(`--${option} ${path}`, written, inputs, cwd);
  if (input) throw new UsageError(input);
  const folder = dirname(to.path);
  let existing = folder;
  try {
    if (statOf(to.path)?.isDirectory()) throw refuse('is a folder');
    const nearest = nearestExisting(folder);
    existing = nearest.path;
    if (!nearest.stat?.isDirectory()) {
      const made = existing === folder ? '' : `, so ${folder} cannot be made`;
      throw refuse(`${existing} is not a folder${made}`);
    }
    accessSync(existing, constants.W_OK);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw refuse(`cannot write in ${existing} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return to.path;
}

/** The exit code and the text for an error that ended a command; `command`: what it runs as, when not `npm run <name>`. */
export function describeFailure(name: string, err: unknown, command?: string): { code: number; text: string } {
  // Its message may echo a command-line value (--only, --repo, --env): escaped here, once for every
  // command, line by line (a message may list several problems, one a line; ./printable.ts).
  const message = err instanceof Error ? err.message.split('\n').map(printable).join('\n') : '';
  if (err instanceof UsageError)
    return { code: err.exitCode, text: `${name}: ${message}; usage: ${command ?? `npm run ${name} --`} --help` };
  if (err instanceof CommandError) return { code: err.exitCode, text: `${name}: ${message}` };
  const trace = err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
  return { code: 1, text: `${name}: unexpected error (a bug: please report it with this trace):\n${trace}` };
}

/**
 * An AbortSignal aborted by the first SIGINT/SIGTERM. After it, its handlers stay only while a
 * detached program's process group runs (./exec-program.mjs watchDetachedGroups: an export's writing
 * git, which no Ctrl-C reaches, in the window the export must finish): a second signal then kills
 * those groups (killDetachedGroups) and ends the process with the signal. Outside that window they
 * are removed, so a second signal takes its default action at once: a handler runs only when the
 * event loop is free, and a loop held by a blocked write (./output-target.ts writeToDescriptor's
 * retries) or any long synchronous step kept a second Ctrl-C waiting. One edge is left as it is:
 * a second signal that arrives in the same turn of the loop as the last group's exit may be handled
 * after its handler was removed, and so be dropped (node reads a signal in a later phase of the
 * turn); a third then takes the default action at once.
 */
export function interruptSignal(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const handlers = new Map<InterruptSignal, () => void>();
  let listening = false;
  const listen = (wanted: boolean) => {
    if (wanted === listening) return;
    listening = wanted;
    for (const [signal, handler] of handlers) (wanted ? process.on : process.off).call(process, signal, handler);
  };
  const stopWatching = watchDetachedGroups((running) => listen(!controller.signal.aborted || running));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    handlers.set(signal, () => {
      if (!controller.signal.aborted) {
        controller.abort(signal);
        return listen(detachedGroupsRunning());
      }
      killDetachedGroups();
      dispose();
      process.kill(process.pid, signal);
    });
  }
  listen(true);
  function dispose() {
    listen(false);
    stopWatching();
  }
  return { signal: controller.signal, dispose };
}

/**
 * A command that is not interruptible: the first SIGINT/SIGTERM prints `<name>: interrupted by
 * <signal>: <leaves>` on stderr, then ends the process with that signal (the shell's 130/143, as
 * without the handler); the temporary folders it made (./temporary-folder.ts) are removed first,
 * as no `finally` runs. The line is written when the event loop is free: a long synchronous step
 * (the gate's synth of an environment) finishes first, so what `leaves` says holds (every file such
 * a command writes is written in one synchronous step). Returns what removes the handlers.
 */
export function sayInterrupted(name: string, leaves: string): () => void {
  const handlers = new Map<InterruptSignal, () => void>();
  const dispose = () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    handlers.set(signal, () => {
      dispose();
      removeTemporaryFolders();
      process.stderr.write(`${name}: interrupted by ${signal}: ${leaves}\n`);
      process.kill(process.pid, signal);
    });
    process.on(signal, handlers.get(signal) as () => void);
  }
  return dispose;
}

/**
 * A closed stdout or stderr (`npm run check-values -- ... | head -1`: the reader is gone, EPIPE)
 * stops only the writing to it, as the shell's `git log | head` stops quietly: no stack trace,
 * and the command ends as it would have, with its own exit code (its other outputs, a report file
 * or an environment file, are still written). Any other error of those streams stays a crash.
 */
export function quietOnClosedOutput(): void {
  const closed = (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  };
  process.stdout.on('error', closed);
  process.stderr.on('error', closed);
}
