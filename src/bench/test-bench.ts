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
 *
 * Each run also reports its phases (so a missed budget says where the time went): every static
 * check's own time and the time of the four side by side (src/tooling/static-checks.mjs writes
 * them to ARCADE_STATIC_CHECKS_TIMES), and vitest's (the rest of the run). A run that fails names
 * its failing tests, file and full title, from vitest's JSON report (the bench passes the same
 * reporter options as `.ci/run`); the warm run is measured even when the fresh one failed, and
 * the other way round: each figure stands on its own runs.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { REPO_ROOT } from '../tooling/bundle.js';
import { failingTests, staticPhases, tail, type Phase } from './test-run-report.js';
import { medianOf, roundRobin, type Measurement, type PhaseSummary } from './measurement.js';
import { budget, budgetNotMeasured, summarize, type Budget } from './stats.js';
import { at } from '../core/at.js';

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

/**
 * One run of the command: wall time, the 1-minute load average as it started and ended, and its
 * phases (empty when the command wrote no static-check times).
 */
export interface TestRunSample {
  readonly ms: number;
  readonly loadStart: number;
  readonly loadEnd: number;
  readonly phases: readonly Phase[];
}

/** A run that failed: why, with the failing tests named when vitest's report has them. */
export interface FailedRun {
  readonly failed: string;
  /** The phases of the failed run, when it got as far as writing them. */
  readonly phases: readonly Phase[];
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

/**
 * Runs `command` in `cwd` with `env`, output to a file, with vitest's JSON reporter added as
 * `.ci/run` adds it (`-- --reporter=default --reporter=json --outputFile.json=<file>`) and the
 * static checks' times asked for. Resolves with the sample, or with why the run failed (its exit
 * code, its failing tests, else its last lines).
 */
export async function timeCommand(
  command: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<TestRunSample | FailedRun> {
  const [file, ...args] = command;
  if (!file) return { failed: 'bench: no command to run', phases: [] };
  const logDir = mkdtempSync(join(tmpdir(), 'arcade-bench-tests-log-'));
  const log = join(logDir, 'output.log');
  const vitestReport = join(logDir, 'vitest.json');
  const staticTimes = join(logDir, 'static-checks.json');
  const fd = openSync(log, 'w');
  const loadStart = loadavg()[0] ?? 0;
  const started = performance.now();
  try {
    const end = await new Promise<{ code: number | null; signal: NodeJS.Signals | null } | Error>((resolve) => {
      const child = spawn(
        file,
        [...args, '--', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestReport}`],
        { cwd, env: { ...env, ARCADE_STATIC_CHECKS_TIMES: staticTimes }, stdio: ['ignore', fd, fd] },
      );
      const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
      child.on('error', (err) => {
        clearTimeout(timer);
        resolve(err);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal });
      });
    });
    const ms = performance.now() - started;
    if (end instanceof Error)
      return { failed: `bench: ${command.join(' ')} could not start (${end.message})`, phases: [] };
    const staticPart = staticPhases(staticTimes);
    const sideBySide = staticPart.at(-1)?.ms;
    // vitest is the rest of the run (with npm's own start, a fraction of a second).
    const phases =
      sideBySide === undefined || !existsSync(vitestReport)
        ? staticPart
        : [...staticPart, { name: 'vitest', ms: Math.max(0, ms - sideBySide) }];
    if (end.code === 0) return { ms, loadStart, loadEnd: loadavg()[0] ?? 0, phases };
    const why = end.code === null ? `killed by ${end.signal} (over ${timeoutMs / 1000} s?)` : `exit code ${end.code}`;
    const tests = failingTests(vitestReport, cwd);
    const detail =
      tests.length > 0 ? `${tests.length} failing test(s): ${tests.join('; ')}` : tail(readFileSync(log, 'utf8'));
    return { failed: `${command.join(' ')} failed (${why}): ${detail}`, phases };
  } finally {
    closeSync(fd);
    rmSync(logDir, { recursive: true, force: true });
  }
}

const failedRun = (run: TestRunSample | FailedRun): run is FailedRun => 'failed' in run;

/** Each phase's summary over the runs, in the order of the first run that has phases. */
function phaseSummaries(runs: readonly (TestRunSample | FailedRun)[]): PhaseSummary[] {
  const names = runs.find((r) => r.phases.length > 0)?.phases.map((p) => p.name) ?? [];
  return names.map((name) => ({
    name,
    ms: summarize(runs.flatMap((r) => r.phases.filter((p) => p.name === name).map((p) => p.ms))),
  }));
}

/**
 * Both figures and both budgets from the runs of each kind (fresh, warm). A kind with a failed
 * run is not measured (a failing suite's time proves nothing), with the failure as the reason;
 * the other kind stands on its own runs.
 */
export function testMeasurements(
  command: string,
  fresh: readonly (TestRunSample | FailedRun)[],
  warm: readonly (TestRunSample | FailedRun)[],
): TestBenchResult {
  const figure = (kind: 'fresh' | 'warm', runs: readonly (TestRunSample | FailedRun)[]): Measurement => {
    const phasesMs = phaseSummaries(runs);
    const phases = phasesMs.length > 0 ? { phasesMs } : {};
    const failures = runs.filter(failedRun);
    if (failures.length > 0)
      return {
        id: `tests.${kind}`,
        label: LABELS[kind],
        status: 'not-measured',
        reason: failures.map((f) => f.failed).join(' | '),
        ...phases,
      };
    const samples = runs.filter((r): r is TestRunSample => !failedRun(r));
    return {
      id: `tests.${kind}`,
      label: LABELS[kind],
      status: 'measured',
      command,
      timeMs: summarize(samples.map((s) => s.ms)),
      samplesMs: samples.map((s) => s.ms),
      load1m: summarize(samples.flatMap((s) => [s.loadStart, s.loadEnd])),
      ...phases,
    };
  };
  const measurements = [figure('fresh', fresh), figure('warm', warm)];
  return {
    measurements,
    budgets: measurements.map((m, i) => {
      const kind = i === 0 ? 'fresh' : 'warm';
      const label = `${LABELS[kind].split(' (')[0]}`;
      return m.status === 'measured'
        ? budget({ id: m.id, label, targetMs: TEST_TARGETS_MS[kind], figure: medianOf(measurements, m.id) })
        : budgetNotMeasured(m.id, label, TEST_TARGETS_MS[kind], m.reason);
    }),
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
      budgetNotMeasured(`tests.${kind}`, at(LABELS[kind].split(' ('), 0, 'label part'), TEST_TARGETS_MS[kind], reason),
    ),
  };
}

/**
 * Measures `runs` pairs: caches removed and a fresh empty TMPDIR, the command; then the command
 * again in the same TMPDIR. CI=true as in `.ci/run` (snapshots are never written). A failing run
 * makes its figure not measured (a failing suite's time proves nothing), naming the failing
 * tests; the pair still runs to its end, so a failure only the fresh run shows leaves the warm
 * figure measured.
 */
export async function benchTests(options: TestBenchOptions): Promise<TestBenchResult> {
  const root = options.root ?? REPO_ROOT;
  const command = options.command ?? npmTestCommand();
  const caches = options.caches ?? FRESH_CACHES;
  const timeoutMs = options.timeoutMs ?? 900_000;
  let tmp: string | undefined;
  const clearTmp = () => tmp && rmSync(tmp, { recursive: true, force: true });
  try {
    const samples = await roundRobin<'fresh' | 'warm', TestRunSample | FailedRun>(
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
    return testMeasurements(
      `CI=true ${options.command ? command.join(' ') : 'npm test'}`,
      at(samples, 0, 'samples of run'),
      at(samples, 1, 'samples of run'),
    );
  } catch (err) {
    return testsNotMeasured((err as Error).message);
  } finally {
    clearTmp();
  }
}
