/**
 * The export's git works in the checkout `--repo` names, whatever GIT_DIR, GIT_WORK_TREE or
 * GIT_INDEX_FILE the caller's environment holds (src/core/git-location.ts): a real export, spawned
 * as `npm run export` runs it, with those pointing at a second repository, leaves that repository
 * byte for byte as it was (its refs, index, objects, work tree) and commits in the named checkout.
 */
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { KUBECTL } from '../support/kubectl.js';
import { spawnScript } from '../support/spawn-script.js';
import { tempDir } from '../support/temp.js';
import { stagingArgs } from './staging-dist.js';
import { makeRepo, run } from './support.js';

/** Every file under `dir`, .git's included, with the sha256 of its bytes: equal means untouched. */
function everyFile(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out[path.slice(dir.length + 1)] = createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  return out;
}

/**
 * A kubectl first on PATH that writes the GIT_* variables it was given to `<its folder>/git-env`
 * (one line per run, then each variable), then runs the real one: the export's `kubectl kustomize`
 * (a base named by URL is cloned with git) must get none of the location variables either.
 */
function envKubectl(): { bin: string; seen: () => string } {
  const bin = tempDir('kubectl-env-');
  writeFileSync(
    join(bin, 'kubectl'),
    `#!/bin/sh\n{ echo run; env | grep '^GIT_' || true; } >> '${bin}/git-env'\n` +
      `PATH='${process.env.PATH ?? ''}' exec kubectl "$@"\n`,
  );
  chmodSync(join(bin, 'kubectl'), 0o755);
  return { bin, seen: () => (existsSync(join(bin, 'git-env')) ? readFileSync(join(bin, 'git-env'), 'utf8') : '') };
}

describe("the export's git ignores GIT_DIR and the like from the environment", () => {
  // Without GIT_WORK_TREE, git takes the working folder (--repo) as the work tree and writes the
  // other repository's index, objects and refs; with it, the checkout's top is the other's.
  it.each([
    ['GIT_DIR and GIT_INDEX_FILE', false],
    ['GIT_DIR, GIT_WORK_TREE and GIT_INDEX_FILE', true],
  ])('%s at another repository: that one unchanged, the export in --repo, said once', async (_, workTree) => {
    // Two clones of one GitOps repository, as a person has: the same commit, so the checkout looks clean.
    const target = await makeRepo({ 'apps/arcade/README.md': 'x\n' });
    const other = await makeRepo({ 'apps/arcade/README.md': 'x\n' });
    const before = everyFile(other);
    const objects = (await run(other, ['count-objects', '-v'])).trim();
    const kubectl = envKubectl();
    const env = {
      ...process.env,
      ...(KUBECTL ? { PATH: `${kubectl.bin}:${process.env.PATH ?? ''}` } : {}),
      GIT_DIR: join(other, '.git'),
      ...(workTree ? { GIT_WORK_TREE: other } : {}),
      GIT_INDEX_FILE: join(other, '.git', 'index'),
    };
    const named = `GIT_DIR=${env.GIT_DIR}, ${workTree ? `GIT_WORK_TREE=${other}, ` : ''}GIT_INDEX_FILE=${env.GIT_INDEX_FILE}`;
    const r = await spawnScript(
      join(REPO_ROOT, 'scripts', 'export.ts'),
      ['--repo', target, ...stagingArgs(), '--commit', '--branch', 'arcade/located'],
      { cwd: REPO_ROOT, env },
    );
    // The other repository: every byte of its .git and work tree, and what git counts in it.
    expect((await run(other, ['branch', '--format=%(refname)'])).trim()).toBe('refs/heads/master');
    expect((await run(other, ['count-objects', '-v'])).trim()).toBe(objects);
    expect(everyFile(other)).toEqual(before);
    expect(r.stderr).toBe(
      `export: warning: ignoring ${named} from the environment: the export uses the checkout given by --repo\n`,
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/committed [0-9a-f]{12} on branch arcade\/located \(not pushed\)/);
    // The checkout named: on the export's branch, its commit holding the release.
    expect((await run(target, ['rev-parse', '--abbrev-ref', 'HEAD'])).trim()).toBe('arcade/located');
    expect(await run(target, ['ls-tree', '-r', '--name-only', 'HEAD', '--', 'apps/arcade/'])).toContain(
      'apps/arcade/release.yaml\n',
    );
    expect(await run(target, ['status', '--porcelain'])).toBe('');
    // Its kubectl kustomize ran (where kubectl is installed) without them.
    if (KUBECTL) {
      expect(kubectl.seen()).toMatch(/^run\n/);
      expect(kubectl.seen()).not.toMatch(/^GIT_(DIR|WORK_TREE|INDEX_FILE)=/m);
    }
  });
});
