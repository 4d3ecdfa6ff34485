/**
 * The test-time figures (issue 13): `npm test` as a person waits for it, the first time after
 * `npm ci` on a fresh clone and again once everything is cached, judged against the budgets
 * (fresh <= 60 s, warm <= 25 s on 2 cores) at the reference speed (./test-budget.ts): the floor
 * (./synth-bench.ts floorSubject, a fresh node loading cdk8s-plus-28) is measured right before and
 * right after every `npm test` run, so drift of the machine within the run hits both sides, and
 * each figure is judged as `npm test / floor` against `budget / reference floor`. The seconds on
 * this machine, its cores and its load average are printed beside it as information.
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
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../tooling/root.mjs';
import { failedRun, npmTestCommand, timeCommand, type FailedRun, type TestRunSample } from './test-run.js';
import { roundRobin, type Measurement, type PhaseSummary, type Subject } from './measurement.js';
import { summarize } from './stats.js';
import { budgetNotMeasured, floorIdOf, judgeTestTime, type Budget, type TestKind } from './test-budget.js';
import { at } from '../core/at.js';
import {
  FLOOR_RUNS_PER_SIDE,
  type FloorBlock,
  floorBlock,
  RUN_FOLDER_WAIT_MS,
  runFolderRemoved,
  TEST_RUN_FOLDER_PREFIX,
  testFloorSubject,
} from './test-floor.js';

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
  /** Per run; a run over it is stopped with every process it started, and its figure is not measured. @default 900000 (15 min) */
  readonly timeoutMs?: number;
  /** Floor runs right before and right after each npm test run. @default FLOOR_RUNS_PER_SIDE */
  readonly floorRuns?: number;
  /**
   * The floor the figures are divided by, run as its `memory` says (./measurement.ts sampleSubject).
   * @default testFloorSubject() (node loads cdk8s-plus-28, bare)
   */
  readonly floor?: Subject;
  /** Where a failed run's output and vitest report are kept. @default the system's temporary folder */
  readonly keepFailedIn?: string;
  /** How long the floor after a run waits for the run's folder to be removed. @default RUN_FOLDER_WAIT_MS */
  readonly runFolderWaitMs?: number;
  readonly onProgress?: (message: string) => void;
}

export interface TestBenchResult {
  readonly measurements: readonly Measurement[];
  readonly budgets: readonly Budget[];
}

/** What benchTests returns: the figures, and the floor runs on each side of every npm test run. */
export interface TestBenchRun extends TestBenchResult {
  readonly floorRuns: number;
}

/** One npm test run and the floor blocks right before and right after it. */
export interface TestRunWithFloor {
  readonly run: TestRunSample | FailedRun;
  readonly floor: readonly FloorBlock[];
}

const LABELS = {
  fresh: 'npm test, fresh (caches removed, empty TMPDIR)',
  warm: 'npm test, warm (right after, every cache kept)',
} as const;

/** The budget's label: the figure's without its parenthesis. */
const budgetLabel = (kind: TestKind): string => at(LABELS[kind].split(' ('), 0, 'label part');
const floorLabel = (kind: TestKind): string => `floor around ${budgetLabel(kind)}`;

/** Each phase's summary over the runs, in the order of the first run that has phases. */
function phaseSummaries(runs: readonly (TestRunSample | FailedRun)[]): PhaseSummary[] {
  const names = runs.find((r) => r.phases.length > 0)?.phases.map((p) => p.name) ?? [];
  return names.map((name) => ({
    name,
    ms: summarize(runs.flatMap((r) => r.phases.filter((p) => p.name === name).map((p) => p.ms))),
  }));
}

/** The floor samples of one figure's blocks, or not measured when a block failed. */
function floorMeasurement(kind: TestKind, floorCommand: string, runs: readonly TestRunWithFloor[]): Measurement {
  const id = floorIdOf(`tests.${kind}`);
  const blocks = runs.flatMap((r) => r.floor);
  const failed = blocks.find((b): b is { failed: string } => 'failed' in b);
  if (failed) return { id, label: floorLabel(kind), status: 'not-measured', reason: failed.failed };
  const samplesMs = blocks.flatMap((b) => ('samplesMs' in b ? b.samplesMs : []));
  if (samplesMs.length === 0)
    return { id, label: floorLabel(kind), status: 'not-measured', reason: 'no floor run (fix: floorRuns >= 1)' };
  return {
    id,
    label: floorLabel(kind),
    status: 'measured',
    command: floorCommand,
    timeMs: summarize(samplesMs),
    samplesMs,
  };
}

/**
 * Both figures, the floor measured around each, and both budgets from the runs of each kind
 * (fresh, warm), each with its floor blocks. A kind with a failed run is not measured (a failing
 * suite's time proves nothing), with the failure as the reason; the other kind stands on its own
 * runs. A kind whose floor failed is measured in seconds but not judged (./test-budget.ts).
 */
