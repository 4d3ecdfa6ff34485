/**
 * One benchmarked run of a fresh node process: wall time from spawn to exit, and, where memory is
 * measured, its peak resident set size from the same run, reported by the child itself through
 * report-max-rss.cjs (a CommonJS preload: docs/benchmarks.md "How").
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { describeChildFailure, stdoutWhenNoStderr } from '../core/child-failure.js';

/**
 * The --require preload that writes the child's maxRSS at exit (plain CommonJS: no tsx in the
 * child, and no ES-module loader started for it, as `--import` would).
 */
export const MAX_RSS_REPORTER = fileURLToPath(new URL('./report-max-rss.cjs', import.meta.url));

/** What `--require MAX_RSS_REPORTER` adds to a node command; the child writes its maxRSS to the file named in `env`. */
export function maxRssPreload(file: string): { readonly nodeArgs: readonly string[]; readonly env: NodeJS.ProcessEnv } {
  return { nodeArgs: ['--require', MAX_RSS_REPORTER], env: { ARCADE_BENCH_MAXRSS_FILE: file } };
}

/** A node command to benchmark: `node <args>` in `cwd`. */
export interface NodeCommand {
  /**
   * The program run with `args` (a test's stand-in may be a shell: a node start is 0.1-0.15 s of CPU).
   * Peak memory is measured of node only (timeAndPeakRssOfNode). @default node (this process's executable)
   */
  readonly program?: string;
  /** Arguments after `node` (or `program`). */
  readonly args: readonly string[];
  readonly cwd: string;
  /** @default 120000 */
  readonly timeoutMs?: number;
}

/** The most a benchmarked run may print. */
const MAX_OUTPUT = 64 * 1024 * 1024;

/**
 * Runs the command and returns its wall-clock milliseconds; a failure throws, on one line,
 * `bench: ` and describeChildFailure's message (the command as given, without `nodeArgs`; how it
 * ended; its last stderr lines, or stdout's when stderr is empty).
 */
function run(cmd: NodeCommand, nodeArgs: readonly string[], env: NodeJS.ProcessEnv): number {
  const program = cmd.program ?? process.execPath;
  const timeoutMs = cmd.timeoutMs ?? 120_000;
  const started = performance.now();
  const child = spawnSync(program, [...nodeArgs, ...cmd.args], {
    cwd: cmd.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: MAX_OUTPUT,
  });
  const ms = performance.now() - started;
  if (child.error || child.status !== 0) {
    const command = {
      command: `${cmd.program ?? 'node'} ${cmd.args.join(' ')}`,
      program,
      cwd: cmd.cwd,
      timeoutMs,
      maxBuffer: MAX_OUTPUT,
      timeoutFix:
        'a benchmarked run reads no input and ends in seconds on an idle machine: see whether this one is busy ' +
        `(uptime), then run the command alone in ${cmd.cwd} (a synth figure runs the code npm run synth runs) to see whether it ends`,
    };
    throw new Error(`bench: ${describeChildFailure(command, stdoutWhenNoStderr(child))}`);
  }
  return ms;
}

/** Wall-clock milliseconds of `node <args>`, exactly as given (nothing added to the command). */
export function timeNode(cmd: NodeCommand): number {
  return run(cmd, [], process.env);
}

/**
 * One run of `node --require report-max-rss.cjs <args>`: its wall-clock milliseconds (spawn to exit,
 * as timeNode) and its peak RSS in megabytes (MiB), which the child reports
 * (process.resourceUsage().maxRSS at exit) into a temporary file. The preload costs one small
 * require (docs/benchmarks.md "How": measured against the bare command).
 */
export function timeAndPeakRssOfNode(cmd: NodeCommand): { readonly ms: number; readonly peakRssMb: number } {
  const dir = mkdtempSync(join(tmpdir(), 'arcade-bench-rss-'));
  try {
    const file = join(dir, 'maxrss');
    const preload = maxRssPreload(file);
    const ms = run(cmd, preload.nodeArgs, { ...process.env, ...preload.env });
    return { ms, peakRssMb: readMaxRssMb(file) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The peak RSS in MiB that report-max-rss.cjs wrote to `file`; throws unless it is kilobytes > 0. */
export function readMaxRssMb(file: string): number {
  const text = readFileSync(file, 'utf8').trim();
  const kb = Number(text);
  if (text === '' || !Number.isFinite(kb) || kb <= 0)
    throw new Error(`bench: the child reported maxRSS '${text}' (expected kilobytes > 0)`);
  return kb / 1024;
}
