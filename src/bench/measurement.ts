/**
 * A figure of the benchmark (one command measured over several runs) and the round-robin loop
 * that measures a set of them: every run measures each subject once, in turn, so a slow moment
 * of the machine hits all of them alike; the first `warmup` runs are thrown away.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { at } from '../core/at.js';
import { timeAndPeakRssOfNode, timeNode, type NodeCommand } from './node-run.js';
import { summarize, type Summary } from './stats.js';

/** A part of a measured command (a phase of npm test) over its runs. */
export interface PhaseSummary {
  readonly name: string;
  readonly ms: Summary;
}

export type Measurement =
  | {
      readonly id: string;
      readonly label: string;
      readonly status: 'measured';
      /** The command as a person would type it (temporary paths shown as placeholders). */
      readonly command: string;
      readonly timeMs: Summary;
      /** Every measured sample, in run order (warm-up excluded). */
      readonly samplesMs: readonly number[];
      /** Peak resident set size (MiB) of the same runs as the time; absent when memory was not asked for. */
      readonly peakRssMb?: Summary;
      /**
       * The machine's 1-minute load average, sampled as each measured run started and ended; given
       * for the test-time figures, as information beside the judged ratio (outside load on the
       * shared cores slows the floor and the suite differently: docs/benchmarks.md "Test time").
       */
      readonly load1m?: Summary;
      /** The command's phases, where it reports them (npm test: each static check, vitest). */
      readonly phasesMs?: readonly PhaseSummary[];
    }
  | {
      readonly id: string;
      readonly label: string;
      readonly status: 'not-measured';
      readonly reason: string;
      /** The phases of the runs that failed, as far as they got (where the time went all the same). */
      readonly phasesMs?: readonly PhaseSummary[];
    };

/** One benchmarked command. */
export interface Subject {
  readonly id: string;
  readonly label: string;
  /** Shown in the table and JSON; `<out>` stands for the fresh output folder of each run. */
  readonly command: string;
  /**
   * Measure peak memory too, in the same run as the time: the run is then `node --require
   * report-max-rss.cjs <args>` (./node-run.ts timeAndPeakRssOfNode); without, the bare command.
   * Subjects of one ratio must agree on it, or the ratio compares unlike runs.
   */
  readonly memory: boolean;
  /** The command of one run; `out` is a fresh, empty folder removed after the run. */
  commandFor(out: string): NodeCommand;
}

export interface LoopOptions {
  /** Measured runs. */
  readonly runs: number;
  /** Runs thrown away first (disk cache, JIT of node itself). */
  readonly warmup: number;
  /** Called before each run of each subject (progress on a terminal). */
  readonly onProgress?: (message: string) => void;
}

/**
 * The loop of every figure: runs `measure` on each subject `warmup + runs` times, round robin,
 * and returns the samples kept (warm-up dropped), one list per subject in subject order.
 */
export async function roundRobin<S, T>(
  subjects: readonly S[],
  options: LoopOptions,
  labelOf: (subject: S) => string,
  measure: (subject: S) => T | Promise<T>,
): Promise<T[][]> {
  if (!Number.isInteger(options.runs) || options.runs < 1)
    throw new Error(`runs: ${options.runs} (fix: a whole number >= 1)`);
  if (!Number.isInteger(options.warmup) || options.warmup < 0)
    throw new Error(`warmup: ${options.warmup} (fix: a whole number >= 0)`);
  const kept = subjects.map((subject) => ({ subject, samples: [] as T[] }));
  for (let i = 0; i < options.warmup + options.runs; i++) {
    const warm = i < options.warmup;
    for (const { subject, samples } of kept) {
      options.onProgress?.(
        `${warm ? 'warm-up' : 'run'} ${warm ? i + 1 : i + 1 - options.warmup}/${warm ? options.warmup : options.runs}: ${labelOf(subject)}`,
      );
      const sample = await measure(subject);
      if (!warm) samples.push(sample);
    }
  }
  return kept.map((k) => k.samples);
}

/** Measures every subject's command `warmup + runs` times, round robin (time, and memory where asked). */
export async function measureSubjects(subjects: readonly Subject[], options: LoopOptions): Promise<Measurement[]> {
  const samples = await roundRobin(subjects, options, (subject) => subject.label, sampleSubject);
  return subjects.map((subject, s) => {
    const taken = at(samples, s, 'samples of subject');
    const times = taken.map((x) => x.ms);
    return {
      id: subject.id,
      label: subject.label,
      status: 'measured',
      command: subject.command,
      timeMs: summarize(times),
      samplesMs: times,
      ...(subject.memory ? { peakRssMb: summarize(taken.map((x) => x.peakRssMb ?? Number.NaN)) } : {}),
    };
  });
}

/** One sample of a subject: one run's wall-clock time, and its peak memory when the subject measures memory. */
export interface Sample {
  readonly ms: number;
  readonly peakRssMb?: number;
}

/**
 * One run of the subject's command, in a fresh output folder removed after: its wall-clock
 * milliseconds and, when the subject measures memory, its peak RSS from the same run.
 */
export function sampleSubject(subject: Subject): Sample {
  return withOutputFolder((out) =>
    subject.memory ? timeAndPeakRssOfNode(subject.commandFor(out)) : { ms: timeNode(subject.commandFor(out)) },
  );
}

/** The id and median time of a measured figure, for a ratio; throws for a figure not measured. */
export function medianOf(
  measurements: readonly Measurement[],
  id: string,
): { readonly id: string; readonly median: number } {
  const m = measurements.find((x) => x.id === id);
  if (!m) throw new Error(`bench: no figure ${id} (among ${measurements.map((x) => x.id).join(', ')})`);
  if (m.status !== 'measured') throw new Error(`bench: figure ${id} was not measured (${m.reason})`);
  return { id, median: m.timeMs.median };
}

function withOutputFolder<T>(fn: (out: string) => T): T {
  const out = mkdtempSync(join(tmpdir(), 'arcade-bench-out-'));
  try {
    return fn(out);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
