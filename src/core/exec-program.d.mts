// Types of exec-program.mjs (plain JavaScript so a bare node runs it: the test workers' program helper).
import type { ChildProcess, ExecFileException } from 'node:child_process';

/** How a program is run: what execFile is given (src/core/run-program.ts's ProgramOptions). */
export interface ExecProgramOptions {
  /** Its working folder: the caller's own when omitted. */
  readonly cwd?: string;
  /** Its environment: the caller's own when omitted. */
  readonly env?: NodeJS.ProcessEnv;
  /** Killed with SIGKILL after this many milliseconds (execFile's `timeout`, `killSignal`). */
  readonly timeoutMs: number;
  /** The most it may write to stdout or stderr, in bytes: past it the program is stopped. */
  readonly maxBuffer: number;
  readonly encoding: 'utf8' | 'buffer';
  /** Written to its stdin, which is then closed (closed at once when omitted: nothing may wait on it). */
  readonly input?: string;
  /**
   * Aborted: the program is killed with SIGKILL, as at its timeout (execFile's `signal`), and ends
   * with execFile's AbortError (code `ABORT_ERR`); at once when it is aborted already.
   */
  readonly signal?: AbortSignal;
  /**
   * Started in a session of its own (setsid), out of reach of a terminal's Ctrl-C, which goes to
   * the foreground process group; execFile's contract otherwise. @default false
   */
  readonly detached?: boolean;
}

export function execProgram(
  file: string,
  args: readonly string[],
  options: ExecProgramOptions,
  done: (error: ExecFileException | null, stdout: string | Buffer, stderr: string | Buffer) => void,
): ChildProcess | undefined;

/**
 * SIGKILLs the process group of every detached program still running (with whatever it started):
 * run when this process exits, and by a second SIGINT/SIGTERM before it ends the process.
 */
export function killDetachedGroups(): void;

/** Whether any detached program's group is still running. */
export function detachedGroupsRunning(): boolean;

/**
 * Calls `watcher` with whether any detached program's group is still running, each time one starts
 * or is forgotten; returns what stops it.
 */
export function watchDetachedGroups(watcher: (running: boolean) => void): () => void;
