/**
 * npm test's static checks are not run again when their exact inputs already passed
 * (src/tooling/static-checks.mjs, src/tooling/static-inputs.mjs): in a temporary git repository,
 * a stand-in check (a node process that fails on a planted word and counts its runs) passes and is
 * recorded, is then not run, runs again and fails when a planted file changes its inputs, runs
 * again after a failure, and is not run once the inputs are back to the ones that passed; what
 * changes the inputs (and what does not) and when the record is not trusted are checked on the
 * fingerprint itself. test/lint/checks.test.ts does the same with the real Biome.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { staticPhases } from '../../src/bench/test-run-report.js';
import { runStaticChecks, type StaticCheck } from '../../src/tooling/static-checks.mjs';
import { readRecord, treeInputs } from '../../src/tooling/static-inputs.mjs';
import { CHILD_TIMEOUT_MS } from '../support/deadlines.js';
import { tempDir } from '../support/temp.js';

/** The environment of the runs: this node first on PATH (as npm test's is), no module folder in HOME. */
function envFor(home: string): NodeJS.ProcessEnv {
  const { NODE_PATH: _, ...env } = process.env;
  return { ...env, HOME: home, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` };
}

function write(dir: string, path: string, text: string): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
}

/** A git repository holding one source file, node_modules (its .package-lock.json) and .build/ ignored. */
function repository(): string {
  const dir = tempDir('static-inputs-');
  const r = spawnSync('git', ['init', '-q'], { cwd: dir, encoding: 'utf8', timeout: CHILD_TIMEOUT_MS });
  expect(r.status, r.stderr).toBe(0);
  write(dir, '.gitignore', 'node_modules\n.build/\ncoverage/\n');
  write(dir, 'node_modules/.package-lock.json', '{"packages":{"node_modules/x":{"version":"1.0.0"}}}\n');
  write(dir, 'src/a.ts', 'export const a = 1;\n');
  return dir;
}

const hashOf = (dir: string, env = envFor(dir)): string => {
  const inputs = treeInputs(dir, env);
  if (!('hash' in inputs)) throw new Error(`no fingerprint: ${inputs.uncertain}`);
  return inputs.hash;
};

describe('a static check whose inputs passed before', () => {
  it('is not run again until an input changes; a planted error is caught, a failure reruns, a return to passed inputs does not', async () => {
    const dir = repository();
    const runs = join(tempDir('static-runs-'), 'runs');
    const record = join(dir, '.build', 'static-checks.json');
    const script = `printf x >> '${runs}'; if grep -q planted src/a.ts; then echo 'src/a.ts: planted-rule' >&2; exit 1; fi`;
    const check: StaticCheck = { name: 'rule', command: ['/bin/sh', '-c', script] };
    const run = async (force = false) => {
      const printed: string[] = [];
      const [result] = await runStaticChecks([check], {
        cwd: dir,
        record,
        force,
        env: envFor(dir),
        out: { write: (t: string) => printed.push(t) },
      });
      return { result: result!, printed: printed.join(''), runs: readFileSync(runs, 'utf8').length };
    };

    const first = await run();
    expect(first).toMatchObject({ result: { code: 0 }, runs: 1 });
    expect(first.printed).toMatch(/^── rule: ok in \d+\.\d s\n$/);
    const passedInputs = readRecord(record).checks.rule?.inputs;
    expect(passedInputs).toMatch(/^[0-9a-f]{64}$/);

    const second = await run();
    expect(second).toMatchObject({ result: { code: 0, skipped: true, inputs: passedInputs }, runs: 1 });
    expect(second.printed).toBe(`── rule: unchanged since it passed (inputs ${passedInputs!.slice(0, 12)}), not run\n`);

    write(dir, 'src/a.ts', 'export const a = 1; // planted\n');
    const planted = await run();
    expect(planted).toMatchObject({ result: { code: 1 }, runs: 2 });
    expect(planted.result.skipped).toBeUndefined();
    expect(planted.printed).toMatch(/^── rule: FAILED \(exit 1\) in \d+\.\d s\nsrc\/a\.ts: planted-rule\n$/);
    expect(readRecord(record).checks.rule?.inputs).toBe(passedInputs); // a failure is never recorded

    const again = await run();
    expect(again).toMatchObject({ result: { code: 1 }, runs: 3 }); // the same failing inputs: run again

    write(dir, 'src/a.ts', 'export const a = 1;\n'); // the content that passed, with a new modification time
    expect(await run()).toMatchObject({ result: { code: 0, skipped: true }, runs: 3 });

    const forced = await run(true);
    expect(forced).toMatchObject({ result: { code: 0 }, runs: 4 });
    expect(forced.result.skipped).toBeUndefined();
  });

  it('runs every check, saying why, when the inputs cannot be pinned down (no git work tree)', async () => {
    const dir = tempDir('static-tarball-');
    write(dir, 'node_modules/.package-lock.json', '{}\n');
    const record = join(dir, '.build', 'static-checks.json');
    const check: StaticCheck = { name: 'ok', command: ['/bin/sh', '-c', 'true'] };
    for (const round of [1, 2]) {
      const printed: string[] = [];
      const [result] = await runStaticChecks([check], {
        cwd: dir,
        record,
        env: envFor(dir),
        out: { write: (t: string) => printed.push(t) },
      });
      expect(result, `round ${round}`).toMatchObject({ code: 0 });
      expect(result!.skipped).toBeUndefined();
      expect(printed[0]).toBe(
        `── static checks: every check runs (the record cannot be trusted here): ${dir} is not the root of a git work tree (no .git there)\n`,
      );
    }
    expect(readRecord(record).checks).toEqual({});
  });
});

describe('a static check that cannot start', () => {
  it('is named with its program, why, and the fix', async () => {
    const dir = tempDir('static-missing-');
    const missing = join(dir, 'node_modules', '.bin', 'biome');
    const [result] = await runStaticChecks([{ name: 'biome', command: [missing, 'check'] }], {
      cwd: dir,
      env: envFor(dir),
      out: { write: () => true },
    });
    expect({ code: result!.code, output: result!.output }).toEqual({
      code: 127,
      output: `biome: could not start ${missing}: spawn ${missing} ENOENT (fix: npm ci, which installs it)\n`,
    });
  });
});

describe('a static check stopped by a signal', () => {
  it('is named with the signal and the fix, and fails', async () => {
    const dir = tempDir('static-killed-');
    const [result] = await runStaticChecks([{ name: 'knip', command: ['/bin/sh', '-c', 'kill -KILL $$'] }], {
      cwd: dir,
      env: envFor(dir),
      out: { write: () => true },
    });
    expect({ code: result!.code, output: result!.output }).toEqual({
      code: 1,
      output:
        'knip: killed by SIGKILL (fix: run it again; if it is killed again, see whether the machine ran out of ' +
        'memory (dmesg, free -m) or what else stops it)\n',
    });
  });
});

describe('the static checks’ inputs', () => {
  it('are the contents git shows, ignored files a tool may read, the installed packages and the tool variables, not modification times', () => {
    const dir = repository();
    const env = envFor(dir);
    const base = hashOf(dir, env);
    expect(hashOf(dir, env)).toBe(base);

    // the same content with another modification time (what tsc -b would take for a change, and
    // the reverse: a changed file dated back, which tsc -b would take for unchanged)
    utimesSync(join(dir, 'src/a.ts'), 1, 1);
    expect(hashOf(dir, env)).toBe(base);
    write(dir, 'src/a.ts', 'export const b = 1;\n');
    utimesSync(join(dir, 'src/a.ts'), 1, 1);
    const edited = hashOf(dir, env);
    expect(edited).not.toBe(base);

    // under the root's .build/ (build outputs, this record): not read by any check
    write(dir, '.build/main.cjs', 'x');
    expect(hashOf(dir, env)).toBe(edited);
    // an untracked file, and an ignored one where Biome, tsc and dependency-cruiser would read it
    write(dir, 'src/b.ts', 'export const c = 1;\n');
    const untracked = hashOf(dir, env);
    expect(untracked).not.toBe(edited);
    write(dir, 'src/coverage/x.ts', 'export const d = 1;\n');
    const ignored = hashOf(dir, env);
    expect(ignored).not.toBe(untracked);
    // the same files, one of them newly ignored (knip reads only what git does not ignore)
    write(dir, '.gitignore', 'node_modules\n.build/\ncoverage/\nsrc/b.ts\n');
    const reignored = hashOf(dir, env);
    write(dir, '.gitignore', 'node_modules\n.build/\ncoverage/\n# src/b.ts\n');
    expect(reignored).not.toBe(hashOf(dir, env));

    // the installed packages, and a variable that changes what a tool does
    const before = hashOf(dir, env);
    write(dir, 'node_modules/.package-lock.json', '{"packages":{"node_modules/x":{"version":"1.0.1"}}}\n');
    const upgraded = hashOf(dir, env);
    expect(upgraded).not.toBe(before);
    expect(hashOf(dir, { ...env, BIOME_CONFIG_PATH: 'other.json' })).not.toBe(upgraded);
    expect(hashOf(dir, { ...env, SOME_OTHER_VARIABLE: '1' })).toBe(upgraded);
  });

  it('are not pinned down (every check runs) where a tool may read what the fingerprint does not hold', () => {
    const uncertain = (dir: string, env = envFor(dir)): string => {
      const inputs = treeInputs(dir, env);
      return 'uncertain' in inputs ? inputs.uncertain : `fingerprinted ${inputs.hash}`;
    };
    const dir = repository();
    expect(uncertain(join(dir, 'src'))).toBe(`${join(dir, 'src')} is not the root of a git work tree (no .git there)`);
    expect(uncertain(dir, { ...envFor(dir), NODE_PATH: '/opt/modules' })).toBe(
      'NODE_PATH is set (modules outside the repository)',
    );
    expect(uncertain(dir, { ...envFor(dir), PATH: '/nonexistent' })).toMatch(
      /^the node on PATH \(none\) is not the one/,
    );
    write(dir, '.node_modules/x/index.js', '');
    expect(uncertain(dir, { ...envFor(dir), HOME: dir })).toBe(
      `module folders outside the repository: ${join(dir, '.node_modules')}`,
    );

    rmSync(join(dir, '.node_modules'), { recursive: true });

    symlinkSync(join(dir, 'node_modules'), join(dir, 'src/linked'), 'dir');
    expect(uncertain(dir)).toBe('src/linked is a link to a folder (a tool may read what is behind it)');
    rmSync(join(dir, 'src/linked'));

    expect(uncertain(dir)).toMatch(/^fingerprinted [0-9a-f]{64}$/);
    rmSync(join(dir, 'node_modules/.package-lock.json'));
    expect(uncertain(dir)).toMatch(/^no node_modules\/\.package-lock\.json /);
  });
});

describe('the bench’s phases', () => {
  it('name a check that was not run as such, with the time it took to know, never as a run', () => {
    const file = join(tempDir('static-times-'), 'times.json');
    writeFileSync(
      file,
      JSON.stringify({
        wallMs: 300,
        checks: [
          { name: 'biome', code: 0, ms: 250, skipped: true },
          { name: 'tsc', code: 0, ms: 2100 },
        ],
      }),
    );
    expect(staticPhases(file)).toEqual([
      { name: 'biome (unchanged, not run)', ms: 250 },
      { name: 'tsc', ms: 2100 },
      { name: 'static checks (side by side)', ms: 300 },
    ]);
  });
});
