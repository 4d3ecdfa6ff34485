/**
 * The bench on a tiny run (1 measured run, no warm-up): every synth figure and ratio is there,
 * the table shows them, bench.json parses back with the machine and date. Probe figures that are
 * not measured say why. Nothing about how long anything took is asserted.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { probesNotMeasured } from '../../src/bench/probe-bench.js';
import { describeMachine, renderTable, targetsMet, toJson, verdict, type BenchReport } from '../../src/bench/report.js';
import { notMeasured, ratio } from '../../src/bench/stats.js';
import { benchSynth, type SynthBenchResult } from '../../src/bench/synth-bench.js';

// The bench as `npm run bench` runs it: no bundle given, so it runs .build/main.cjs, built only
// when a file it is made from changed (src/tooling/bundle.ts), as npm run synth and the synth tests
// do. A synth or a test rebuilding it meanwhile is safe: the bundle is replaced by a rename, so a
// run reads the old file or the new one, never half of one.
let synth: SynthBenchResult;

beforeAll(async () => {
  synth = await benchSynth({ runs: 1, warmup: 0 });
});

function report(): BenchReport {
  const probes = probesNotMeasured('probe library missing');
  return {
    date: '2026-01-02T03:04:05.000Z',
    machine: describeMachine(),
    settings: { runs: 1, warmup: 0, probeRuns: 0, probeWarmup: 0, testRuns: 0, testFloorRuns: 0 },
    measurements: [...synth.measurements, ...probes.measurements],
    ratios: [...synth.ratios, ...probes.ratios],
    budgets: [],
  };
}

describe('bench on a tiny run', () => {
  it('measures the floor and the three synth figures, time and peak memory', () => {
    expect(synth.measurements.map((m) => m.id)).toEqual(['floor', 'synth.all', 'synth.1', 'synth.10']);
    for (const m of synth.measurements) {
      expect(m.status).toBe('measured');
      if (m.status !== 'measured') continue;
      expect(m.timeMs.runs).toBe(1);
      expect(m.samplesMs).toHaveLength(1);
      expect(m.timeMs.median).toBeGreaterThan(0);
      expect(m.peakRssMb?.median).toBeGreaterThan(1);
    }
    const all = synth.measurements.find((m) => m.id === 'synth.all');
    expect(all?.status === 'measured' && all.command).toBe('node .build/main.cjs --out <out>');
    expect(synth.environments).toContain('backstage-wus2-v4');
  });

  it('computes both synth ratios from the medians, each against its target', () => {
    expect(synth.ratios.map((r) => [r.id, r.target])).toEqual([
      ['synth/floor', 1.5],
      ['synth10/synth1', 2],
    ]);
    const median = (id: string) => {
      const m = synth.measurements.find((x) => x.id === id);
      return m?.status === 'measured' ? m.timeMs.median : Number.NaN;
    };
    const first = synth.ratios[0]!;
    expect(first.status !== 'not-measured' && first.value).toBeCloseTo(median('synth.all') / median('floor'), 10);
  });

  it('prints every figure and ratio in the table, the reason where one is not measured', () => {
    const text = renderTable(report());
    for (const label of [
      'floor: node loads cdk8s-plus-28',
      'synth: every environment (1)',
      'synth: 10 generated environments',
      'synth (every environment) / floor',
      'synth 10 environments / 1',
    ]) {
      expect(text).toContain(label);
    }
    expect(text).toMatch(/probes: full run \(10 gateways x 10 users\) +not measured: probe library missing/);
    expect(text).toMatch(
      /probe run \/ its slowest probe \(1 gateway x 2 users\) +- +<= 1\.3x +not measured: probe library missing/,
    );
    expect(text).toMatch(/synth \(every environment\) \/ floor +\d+\.\d\dx +<= 1\.5x +(met|missed)/);
    expect(verdict(report())).toMatch(
      /^\d target\(s\) met, \d missed.*, 3 not measured \(probes\/slowest, probes\.wide\/slowest, probes\.wide\/probes\)$/,
    );
  });

  it('writes JSON that parses back with the machine, the date and rounded figures', () => {
    const json = JSON.parse(toJson(report())) as BenchReport;
    expect(json.date).toBe('2026-01-02T03:04:05.000Z');
    expect(json.settings).toEqual({ runs: 1, warmup: 0, probeRuns: 0, probeWarmup: 0, testRuns: 0, testFloorRuns: 0 });
    expect(json.machine.node).toBe(process.version);
    expect(json.machine.cores).toBeGreaterThan(0);
    expect(json.machine.cpu).not.toBe('');
    expect(json.measurements).toHaveLength(8);
    const floor = json.measurements[0]!;
    expect(floor.status === 'measured' && Number.isInteger(floor.timeMs.median * 10)).toBe(true);
    expect(json.ratios.find((r) => r.id === 'probes/slowest')).toEqual({
      id: 'probes/slowest',
      label: 'probe run / its slowest probe (1 gateway x 2 users)',
      target: 1.3,
      status: 'not-measured',
      reason: 'probe library missing',
    });
  });
});

describe('targetsMet (the exit code)', () => {
  const met = ratio({
    id: 'a/b',
    label: 'a / b',
    target: 2,
    numerator: { id: 'a', median: 100 },
    denominator: { id: 'b', median: 100 },
  });
  const missed = ratio({
    id: 'c/d',
    label: 'c / d',
    target: 2,
    numerator: { id: 'c', median: 300 },
    denominator: { id: 'd', median: 100 },
  });
  const unmeasured = notMeasured('e/f', 'e / f', 2, 'no stand-ins');
  const withRatios = (ratios: BenchReport['ratios']): BenchReport => ({ ...report(), ratios });

  it('passes only when every ratio was measured and met', () => {
    expect(targetsMet(withRatios([met]))).toBe(true);
    expect(targetsMet(withRatios([met, missed]))).toBe(false);
  });

  it('fails closed: a ratio not measured, or no ratio at all, proves nothing', () => {
    expect(targetsMet(withRatios([met, unmeasured]))).toBe(false);
    expect(targetsMet(withRatios([]))).toBe(false);
  });
});
