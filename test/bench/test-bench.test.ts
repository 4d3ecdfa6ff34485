/**
 * The test-time figures on a tiny stand-in for `npm test`: a shell script that records what it
 * finds (the caches, its TMPDIR, CI) and leaves caches behind as the real suite does, and a floor
 * stand-in that records each of its runs in the same file, so the order of floor and suite runs
 * is seen. A fresh run must find no cache and an empty TMPDIR, the warm run right after must find
 * them all; the floor runs right before and right after each; a failing command or floor is not
 * judged, with why. The real floor (node loads cdk8s-plus-28) runs in one case. The judgement and
 * the table from recorded numbers are in test-budget.test.ts. Nothing about how long anything took
 * is asserted.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { Subject } from '../../src/bench/measurement.js';
import { renderTable, type BenchReport } from '../../src/bench/report.js';
import { floorSubject } from '../../src/bench/synth-bench.js';
import {
  benchTests,
  FRESH_CACHES,
  type TestBenchOptions,
  type TestBenchResult,
  type TestBenchRun,
} from '../../src/bench/test-bench.js';
import { TEST_RUN_FOLDER_PREFIX, testFloorSubject } from '../../src/bench/test-floor.js';
import { npmTestCommand, timeCommand } from '../../src/bench/test-run.js';
import { tempDir } from '../support/temp.js';
import { testsReport } from './support.js';

/** Where the runs that fail keep their output (the bench keeps it for the person reading the reason). */
const kept = (): string => tempDir('bench-kept-');

/**
 * A stand-in suite, a POSIX shell script (a node process per run cost 0.1-0.15 s of CPU, ten runs
 * per file): appends what it saw to seen.jsonl, then fills every cache and its TMPDIR; writes
 * static-check times and a vitest JSON report where the bench asks for them. `fail`: exits 1
 * without a report; `fail-fresh`: when it finds no cache, exits 1 with a report naming two failing
 * tests (one a file that failed to load). The paths it writes into JSON are temporary folders'
 * (no quote or backslash in them).
 */
const SUITE = `
list() { sep=''; printf '['; for x in "$@"; do printf '%s"%s"' "$sep" "$x"; sep=','; done; printf ']'; }
found=''
for c in ${FRESH_CACHES.join(' ')}; do if [ -e "$c" ]; then found="$found $c"; fi; done
printf '{"caches":%s,"tmp":"%s","tmpEntries":%s,"ci":"%s","kustomizeCache":"%s","args":%s}\\n' "$(list $found)" \\
  "$TMPDIR" "$(list $(ls -A "$TMPDIR"))" "$CI" "\${ARCADE_KUSTOMIZE_CACHE-unset}" "$(list "$@")" >> seen.jsonl
for c in ${FRESH_CACHES.join(' ')}; do mkdir -p "$c"; echo x > "$c/cached"; done
echo x > "$TMPDIR/tsx-cache"
mode="$1"
if [ "$mode" = fail ]; then printf '1 passed\\n\\n2 failed: snapshot mismatch\\n'; exit 1; fi
printf '%s' '{"wallMs":5000,"checks":[{"name":"biome","code":0,"ms":2000},{"name":"tsc","code":0,"ms":4900}]}' \\
  > "$ARCADE_STATIC_CHECKS_TIMES"
for a in "$@"; do case "$a" in --outputFile.json=*) report="\${a#--outputFile.json=}" ;; esac; done
status=passed message=''
if [ "$mode" = fail-fresh ] && [ -z "$found" ]; then status=failed message='Cannot find module x\\n  at y'; fi
here="$(pwd)"
{
  printf '{"testResults":[{"name":"%s/test/a.test.ts","status":"%s","assertionResults":[' "$here" "$status"
  printf '{"status":"passed","fullName":"a passes"},{"status":"%s","fullName":"suite > finds its cache"}]},' "$status"
  printf '{"name":"%s/test/b.test.ts","status":"%s","message":"%s","assertionResults":[]}]}' "$here" "$status" "$message"
} > "$report"
if [ "$status" = failed ]; then echo '2 failed'; exit 1; fi
`;

function project(): string {
  const root = tempDir('arcade-bench-tests-');
  writeFileSync(join(root, 'suite.sh'), SUITE);
  for (const c of FRESH_CACHES) mkdirSync(join(root, c), { recursive: true }); // an earlier run's caches
  writeFileSync(join(root, 'keep.txt'), 'the working tree');
  return root;
}

