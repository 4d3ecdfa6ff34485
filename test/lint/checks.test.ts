/**
 * The checks `npm test` runs before the tests (README "Lint, format and unused code"): the script
 * runs them, each fails on a planted violation naming the rule and the file, and the one rule no
 * tool enforces (no line over 160 characters) is checked here.
 *
 * The planted runs use the repository's own biome.jsonc and knip.jsonc on a small temporary
 * project (a copy of the configuration, the planted files, node_modules linked): the same
 * binaries and rules as `npm test`, at a fraction of a whole-tree run.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runStaticChecks, STATIC_CHECKS } from '../../src/tooling/static-checks.mjs';
import { readRecord } from '../../src/tooling/static-inputs.mjs';
import { CHILD_TIMEOUT_MS } from '../support/deadlines.js';
import { tempDir } from '../support/temp.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';

const LINE_LIMIT = 160;

/** A temporary project: the given repository files copied, node_modules linked, `files` written. */
function project(copied: readonly string[], files: Record<string, string>): string {
  const dir = tempDir('lint-planted-');
  for (const f of copied) copyFileSync(join(REPO_ROOT, f), join(dir, f));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function run(dir: string, bin: string, args: readonly string[]): { code: number | null; out: string } {
  const r = spawnSync(join(REPO_ROOT, 'node_modules', '.bin', bin), args, {
    cwd: dir,
    encoding: 'utf8',
    timeout: CHILD_TIMEOUT_MS,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** TypeScript and JavaScript sources Biome checks, minus generated ones (imports/ is `cdk8s import` output). */
function sources(dir: string): string[] {
  return readdirSync(join(REPO_ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|mjs)$/.test(e.name) && !e.parentPath.includes('__snapshots__'))
    .map((e) => relative(REPO_ROOT, join(e.parentPath, e.name)));
}

describe('npm test', () => {
  it('runs Biome (format and lint), knip, the typecheck and the layer check side by side before vitest, which stays last', () => {
    const { scripts } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    // .ci/run appends vitest's reporter options to `npm test`: vitest must be the last command.
    expect(scripts.test?.split(' && ')).toEqual(['node src/tooling/static-checks.mjs', 'vitest run']);
    // The runner's commands are the ones people run one by one (npm run lint, typecheck, layers).
    const commands = STATIC_CHECKS.map(({ name, command: [bin, ...args] }) => [
      name,
      bin === process.execPath
        ? ['node', ...args.map((a) => relative(REPO_ROOT, a))].join(' ')
        : [relative(join(REPO_ROOT, 'node_modules', '.bin'), bin ?? ''), ...args].join(' '),
    ]);
    expect(commands).toEqual([
      ['biome', 'biome check --error-on-warnings .'],
      ['knip', 'knip --cache'],
      ['tsc', scripts.typecheck],
      ['layers', scripts.layers],
    ]);
    expect(scripts.lint).toBe('biome check --error-on-warnings . && knip --cache');
    expect(scripts.typecheck).toBe('node src/tooling/typecheck.mjs');
  });

  it('runs every static check to its end, prints each output whole under its name, and fails if any failed', async () => {
    // Shell stand-ins (the runner's handling of its children is the point, not node: a node start is 0.1-0.15 s of CPU)
    const sh = (name: string, script: string) => ({ name, command: ['/bin/sh', '-c', script] });
    const printed: string[] = [];
    const results = await runStaticChecks(
      [
        sh('slow-ok', "sleep 0.3; printf 'a1\\na2\\n'"),
        sh('fails', "echo 'broken rule in x.ts' >&2; exit 1"),
        sh('silent', 'true'),
      ],
      { cwd: REPO_ROOT, out: { write: (text: string) => printed.push(text) } },
    );
    expect(results.map((r) => [r.name, r.code])).toEqual([
      ['slow-ok', 0],
      ['fails', 1],
      ['silent', 0],
    ]);
    expect(printed).toHaveLength(3);
    expect(printed).toContainEqual(
      expect.stringMatching(/^── fails: FAILED \(exit 1\) in \d+\.\d s\nbroken rule in x\.ts\n$/),
    );
    expect(printed).toContainEqual(expect.stringMatching(/^── slow-ok: ok in \d+\.\d s\na1\na2\n$/));
    expect(printed).toContainEqual(expect.stringMatching(/^── silent: ok in \d+\.\d s\n$/));
  });

  it('fails on planted lint errors, naming each rule and the file, also right after a recorded pass', async () => {
    // A git repository whose checks passed and were recorded (.build/static-checks.json), as after
    // an npm test: the planted file changes the inputs, so Biome runs again and fails.
    const dir = project(['biome.jsonc', 'package.json'], {
      '.gitignore': 'node_modules\n.build/\n',
      'src/clean.ts': 'export const clean = 1;\n',
    });
    expect(spawnSync('git', ['init', '-q'], { cwd: dir, timeout: CHILD_TIMEOUT_MS }).status).toBe(0);
    const biome = STATIC_CHECKS.filter((c) => c.name === 'biome');
    const record = join(dir, '.build', 'static-checks.json');
    const env = {
      ...process.env,
      NO_COLOR: '1',
      FORCE_COLOR: '0',
      PATH: `${dirname(process.execPath)}:${process.env.PATH}`,
    };
    const check = async () => (await runStaticChecks(biome, { cwd: dir, record, env, out: { write: () => true } }))[0]!;
    expect(await check()).toMatchObject({ name: 'biome', code: 0 });
    expect(readRecord(record).checks.biome?.inputs).toMatch(/^[0-9a-f]{64}$/);
    writeFileSync(
      join(dir, 'src/planted.ts'),
      [
        "import { readFileSync } from 'node:fs';",
        "import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';",
        'export function planted(x: any): unknown {',
        '  Promise.resolve(x);',
        '  return ObjectSerializer;',
        '}',
        '',
      ].join('\n'),
    );
    const { code, output: out, skipped } = await check();
    expect([code, skipped]).toEqual([1, undefined]);
    for (const rule of [
      'lint/correctness/noUnusedImports',
      'lint/style/noRestrictedImports',
      'lint/suspicious/noExplicitAny',
      'lint/nursery/noFloatingPromises',
    ])
      expect(out).toMatch(new RegExp(`^src/planted\\.ts:\\d+:\\d+ ${rule}`, 'm'));
    expect(out).toContain('private build output of @kubernetes/client-node');
  });

  it('fails on a planted unused export and an unused file, naming them', () => {
    const dir = project(['knip.jsonc', 'package.json', 'tsconfig.json'], {
      'scripts/planted.ts': "import { used } from '../src/planted.js';\n\nconsole.log(used);\n",
      'src/planted.ts': 'export const used = 1;\n\nexport function plantedUnused(): number {\n  return 2;\n}\n',
      'src/orphan.ts': 'export const orphan = 3;\n',
    });
    const { code, out } = run(dir, 'knip', ['--include', 'files,exports']);
    expect(code).toBe(1);
    expect(out).toMatch(/^Unused files \(1\)\nsrc\/orphan\.ts/m);
    expect(out).toMatch(/^Unused exports \(1\)\nplantedUnused +function +src\/planted\.ts:3:17/m);
  });
});

describe('source lines', () => {
  it(`are at most ${LINE_LIMIT} characters in src, scripts and test`, () => {
    const long: string[] = [];
    for (const file of [...sources('src'), ...sources('scripts'), ...sources('test')]) {
      readFileSync(join(REPO_ROOT, file), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (line.length > LINE_LIMIT) long.push(`${file}:${i + 1} (${line.length} characters)`);
        });
    }
    expect(long, 'split the string or the expression (Biome does not break string literals)').toEqual([]);
  });
});
