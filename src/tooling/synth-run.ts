/**
 * One synth run for `npm run synth`: the bundled entry runs as a child process into a staging
 * folder beside the output, `<out>.synth-<pid>/`, which is swapped into place only when the
 * child succeeded. Whatever ends the run early, the staging folder goes and the output stays:
 *
 * - the child fails or is killed: removed, `<out>` unchanged, the reason named (an exit code,
 *   the signal that killed it, or our own timeout; never "timed out" for a kill);
 * - SIGINT/SIGTERM to `npm run synth` (`signal` aborts): the child is stopped (SIGTERM, SIGKILL
 *   if it lingers), the staging folder removed, and Interrupted thrown (exit 130/143);
 * - SIGKILL of `npm run synth` cannot be trapped: the orphaned child stops before writing (the
 *   entry checks its parent is still there, src/main.ts), and the next run removes every
 *   `<out>.synth-<pid>` folder whose process is gone (removeStaleStaging).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CommandError, Interrupted, type InterruptSignal, interruptedBy } from '../core/command-error.js';
import type { TextSink } from '../core/script-main.js';
import { shellWord } from '../core/shell-word.js';
import { swapDirectory } from './swap-dir.js';
import { alive } from './processes.mjs';

/** A synth run that did not produce output; the output folder was left unchanged. */
export class SynthFailed extends CommandError {
  constructor(
    message: string,
    override readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

export interface SynthRunOptions {
  /** The bundled entry (.build/main.cjs). */
  readonly bundle: string;
  /** The output folder's real path, already checked (output-dir.ts). */
  readonly out: string;
  /** Folder of environment files. @default the entry's own (src/environments) */
  readonly environments?: string;
  /** Aborted (reason: the signal name) by SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
  /** @default 120000 */
  readonly timeoutMs?: number;
  /** Told the staging folder's path once it exists and the child was started (tests wait for it). */
  readonly onStarted?: (staging: string) => void;
  /**
   * Where the child's stdout and stderr go. @default this process's own, inherited: the child
   * writes to them itself, so an orphan (this process killed with SIGKILL) can still say why it
   * stopped. A caller's sinks (a test running the command in process) get the child's output
   * piped through this process.
   */
  readonly output?: { readonly stdout: TextSink; readonly stderr: TextSink };
}

/**
 * Removes `<out>.synth-<pid>` staging folders (and `.previous` ones of an interrupted swap) whose
 * process is gone: debris of runs killed with SIGKILL. A `.previous` folder is the last good output
 * when the kill came between the swap's two renames and `<out>` is missing: it is put back.
 * Returns what was done, one line each.
 */
export function removeStaleStaging(out: string): string[] {
  const parent = dirname(out);
  const stale = new RegExp(`^${basename(out).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.synth-(\\d+)(\\.previous)?$`);
  const done: string[] = [];
  if (!existsSync(parent)) return done;
  for (const name of readdirSync(parent).sort()) {
    const match = stale.exec(name);
    if (!match || alive(Number(match[1]))) continue;
    const path = join(parent, name);
    if (match[2] && !existsSync(out)) {
      renameSync(path, out);
      done.push(`restored ${out} from ${name} (a run was killed during its swap)`);
    } else {
      rmSync(path, { recursive: true, force: true });
      done.push(`removed ${name} (left by a run that was killed)`);
    }
  }
  return done;
}

type Ending = { readonly kind: 'exit'; readonly code: number | null; readonly signal: NodeJS.Signals | null };

/** Runs the entry into a staging folder and swaps it into `out` on success; throws SynthFailed or Interrupted. */
export async function synthesizeInto(options: SynthRunOptions): Promise<void> {
  const { out, signal } = options;
  const staging = `${out}.synth-${process.pid}`;
  const interrupted = (by: InterruptSignal) =>
    new Interrupted(
      by,
      `interrupted by ${by}: stopped the synth process and removed ${basename(staging)}; ${out} was left unchanged`,
    );
  if (signal.aborted) throw interrupted(interruptedBy(signal));
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });

  const timeoutMs = options.timeoutMs ?? 120_000;
  const envArgs = options.environments ? ['--environments', options.environments] : [];
  let stoppedFor: 'timeout' | 'interrupt' | undefined;
  let ending: Ending;
  try {
    ending = await new Promise<Ending>((resolvePromise, reject) => {
      const output = options.output;
      const child = spawn(process.execPath, [options.bundle, '--out', staging, ...envArgs], {
        stdio: ['ignore', output ? 'pipe' : 'inherit', output ? 'pipe' : 'inherit'],
      });
      child.stdout?.setEncoding('utf8').on('data', (text: string) => output?.stdout.write(text));
      child.stderr?.setEncoding('utf8').on('data', (text: string) => output?.stderr.write(text));
      let killTimer: NodeJS.Timeout | undefined;
      const stop = (why: 'timeout' | 'interrupt') => {
        stoppedFor ??= why;
        child.kill('SIGTERM');
        // A child that ignores SIGTERM is killed; unref'd, so it never keeps this process alive.
        killTimer = setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      };
      const timer = setTimeout(() => stop('timeout'), timeoutMs);
      const onAbort = () => stop('interrupt');
      signal.addEventListener('abort', onAbort, { once: true });
      child.once('error', (err) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        reject(err);
      });
      // 'close': the child has ended and its piped output has all been passed on.
      child.once('close', (code, childSignal) => {
        clearTimeout(timer);
        clearTimeout(killTimer);
        signal.removeEventListener('abort', onAbort);
        resolvePromise({ kind: 'exit', code, signal: childSignal });
      });
      options.onStarted?.(staging);
    });
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  if (ending.code !== 0 || stoppedFor || signal.aborted) {
    rmSync(staging, { recursive: true, force: true });
    if (stoppedFor === 'interrupt' || signal.aborted) throw interrupted(interruptedBy(signal));
    // Ctrl-C reaches the whole process group: the child may be gone before our own handler runs.
    if (ending.signal === 'SIGINT') throw interrupted('SIGINT');
    // Told here, not by describeChildFailure: the child's output is inherited (it printed its own
    // last lines), and the timeout is this two-step stop, not node's (docs/benchmarks.md, session 9 crdshare).
    // A child that failed printed its own reason just before (src/main.ts: a refusal with its fix, a
    // bug with its stack); a signal came from outside (the kernel, a user), for a reason this process
    // cannot know: neither gets a fix of ours.
    if (stoppedFor === 'timeout')
      throw new SynthFailed(
        `timed out after ${timeoutMs / 1000} s and was stopped; ${out} was left unchanged (fix: the synth reads ` +
          'only the environment files, nothing from the network, and ends in seconds: run node ' +
          `${[shellWord(options.bundle), '--out', '"$(mktemp -d)"', ...envArgs.map(shellWord)].join(' ')} to see ` +
          'where it waits)',
      );
    if (ending.signal)
      throw new SynthFailed(`the synth process was killed by ${ending.signal}; ${out} was left unchanged`);
    throw new SynthFailed(`failed (exit code ${ending.code}); ${out} was left unchanged`, ending.code === 2 ? 2 : 1);
  }
  swapDirectory(staging, out);
}
