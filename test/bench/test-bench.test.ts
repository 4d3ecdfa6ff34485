/**
 * The test-time figures on a tiny stand-in for `npm test`: a node script that records what it
 * finds (the caches, its TMPDIR, CI) and leaves caches behind as the real suite does. A fresh run
 * must find no cache and an empty TMPDIR, the warm run right after must find them all; a failing
 * command is not measured, with its exit code and last lines; the budgets and the table are built
 * from the medians. Nothing about how long anything took is asserted.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeMachine, renderTable, targetsMet, toJson, verdict, type BenchReport } from '../../src/bench/report.js';
import { budget } from '../../src/bench/stats.js';
import {
  benchTests,
  FRESH_CACHES,
  npmTestCommand,
  TEST_TARGETS_MS,
  testMeasurements,
  testsNotMeasured,
} from '../../src/bench/test-bench.js';
import { tempDir } from '../support/temp.js';

/**
 * A stand-in suite: appends what it saw to seen.jsonl, then fills every cache and its TMPDIR;
 * writes static-check times and a vitest JSON report where the bench asks for them. `fail`: exits
 * 1 without a report; `fail-fresh`: when it finds no cache, exits 1 with a report naming two
 * failing tests (one a file that failed to load).
 */
const SUITE = `
const fs = require('node:fs'), path = require('node:path');
const caches = ${JSON.stringify(FRESH_CACHES)};
const tmp = process.env.TMPDIR;
const fresh = caches.every((c) => !fs.existsSync(c));
fs.appendFileSync('seen.jsonl', JSON.stringify({
  caches: caches.filter((c) => fs.existsSync(c)),
  tmp, tmpEntries: fs.readdirSync(tmp), ci: process.env.CI, args: process.argv.slice(2),
}) + '\\n');
for (const c of caches) { fs.mkdirSync(c, { recursive: true }); fs.writeFileSync(path.join(c, 'cached'), 'x'); }
fs.writeFileSync(path.join(tmp, 'tsx-cache'), 'x');
const mode = process.argv[2];
if (mode === 'fail') { console.log('1 passed\\n\\n2 failed: snapshot mismatch'); process.exit(1); }
fs.writeFileSync(process.env.ARCADE_STATIC_CHECKS_TIMES, JSON.stringify({
  wallMs: 5000, checks: [{ name: 'biome', code: 0, ms: 2000 }, { name: 'tsc', code: 0, ms: 4900 }],
}));
const report = process.argv.find((a) => a.startsWith('--outputFile.json=')).slice('--outputFile.json='.length);
const failing = mode === 'fail-fresh' && fresh;
fs.writeFileSync(report, JSON.stringify({ testResults: [
  { name: path.resolve('test/a.test.ts'), status: failing ? 'failed' : 'passed', assertionResults: [
    { status: 'passed', fullName: 'a passes' },
    { status: failing ? 'failed' : 'passed', fullName: 'suite > finds its cache' },
  ] },
  { name: path.resolve('test/b.test.ts'), status: failing ? 'failed' : 'passed',
    message: failing ? 'Cannot find module x\\n  at y' : '', assertionResults: [] },
] }));
if (failing) { console.log('2 failed'); process.exit(1); }
`;

function project(): string {
  const root = tempDir('arcade-bench-tests-');
  writeFileSync(join(root, 'suite.cjs'), SUITE);
  for (const c of FRESH_CACHES) mkdirSync(join(root, c), { recursive: true }); // an earlier run's caches
  writeFileSync(join(root, 'keep.txt'), 'the working tree');
  return root;
}

interface Seen {
  readonly caches: string[];
  readonly tmp: string;
  readonly tmpEntries: string[];
  readonly ci: string;
  readonly args: string[];
}

