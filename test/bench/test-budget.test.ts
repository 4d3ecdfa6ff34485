/**
 * How the test-time budget is judged, from recorded numbers (pure functions, nothing run or
 * timed): `npm test / floor` of the same run against `budget / reference floor`, never the
 * seconds; the seconds on the machine printed beside as information; a figure or floor not
 * measured is never judged; the table and bench.json say what was judged and carry the floor
 * samples, the ratio, the reference and both statuses.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Measurement } from '../../src/bench/measurement.js';
import { renderTable, targetsMet, toJson, verdict, type BenchReport } from '../../src/bench/report.js';
import { judgeTestTime, REFERENCE_FLOOR, TEST_TARGETS_MS, type Budget } from '../../src/bench/test-budget.js';
import { testMeasurements, testsNotMeasured, type TestBenchResult } from '../../src/bench/test-bench.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { testsReport } from './support.js';

/** One recorded npm test run with the floor samples right before and right after it. */
const run = (ms: number, load: number, before: number[], after: number[]) => ({
  run: { ms, loadStart: load, loadEnd: load + 1, phases: [] },
  floor: [{ samplesMs: before }, { samplesMs: after }],
});

const FLOOR_CMD = 'node --input-type=module -e "await import(\'cdk8s-plus-28\')"';

const report = (tests: TestBenchResult): BenchReport => testsReport(tests, 5);

const measured = (id: string, median: number): Measurement => ({
  id,
  label: id,
  status: 'measured',
  command: 'x',
  timeMs: { median, min: median, max: median, runs: 1 },
  samplesMs: [median],
});
const judge = (kind: 'fresh' | 'warm', ms: number, floorMs: number): Budget =>
  judgeTestTime({ kind, label: kind, figure: measured(`tests.${kind}`, ms), floor: measured('floor', floorMs) });

describe('the reference floor', () => {
  it('is the quiet floor recorded in docs/benchmarks.md "Latest numbers", and sets the ratio targets', () => {
    expect(REFERENCE_FLOOR.floorMs).toBe(146);
    expect(REFERENCE_FLOOR.measured).toBe('2026-11-25T21:58Z');
    const docs = readFileSync(join(REPO_ROOT, 'docs/benchmarks.md'), 'utf8');
    const latest = docs.slice(docs.indexOf('## Latest numbers'), docs.indexOf('## Reading the figures'));
    expect(latest).toContain(REFERENCE_FLOOR.measured);
    expect(latest).toMatch(
      new RegExp(`^\\| floor: node loads cdk8s-plus-28 \\| ${REFERENCE_FLOOR.floorMs} ms \\|`, 'm'),
    );
    expect(judge('fresh', 1, 1).targetRatio).toBe(60_000 / 146); // 411.0x
    expect(judge('warm', 1, 1).targetRatio).toBe(25_000 / 146); // 171.2x
  });
});

