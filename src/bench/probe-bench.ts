/**
 * The probe figures: a full probe run against the loopback stand-ins of a healthy platform
 * (src/loopback/platform.ts, the stand-ins `npm run probe -- --demo` uses) vs its slowest single
 * probe, the same with 10 gateways x 10 users, the 10 x 10 run vs the 1 gateway x 2 users run,
 * and the peak memory of a probe run.
 *
 * Each run is the probe command as a fresh process, `node src/tooling/launch.mjs probe --targets
 * <platform targets> --json <file>` (what `npm run probe` runs, without npm's own processes), with
 * the platform's KUBECONFIG and ARCADE_API_KEY. The stand-ins are served by this process, which
 * waits asynchronously. Durations come from the command's JSON report (`durationMs` of the run and
 * of each probe), so node's start-up is not in them.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChildCommand, describeChildFailure, timedOut } from '../core/child-failure.js';
import { type ProgramEnd, runProgram } from '../core/run-program.js';
import type { ProbeReport } from '../probes/types.js';
import { REPO_ROOT } from '../tooling/root.mjs';
import { medianOf, roundRobin, type Measurement } from './measurement.js';
import { maxRssPreload, readMaxRssMb } from './node-run.js';
import { notMeasured, ratio, summarize, type Ratio } from './stats.js';
import { at } from '../core/at.js';

export const PROBE_TARGETS = {
  /** A full run at most 1.3x its slowest probe (concurrency at work). */
  runVsSlowest: 1.3,
  /** 10 gateways x 10 users at most 3x one gateway x 2 users. */
  wideVsNarrow: 3,
} as const;

/** The size of a probed platform. */
export interface PlatformShape {
  readonly gateways: number;
  readonly users: number;
}

export const NARROW: PlatformShape = { gateways: 1, users: 2 };
export const WIDE: PlatformShape = { gateways: 10, users: 10 };

export interface ProbeBenchOptions {
  readonly runs: number;
  readonly warmup: number;
  /** Echo calls of gateway.latency. @default 100 (the targets' default, as --demo uses) */
  readonly latencyCalls?: number;
  /** The wide platform. @default WIDE (10 gateways x 10 users) */
  readonly wide?: PlatformShape;
  /** Per probe command. @default 120000 */
  readonly timeoutMs?: number;
  readonly onProgress?: (message: string) => void;
}

export interface ProbeBenchResult {
  readonly measurements: readonly Measurement[];
  readonly ratios: readonly Ratio[];
}

/** What one probe run gives the bench. */
export interface ProbeRunSample {
  readonly runMs: number;
  readonly slowestMs: number;
  readonly slowestId: string;
  readonly probes: number;
  readonly peakRssMb: number;
}

/** The figures of one probe report; throws when a probe did not pass (a healthy platform must). */
export function sampleOfReport(report: ProbeReport, peakRssMb: number): ProbeRunSample {
  const s = report.summary;
  if (s.failed + s.errors + s.skipped + s.knownGaps > 0 || report.results.length === 0) {
    const bad = report.results.filter((r) => r.status !== 'pass').map((r) => `${r.id} ${r.status}: ${r.detail}`);
    throw new Error(
      `the probe run against the healthy stand-ins did not pass every probe (${s.passed} passed; ${bad.join('; ') || 'no results'})`,
    );
  }
  const slowest = report.results.reduce((a, b) => (b.durationMs > a.durationMs ? b : a));
  return {
    runMs: report.durationMs,
    slowestMs: slowest.durationMs,
    slowestId: slowest.id,
    probes: report.results.length,
    peakRssMb,
  };
}

