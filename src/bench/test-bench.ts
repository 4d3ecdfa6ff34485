/**
 * The test-time figures (issue 13): `npm test` as a person waits for it, the first time after
 * `npm ci` on a fresh clone and again once everything is cached, against absolute budgets
 * (fresh <= 60 s, warm <= 25 s on 2 cores). Budgets, not ratios: the suite is the whole machine's
 * work, with nothing of the same run to divide it by, so the report gives the machine's cores and
 * its load average during each run beside the figures.
 *
 * "Fresh" is the working tree without any cache a fresh clone lacks (FRESH_CACHES: TypeScript's
 * incremental build info and the synth bundle under .build/, vitest's results cache in
 * node_modules/.vite, tools' caches in node_modules/.cache) and with an empty temporary folder
 * (TMPDIR: tsx keeps its transform cache in `$TMPDIR/tsx-<uid>`), so every TypeScript file is
 * compiled again and vitest knows no earlier durations. node_modules itself stays (npm ci is not
 * part of npm test) and the operating system's file cache cannot be emptied. "Warm" is the run
 * right after, in the same TMPDIR, with every cache the fresh run left.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { REPO_ROOT } from '../tooling/bundle.js';
import { medianOf, roundRobin, type Measurement } from './measurement.js';
import { budget, budgetNotMeasured, summarize, type Budget } from './stats.js';

/** Issue 13: fresh-clone npm test at most 60 s, warm at most 25 s (on 2 cores). */
export const TEST_TARGETS_MS = { fresh: 60_000, warm: 25_000 } as const;

/** What a fresh clone does not have, relative to the repository root: removed before each fresh run. */
export const FRESH_CACHES = ['.build', 'node_modules/.vite', 'node_modules/.cache'] as const;

export interface TestBenchOptions {
  /** Measured fresh + warm pairs (each a whole test suite, twice). */
  readonly runs: number;
  /** @default REPO_ROOT */
  readonly root?: string;
  /** The command, run in `root`. @default npm test (through the npm that runs the bench, when known) */
  readonly command?: readonly string[];
  /** Relative to `root`. @default FRESH_CACHES */
  readonly caches?: readonly string[];
  /** Per run; a run over it is killed and the figures are not measured. @default 900000 (15 min) */
  readonly timeoutMs?: number;
  readonly onProgress?: (message: string) => void;
}

export interface TestBenchResult {
  readonly measurements: readonly Measurement[];
  readonly budgets: readonly Budget[];
}

/** One run of the command: wall time and the 1-minute load average as it started and ended. */
export interface TestRunSample {
  readonly ms: number;
  readonly loadStart: number;
  readonly loadEnd: number;
}

const LABELS = {
  fresh: 'npm test, fresh (caches removed, empty TMPDIR)',
  warm: 'npm test, warm (right after, every cache kept)',
} as const;

/** `npm test` through the npm CLI that runs `npm run bench` (npm_execpath), else npm from the PATH. */
export function npmTestCommand(env: NodeJS.ProcessEnv = process.env): string[] {
  const npm = env.npm_execpath;
  return npm && /npm-cli\.[cm]?js$/.test(npm) ? [process.execPath, npm, 'test'] : ['npm', 'test'];
}

/** The last non-empty lines of a log, for a reason that fits on a line or three. */
function tail(text: string, lines = 3): string {
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter(Boolean)
    .slice(-lines)
    .join(' / ');
}

