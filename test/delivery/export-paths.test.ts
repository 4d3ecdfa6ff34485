/**
 * What the export's commit holds, and the fix when it is not made, with real git in temporary
 * repositories: a `--path` with `*` is that folder, never a pattern (its `git log` and `git add`);
 * a file put in the folder while the export runs is not committed with the export's (a real `git`
 * wrapper first on the PATH puts it there just before the export's `add`), and the pasted fix of
 * "its commit not made" (a signer that fails) leaves it; that refusal never arises for a folder
 * with no tracked file (new, or in a checkout with no commit yet), which its fix could not restore.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExportRefused, exportEnvironment } from '../../src/delivery/export.js';
import { KUBECTL } from '../support/kubectl.js';
import { tempDir } from '../support/temp.js';
import { commitFiles, makeRepo, plantExport, run, sourceOf, stagingEnvironment } from './support.js';

const realPath = process.env.PATH ?? '';

afterEach(() => {
  process.env.PATH = realPath;
});

/** A `git` first on the PATH that runs `before` (shell) just before a real `git add`, then the real git. */
function gitBeforeAdd(before: string): void {
  const bin = tempDir('git-before-add-');
  writeFileSync(
    join(bin, 'git'),
    `#!/bin/sh\nfor a in "$@"; do if [ "$a" = add ]; then ${before}; break; fi; done\nPATH='${realPath}' exec git "$@"\n`,
  );
  chmodSync(join(bin, 'git'), 0o755);
  process.env.PATH = `${bin}${delimiter}${realPath}`;
}

/** The source, and an earlier export of it one value apart: nothing leaves the folder, so no kubectl is needed. */
function sources() {
  const source = sourceOf(stagingEnvironment('bundled'));
  const earlier = source.files.map((f) => ({ ...f, content: f.content.replace('interval: 10m', 'interval: 5m') }));
  return { source, earlier: { ...source, files: earlier } };
}

const NO_KUBECTL = () => join(tempDir('no-kubectl-'), 'kubectl');

/** The paths the commit `ref` changed. */
async function committed(repo: string, ref = 'HEAD'): Promise<string[]> {
  return (await run(repo, ['-c', 'core.quotePath=false', 'show', '--name-only', '--format=', ref]))
    .split('\n')
    .filter(Boolean);
}

describe("the export's git and its folder", () => {
  it('--path apps/a* is that folder: its log reads only it, its add stages only it (apps/arcade changed meanwhile)', async () => {
    const { source, earlier } = sources();
    const repo = await makeRepo({ 'README.md': 'x\n' });
    await plantExport(repo, earlier, 'apps/arcade');
    await plantExport(repo, earlier, 'apps/a*');
    // The latest commit on apps/arcade looks like a teardown; apps/a*'s own does not.
    await commitFiles(repo, { 'apps/arcade/notes.txt': 'down\n' }, 'wip: scale arcade to zero');
    gitBeforeAdd(`printf 'edited meanwhile\\n' >> '${join(repo, 'apps/arcade/kustomization.yaml')}'`);
    const result = await exportEnvironment(source, { repo, path: 'apps/a*', commit: true, kubectl: NO_KUBECTL() });
    expect(result.warnings.filter((w) => w.includes('looks temporary'))).toEqual([]);
    const paths = await committed(repo, result.commit);
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.filter((p) => !p.startsWith('apps/a*/'))).toEqual([]);
    // The change in apps/arcade is left as it was: modified, not staged, not committed.
    expect(await run(repo, ['status', '--porcelain'])).toBe(' M apps/arcade/kustomization.yaml\n');
  });

  it('a file created in the folder just before the export stages: not committed, still on disk, and named', async () => {
    const { source, earlier } = sources();
    const repo = await makeRepo({ 'apps/arcade/README.md': 'x\n' });
    await plantExport(repo, earlier);
    const stranger = join(repo, 'apps/arcade/person.yaml');
    gitBeforeAdd(`printf 'mine\\n' > '${stranger}'`);
    const result = await exportEnvironment(source, { repo, commit: true, kubectl: NO_KUBECTL() });
    expect(await committed(repo, result.commit)).not.toContain('apps/arcade/person.yaml');
    expect(await committed(repo, result.commit)).toContain('apps/arcade/release.yaml');
    expect(readFileSync(stranger, 'utf8')).toBe('mine\n');
    expect(await run(repo, ['status', '--porcelain'])).toBe('?? apps/arcade/person.yaml\n');
    expect(result.warnings).toContain(
      "apps/arcade/person.yaml appeared in the folder while the export ran: not the export's, so not in its " +
        'commit, left on disk untracked (fix: commit it yourself if it belongs there)',
    );
  });
});

