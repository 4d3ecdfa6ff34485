/**
 * How many git processes the product starts, so the count cannot creep back: one export that
 * commits, the export's source (the stack's commit and changes), and a review's read of dist/ at
 * its base. git is the real one, behind a wrapper on PATH that logs each run's arguments and
 * hands them to it (as kustomize-cache.test.ts counts kubectl). Each process costs a test worker
 * 15-25 ms to start here, and a user's export as much: a second `rev-parse` or `status` for what
 * the first one already answered is what this catches. The tests' own snapshot of a checkout
 * (./support.ts) is counted too.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { filesAtRef } from '../../src/core/git.js';
import { exportEnvironment } from '../../src/delivery/export.js';
import { exportSource } from '../../src/delivery/source.js';
import { synthEnvironment } from '../../src/synth.js';
import { FIXTURE_ENVIRONMENTS, fixtureEnvironment } from '../synth/helpers.js';
import { tempDir } from '../support/temp.js';
import {
  copyRepo,
  countGit,
  makeRepo,
  plantExport,
  run,
  snapshot,
  sourceOf,
  stagingEnvironment,
  subcommands,
} from './support.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';

const realPath = process.env.PATH ?? '';

afterEach(() => {
  process.env.PATH = realPath;
});

describe('git processes per operation', () => {
  it('an export that commits runs 13 git processes, each a different question', async () => {
    // An earlier export one value apart: nothing leaves the folder, so the export runs without
    // kubectl (a path that does not exist) and builds no preview.
    const source = sourceOf(stagingEnvironment('bundled'));
    const repo = await makeRepo({ 'apps/arcade/README.md': 'x\n' });
    const earlier = source.files.map((f) => ({ ...f, content: f.content.replace('interval: 10m', 'interval: 5m') }));
    expect(earlier).not.toEqual(source.files);
    await plantExport(repo, { ...source, files: earlier });
    const { runs } = countGit();
    const result = await exportEnvironment(source, {
      repo,
      commit: true,
      kubectl: join(tempDir('no-kubectl-'), 'kubectl'),
    });
    expect(result.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(subcommands(runs())).toEqual([
      'rev-parse', // --show-toplevel --verify refs/heads/<branch>: the checkout's root, and the new branch does not exist yet
      'status', // --porcelain=v2 --branch: the branch and every change, in one
      'check-ignore', // -z --stdin: does git ignore a path the export writes?
      'ls-files', // the tracked files: what Flux's source holds
      'var', // GIT_COMMITTER_IDENT: the commit will have a committer
      'config', // --type=bool --get commit.gpgsign: sign the commit as git commit would (commit-tree signs only with -S)
      'log', // the folder's last commit (temporary or teardown?)
      'checkout', // -b: the export's branch
      'add',
      'write-tree', // the tree the commit names in its trailer
      'commit-tree', // the commit, run with no hook in any git version (its id printed)
      'update-ref', // the branch moved to it from the parent status named, or not at all
      'cat-file', // --batch <id>: what git stored (checked against what was written)
    ]);
  });

  it("the export's source reads the stack's commit and changes with one git status", async () => {
    const dist = tempDir('dist-');
    for (const f of synthEnvironment(fixtureEnvironment('staging')).files) {
      mkdirSync(dirname(join(dist, f.path)), { recursive: true });
      writeFileSync(join(dist, f.path), f.content);
    }
    const { runs } = countGit();
    const source = await exportSource({
      repoRoot: REPO_ROOT,
      env: 'staging',
      environmentsDir: FIXTURE_ENVIRONMENTS,
      distDir: dist,
    });
    expect(source.sourceCommit).toMatch(/^[0-9a-f]{40}$/);
    expect(subcommands(runs())).toEqual(['status']);
  });

  it('a review reads dist/ at its base with two git processes, whatever the number of files', async () => {
    const repo = await makeRepo({ 'dist/a.yaml': 'a: 1\n', 'dist/b.yaml': 'b: 2\n', 'dist/sub/c.yaml': 'c: 3\n' });
    const { runs } = countGit();
    expect((await filesAtRef(repo, 'HEAD', 'dist')).map((f) => f.path)).toEqual(['a.yaml', 'b.yaml', 'sub/c.yaml']);
    expect(subcommands(runs())).toEqual(['ls-tree', 'cat-file']);
  });

  it("the tests' snapshot asks git once per state, and sees what only git status shows", async () => {
    const repo = await makeRepo({ 'apps/a.yaml': 'a: 1\n', 'apps/b.sh': 'true\n' });
    const { runs } = countGit();
    const before = await snapshot(repo);
    expect(before.status).toBe('');
    // The same repository again, and a byte-for-byte copy of it: answered without a second git status.
    expect(await snapshot(repo)).toEqual(before);
    expect(await snapshot(copyRepo(repo))).toEqual(before);
    expect(subcommands(runs())).toEqual(['status']);
    // A change staged in the index (the work tree as it was), and an executable bit: the files'
    // bytes and the refs are the same, only git status tells them apart.
    const staged = copyRepo(repo);
    writeFileSync(join(staged, 'apps/a.yaml'), 'a: 2\n');
    await run(staged, ['add', 'apps/a.yaml']);
    writeFileSync(join(staged, 'apps/a.yaml'), 'a: 1\n');
    const mode = copyRepo(repo);
    chmodSync(join(mode, 'apps/b.sh'), 0o755);
    for (const changed of [staged, mode]) {
      const after = await snapshot(changed);
      expect({ files: after.files, refs: after.refs }).toEqual({ files: before.files, refs: before.refs });
      expect(after.status).not.toBe('');
    }
    expect(subcommands(runs())).toEqual(['status', 'add', 'status', 'status']);
  });

  it("the tests' snapshot asks git again when git's configuration outside the repository changes", async () => {
    const repo = await makeRepo({ 'apps/a.yaml': 'a: 1\n' });
    writeFileSync(join(repo, 'notes.txt'), 'x\n');
    chmodSync(join(repo, 'apps/a.yaml'), 0o755);
    const names = ['HOME', 'XDG_CONFIG_HOME', 'GIT_CONFIG_COUNT', 'GIT_CONFIG_KEY_0', 'GIT_CONFIG_VALUE_0'];
    const saved = names.map((name) => [name, process.env[name]] as const);
    const home = tempDir('home-');
    try {
      process.env.HOME = home;
      delete process.env.XDG_CONFIG_HOME;
      const { runs } = countGit();
      const plain = (await snapshot(repo)).status;
      expect(plain).toMatch(/^\? notes\.txt$/m);
      expect(plain).toMatch(/^1 \.M .* apps\/a\.yaml$/m);
      // The global ignore file (gitignore(5): $XDG_CONFIG_HOME/git/ignore, by default under HOME).
      mkdirSync(join(home, '.config', 'git'), { recursive: true });
      writeFileSync(join(home, '.config', 'git', 'ignore'), 'notes.txt\n');
      const ignored = (await snapshot(repo)).status;
      expect(ignored).not.toContain('notes.txt');
      expect(ignored).toMatch(/^1 \.M .* apps\/a\.yaml$/m);
      // Configuration from the environment (git-config(1) GIT_CONFIG_COUNT): the executable bit no longer counts.
      Object.assign(process.env, {
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'core.fileMode',
        GIT_CONFIG_VALUE_0: 'false',
      });
      expect((await snapshot(repo)).status).toBe('');
      expect(subcommands(runs())).toEqual(['status', 'status', 'status']);
    } finally {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
