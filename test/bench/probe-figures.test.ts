/**
 * The probe figures from probe reports (the JSON `npm run probe -- --json` writes): the run and
 * its slowest probe per run, the refusal of a run that did not pass on the healthy stand-ins,
 * and the not-measured fallback. Pure: no probe is run here, no timing asserted.
 */
import { describe, expect, it } from 'vitest';
import { NARROW, probeMeasurements, probesNotMeasured, sampleOfReport, WIDE } from '../../src/bench/probe-bench.js';
import type { ProbeReport, ProbeResult } from '../../src/probes/types.js';

function result(id: string, durationMs: number, status: ProbeResult['status'] = 'pass'): ProbeResult {
  return {
    id,
    category: 'gateway',
    title: id,
    status,
    durationMs,
    attempts: 1,
    detail: `${id} ${status}`,
    evidence: {},
  };
}

function report(durationMs: number, results: ProbeResult[]): ProbeReport {
  const count = (s: ProbeResult['status']) => results.filter((r) => r.status === s).length;
  return {
    environment: 'stand-in',
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs,
    summary: {
      passed: count('pass'),
      failed: count('fail'),
      errors: count('error'),
      skipped: count('skip'),
      knownGaps: count('known-gap'),
    },
    results,
  };
}

describe('sampleOfReport', () => {
  it('takes the run duration and the slowest probe of the run', () => {
    const r = report(1050, [
      result('gateway.tools-list', 400),
      result('gateway.latency', 1000),
      result('flux.release-ready', 90),
    ]);
    expect(sampleOfReport(r, 250)).toEqual({
      runMs: 1050,
      slowestMs: 1000,
      slowestId: 'gateway.latency',
      probes: 3,
      peakRssMb: 250,
    });
  });

  it('refuses a run where a probe did not pass: its durations would not be a healthy run', () => {
    const r = report(900, [result('gateway.latency', 800), result('otel.metrics-in-mimir', 20_000, 'error')]);
    expect(() => sampleOfReport(r, 1)).toThrow(
      /did not pass every probe \(1 passed; otel\.metrics-in-mimir error: otel\.metrics-in-mimir error\)/,
    );
  });

  it('refuses an empty report', () => {
    expect(() => sampleOfReport(report(5, []), 1)).toThrow(/no results/);
  });
});

describe('probeMeasurements', () => {
  it('summarizes the runs and their slowest probes, naming the probe that was slowest most often', () => {
    const samples = [
      { runMs: 1100, slowestMs: 1000, slowestId: 'gateway.latency', probes: 14, peakRssMb: 240 },
      { runMs: 1300, slowestMs: 1250, slowestId: 'gateway.exec-proof', probes: 14, peakRssMb: 250 },
      { runMs: 1200, slowestMs: 1150, slowestId: 'gateway.latency', probes: 14, peakRssMb: 245 },
    ];
    const [run, slowest] = probeMeasurements({ run: 'probes.run', slowest: 'probes.slowest' }, NARROW, samples);
    expect(run).toMatchObject({
      id: 'probes.run',
      label: 'probes: full run (1 gateway x 2 users), 14 probes',
      status: 'measured',
      timeMs: { median: 1200, min: 1100, max: 1300, runs: 3 },
      samplesMs: [1100, 1300, 1200],
      peakRssMb: { median: 245, min: 240, max: 250, runs: 3 },
    });
    expect(slowest).toMatchObject({
      id: 'probes.slowest',
      label: 'probes: slowest probe (1 gateway x 2 users), mostly gateway.latency',
      timeMs: { median: 1150 },
    });
    expect(slowest.status === 'measured' && slowest.peakRssMb).toBeUndefined();
  });
});

describe('probesNotMeasured', () => {
  it('names every probe figure and ratio with the reason and no number', () => {
    const r = probesNotMeasured('no stand-ins', WIDE);
    expect(r.measurements.map((m) => [m.id, m.status])).toEqual([
      ['probes.run', 'not-measured'],
      ['probes.slowest', 'not-measured'],
      ['probes.wide', 'not-measured'],
      ['probes.wide.slowest', 'not-measured'],
    ]);
    expect(r.ratios.map((x) => [x.id, x.target, x.status])).toEqual([
      ['probes/slowest', 1.3, 'not-measured'],
      ['probes.wide/slowest', 1.3, 'not-measured'],
      ['probes.wide/probes', 3, 'not-measured'],
    ]);
    expect(r.ratios[2]!.label).toBe('probe run 10 gateways x 10 users / 1 gateway x 2 users');
    expect(JSON.stringify(r)).not.toMatch(/"value"|"median"/);
  });
});