describe('what the export finds in the folder after its add', () => {
  it('a folder put there meanwhile that cannot be read again (deeper than PATH_MAX): a warning, the commit made', async () => {
    const { source, earlier } = sources();
    const repo = await makeRepo({ 'apps/arcade/README.md': 'x\n' });
    await plantExport(repo, earlier);
    const deep = 'd'.repeat(200);
    gitBeforeAdd(`(cd '${join(repo, 'apps/arcade')}' && for i in $(seq 25); do mkdir ${deep} && cd ${deep}; done)`);
    try {
      const result = await exportEnvironment(source, { repo, commit: true, kubectl: NO_KUBECTL() });
      expect(result.commit).toBeDefined();
      expect(await committed(repo, result.commit)).toContain('apps/arcade/release.yaml');
      expect(result.warnings).toContain(
        'apps/arcade could not be read again after the export staged its files (ENAMETOOLONG): a file put there ' +
          `meanwhile is not in the export's commit, and is not named here (fix: git -C ${repo} status)`,
      );
    } finally {
      // GNU rm walks the folder relative to each level (node's rmSync would hit the same PATH_MAX).
      execFileSync('rm', ['-rf', join(repo, 'apps/arcade', deep)]);
    }
  });

  it('a file put there meanwhile that git ignores is said to be ignored, not untracked', async () => {
    const { source, earlier } = sources();
    const repo = await makeRepo({ 'apps/arcade/README.md': 'x\n', '.gitignore': '*.swp\n' });
    await plantExport(repo, earlier);
    gitBeforeAdd(`: > '${join(repo, 'apps/arcade/.release.yaml.swp')}'`);
    const result = await exportEnvironment(source, { repo, commit: true, kubectl: NO_KUBECTL() });
    expect(result.warnings).toContain(
      "apps/arcade/.release.yaml.swp appeared in the folder while the export ran: not the export's, so not in its " +
        'commit, left on disk, ignored by git (nothing to do: git never commits it)',
    );
  });
});

// With kubectl: a removed file needs the preview (without it the export refuses any removal).
describe.skipIf(!KUBECTL)('an export that removes one owned file and renames another', () => {
  it.each(['apps/my app', 'apps/a*'])(
    '--path %s: the commit holds D and the rename, its tree no stale file',
    async (folder) => {
      const { source } = sources();
      const extra = 'kind: ConfigMap\nmetadata:\n  name: notes\ndata:\n  a: b\n';
      const earlier = {
        ...source,
        files: [...source.files, { path: 'gone.yaml', content: 'x: 1\n' }, { path: 'old/notes.yaml', content: extra }],
      };
      const now = { ...source, files: [...source.files, { path: 'new/notes.yaml', content: extra }] };
      const repo = await makeRepo({ 'README.md': 'x\n' });
      await plantExport(repo, earlier, folder);
      const result = await exportEnvironment(now, { repo, path: folder, commit: true });
      expect(result.removed).toEqual(['gone.yaml', 'old/notes.yaml']);
      const status = await run(repo, [
        '-c',
        'core.quotePath=false',
        'show',
        '-M',
        '--name-status',
        '--format=',
        result.commit!,
      ]);
      expect(status.split('\n')).toEqual(
        expect.arrayContaining([`D\t${folder}/gone.yaml`, `R100\t${folder}/old/notes.yaml\t${folder}/new/notes.yaml`]),
      );
      const tree = await run(repo, ['-c', 'core.quotePath=false', 'ls-tree', '-r', '--name-only', result.commit!]);
      expect(tree).not.toContain(`${folder}/gone.yaml`);
      expect(tree).not.toContain(`${folder}/old/notes.yaml`);
      expect(tree).toContain(`${folder}/new/notes.yaml`);
      expect(await run(repo, ['status', '--porcelain', '--untracked-files=all'])).toBe('');
    },
  );
});

