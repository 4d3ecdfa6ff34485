/** The bench report of the test-time figures alone, on a 2-core machine, as the bench builds it. */
import { describeMachine, type BenchReport } from '../../src/bench/report.js';
import type { TestBenchResult } from '../../src/bench/test-bench.js';

export function testsReport(tests: TestBenchResult, testFloorRuns: number): BenchReport {
  return {
    date: '2026-12-02T06:51:30.954Z',
    machine: { ...describeMachine(), cores: 2 },
    settings: { runs: 0, warmup: 0, probeRuns: 0, probeWarmup: 0, testRuns: 1, testFloorRuns },
    measurements: tests.measurements,
    ratios: [],
    budgets: tests.budgets,
  };
}