export function testMeasurements(
  command: string,
  floorCommand: string,
  fresh: readonly TestRunWithFloor[],
  warm: readonly TestRunWithFloor[],
): TestBenchResult {
  const figure = (kind: TestKind, withFloor: readonly TestRunWithFloor[]): Measurement => {
    const runs = withFloor.map((r) => r.run);
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
  const kinds = [
    ['fresh', fresh],
    ['warm', warm],
  ] as const;
  const pairs = kinds.map(([kind, runs]) => ({
    kind,
    figure: figure(kind, runs),
    floor: floorMeasurement(kind, floorCommand, runs),
  }));
  return {
    measurements: pairs.flatMap((p) => [p.figure, p.floor]),
    budgets: pairs.map((p) =>
      judgeTestTime({ kind: p.kind, label: budgetLabel(p.kind), figure: p.figure, floor: p.floor }),
    ),
  };
}

/** The figures and their floors as not measured, with the reason (never a made-up number). */
export function testsNotMeasured(reason: string): TestBenchResult {
  const kinds = ['fresh', 'warm'] as const;
  return {
    measurements: kinds.flatMap((kind): Measurement[] => [
      { id: `tests.${kind}`, label: LABELS[kind], status: 'not-measured', reason },
      { id: floorIdOf(`tests.${kind}`), label: floorLabel(kind), status: 'not-measured', reason },
    ]),
    budgets: kinds.map((kind) => budgetNotMeasured(kind, `tests.${kind}`, budgetLabel(kind), reason)),
  };
}

/**
 * Measures `runs` pairs: caches removed and a fresh empty TMPDIR, the command; then the command
 * again in the same TMPDIR. CI=true as in `.ci/run` (snapshots are never written). Around every
 * run, `floorRuns` runs of the floor (the block between two runs counts for both): floor, fresh,
 * floor, warm, floor, fresh, ... A failing run makes its figure not measured (a failing suite's
 * time proves nothing), naming the failing tests; the pair still runs to its end, so a failure
 * only the fresh run shows leaves the warm figure measured.
 */
export async function benchTests(options: TestBenchOptions): Promise<TestBenchRun> {
  const root = options.root ?? REPO_ROOT;
  const command = options.command ?? npmTestCommand();
  const caches = options.caches ?? FRESH_CACHES;
  const timeoutMs = options.timeoutMs ?? 900_000;
  const floor = options.floor ?? testFloorSubject();
  const floorRuns = options.floorRuns ?? FLOOR_RUNS_PER_SIDE;
  if (!Number.isInteger(floorRuns) || floorRuns < 1)
    throw new Error(`floorRuns: ${floorRuns} (fix: a whole number >= 1)`);
  const runFolderWaitMs = options.runFolderWaitMs ?? RUN_FOLDER_WAIT_MS;
  const progress = options.onProgress;
  const floorAround = (where: string): FloorBlock =>
    floorBlock(floor, floorRuns, progress && ((i) => progress(`floor ${i}/${floorRuns} ${where}`)));
  let tmp: string | undefined;
  const clearTmp = () => tmp && rmSync(tmp, { recursive: true, force: true });
  let before: FloorBlock | undefined;
  try {
    const samples = await roundRobin<TestKind, TestRunWithFloor>(
      ['fresh', 'warm'] as const,
      { runs: options.runs, warmup: 0, ...(progress ? { onProgress: progress } : {}) },
      (kind) => LABELS[kind],
      async (kind) => {
        before ??= floorAround(`before ${budgetLabel(kind)}`);
        if (kind === 'fresh') {
          clearTmp();
          tmp = mkdtempSync(join(tmpdir(), 'arcade-bench-tests-tmp-'));
          for (const c of caches) rmSync(join(root, c), { recursive: true, force: true });
        }
        const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true', TMPDIR: tmp };
        // A kustomize build folder of the person's own (src/delivery/build-store.ts CACHE_VARIABLE)
        // would answer the fresh run from disk: unset, the suite keeps its builds in
        // node_modules/.cache (test/support/setup.ts), which a fresh run starts without.
        delete env.ARCADE_KUSTOMIZE_CACHE;
        const run = await timeCommand(command, root, env, timeoutMs, options.keepFailedIn);
        if (tmp && !(await runFolderRemoved(tmp, runFolderWaitMs)))
          progress?.(
            `${TEST_RUN_FOLDER_PREFIX}* in ${tmp} still there after ${runFolderWaitMs / 1000} s: ` +
              'the floor after this run is measured while it is being removed',
          );
        const after = floorAround(`after ${budgetLabel(kind)}`);
        const floorBlocks = [before, after];
        before = after;
        return { run, floor: floorBlocks };
      },
    );
    const result = testMeasurements(
      `CI=true ${options.command ? command.join(' ') : 'npm test'}`,
      floor.command,
      at(samples, 0, 'samples of run'),
      at(samples, 1, 'samples of run'),
    );
    return { ...result, floorRuns };
  } catch (err) {
    return { ...testsNotMeasured((err as Error).message), floorRuns };
  } finally {
    clearTmp();
  }
}
