/**
 * `npm run synth -- --out <dir>` never replaces a folder synth did not create (it once deleted
 * the whole repository with `--out .`). End to end, the script's command in process
 * (`synthCommand(root)`, test/support/run-script.ts) for a temporary repository laid out like this
 * one (a copy of src/ and dist/, package.json, node_modules linked, a git repository, an
 * uncommitted file), run from its root as npm run does: the command's repository and working
 * folder are the copy, never the real checkout or a home folder, so a failing refusal costs
 * nothing. The root, `src`, the parent and a foreign folder are each refused with exit 2, naming
 * why, and every file is left exactly as it was (listing and sha256 before and after). The folder
 * rules themselves (symbolic links, project files, the marker) are checked on checkOutputFolder.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { synthCommand } from '../../scripts/synth.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { checkOutputFolder, DIST_MARKER, DIST_MARKER_TEXT } from '../../src/tooling/output-dir.js';
import { runMain } from '../support/run-script.js';
import { tempDir } from '../support/temp.js';

/** A repository laid out like this one, in `<temp>/repo`, with an uncommitted file. */
function temporaryRepository(): string {
  const root = join(tempDir('arcade-repo-'), 'repo');
  mkdirSync(root);
  for (const d of ['src', 'dist']) cpSync(join(REPO_ROOT, d), join(root, d), { recursive: true });
  for (const f of ['package.json', 'tsconfig.json']) cpSync(join(REPO_ROOT, f), join(root, f));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
  execFileSync('git', ['init', '-q'], { cwd: root });
  writeFileSync(join(root, 'uncommitted.txt'), 'work nobody committed yet\n');
  return root;
}

/** Every entry under `dir` (symbolic links not followed) with the sha256 of each file. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (current: string, prefix: string) => {
    for (const name of readdirSync(current).sort()) {
      const path = join(current, name);
      const key = `${prefix}${name}`;
      const stat = lstatSync(path);
      if (stat.isSymbolicLink()) out[key] = `link -> ${readlinkSync(path)}`;
      else if (stat.isDirectory()) {
        out[key] = 'dir';
        walk(path, `${key}/`);
      } else out[key] = createHash('sha256').update(readFileSync(path)).digest('hex');
    }
  };
  walk(dir, '');
  return out;
}

/**
 * Sets `repository`'s core.fsmonitor to a command that makes a file, as a hostile repository's
 * configuration would (any `git ls-files` there runs it); returns that file's path.
 */
function hostileMonitor(repository: string): string {
  const hook = join(dirname(repository), `fsmonitor-ran-${Math.random().toString(36).slice(2)}`);
  execFileSync('git', ['config', 'core.fsmonitor', `touch '${hook}'; false #`], { cwd: repository });
  return hook;
}

/** npm run synth's command for the temporary repository, run from its root as npm run does. */
const synth = (root: string, args: string[]) => runMain(synthCommand(root), args, { cwd: root });

