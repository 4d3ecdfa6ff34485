/**
 * Runs a program to its end and collects what it wrote: node's `execFile` (no shell between, so
 * an argument is one argument), with a timeout that kills it, a cap on its output, optional
 * input on its stdin and an optional AbortSignal that kills it (an interrupted export's kubectl).
 * Every program the stack runs and waits for asynchronously goes through here
 * (git in ./git.ts, helm in src/chart-values/render.ts, kubectl kustomize in
 * src/delivery/kustomize.ts and src/check/flux-build.ts, the probe bench's probe command in
 * src/bench/probe-bench.ts); failures are told by the caller with ./child-failure.ts, from the
 * same `error`, `stdout` and `stderr` execFile gives.
 *
 * Why one place, and why a launcher can be swapped: starting a program forks the process that
 * starts it, and a fork costs in proportion to the starting process's memory (its page tables are
 * copied, then torn down again by the exec). On the 2-core test VMs, `git --version` started from
 * a 50 MB node process costs about 19 ms of CPU, from 200 MB 35 ms and from 350 MB 47 ms
 * (docs/benchmarks.md "Starting programs from a small process"). A command-line run is small and
 * starts a dozen programs; the test suite's workers hold 150-450 MB each and start hundreds of git
 * processes, so they install a launcher that hands the start to a small helper process
 * (`useProgramLauncher`, test/support/program-helper.ts). The launcher must keep execFile's
 * contract exactly: the same options honoured by the same code (the AbortSignal, which cannot cross
 * to another process, as an abort of the same run there), and the same error fields (`code`,
 * `killed`, `signal`, `message`) that describeChildFailure reads.
 */
import type { ExecFileException } from 'node:child_process';
import { type ExecProgramOptions, execProgram } from './exec-program.mjs';

/** How a program is run (./exec-program.d.mts ExecProgramOptions), its output as text or as bytes. */
export type ProgramOptions<E extends 'utf8' | 'buffer'> = Omit<ExecProgramOptions, 'encoding'> & {
  readonly encoding: E;
};

/** How it ended, as execFile's callback gives it: `error` is null when it exited 0. */
export interface ProgramEnd<T extends string | Buffer> {
  readonly error: ExecFileException | null;
  readonly stdout: T;
  readonly stderr: T;
}

/** What a launcher is handed: the program, its arguments and its options, `env` and `cwd` always set. */
export type ProgramRequest = {
  readonly file: string;
  readonly args: readonly string[];
  readonly options: ProgramOptions<'utf8' | 'buffer'> & { readonly env: NodeJS.ProcessEnv; readonly cwd: string };
};

/** Starts a program and reports its end with execFile's contract (see the module comment). */
export type ProgramLauncher = (request: ProgramRequest) => Promise<ProgramEnd<string | Buffer>>;

/** The default: execFile in this process (./exec-program.mjs, the code the test workers' helper runs too). */
export function execFileLauncher({ file, args, options }: ProgramRequest): Promise<ProgramEnd<string | Buffer>> {
  return new Promise((resolve) => {
    execProgram(file, args, options, (error, stdout, stderr) => resolve({ error, stdout, stderr }));
  });
}

let launcher: ProgramLauncher = execFileLauncher;

/**
 * Makes every later {@link runProgram} of this process start its programs with `next` (the test
 * workers' small helper process); `undefined` goes back to execFile in this process.
 */
export function useProgramLauncher(next: ProgramLauncher | undefined): void {
  launcher = next ?? execFileLauncher;
}

/** Runs `file` with `args` to its end (see the module comment); never throws: a failure is in `error`. */
export function runProgram(
  file: string,
  args: readonly string[],
  options: ProgramOptions<'utf8'>,
): Promise<ProgramEnd<string>>;
export function runProgram(
  file: string,
  args: readonly string[],
  options: ProgramOptions<'buffer'>,
): Promise<ProgramEnd<Buffer>>;
export function runProgram(
  file: string,
  args: readonly string[],
  options: ProgramOptions<'utf8' | 'buffer'>,
): Promise<ProgramEnd<string | Buffer>> {
  // Resolved here, in the caller's process, so a launcher in another process sees this one's.
  const request = {
    file,
    args,
    options: { ...options, env: options.env ?? process.env, cwd: options.cwd ?? process.cwd() },
  };
  return launcher(request);
}
