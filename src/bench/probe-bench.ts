/**
 * The probe figures: a full probe run against the loopback stand-ins vs its slowest single
 * probe, the same with 10 gateways x 10 users vs one gateway and two users, and the peak memory
 * of a probe run. Reported as "not measured" (with the reason) until the probe library exists.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../tooling/bundle.js';
import type { Measurement } from './measurement.js';
import { notMeasured, type Ratio } from './stats.js';

export const PROBE_TARGETS = {
  /** A full run at most 1.3x its slowest probe (concurrency at work). */
  runVsSlowest: 1.3,
  /** 10 gateways x 10 users at most 3x one gateway x 2 users. */
  wideVsNarrow: 3,
} as const;

/** The probe library modules the probe figures need. */
export const PROBE_LIBRARY = ['src/probes/runner.ts', 'src/probes/registry.ts', 'test/support/platform.ts', 'test/support/arcade-platform.ts'];

export interface ProbeBenchResult {
  readonly measurements: readonly Measurement[];
  readonly ratios: readonly Ratio[];
}

/** Every probe figure as not measured, with the same reason. */
export function probesNotMeasured(reason: string): ProbeBenchResult {
  return {
    measurements: [
      { id: 'probes.run', label: 'probes: full run (1 gateway x 2 users)', status: 'not-measured', reason },
      { id: 'probes.slowest', label: 'probes: slowest single probe', status: 'not-measured', reason },
      { id: 'probes.wide', label: 'probes: full run (10 gateways x 10 users)', status: 'not-measured', reason },
    ],
    ratios: [
      notMeasured('probes/slowest', 'probe run / its slowest probe', PROBE_TARGETS.runVsSlowest, reason),
      notMeasured('probes10x10/probes1x2', 'probe run 10 gateways x 10 users / 1 x 2', PROBE_TARGETS.wideVsNarrow, reason),
    ],
  };
}

/** Runs the probe figures (not measured while the probe library is missing). */
export async function benchProbes(): Promise<ProbeBenchResult> {
  const missing = PROBE_LIBRARY.filter((f) => !existsSync(join(REPO_ROOT, f)));
  if (missing.length > 0) return probesNotMeasured(`the probe library is not there yet (missing ${missing.join(', ')})`);
  return probesNotMeasured('the bench does not drive the probe runner yet');
}
