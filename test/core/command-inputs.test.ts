/**
 * The one refusal of an output path among the command's inputs (src/core/command-inputs.ts), on a
 * repository laid out in a temporary folder: its sources, dist/, .git and node_modules, the
 * folders and files an option names, through links as the kernel follows them; what stays
 * allowed. The scripts' own runs: test/scripts/output-inputs.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CommandInputs, inputRefusal, REPOSITORY_INPUTS, repositoryAbove } from '../../src/core/command-inputs.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { NO_AUTO_MAINTENANCE_ARGS } from '../support/git-repos.js';
import { tempDir } from '../support/temp.js';

/** A repository's top: a file in each of its folders, and its files. */
function repository(): string {
  const root = tempDir('inputs-repo-');
  for (const name of ['src', 'scripts', 'test', 'docs', 'dist/env', '.git', 'node_modules/zod', '.build'])
    mkdirSync(join(root, name), { recursive: true });
  for (const file of ['src/main.ts', 'dist/env/release.yaml', '.git/config', 'package.json', 'README.md'])
    writeFileSync(join(root, file), 'kept\n');
  return root;
}

/** Runs git in `cwd` with a fixed identity and no automatic maintenance; its stdout. */
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', [...NO_AUTO_MAINTENANCE_ARGS, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
    cwd,
    stdio: 'pipe',
  });

/** A checkout `<top>/main` (package.json committed on main) and its linked worktree `<top>/wt` (branch wt). */
function checkoutWithWorktree(prefix: string): { top: string; main: string; worktree: string } {
  const top = tempDir(prefix);
  const main = join(top, 'main');
  mkdirSync(main);
  git(main, 'init', '-q', '-b', 'main');
  writeFileSync(join(main, 'package.json'), '{}\n');
  git(main, 'add', 'package.json');
  git(main, 'commit', '-q', '-m', 'first');
  const worktree = join(top, 'wt');
  git(main, 'worktree', 'add', '-q', worktree, '-b', 'wt');
  return { top, main, worktree };
}

const refused = (path: string, inputs: CommandInputs, cwd: string) => inputRefusal(`--json ${path}`, path, inputs, cwd);