/** Every probe figure as not measured, with the same reason. */
export function probesNotMeasured(reason: string, wide: PlatformShape = WIDE): ProbeBenchResult {
  return {
    measurements: [
      { id: 'probes.run', label: label('full run', NARROW), status: 'not-measured', reason },
      { id: 'probes.slowest', label: label('slowest probe', NARROW), status: 'not-measured', reason },
      { id: 'probes.wide', label: label('full run', wide), status: 'not-measured', reason },
      { id: 'probes.wide.slowest', label: label('slowest probe', wide), status: 'not-measured', reason },
    ],
    ratios: [
      notMeasured(
        'probes/slowest',
        `probe run / its slowest probe (${shape(NARROW)})`,
        PROBE_TARGETS.runVsSlowest,
        reason,
      ),
      notMeasured(
        'probes.wide/slowest',
        `probe run / its slowest probe (${shape(wide)})`,
        PROBE_TARGETS.runVsSlowest,
        reason,
      ),
      notMeasured(
        'probes.wide/probes',
        `probe run ${shape(wide)} / ${shape(NARROW)}`,
        PROBE_TARGETS.wideVsNarrow,
        reason,
      ),
    ],
  };
}

const shape = (s: PlatformShape) => `${s.gateways} gateway${s.gateways === 1 ? '' : 's'} x ${s.users} users`;
const label = (what: string, s: PlatformShape) => `probes: ${what} (${shape(s)})`;
const COMMAND = 'node src/tooling/launch.mjs probe --targets <stand-in targets.yaml> --json <tmp>';