/** Runs `command` in `cwd` with `env`, output to a file; resolves with the sample, rejects with why it failed. */
export function timeCommand(
  command: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<TestRunSample> {
  const [file, ...args] = command;
  if (!file) return Promise.reject(new Error('bench: no command to run'));
  const logDir = mkdtempSync(join(tmpdir(), 'arcade-bench-tests-log-'));
  const log = join(logDir, 'output.log');
  const fd = openSync(log, 'w');
  const loadStart = loadavg()[0] ?? 0;
  const started = performance.now();
  return new Promise<TestRunSample>((resolve, reject) => {
    const child = spawn(file, args, { cwd, env, stdio: ['ignore', fd, fd] });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`bench: ${command.join(' ')} could not start (${err.message})`));
    });
    child.on('close', (code, signal) => {
      const ms = performance.now() - started;
      clearTimeout(timer);
      if (code === 0) resolve({ ms, loadStart, loadEnd: loadavg()[0] ?? 0 });
      else {
        const why = code === null ? `killed by ${signal} (over ${timeoutMs / 1000} s?)` : `exit code ${code}`;
        reject(new Error(`${command.join(' ')} failed (${why}): ${tail(readFileSync(log, 'utf8'))}`));
      }
    });
  }).finally(() => {
    closeSync(fd);
    rmSync(logDir, { recursive: true, force: true });
  });
}

/** Both figures and both budgets from the samples of each kind (fresh, warm). */
export function testMeasurements(
  command: string,
  fresh: readonly TestRunSample[],
  warm: readonly TestRunSample[],
): TestBenchResult {
  const figure = (kind: 'fresh' | 'warm', samples: readonly TestRunSample[]): Measurement => ({
    id: `tests.${kind}`,
    label: LABELS[kind],
    status: 'measured',
    command,
    timeMs: summarize(samples.map((s) => s.ms)),
    samplesMs: samples.map((s) => s.ms),
    load1m: summarize(samples.flatMap((s) => [s.loadStart, s.loadEnd])),
  });
  const measurements = [figure('fresh', fresh), figure('warm', warm)];
  return {
    measurements,
    budgets: (['fresh', 'warm'] as const).map((kind) =>
      budget({
        id: `tests.${kind}`,
        label: `${LABELS[kind].split(' (')[0]}`,
        targetMs: TEST_TARGETS_MS[kind],
        figure: medianOf(measurements, `tests.${kind}`),
      }),
    ),
  };
}

/** The figures as not measured, with the reason (never a made-up number). */
export function testsNotMeasured(reason: string): TestBenchResult {
  return {
    measurements: (['fresh', 'warm'] as const).map((kind) => ({
      id: `tests.${kind}`,
      label: LABELS[kind],
      status: 'not-measured',
      reason,
    })),
    budgets: (['fresh', 'warm'] as const).map((kind) =>
      budgetNotMeasured(`tests.${kind}`, LABELS[kind].split(' (')[0]!, TEST_TARGETS_MS[kind], reason),
    ),
  };
}

/**
 * Measures `runs` pairs: caches removed and a fresh empty TMPDIR, the command; then the command
 * again in the same TMPDIR. CI=true as in `.ci/run` (snapshots are never written). A failing run
 * makes both figures not measured: a failing suite's time proves nothing.
 */
export async function benchTests(options: TestBenchOptions): Promise<TestBenchResult> {
  const root = options.root ?? REPO_ROOT;
  const command = options.command ?? npmTestCommand();
  const caches = options.caches ?? FRESH_CACHES;
  const timeoutMs = options.timeoutMs ?? 900_000;
  let tmp: string | undefined;
  const clearTmp = () => tmp && rmSync(tmp, { recursive: true, force: true });
  try {
    const [fresh, warm] = await roundRobin(
      ['fresh', 'warm'] as const,
      { runs: options.runs, warmup: 0, ...(options.onProgress ? { onProgress: options.onProgress } : {}) },
      (kind) => LABELS[kind],
      (kind) => {
        if (kind === 'fresh') {
          clearTmp();
          tmp = mkdtempSync(join(tmpdir(), 'arcade-bench-tests-tmp-'));
          for (const c of caches) rmSync(join(root, c), { recursive: true, force: true });
        }
        return timeCommand(command, root, { ...process.env, CI: 'true', TMPDIR: tmp }, timeoutMs);
      },
    );
    return testMeasurements(`CI=true ${options.command ? command.join(' ') : 'npm test'}`, fresh!, warm!);
  } catch (err) {
    return testsNotMeasured((err as Error).message);
  } finally {
    clearTmp();
  }
}
