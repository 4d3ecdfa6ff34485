// Types of exec-program.mjs (plain JavaScript so a bare node runs it: the test workers' program helper).
import type { ChildProcess, ExecFileException } from 'node:child_process';

export interface ExecProgramOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
  readonly maxBuffer: number;
  readonly encoding: 'utf8' | 'buffer';
  readonly input?: string;
}

export function execProgram(
  file: string,
  args: readonly string[],
  options: ExecProgramOptions,
  done: (error: ExecFileException | null, stdout: string | Buffer, stderr: string | Buffer) => void,
): ChildProcess;