interface StandIn {
  readonly targetsFile: string;
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

/** The most a probe command may print (its report goes to the --json file; its text is a few KiB). */
const MAX_OUTPUT = 16 * 1024 * 1024;

/** The command runs against this process's stand-ins: `npm run probe -- --demo` runs it against the same. */
const DEMO = 'npm run probe -- --demo';

/**
 * Why a probe run gave no JSON report: how it ended and its last stderr lines (describeChildFailure),
 * and the fix; a run that exited 0 without one is said so.
 */
function noReport(timeoutMs: number, run: ProgramEnd<string>): string {
  if (run.error === null)
    return `${COMMAND} exited 0 but its JSON report is missing or not JSON (fix: run ${DEMO} --json - against the same stand-ins to see what it writes)`;
  const command: ChildCommand = {
    command: COMMAND,
    program: process.execPath,
    cwd: REPO_ROOT,
    timeoutMs,
    maxBuffer: MAX_OUTPUT,
    timeoutFix: `it probes loopback stand-ins served by the bench and ends in seconds: run ${DEMO} (the same stand-ins) to see where it waits`,
  };
  const failure = describeChildFailure(command, { error: run.error, stderr: run.stderr });
  return timedOut({ error: run.error })
    ? failure
    : `${failure} (fix: run ${DEMO} (the same stand-ins) to see the error whole)`;
}

/** One probe command as a fresh process; resolves with its JSON report and peak RSS. */
async function probeOnce(platform: StandIn, timeoutMs: number): Promise<ProbeRunSample> {
  const dir = mkdtempSync(join(tmpdir(), 'arcade-bench-probe-'));
  try {
    const json = join(dir, 'report.json');
    const rss = join(dir, 'maxrss');
    const preload = maxRssPreload(rss);
    const args = [
      ...preload.nodeArgs,
      join(REPO_ROOT, 'src/tooling/launch.mjs'),
      'probe',
      '--targets',
      platform.targetsFile,
      '--json',
      json,
    ];
    const env = { ...process.env, ...platform.env, CI: 'true', ...preload.env };
    // SIGKILL at the timeout (runProgram), as git and kubectl are stopped.
    const run = await runProgram(process.execPath, args, {
      cwd: REPO_ROOT,
      env,
      timeoutMs,
      maxBuffer: MAX_OUTPUT,
      encoding: 'utf8',
    });
    let report: ProbeReport;
    try {
      report = JSON.parse(readFileSync(json, 'utf8')) as ProbeReport;
    } catch {
      throw new Error(noReport(timeoutMs, run));
    }
    return sampleOfReport(report, readMaxRssMb(rss));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function mostFrequent(ids: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
}

/** Figures of a series of probe runs: the run, and its slowest probe. */
export function probeMeasurements(
  ids: { readonly run: string; readonly slowest: string },
  s: PlatformShape,
  samples: readonly ProbeRunSample[],
): [Measurement, Measurement] {
  const slowest = mostFrequent(samples.map((x) => x.slowestId));
  const probes = samples[0]?.probes ?? 0;
  return [
    {
      id: ids.run,
      label: `${label('full run', s)}, ${probes} probes`,
      status: 'measured',
      command: COMMAND,
      timeMs: summarize(samples.map((x) => x.runMs)),
      samplesMs: samples.map((x) => x.runMs),
      peakRssMb: summarize(samples.map((x) => x.peakRssMb)),
    },
    {
      id: ids.slowest,
      label: `${label('slowest probe', s)}, mostly ${slowest}`,
      status: 'measured',
      command: COMMAND,
      timeMs: summarize(samples.map((x) => x.slowestMs)),
      samplesMs: samples.map((x) => x.slowestMs),
    },
  ];
}

/** Runs the probe figures; reports them as not measured (with the reason) when a run fails. */
export async function benchProbes(options: ProbeBenchOptions): Promise<ProbeBenchResult> {
  const wide = options.wide ?? WIDE;
  let startPlatform: typeof import('../loopback/platform.js').startPlatform;
  try {
    ({ startPlatform } = await import('../loopback/platform.js'));
  } catch (err) {
    return probesNotMeasured(
      `the loopback stand-ins (src/loopback/platform.ts) cannot be loaded: ${(err as Error).message.split('\n')[0]}`,
      wide,
    );
  }
  const latencyCalls = options.latencyCalls ?? 100;
  const platforms: StandIn[] = [];
  try {
    const narrow = await startPlatform({ latencyCalls, arcade: { gateways: NARROW.gateways, users: NARROW.users } });
    platforms.push(narrow);
    const broad = await startPlatform({ latencyCalls, arcade: { gateways: wide.gateways, users: wide.users } });
    platforms.push(broad);
    const sizes = [
      { platform: narrow, shape: NARROW },
      { platform: broad, shape: wide },
    ];
    const samples = await roundRobin(
      sizes,
      options,
      (size) => `probes (${shape(size.shape)})`,
      (size) => probeOnce(size.platform, options.timeoutMs ?? 120_000),
    );
    const [run, slowest] = probeMeasurements(
      { run: 'probes.run', slowest: 'probes.slowest' },
      NARROW,
      at(samples, 0, 'samples of size'),
    );
    const [wideRun, wideSlowest] = probeMeasurements(
      { run: 'probes.wide', slowest: 'probes.wide.slowest' },
      wide,
      at(samples, 1, 'samples of size'),
    );
    const figures = [run, slowest, wideRun, wideSlowest];
    const median = (id: string) => medianOf(figures, id);
    return {
      measurements: figures,
      ratios: [
        ratio({
          id: 'probes/slowest',
          label: `probe run / its slowest probe (${shape(NARROW)})`,
          target: PROBE_TARGETS.runVsSlowest,
          numerator: median('probes.run'),
          denominator: median('probes.slowest'),
        }),
        ratio({
          id: 'probes.wide/slowest',
          label: `probe run / its slowest probe (${shape(wide)})`,
          target: PROBE_TARGETS.runVsSlowest,
          numerator: median('probes.wide'),
          denominator: median('probes.wide.slowest'),
        }),
        ratio({
          id: 'probes.wide/probes',
          label: `probe run ${shape(wide)} / ${shape(NARROW)}`,
          target: PROBE_TARGETS.wideVsNarrow,
          numerator: median('probes.wide'),
          denominator: median('probes.run'),
        }),
      ],
    };
  } catch (err) {
    return probesNotMeasured((err as Error).message, wide);
  } finally {
    await Promise.all(platforms.map((p) => p.close()));
  }
}