interface Seen {
  readonly caches: string[];
  readonly tmp: string;
  readonly tmpEntries: string[];
  readonly ci: string;
  /** ARCADE_KUSTOMIZE_CACHE as the suite got it ('unset' when it was not set). */
  readonly kustomizeCache: string;
  readonly args: string[];
}

const lines = (root: string): Record<string, unknown>[] =>
  readFileSync(join(root, 'seen.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
/** The suite's runs, in order (the floor's lines left out). */
const seen = (root: string): Seen[] => lines(root).filter((l) => !('floor' in l)) as unknown as Seen[];

/**
 * A floor stand-in: a real process, a shell (as the suite's: 14 node starts cost about 2 s of CPU),
 * that records its run in the suite's file; fails with `code` when given. The real floor runs in one case.
 */
function floorIn(root: string, code = 0): Subject {
  // As node fails to import: six lines on stderr, a blank one among them (the message quotes the last four).
  const fail = code
    ? `; printf '%s\\n' 'file:///floor.mjs:1' 'import "cdk8s-plus-28";' '^^^^^^' '' 'Error [ERR_MODULE_NOT_FOUND]: no cdk8s-plus-28' ` +
      `'Node.js v20' >&2; exit ${code}`
    : '';
  const script = `echo '{"floor":true}' >> seen.jsonl${fail}`;
  return {
    id: 'floor',
    label: 'floor stand-in',
    command: 'sh -c <floor stand-in>',
    memory: false,
    commandFor: () => ({ program: 'sh', args: ['-c', script], cwd: root }),
  };
}

const report = (tests: TestBenchResult): BenchReport => testsReport(tests, 1);

/**
 * A suite stand-in that leaves its run folder (TEST_RUN_FOLDER_PREFIX, as temp-root.ts makes it) to
 * a detached remover that takes it away as many seconds after the suite ended as its argument says
 * (`never`: never), and a floor stand-in that records whether that folder was still there when it ran.
 */
function runFolderProject(): {
  root: string;
  bench: (removal: string, extra?: Partial<TestBenchOptions>) => Promise<TestBenchRun>;
} {
  const root = tempDir('arcade-bench-run-folder-');
  writeFileSync(
    join(root, 'suite.sh'),
    `run="$TMPDIR/${TEST_RUN_FOLDER_PREFIX}stand-in"; mkdir -p "$run" && echo x > "$run/file" && echo "$run" > run-folder.txt
[ "$1" = never ] || (sleep "$1"; rm -rf "$run") </dev/null >/dev/null 2>&1 &
`,
  );
  const floor: Subject = {
    id: 'floor',
    label: 'floor stand-in',
    command: 'sh -c <floor stand-in>',
    memory: false,
    commandFor: () => ({
      program: 'sh',
      args: ['-c', 'if [ -e "$(cat run-folder.txt 2>/dev/null)" ]; then echo there; else echo gone; fi >> floors.txt'],
      cwd: root,
    }),
  };
  // One pair, the suite's removal after `removal` seconds (`never`: never), the floor once a side.
  const bench = (removal: string, extra: Partial<TestBenchOptions> = {}) =>
    benchTests({ runs: 1, root, command: ['sh', 'suite.sh', removal], caches: [], floor, floorRuns: 1, ...extra });
  return { root, bench };
}

describe('the floor after a run and the run folder it leaves', () => {
  it('is measured once the folder the suite leaves to a detached remover is gone', async () => {
    const { root, bench } = runFolderProject();
    const result = await bench('0.5');
    expect(result.measurements.map((m) => m.status)).toEqual(['measured', 'measured', 'measured', 'measured']);
    // before the fresh run (no folder yet), after it, after the warm run: never beside the removal
    expect(readFileSync(join(root, 'floors.txt'), 'utf8')).toBe('gone\ngone\ngone\n');
  });

  it('waits a bounded time, then says the floor is measured while the folder is still being removed', async () => {
    const { root, bench } = runFolderProject();
    const progress: string[] = [];
    const result = await bench('never', { runFolderWaitMs: 0, onProgress: (m) => progress.push(m) });
    expect(result.measurements.map((m) => m.status)).toEqual(['measured', 'measured', 'measured', 'measured']);
    expect(readFileSync(join(root, 'floors.txt'), 'utf8')).toBe('gone\nthere\nthere\n');
    const said = progress.filter((m) => m.includes(TEST_RUN_FOLDER_PREFIX));
    expect(said).toHaveLength(2);
    expect(said[0]).toMatch(
      new RegExp(
        `^${TEST_RUN_FOLDER_PREFIX}\\* in \\S+ still there after 0 s: the floor after this run is measured while it is being removed$`,
      ),
    );
  });
});

describe('benchTests', () => {
  it('runs fresh (no cache, empty TMPDIR) then warm (every cache kept), pair after pair, the floor around each', async () => {
    const root = project();
    const progress: string[] = [];
    const result = await benchTests({
      keepFailedIn: kept(),
      runs: 2,
      root,
      command: ['sh', 'suite.sh'],
      floor: floorIn(root),
      floorRuns: 1,
      onProgress: (m) => progress.push(m),
    });

    // floor runs right before and right after every suite run; the ones between two runs serve both
    const order = lines(root).map((l) =>
      'floor' in l ? 'floor' : l.caches && (l.caches as string[]).length ? 'warm' : 'fresh',
    );
    expect(order.join(' ')).toBe('floor fresh floor warm floor fresh floor warm floor');
    const [fresh1, warm1, fresh2, warm2] = seen(root);
    for (const fresh of [fresh1, fresh2]) expect(fresh).toMatchObject({ caches: [], tmpEntries: [], ci: 'true' });
    // A kustomize build folder of the person's own never reaches the suite: a fresh run starts without builds.
    for (const run of seen(root)) expect(run.kustomizeCache).toBe('unset');
    for (const warm of [warm1, warm2])
      expect(warm).toMatchObject({ caches: [...FRESH_CACHES], tmpEntries: ['tsx-cache'] });
    expect(warm1!.tmp).toBe(fresh1!.tmp); // the warm run finds the fresh run's tsx cache
    expect(fresh2!.tmp).not.toBe(fresh1!.tmp);
    expect(existsSync(fresh1!.tmp) || existsSync(fresh2!.tmp)).toBe(false); // temporary folders removed
    expect(readdirSync(root)).toContain('keep.txt'); // only the caches are removed
    expect(progress.slice(0, 4)).toEqual([
      'run 1/2: npm test, fresh (caches removed, empty TMPDIR)',
      'floor 1/1 before npm test, fresh',
      'floor 1/1 after npm test, fresh',
      'run 1/2: npm test, warm (right after, every cache kept)',
    ]);
    expect(progress).toHaveLength(4 + 5);
    // vitest's JSON report asked for as .ci/run asks for it (after --, npm passes it on to vitest)
    expect(fresh1!.args).toEqual([
      '--',
      '--reporter=default',
      '--reporter=json',
      expect.stringMatching(/^--outputFile\.json=\/.+\/vitest\.json$/),
    ]);

    expect(result.floorRuns).toBe(1);
    expect(result.measurements.map((m) => [m.id, m.status])).toEqual([
      ['tests.fresh', 'measured'],
      ['tests.fresh.floor', 'measured'],
      ['tests.warm', 'measured'],
      ['tests.warm.floor', 'measured'],
    ]);
    const [fresh, freshFloor, warm, warmFloor] = result.measurements;
    for (const m of [fresh, warm]) {
      if (m?.status !== 'measured') throw new Error('not measured');
      expect(m.samplesMs).toHaveLength(2);
      expect(m.timeMs.median).toBeGreaterThan(0);
      expect(m.load1m?.runs).toBe(4); // at the start and end of each run
      expect(m.command).toBe('CI=true sh suite.sh');
      expect(m.phasesMs?.map((p) => [p.name, p.ms.median, p.ms.runs])).toEqual([
        ['biome', 2000, 2],
        ['tsc', 4900, 2],
        ['static checks (side by side)', 5000, 2],
        ['vitest', expect.any(Number), 2], // the rest of the run
      ]);
    }
    for (const f of [freshFloor, warmFloor]) {
      if (f?.status !== 'measured') throw new Error('not measured');
      expect(f.samplesMs).toHaveLength(4); // 1 before and 1 after each of 2 runs
      expect(f.command).toBe('sh -c <floor stand-in>');
    }
    // the blocks between runs count for both figures: fresh 1-4, warm 2-5 (of five blocks)
    const f = freshFloor?.status === 'measured' ? freshFloor.samplesMs : [];
    const w = warmFloor?.status === 'measured' ? warmFloor.samplesMs : [];
    expect(w.slice(0, 3)).toEqual(f.slice(1, 4));
    expect(result.budgets.map((b) => [b.id, b.targetMs, b.status !== 'not-measured' && b.floor])).toEqual([
      ['tests.fresh', 60_000, 'tests.fresh.floor'],
      ['tests.warm', 25_000, 'tests.warm.floor'],
    ]);
  });

  it('measures nothing when the suite fails: the exit code and its last lines are the reason', async () => {
    const root = project();
    const result = await benchTests({
      keepFailedIn: kept(),
      runs: 1,
      root,
      command: ['sh', 'suite.sh', 'fail'],
      floor: floorIn(root),
      floorRuns: 1,
    });
    expect(result.measurements.map((m) => [m.id, m.status])).toEqual([
      ['tests.fresh', 'not-measured'],
      ['tests.fresh.floor', 'measured'],
      ['tests.warm', 'not-measured'],
      ['tests.warm.floor', 'measured'],
    ]);
    expect(result.budgets.map((b) => [b.status, b.onThisMachine])).toEqual([
      ['not-measured', undefined],
      ['not-measured', undefined],
    ]);
    const reason = result.budgets[0]!.status === 'not-measured' ? result.budgets[0]!.reason : '';
    expect(reason).toContain('sh suite.sh fail failed (exit code 1): 1 passed / 2 failed: snapshot mismatch');
  });

  it('judges nothing when the floor fails: the seconds are shown as information only', async () => {
    const root = project();
    const floor = floorIn(root, 3);
    const script = floor.commandFor(root).args[1];
    const result = await benchTests({
      keepFailedIn: kept(),
      runs: 1,
      root,
      command: ['sh', 'suite.sh'],
      floor,
      floorRuns: 5,
    });
    // the first floor run fails: its block stops there, the suite still runs
    expect(lines(root).map((l) => ('floor' in l ? 'floor' : 'suite'))).toEqual([
      'floor',
      'suite',
      'floor',
      'suite',
      'floor',
    ]);
    expect(result.measurements.map((m) => [m.id, m.status])).toEqual([
      ['tests.fresh', 'measured'],
      ['tests.fresh.floor', 'not-measured'],
      ['tests.warm', 'measured'],
      ['tests.warm.floor', 'not-measured'],
    ]);
    for (const b of result.budgets) {
      expect(b.status).toBe('not-measured');
      expect(b.status === 'not-measured' && b.reason).toBe(
        `the floor around it could not be measured, so the seconds are not judged: bench: sh -c ${script} ` +
          'failed (exit 3): import "cdk8s-plus-28"; / ^^^^^^ / Error [ERR_MODULE_NOT_FOUND]: no cdk8s-plus-28 / Node.js v20',
      );
      // its seconds stay, as information: the median, against the budget (met or missed by the
      // machine's speed, which this test does not assert; test-budget.test.ts judges both ways)
      const figure = result.measurements.find((m) => m.id === b.id);
      if (figure?.status !== 'measured') throw new Error(`${b.id} not measured`);
      expect(b.onThisMachine).toEqual({
        valueMs: figure.timeMs.median,
        status: figure.timeMs.median <= b.targetMs ? 'met' : 'missed',
      });
    }
    const text = renderTable(report(result));
    expect(text).toMatch(/^npm test, fresh +- +- +- +<= 411\.0x +- <= 60\.0 s +not measured: the floor around it/m);
    expect(text).toMatch(/^npm test, warm +\d+\.\d s +<= 25\.0 s +(met|missed) +2 cores/m);
  });

  it('names the failing tests of a failed fresh run, still judges the warm one through the real floor', async () => {
    const root = project();
    const result = await benchTests({
      keepFailedIn: kept(),
      runs: 1,
      root,
      command: ['sh', 'suite.sh', 'fail-fresh'],
      floorRuns: 1,
    });
    expect(result.measurements.map((m) => [m.id, m.status])).toEqual([
      ['tests.fresh', 'not-measured'],
      ['tests.fresh.floor', 'measured'],
      ['tests.warm', 'measured'],
      ['tests.warm.floor', 'measured'],
    ]);
    const [fresh, freshFloor, warm, warmFloor] = result.measurements;
    const freshReason = fresh?.status === 'not-measured' ? fresh.reason : '';
    const keptDir = / \(its output is kept in (.+)\)\)$/.exec(freshReason)?.[1];
    expect(freshReason).toBe(
      'sh suite.sh fail-fresh failed (exit code 1): 2 failing test(s): ' +
        `test/a.test.ts > suite > finds its cache; test/b.test.ts: Cannot find module x (fix: make it pass (its output is kept in ${keptDir}))`,
    );
    // The failed run's evidence stays on disk: its output and vitest's report.
    expect(keptDir && readdirSync(keptDir).sort()).toEqual(['output.log', 'static-checks.json', 'vitest.json']);
    expect(fresh?.phasesMs?.map((p) => p.name)).toEqual(['biome', 'tsc', 'static checks (side by side)', 'vitest']);
    // by default the floor is the real one, node loading cdk8s-plus-28 bare (as the reference floor
    // was measured: no memory preload), once before and once after each run
    expect(testFloorSubject()).toMatchObject({ command: floorSubject().command, memory: false });
    if (freshFloor?.status !== 'measured' || warmFloor?.status !== 'measured' || warm?.status !== 'measured')
      throw new Error('not measured');
    for (const f of [freshFloor, warmFloor])
      expect([f.command, f.samplesMs.length]).toEqual([floorSubject().command, 2]);
    expect(freshFloor.samplesMs[1]).toBe(warmFloor.samplesMs[0]); // the block between the runs belongs to both
    const [freshBudget, warmBudget] = result.budgets;
    expect(freshBudget?.status).toBe('not-measured');
    if (warmBudget?.status === 'not-measured' || !warmBudget) throw new Error('warm not judged');
    expect(warmBudget.ratio).toBe(warm.timeMs.median / warmFloor.timeMs.median);
    expect(['met', 'missed']).toContain(warmBudget.status);
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
    const root = project();
    const result = await benchTests({
      keepFailedIn: kept(),
      runs: 1,
      root,
      command: ['/nonexistent/npm', 'test'],
      floor: floorIn(root),
      floorRuns: 1,
    });
    const b = result.budgets[1]!;
    expect(b.status === 'not-measured' && b.reason).toMatch(/could not start \(spawn \/nonexistent\/npm ENOENT\)/);
    // The whole reason, from the run itself.
    expect(await timeCommand(['/nonexistent/npm', 'test'], root, process.env, 60_000, kept())).toEqual({
      failed:
        'bench: /nonexistent/npm test could not start (spawn /nonexistent/npm ENOENT) ' +
        '(fix: start the bench with npm run bench, whose own npm then runs the tests)',
      phases: [],
    });
  });

  it('refuses a floor count that is not a whole number >= 1', async () => {
    await expect(benchTests({ runs: 1, root: project(), floorRuns: 0 })).rejects.toThrow(
      'floorRuns: 0 (fix: a whole number >= 1)',
    );
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

/** Whether `pid` still runs (a zombie, killed and waiting for init to reap it, does not). */
function running(pid: number): boolean {
  if (existsSync('/proc/self/stat')) {
    try {
      return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false; // no entry: gone
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('timeCommand', () => {
  it.skipIf(process.platform === 'win32')(
    'stops a run past its time with every process it started, not only the one it ran, and says so',
    async () => {
      // A shell like npm test's: what it starts outlives it unless its whole process group is stopped.
      // The run must have started its sleeper before its time is up; on a starved machine it may
      // not have within 1 s, so the run is tried again with twice the time (vitest's timeout bounds it).
      const sleeperOf = (root: string) => {
        const file = join(root, 'sleeper.pid');
        const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
        return /^\d+\n$/.test(text) ? Number(text) : undefined;
      };
      let timeoutMs = 500;
      let run: Awaited<ReturnType<typeof timeCommand>>;
      let pid: number | undefined;
      let keptIn: string;
      do {
        timeoutMs *= 2;
        const root = tempDir('arcade-bench-timeout-');
        keptIn = kept();
        run = await timeCommand(
          ['sh', '-c', 'sleep 600 & echo $! > sleeper.pid; wait'],
          root,
          process.env,
          timeoutMs,
          keptIn,
        );
        pid = sleeperOf(root);
      } while (pid === undefined);
      try {
        // Its output was empty (nothing quoted); its folder, kept, is the one entry of the folder it was given.
        const logDir = join(keptIn, readdirSync(keptIn)[0]!);
        expect(run).toEqual({
          failed:
            `sh -c sleep 600 & echo $! > sleeper.pid; wait failed (over ${timeoutMs / 1000} s: stopped, with every ` +
            `process it started) (fix: its output, kept in ${logDir}, ends where the run hung: run that test or ` +
            'check alone to see why it never ends)',
          phases: [],
        });
        // SIGKILL reaches the whole group at once, but the sleeper dies when the kernel next runs it,
        // which on a loaded machine can be after the shell's exit was seen: wait for it to go (a
        // sleeper that was not signalled would run for 600 s; 30 s only bounds the wait).
        for (let waited = 0; running(pid) && waited < 30_000; waited += 50) await sleep(50);
        expect(running(pid)).toBe(false);
      } finally {
        if (running(pid)) process.kill(pid, 'SIGKILL');
      }
    },
  );
});