const seen = (root: string): Seen[] =>
  readFileSync(join(root, 'seen.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Seen);

function report(tests: ReturnType<typeof testMeasurements>): BenchReport {
  return {
    date: '2026-01-02T03:04:05.000Z',
    machine: { ...describeMachine(), cores: 2 },
    settings: { runs: 0, warmup: 0, probeRuns: 0, probeWarmup: 0, testRuns: 1 },
    measurements: tests.measurements,
    ratios: [],
    budgets: tests.budgets,
  };
}

describe('benchTests', () => {
  it('runs fresh (no cache, empty TMPDIR) then warm (every cache kept), pair after pair', async () => {
    const root = project();
    const progress: string[] = [];
    const result = await benchTests({
      runs: 2,
      root,
      command: [process.execPath, 'suite.cjs'],
      onProgress: (m) => progress.push(m),
    });

    const [fresh1, warm1, fresh2, warm2] = seen(root);
    for (const fresh of [fresh1, fresh2]) expect(fresh).toMatchObject({ caches: [], tmpEntries: [], ci: 'true' });
    for (const warm of [warm1, warm2])
      expect(warm).toMatchObject({ caches: [...FRESH_CACHES], tmpEntries: ['tsx-cache'] });
    expect(warm1!.tmp).toBe(fresh1!.tmp); // the warm run finds the fresh run's tsx cache
    expect(fresh2!.tmp).not.toBe(fresh1!.tmp);
    expect(existsSync(fresh1!.tmp) || existsSync(fresh2!.tmp)).toBe(false); // temporary folders removed
    expect(readdirSync(root)).toContain('keep.txt'); // only the caches are removed
    expect(progress).toHaveLength(4);
    // vitest's JSON report asked for as .ci/run asks for it (after --, npm passes it on to vitest)
    expect(fresh1!.args).toEqual([
      '--',
      '--reporter=default',
      '--reporter=json',
      expect.stringMatching(/^--outputFile\.json=\/.+\/vitest\.json$/),
    ]);

    expect(result.measurements.map((m) => [m.id, m.status])).toEqual([
      ['tests.fresh', 'measured'],
      ['tests.warm', 'measured'],
    ]);
    for (const m of result.measurements) {
      if (m.status !== 'measured') continue;
      expect(m.samplesMs).toHaveLength(2);
      expect(m.timeMs.median).toBeGreaterThan(0);
      expect(m.load1m?.runs).toBe(4); // at the start and end of each run
      expect(m.command).toBe(`CI=true ${process.execPath} suite.cjs`);
      expect(m.phasesMs?.map((p) => [p.name, p.ms.median, p.ms.runs])).toEqual([
        ['biome', 2000, 2],
        ['tsc', 4900, 2],
        ['static checks (side by side)', 5000, 2],
        ['vitest', expect.any(Number), 2], // the rest of the run
      ]);
    }
    expect(result.budgets.map((b) => [b.id, b.targetMs])).toEqual([
      ['tests.fresh', 60_000],
      ['tests.warm', 25_000],
    ]);
  });

  it('measures nothing when the suite fails: the exit code and its last lines are the reason', async () => {
    const root = project();
    const result = await benchTests({ runs: 1, root, command: [process.execPath, 'suite.cjs', 'fail'] });
    expect(result.measurements.every((m) => m.status === 'not-measured')).toBe(true);
    expect(result.budgets.map((b) => b.status)).toEqual(['not-measured', 'not-measured']);
    const reason = result.budgets[0]!.status === 'not-measured' ? result.budgets[0]!.reason : '';
    expect(reason).toContain('suite.cjs fail failed (exit code 1): 1 passed / 2 failed: snapshot mismatch');
  });

  it('names the failing tests of a failed fresh run and still measures the warm one', async () => {
    const root = project();
    const result = await benchTests({ runs: 1, root, command: [process.execPath, 'suite.cjs', 'fail-fresh'] });
    expect(result.measurements.map((m) => [m.id, m.status])).toEqual([
      ['tests.fresh', 'not-measured'],
      ['tests.warm', 'measured'],
    ]);
    const fresh = result.measurements[0]!;
    expect(fresh.status === 'not-measured' && fresh.reason).toBe(
      `${process.execPath} suite.cjs fail-fresh failed (exit code 1): 2 failing test(s): ` +
        'test/a.test.ts > suite > finds its cache; test/b.test.ts: Cannot find module x',
    );
    expect(fresh.phasesMs?.map((p) => p.name)).toEqual(['biome', 'tsc', 'static checks (side by side)', 'vitest']);
    expect(result.budgets.map((b) => [b.id, b.status])).toEqual([
      ['tests.fresh', 'not-measured'],
      ['tests.warm', 'met'],
    ]);
    const text = renderTable(report(result));
    expect(text).toContain('test/a.test.ts > suite > finds its cache');
    expect(text).toMatch(
      new RegExp(
        /^phases \(median\):\n {2}npm test, fresh: biome 2\.0 s, tsc 4\.9 s, /.source +
          /static checks \(side by side\) 5\.0 s, vitest \d+\.\d s\n {2}npm test, warm: biome 2\.0 s/.source,
        'm',
      ),
    );
  });

  it('measures nothing when the command cannot start', async () => {
    const result = await benchTests({ runs: 1, root: project(), command: ['/nonexistent/npm', 'test'] });
    const b = result.budgets[1]!;
    expect(b.status === 'not-measured' && b.reason).toMatch(/could not start \(spawn \/nonexistent\/npm ENOENT\)/);
  });
});

describe('npmTestCommand', () => {
  it('runs npm test through the npm that runs the bench, else npm from the PATH', () => {
    const cli = '/usr/lib/node_modules/npm/bin/npm-cli.js';
    expect(npmTestCommand({ npm_execpath: cli })).toEqual([process.execPath, cli, 'test']);
    expect(npmTestCommand({})).toEqual(['npm', 'test']);
    expect(npmTestCommand({ npm_execpath: '/usr/bin/pnpm' })).toEqual(['npm', 'test']);
  });
});

describe('the test budgets in the report', () => {
  const sample = (ms: number, load: number) => ({ ms, loadStart: load, loadEnd: load + 1, phases: [] });

  it('judges the medians against 60 s and 25 s and prints cores and load beside them', () => {
    const tests = testMeasurements('CI=true npm test', [sample(61_000, 1.5), sample(40_000, 2)], [sample(20_000, 0.5)]);
    expect(tests.budgets.map((b) => [b.id, b.status, b.status === 'not-measured' ? 0 : b.valueMs])).toEqual([
      ['tests.fresh', 'met', 50_500],
      ['tests.warm', 'met', 20_000],
    ]);
    const text = renderTable(report(tests));
    expect(text).toContain('1 fresh + warm npm test run(s)');
    expect(text).toMatch(/npm test, fresh +50\.5 s +<= 60\.0 s +met +2 cores, load \(1 min\) 1\.5-3\.0/);
    expect(text).toMatch(/npm test, warm +20\.0 s +<= 25\.0 s +met +2 cores, load \(1 min\) 0\.5-1\.5/);
    expect(text).not.toContain('ratio'); // no ratio table when only the tests ran
    expect(targetsMet(report(tests))).toBe(true);
    const json = JSON.parse(toJson(report(tests))) as BenchReport;
    expect(json.budgets[0]).toEqual({
      id: 'tests.fresh',
      label: 'npm test, fresh',
      targetMs: TEST_TARGETS_MS.fresh,
      status: 'met',
      valueMs: 50_500,
      figure: 'tests.fresh',
    });
  });

  it('fails the run on a missed budget, and on one not measured (fail closed)', () => {
    const slow = testMeasurements('npm test', [sample(70_000, 9)], [sample(26_000, 9)]);
    expect(slow.budgets.map((b) => b.status)).toEqual(['missed', 'missed']);
    expect(targetsMet(report(slow))).toBe(false);
    expect(verdict(report(slow))).toBe('0 target(s) met, 2 missed (tests.fresh, tests.warm), 0 not measured');

    const broken = report(testsNotMeasured('npm test failed (exit code 1): 2 failed'));
    expect(targetsMet(broken)).toBe(false);
    expect(verdict(broken)).toBe('0 target(s) met, 0 missed, 2 not measured (tests.fresh, tests.warm)');
    expect(renderTable(broken)).toMatch(/npm test, warm +- +<= 25\.0 s +not measured +npm test failed \(exit code 1\)/);
  });

  it('refuses a budget over a figure that is not a positive measurement', () => {
    expect(() => budget({ id: 'x', label: 'x', targetMs: 1, figure: { id: 'f', median: 0 } })).toThrow(
      /budget x: the figure f has median 0 \(fix: it must be a positive measurement\)/,
    );
  });
});