describe('judgeTestTime', () => {
  it('judges the ratio to the floor, not the seconds: a slow machine meets what a fast one misses', () => {
    // the floor at twice the reference: 120 s is 60 s at the reference speed, exactly the budget
    expect(judge('fresh', 120_000, 292)).toMatchObject({ status: 'met', onThisMachine: { status: 'missed' } });
    expect(judge('fresh', 120_001, 292)).toMatchObject({ status: 'missed', onThisMachine: { status: 'missed' } });
    // the floor at half the reference: 40 s here is 80 s at the reference speed
    expect(judge('fresh', 40_000, 73)).toMatchObject({
      status: 'missed',
      equivalentMs: 80_000,
      onThisMachine: { valueMs: 40_000, status: 'met' },
    });
    expect(judge('warm', 12_500, 146)).toMatchObject({ status: 'met', ratio: 12_500 / 146, equivalentMs: 12_500 });
  });

  it('re-bases on another reference: the seconds stay, the ratio targets follow', () => {
    const reference = { floorMs: 480, measured: '2026-12-02T07:30Z', source: 'a quiet bench on the CI runner' };
    const b = judgeTestTime({
      kind: 'warm',
      label: 'warm',
      figure: measured('tests.warm', 24_000),
      floor: measured('floor', 480),
      reference,
    });
    expect(b).toMatchObject({ targetMs: 25_000, targetRatio: 25_000 / 480, reference, status: 'met', ratio: 50 });
    const zero = { ...reference, floorMs: 0 };
    expect(() =>
      judgeTestTime({ kind: 'warm', label: 'w', figure: measured('w', 1), floor: measured('f', 1), reference: zero }),
    ).toThrow('reference floor: 0 ms (fix: a positive median, src/bench/test-budget.ts)');
  });

  it('never judges a figure that failed, nor one whose floor failed (its seconds stay as information)', () => {
    const failed: Measurement = {
      id: 'tests.fresh',
      label: 'x',
      status: 'not-measured',
      reason: 'npm test failed (exit code 1)',
    };
    const noFloor: Measurement = {
      id: 'floor',
      label: 'f',
      status: 'not-measured',
      reason: 'bench: node -e x failed (exit 3)',
    };
    expect(judgeTestTime({ kind: 'fresh', label: 'fresh', figure: failed, floor: measured('floor', 400) })).toEqual({
      id: 'tests.fresh',
      label: 'fresh',
      targetMs: 60_000,
      targetRatio: 60_000 / 146,
      reference: REFERENCE_FLOOR,
      status: 'not-measured',
      reason: 'npm test failed (exit code 1)',
    });
    expect(
      judgeTestTime({ kind: 'fresh', label: 'fresh', figure: measured('tests.fresh', 50_000), floor: noFloor }),
    ).toMatchObject({
      status: 'not-measured',
      reason:
        'the floor around it could not be measured, so the seconds are not judged: bench: node -e x failed (exit 3)',
      onThisMachine: { valueMs: 50_000, status: 'met' },
    });
  });
});

