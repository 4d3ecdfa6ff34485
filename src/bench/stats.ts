/**
 * The statistics of the benchmark: a series of samples summarized as median, min and max, and a
 * ratio of two medians checked against its target. Pure functions, no timing here.
 */
import { at, ends } from '../core/at.js';

/** A series of samples of one figure (milliseconds or megabytes). */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** How many samples (warm-up runs excluded). */
  readonly runs: number;
}

/** Median (mean of the two middle samples for an even count), min and max. */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error('summarize: no samples (fix: run at least one measured run, --runs >= 1)');
  if (samples.some((s) => !Number.isFinite(s)))
    throw new Error(`summarize: a sample is not a finite number (${samples.join(', ')})`);
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? at(sorted, mid) : (at(sorted, mid - 1) + at(sorted, mid)) / 2;
  const { first: min, last: max } = ends(sorted, 'samples');
  return { median, min, max, runs: sorted.length };
}

/** A ratio of two figures of the same run against its target (value <= target). */
export type Ratio =
  | {
      readonly id: string;
      readonly label: string;
      readonly target: number;
      readonly status: 'met' | 'missed';
      readonly value: number;
      /** The two figures, as `<figure id>` of the report's measurements. */
      readonly numerator: string;
      readonly denominator: string;
    }
  | {
      readonly id: string;
      readonly label: string;
      readonly target: number;
      readonly status: 'not-measured';
      /** Why the figure could not be measured (never a made-up number). */
      readonly reason: string;
    };

export interface RatioSpec {
  readonly id: string;
  readonly label: string;
  /** The ratio must be at most this. */
  readonly target: number;
  readonly numerator: { readonly id: string; readonly median: number };
  readonly denominator: { readonly id: string; readonly median: number };
}

/** A ratio that was computed: met or missed. */
export type MeasuredRatio = Extract<Ratio, { readonly status: 'met' | 'missed' }>;

/** median(numerator) / median(denominator), met when at most the target; throws on a non-measurement. */
export function ratio(spec: RatioSpec): MeasuredRatio {
  if (!(spec.denominator.median > 0) || !Number.isFinite(spec.denominator.median)) {
    throw new Error(
      `ratio ${spec.id}: the denominator ${spec.denominator.id} has median ${spec.denominator.median} (fix: it must be a positive measurement)`,
    );
  }
  if (!(spec.numerator.median >= 0) || !Number.isFinite(spec.numerator.median)) {
    throw new Error(
      `ratio ${spec.id}: the numerator ${spec.numerator.id} has median ${spec.numerator.median} (fix: it must be a measurement, never a placeholder)`,
    );
  }
  const value = spec.numerator.median / spec.denominator.median;
  return {
    id: spec.id,
    label: spec.label,
    target: spec.target,
    status: value <= spec.target ? 'met' : 'missed',
    value,
    numerator: spec.numerator.id,
    denominator: spec.denominator.id,
  };
}

/** A ratio that could not be measured, with the reason. */
export function notMeasured(id: string, label: string, target: number, reason: string): Ratio {
  return { id, label, target, status: 'not-measured', reason };
}