describe("the commit-not-made refusal's fix", () => {
  const gpg = join(tempDir('failing-gpg-'), 'gpg');
  writeFileSync(gpg, "#!/bin/sh\ncat > /dev/null\necho 'gpg: signing failed: No secret key' >&2\nexit 1\n");
  chmodSync(gpg, 0o755);

  it('keeps a file created in the folder just before the export staged: the pasted fix leaves it on disk', async () => {
    const { source, earlier } = sources();
    const repo = await makeRepo({ 'apps/arcade/README.md': 'x\n' });
    await plantExport(repo, earlier);
    for (const [key, value] of [
      ['commit.gpgsign', 'true'],
      ['gpg.program', gpg],
      ['user.signingkey', 'NO-SUCH-KEY'],
    ] as const)
      await run(repo, ['config', key, value]);
    const stranger = join(repo, 'apps/arcade/person.yaml');
    gitBeforeAdd(`printf 'mine\\n' > '${stranger}'`);
    const failed = await exportEnvironment(source, { repo, commit: true, kubectl: NO_KUBECTL() }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failed).toBeInstanceOf(ExportRefused);
    const fix = /\(fix: (.*), then run the export again\)$/.exec((failed as Error).message)?.[1];
    expect(fix, (failed as Error).message).toBeDefined();
    process.env.PATH = realPath;
    execFileSync('sh', ['-c', fix!], { stdio: 'ignore' });
    // Back on master without the export's files or branch; the person's file as they wrote it, untracked.
    expect(await run(repo, ['status', '--porcelain', '--branch', '--untracked-files=all'])).toBe(
      '## master\n?? apps/arcade/person.yaml\n',
    );
    expect(readFileSync(stranger, 'utf8')).toBe('mine\n');
    expect(await run(repo, ['branch', '--format=%(refname:short)'])).toBe('master\n');
  });

  // The fix restores the folder from HEAD and checks out the base: both exist, because an export into
  // a folder that holds no tracked file (new and empty, or in a checkout with no commit yet) is refused
  // before anything is written, with kubectl or without (the preview cannot build the folder).
  for (const kubectl of [undefined, 'none'] as const) {
    const how = kubectl === undefined ? 'with kubectl' : 'without kubectl';
    it.skipIf(kubectl === undefined && !KUBECTL)(
      `never arises for a folder with no tracked file, ${how}: refused, nothing changed`,
      async () => {
        const source = sourceOf(stagingEnvironment('bundled'));
        const unborn = tempDir('unborn-');
        await run(unborn, ['init', '-q', '-b', 'master', '--template=']);
        const fresh = await makeRepo({ 'README.md': 'x\n' });
        for (const repo of [unborn, fresh]) {
          mkdirSync(join(repo, 'apps/arcade'), { recursive: true });
          const options = { repo, commit: true, ...(kubectl ? { kubectl: NO_KUBECTL() } : {}) };
          // (support.ts snapshot reads a branch's ref file, which a branch with no commit yet lacks.)
          const state = () => run(repo, ['status', '--porcelain=v2', '--branch', '--untracked-files=all', '--ignored']);
          const before = await state();
          const refused = await exportEnvironment(source, options).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(refused).toBeInstanceOf(ExportRefused);
          expect(await state()).toBe(before);
          expect(readdirSync(join(repo, 'apps/arcade'))).toEqual([]);
          // Told before kubectl is looked for: a folder the repository does not hold cannot be built.
          expect((refused as Error).message).toBe(
            'export refused, nothing was changed:\n  - before the export, kubectl kustomize apps/arcade failed: ' +
              'apps/arcade is not a folder of the repository (fix: make the repository build as Flux builds it; ' +
              'the export previews every change with kubectl kustomize)',
          );
        }
      },
    );
  }
});