describe('npm run synth -- --out (temporary repository)', () => {
  it('refuses the root, src, the parent and a foreign folder, naming why, and touches nothing', async () => {
    const root = temporaryRepository();
    const parent = dirname(root);
    const foreign = tempDir('arcade-foreign-');
    writeFileSync(join(foreign, 'notes.txt'), "somebody else's\n");
    const before = { parent: snapshot(parent), foreign: snapshot(foreign) };
    expect(before.parent['repo/.git']).toBe('dir');
    expect(before.parent['repo/uncommitted.txt']).toBeDefined();

    const cases: [string, RegExp][] = [
      ['.', /^synth: --out \.: is the repository root; nothing was changed \(fix: /],
      [
        'src',
        /^synth: --out src: is not empty and was not written by synth \(no \.arcade-stack-dist at its top\); nothing was changed/,
      ],
      ['..', /^synth: --out \.\.: contains the repository \(.*\/repo\); nothing was changed/],
      [foreign, /^synth: --out .*arcade-foreign-\w+: is not empty and was not written by synth/],
    ];
    const runs = await Promise.all(cases.map(([out]) => synth(root, ['--out', out])));
    runs.forEach((r, i) => {
      expect(r.stderr, cases[i]![0]).toMatch(cases[i]![1]);
      expect(r.stderr.trim().split('\n'), cases[i]![0]).toHaveLength(1);
      expect(r.stdout).toBe('');
      expect(r.status).toBe(2);
    });
    expect(snapshot(parent)).toEqual(before.parent);
    expect(snapshot(foreign)).toEqual(before.foreign);
  });

  it('dist/ whose committed marker was deleted: refused with the git command that puts it back (exit 2)', async () => {
    const root = temporaryRepository();
    const git = (...args: string[]) => execFileSync('git', args, { cwd: root, stdio: 'pipe' });
    git('add', 'dist');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'dist');
    // The stack's own repository's file monitor is not run either: one listing needs none.
    const hook = hostileMonitor(root);
    rmSync(join(root, 'dist', DIST_MARKER));
    const before = snapshot(root);
    const r = await synth(root, []);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `synth: --out ${join(root, 'dist')}: is not empty and was not written by synth (no ${DIST_MARKER} at its top); ` +
        `nothing was changed (fix: git checkout -- dist/${DIST_MARKER} puts back the marker git tracks, which was deleted; ` +
        'then run npm run synth again)\n',
    );
    expect(snapshot(root)).toEqual(before);
    expect(existsSync(hook)).toBe(false);
    // Run from outside the repository, the command names it.
    const outside = await runMain(synthCommand(root), [], { cwd: dirname(root) });
    expect(outside.stderr).toContain(
      `(fix: git -C ${root} checkout -- dist/${DIST_MARKER} puts back the marker git tracks, which was deleted;`,
    );
    git('-c', 'core.fsmonitor=false', 'checkout', '--', `dist/${DIST_MARKER}`); // the fix, as given, works
    expect(readFileSync(join(root, 'dist', DIST_MARKER), 'utf8')).toBe(DIST_MARKER_TEXT);
    // A folder whose marker git does not track keeps the general fix.
    const foreign = join(root, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'a.yaml'), 'a: 1\n');
    expect((await synth(root, ['--out', 'foreign'])).stderr).toContain('(fix: give a new or empty folder');
  });

  it("a folder in another repository: git never runs there, so that repository's core.fsmonitor never runs", async () => {
    const root = temporaryRepository();
    // Outside the stack (an unpacked archive holding a .git), and nested inside its checkout.
    for (const repository of [join(tempDir('arcade-hostile-'), 'repo'), join(root, 'vendor', 'hostile')]) {
      mkdirSync(join(repository, 'sub'), { recursive: true });
      const git = (...args: string[]) => execFileSync('git', args, { cwd: repository, stdio: 'pipe' });
      git('init', '-q');
      writeFileSync(join(repository, 'sub', 'a.yaml'), 'a: 1\n');
      writeFileSync(join(repository, 'sub', DIST_MARKER), DIST_MARKER_TEXT);
      git('add', '.');
      git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'a');
      rmSync(join(repository, 'sub', DIST_MARKER)); // git there would say: tracked, deleted
      const hook = hostileMonitor(repository);
      const r = await synth(root, ['--out', join(repository, 'sub')]);
      expect(r.status, repository).toBe(2);
      expect(r.stderr, repository).toContain('(fix: give a new or empty folder');
      expect(existsSync(hook), repository).toBe(false);
    }
  });

  it('replaces its own output (the marker at the top of dist/) and writes the marker again', async () => {
    const root = temporaryRepository();
    writeFileSync(join(root, 'dist', 'backstage-wus2-v4', 'stale.yaml'), 'from an older synth\n');
    const r = await synth(root, []);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readdirSync(join(root, 'dist')).sort()).toEqual([DIST_MARKER, 'backstage-wus2-v4']);
    expect(readFileSync(join(root, 'dist', DIST_MARKER), 'utf8')).toBe(DIST_MARKER_TEXT);
    expect(snapshot(join(root, 'dist'))).toEqual(snapshot(join(REPO_ROOT, 'dist'))); // the same bytes as the committed dist/
  });
  it('a file of its output with a second hard link: the output is replaced; the other name keeps what it held', async () => {
    const root = temporaryRepository();
    const file = join(
      root,
      'dist',
      'backstage-wus2-v4',
      readdirSync(join(root, 'dist', 'backstage-wus2-v4')).sort()[0]!,
    );
    const elsewhere = join(dirname(root), 'kept.yaml');
    linkSync(file, elsewhere); // e.g. a review folder hard-linking yesterday's manifests
    writeFileSync(file, 'from an older synth\n'); // through both names
    const r = await synth(root, []);
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(snapshot(join(root, 'dist'))).toEqual(snapshot(join(REPO_ROOT, 'dist')));
    expect(readFileSync(elsewhere, 'utf8')).toBe('from an older synth\n');
    expect(statSync(elsewhere).nlink).toBe(1);
  });
});

describe('checkOutputFolder', () => {
  const refusal = (out: string, root: string): string => {
    try {
      checkOutputFolder(out, root);
    } catch (err) {
      return (err as Error).message;
    }
    throw new Error(`${out} was accepted`);
  };

  it('accepts a missing folder, an empty one, and one holding the marker, as real paths', () => {
    const root = tempDir('arcade-root-');
    const place = realpathSync(tempDir('arcade-out-'));
    expect(checkOutputFolder(join(place, 'new', 'dist'), root)).toBe(join(place, 'new', 'dist'));
    mkdirSync(join(place, 'empty'));
    expect(checkOutputFolder(join(place, 'empty'), root)).toBe(join(place, 'empty'));
    mkdirSync(join(place, 'ours', 'env'), { recursive: true });
    writeFileSync(join(place, 'ours', DIST_MARKER), DIST_MARKER_TEXT);
    expect(checkOutputFolder(join(place, 'ours'), root)).toBe(join(place, 'ours'));
  });

  it('resolves symbolic links before it decides: a link to the repository is the repository', () => {
    const root = realpathSync(tempDir('arcade-root-'));
    const links = tempDir('arcade-links-');
    symlinkSync(root, join(links, 'to-root'));
    symlinkSync(dirname(root), join(links, 'to-parent'));
    expect(refusal(join(links, 'to-root'), root)).toMatch(new RegExp(`to-root \\(${root}\\): is the repository root`));
    expect(refusal(join(links, 'to-parent', 'new-dist', '..'), root)).toMatch(/contains the repository/);
  });

  it('refuses a folder holding .git, src or package.json, a file, and anything inside .git, naming why', () => {
    const root = tempDir('arcade-root-');
    const place = tempDir('arcade-out-');
    mkdirSync(join(place, 'project', 'src'), { recursive: true });
    writeFileSync(join(place, 'project', 'package.json'), '{}');
    writeFileSync(join(place, 'project', DIST_MARKER), DIST_MARKER_TEXT); // a marker does not make a project synth output
    expect(refusal(join(place, 'project'), root)).toMatch(
      /holds src, package\.json: it is a project or a repository, not synth output/,
    );
    mkdirSync(join(place, 'repo', '.git'), { recursive: true });
    expect(refusal(join(place, 'repo'), root)).toMatch(/holds \.git/);
    expect(refusal(join(place, 'repo', '.git', 'new'), root)).toMatch(/is inside a \.git folder/);
    writeFileSync(join(place, 'file'), 'x');
    expect(refusal(join(place, 'file'), root)).toMatch(/is not a folder/);
  });
});