describe('an output path among the command inputs', () => {
  it("REPOSITORY_INPUTS is every name git tracks at the repository's top, with .git and node_modules", () => {
    const tracked = execFileSync('git', ['ls-files'], { cwd: REPO_ROOT, encoding: 'utf8' })
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.split('/')[0] as string);
    expect([...REPOSITORY_INPUTS].sort()).toEqual([...new Set([...tracked, '.git', 'node_modules'])].sort());
  });

  it('refuses the repository files, new or existing, named directly or through a link, in one line', () => {
    const root = repository();
    const inputs = { repoRoot: root };
    const elsewhere = tempDir('inputs-links-');
    symlinkSync(join(root, 'src', 'main.ts'), join(elsewhere, 'to-main.ts'));
    symlinkSync(join(root, 'dist'), join(elsewhere, 'dist'));
    for (const path of [
      'src/main.ts',
      'src/new.ts',
      'dist/env/release.yaml',
      'dist/other/new.yaml',
      '.git/config',
      'node_modules/zod/index.js',
      'package.json',
      'README.md',
      'docs/x.md',
      join(elsewhere, 'to-main.ts'),
      join(elsewhere, 'dist', 'env', 'release.yaml'),
    ]) {
      const message = refused(path, inputs, root);
      expect(message, path).toMatch(
        /^--json .*: is one of this command's inputs, .*: writing there would replace it; nothing written \(fix: .*\)$/,
      );
      expect(message, path).not.toContain('\n');
    }
    expect(refused(join(elsewhere, 'to-main.ts'), inputs, root)).toContain(
      `it leads to ${join(root, 'src', 'main.ts')}`,
    );
  });

  it('says where the path leads only when that is not the path as given; offers /tmp only to a path outside it', () => {
    // This test's repository is in a temporary folder: the fix offers no /tmp there.
    const root = repository();
    const inputs = { repoRoot: root };
    const elsewhere = tempDir('inputs-leads-');
    symlinkSync(join(root, 'src', 'main.ts'), join(elsewhere, 'to-main.ts'));
    const fix =
      "(fix: give a path outside the repository's sources, dist/ and the folders the command reads, e.g. a new file " +
      "at the repository's top)";
    for (const path of ['src/main.ts', './src/main.ts', join(root, 'src', 'main.ts'), join(root, 'src', 'new.ts')]) {
      const message = refused(path, inputs, root);
      expect(message, path).not.toContain('it leads to');
      expect(message, path).toMatch(/: writing there would replace it; nothing written \(fix: .*\)$/);
      expect(message?.endsWith(fix), `${path}: ${message}`).toBe(true);
    }
    expect(refused(join(elsewhere, 'to-main.ts'), inputs, root)).toContain(
      `(it leads to ${join(root, 'src', 'main.ts')})`,
    );
    // A repository outside every temporary folder (this checkout, only read): /tmp is offered.
    const here = inputRefusal('--json package.json', 'package.json', { repoRoot: REPO_ROOT }, REPO_ROOT);
    const inTemporary = ['/tmp', tmpdir()].some((t) => `${REPO_ROOT}/`.startsWith(`${realpathSync(t)}/`));
    expect(here?.endsWith(inTemporary ? fix : fix.replace('top)', 'top or under /tmp)')), here).toBe(true);
    expect(here).not.toContain('it leads to');
  });

  it('refuses what a folder option names, what a link at its top leads to, and a file option', () => {
    const root = repository();
    const outside = tempDir('inputs-outside-');
    const envs = join(outside, 'envs');
    mkdirSync(envs);
    writeFileSync(join(outside, 'real-env.yaml'), 'kept\n');
    symlinkSync(join(outside, 'real-env.yaml'), join(envs, 'linked.yaml'));
    writeFileSync(join(outside, 'targets.yaml'), 'kept\n');
    const inputs = {
      repoRoot: root,
      folders: [
        { option: '--environments', path: envs },
        { option: '--dist', path: undefined },
      ],
      files: [{ option: '--targets', path: join(outside, 'targets.yaml') }],
    };
    expect(refused(join(envs, 'new.yaml'), inputs, root)).toMatch(/the folder --environments .* reads/);
    expect(refused(join(outside, 'real-env.yaml'), inputs, root)).toMatch(/linked\.yaml, read by --environments/);
    expect(refused(join(outside, 'targets.yaml'), inputs, root)).toMatch(/the file --targets /);
    expect(refused(join(outside, 'report.json'), inputs, root)).toBeUndefined();
  });

  it('keeps a report anywhere else: the repository top, .build, /tmp, a link to such a file, the streams', () => {
    const root = repository();
    const inputs = { repoRoot: root };
    const elsewhere = tempDir('inputs-allowed-');
    writeFileSync(join(elsewhere, 'report.json'), '{}\n');
    symlinkSync(join(elsewhere, 'report.json'), join(root, 'report-link.json'));
    for (const path of [
      'report.json',
      '.build/probe-runner.mjs',
      join(elsewhere, 'r.json'),
      'report-link.json',
      '-',
      '/dev/stdout',
      '/dev/null',
    ])
      expect(refused(path, inputs, root), path).toBeUndefined();
  });

  it("a root without package.json (a bundle's folder's parent, /) has no repository names: its src/, dist/ are kept", () => {
    const root = tempDir('inputs-no-repo-');
    for (const file of ['src/main.ts', 'dist/env/release.yaml']) {
      mkdirSync(join(root, file, '..'), { recursive: true });
      writeFileSync(join(root, file), 'kept\n');
    }
    for (const path of ['src/main.ts', 'dist/env/release.yaml', 'src/new.json'])
      expect(refused(path, { repoRoot: root }, root), path).toBeUndefined();
    expect(refused('src/main.ts', { repoRoot: undefined }, root)).toBeUndefined();
  });

  it('repositoryAbove: the nearest folder at or above holding a package.json, at any depth; a package.json link loop counts', () => {
    const root = tempDir('inputs-above-');
    writeFileSync(join(root, 'package.json'), '{}\n');
    mkdirSync(join(root, 'out', 'a', 'b'), { recursive: true });
    for (const folder of [root, join(root, 'out'), join(root, 'out', 'a'), join(root, 'out', 'a', 'b')])
      expect(repositoryAbove(folder), folder).toBe(root);
    const inner = join(root, 'out', 'a');
    symlinkSync('package.json', join(inner, 'package.json')); // a loop: stat fails (ELOOP), not "none"
    expect(repositoryAbove(join(inner, 'b'))).toBe(inner);
  });

  it('refuses every entry of an entriesOf folder (a bundle beside its environment files), and keeps a new file there', () => {
    const dir = tempDir('inputs-entries-');
    for (const file of ['prod.yaml', 'probe-runner.mjs']) writeFileSync(join(dir, file), 'kept\n');
    const inputs = { repoRoot: undefined, entriesOf: [{ option: '--env', path: dir }] };
    expect(refused(join(dir, 'prod.yaml'), inputs, dir)).toContain(`${join(dir, 'prod.yaml')}, read by --env`);
    expect(refused(join(dir, 'probe-runner.mjs'), inputs, dir)).toContain('probe-runner.mjs, read by --env');
    expect(refused(join(dir, 'report.json'), inputs, dir)).toBeUndefined();
  });

  it('given a file and those written beside it: the first that is an input, named as the whole option', () => {
    const dir = tempDir('inputs-beside-');
    for (const file of ['prod.yaml', 'probe-runner.mjs.inputs.json']) writeFileSync(join(dir, file), 'kept\n');
    const inputs = { repoRoot: undefined, entriesOf: [{ option: '--env', path: dir }] };
    const bundle = join(dir, 'probe-runner.mjs');
    const beside = [bundle, `${bundle}.inputs.json`, `${bundle}.built-from.json`];
    expect(inputRefusal('--out probe-runner.mjs', beside, inputs, dir)).toBe(
      `--out probe-runner.mjs: is one of this command's inputs, ${bundle}.inputs.json, read by --env: writing there ` +
        "would replace it; nothing written (fix: give a path outside the repository's sources, dist/ and the folders " +
        "the command reads, e.g. a new file at the repository's top)",
    );
    expect(
      inputRefusal('--out new.mjs', ['-', join(dir, 'new.mjs'), join(dir, 'new.mjs.inputs.json')], inputs, dir),
    ).toBe(undefined);
  });

  it("from a linked worktree (.git a file): refuses its git folder and the main checkout's .git, through a link too", () => {
    const { top, main, worktree } = checkoutWithWorktree('inputs-worktree-');
    const links = join(top, 'links');
    mkdirSync(links);
    symlinkSync(join(main, '.git'), join(links, 'main-git'));
    const head = readFileSync(join(main, '.git', 'HEAD'), 'utf8');
    const inputs = { repoRoot: worktree };
    for (const path of [
      join(links, 'main-git', 'HEAD'),
      join(main, '.git', 'refs', 'heads', 'main'),
      join(main, '.git', 'worktrees', 'wt', 'HEAD'),
      '.git',
    ])
      expect(refused(path, inputs, worktree), path).toMatch(
        /inputs, (the git folder .* \(named by .*\.git\)|the repository's own \.git)/,
      );
    expect(refused(join(links, 'main-git', 'HEAD'), inputs, worktree)).toContain(
      `it leads to ${join(main, '.git', 'HEAD')}`,
    );
    expect(refused(join(top, 'report.json'), inputs, worktree)).toBeUndefined();
    expect(readFileSync(join(main, '.git', 'HEAD'), 'utf8')).toBe(head);
  });

  it("a worktree's gitdir named through a link: the main checkout's .git is found as git finds it, after the link", () => {
    const { top, main, worktree } = checkoutWithWorktree('inputs-worktree-link-');
    // gitdir: <top>/elink/wts/wt, where wts -> main/.git/worktrees: commondir (../..) is main/.git
    // after the link, <top>/elink as written.
    mkdirSync(join(top, 'elink'));
    symlinkSync(join(main, '.git', 'worktrees'), join(top, 'elink', 'wts'));
    writeFileSync(join(worktree, '.git'), `gitdir: ${join(top, 'elink', 'wts', 'wt')}\n`);
    expect(git(worktree, 'rev-parse', '--git-common-dir').toString().trim()).toBe(join(main, '.git'));
    const inputs = { repoRoot: worktree };
    expect(refused(join(main, '.git', 'HEAD'), inputs, worktree)).toMatch(/inputs, the git folder /);
    expect(refused(join(top, 'elink', 'HEAD'), inputs, worktree)).toBeUndefined();
  });

  it('a .git or node_modules that is a symbolic link: what it leads to is refused too', () => {
    const root = tempDir('inputs-linked-names-');
    const elsewhere = tempDir('inputs-linked-targets-');
    writeFileSync(join(root, 'package.json'), '{}\n');
    mkdirSync(join(elsewhere, 'bgit'));
    writeFileSync(join(elsewhere, 'bgit', 'HEAD'), 'ref: refs/heads/main\n');
    mkdirSync(join(elsewhere, 'fnm'));
    symlinkSync(join(elsewhere, 'bgit'), join(root, '.git'));
    symlinkSync(join(elsewhere, 'fnm'), join(root, 'node_modules'));
    const inputs = { repoRoot: root };
    for (const [path, name] of [
      [join('.git', 'HEAD'), '.git'],
      [join('node_modules', 'x.js'), 'node_modules'],
      [join(elsewhere, 'bgit', 'HEAD'), '.git'],
    ] as const)
      expect(refused(path, inputs, root), path).toContain(`inputs, the repository's own ${name}`);
    expect(refused(join(elsewhere, 'report.json'), inputs, root)).toBeUndefined();
  });
});