describe('the test budgets in the report', () => {
  // Shaped like the 06:51Z bench of 2026-12-02 (fresh 129.9 s, warm 105.6 s) on a VM whose floor was about 0.40 s.
  const recorded = testMeasurements(
    'CI=true npm test',
    FLOOR_CMD,
    [run(129_924, 0.4, [396, 400, 404, 398, 402], [395, 401, 399, 407, 421])],
    [run(105_647, 3.9, [395, 401, 399, 407, 421], [388, 400, 412, 400, 405])],
  );

  it('carries the floor around each figure, the ratio, the seconds at the reference and both statuses', () => {
    expect(recorded.measurements.map((m) => m.id)).toEqual([
      'tests.fresh',
      'tests.fresh.floor',
      'tests.warm',
      'tests.warm.floor',
    ]);
    const freshFloor = recorded.measurements[1];
    expect(
      freshFloor?.status === 'measured' && [freshFloor.command, freshFloor.samplesMs.length, freshFloor.timeMs],
    ).toEqual([FLOOR_CMD, 10, { median: 400.5, min: 395, max: 421, runs: 10 }]);
    const json = JSON.parse(toJson(report(recorded))) as BenchReport;
    expect(json.settings.testFloorRuns).toBe(5);
    expect(json.measurements[3]).toMatchObject({
      id: 'tests.warm.floor',
      samplesMs: [395, 401, 399, 407, 421, 388, 400, 412, 400, 405],
    });
    expect(json.budgets).toEqual([
      {
        id: 'tests.fresh',
        label: 'npm test, fresh',
        targetMs: 60_000,
        targetRatio: 410.96,
        reference: REFERENCE_FLOOR,
        onThisMachine: { valueMs: 129_924, status: 'missed' },
        status: 'met',
        figure: 'tests.fresh',
        floor: 'tests.fresh.floor',
        valueMs: 129_924,
        floorMs: 400.5,
        ratio: 324.4,
        equivalentMs: 47_363.1,
      },
      {
        id: 'tests.warm',
        label: 'npm test, warm',
        targetMs: 25_000,
        targetRatio: 171.23,
        reference: REFERENCE_FLOOR,
        onThisMachine: { valueMs: 105_647, status: 'missed' },
        status: 'missed',
        figure: 'tests.warm',
        floor: 'tests.warm.floor',
        valueMs: 105_647,
        floorMs: 400.5,
        ratio: 263.79,
        equivalentMs: 38_513,
      },
    ]);
  });

  it('prints what was judged, then the plain seconds as information, and exits on the judged status', () => {
    const text = renderTable(report(recorded));
    expect(text).toContain('1 fresh + warm npm test run(s), each between 5 floor run(s) before and after');
    expect(text).toMatch(/^floor around npm test, fresh +401 ms +395 ms +421 ms$/m);
    expect(text).toContain(
      'test time, judged on npm test / the floor measured around it, against the budget at the reference floor (146 ms, 2026-11-25T21:58Z):',
    );
    expect(text).toMatch(
      /^npm test, fresh +129\.9 s +401 ms \(395-421 ms, 10 runs\) +324\.4x +<= 411\.0x +47\.4 s <= 60\.0 s +met$/m,
    );
    expect(text).toMatch(
      /^npm test, warm +105\.6 s +401 ms \(388-421 ms, 10 runs\) +263\.8x +<= 171\.2x +38\.5 s <= 25\.0 s +missed$/m,
    );
    expect(text).toContain('the same budgets in plain seconds on this machine (information, not judged):');
    expect(text).not.toMatch(/^ratio +value +target +status$/m); // no ratio table when only the tests ran
    expect(text).toMatch(/^npm test, fresh +129\.9 s +<= 60\.0 s +missed +2 cores, load \(1 min\) 0\.4-1\.4$/m);
    expect(text).toMatch(/^npm test, warm +105\.6 s +<= 25\.0 s +missed +2 cores, load \(1 min\) 3\.9-4\.9$/m);
    expect(targetsMet(report(recorded))).toBe(false);
    expect(verdict(report(recorded))).toBe('1 target(s) met, 1 missed (tests.warm), 0 not measured');
  });

  it('passes on the judged statuses even where the seconds on this machine are missed', () => {
    const slowVm = testMeasurements(
      'npm test',
      FLOOR_CMD,
      [run(160_000, 1, [480], [480])],
      [run(80_000, 1, [480], [480])],
    );
    expect(slowVm.budgets.map((b) => [b.status, b.onThisMachine?.status])).toEqual([
      ['met', 'missed'],
      ['met', 'missed'],
    ]);
    expect(targetsMet(report(slowVm))).toBe(true);
  });

  it('fails the run on a budget not measured (fail closed)', () => {
    const broken = report(testsNotMeasured('npm test failed (exit code 1): 2 failed'));
    expect(broken.measurements.map((m) => [m.id, m.status])).toEqual([
      ['tests.fresh', 'not-measured'],
      ['tests.fresh.floor', 'not-measured'],
      ['tests.warm', 'not-measured'],
      ['tests.warm.floor', 'not-measured'],
    ]);
    expect(targetsMet(broken)).toBe(false);
    expect(verdict(broken)).toBe('0 target(s) met, 0 missed, 2 not measured (tests.fresh, tests.warm)');
    const text = renderTable(broken);
    expect(text).toMatch(
      /^npm test, warm +- +- +- +<= 171\.2x +- <= 25\.0 s +not measured: npm test failed \(exit code 1\)/m,
    );
    expect(text).toMatch(/^npm test, warm +- +<= 25\.0 s +not measured +2 cores$/m);
    expect(TEST_TARGETS_MS).toEqual({ fresh: 60_000, warm: 25_000 });
  });
});
