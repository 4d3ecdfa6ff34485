/**
 * Runs a script's command in process (its exported `main`, src/core/script-main.ts), with its own
 * stdout and stderr captured, as spawnScript() does for a spawned one: the same ScriptRun shape,
 * so a test reads the same status, stdout and stderr either way. Nothing of the test process is
 * shared with the command: it gets its own environment (default: a copy of the test's), working
 * folder (default: the repository root) and stdin (default: empty).
 */
import { Readable } from 'node:stream';
import type { ScriptIo, ScriptMain } from '../../src/core/script-main.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import type { ScriptRun } from './spawn-script.js';

export interface InProcessOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** What the command reads on stdin. @default nothing (end of input at once) */
  readonly stdin?: string | Buffer;
  readonly signal?: AbortSignal;
}

export async function runMain(
  main: ScriptMain,
  args: readonly string[],
  options: InProcessOptions = {},
): Promise<ScriptRun> {
  let stdout = '';
  let stderr = '';
  const io: ScriptIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
    env: options.env ?? { ...process.env },
    cwd: options.cwd ?? REPO_ROOT,
    signal: options.signal ?? new AbortController().signal,
  };
  const status = await main(args, io);
  return { status, stdout, stderr };
}
