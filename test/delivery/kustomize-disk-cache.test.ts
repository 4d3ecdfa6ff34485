/**
 * The kustomize builds kept on disk across processes (src/delivery/build-store.ts, opt-in through
 * ARCADE_KUSTOMIZE_CACHE): another node process building the same tree with the same kubectl
 * (the same file: path, realpath, size and mtime) is answered from the folder without running
 * it; another mtime or size builds again; a corrupt entry is a miss and is replaced; a folder that
 * cannot be made warns once and costs the builds nothing; unset, nothing is read or written;
 * entries are 0600 in a folder of any mode; a one-file bundle that cannot read its code files says
 * so once and keeps nothing; pruning removes only names it writes and skips what it cannot. The
 * child is bundled once per file (src/tooling/script-bundle.ts bundleScript, as every script runs:
 * plain node, no tsx, whose start cost about 0.7 s of CPU a child).
 * Real kubectl behind the counting wrapper, real node processes (`buildTree` in each); the
 * worker's own builds set the variable around the call, and restore it.
 */
import {
  chmodSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { buildTree } from '../../src/delivery/build-cache.js';
import { CACHE_VARIABLE, pruneFolder } from '../../src/delivery/build-store.js';
import { KubectlMissing } from '../../src/delivery/kustomize.js';
import { runProgram } from '../../src/core/run-program.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { bundleScript } from '../../src/tooling/script-bundle.js';
import { CHILD_TIMEOUT_MS } from '../support/deadlines.js';
import { countingKubectl, KUBECTL } from '../support/kubectl.js';
import { tempDir } from '../support/temp.js';

/** The files of a tree `apps/arcade/` holding one ConfigMap with `value`. */
const files = (value: string): Record<string, string> => ({
  'apps/arcade/configmap.yaml': stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'settings', namespace: 'arcade' },
    data: { value },
  }),
});
const asTree = (f: Record<string, string>) => new Map(Object.entries(f).map(([p, c]) => [p, Buffer.from(c)]));

/**
 * The child: builds each tree of its request with buildTree, prints the objects of each as JSON. A
 * build may set ARCADE_KUSTOMIZE_CACHE first (`cache`: a value, or null to unset it).
 */
const CHILD = `
import { buildTree } from ${JSON.stringify(join(REPO_ROOT, 'src/delivery/build-cache.ts'))};
const { kubectl, builds } = JSON.parse(process.argv[2]);
const built = [];
for (const { files, ...set } of builds) {
  if (set.cache === null) delete process.env.ARCADE_KUSTOMIZE_CACHE;
  else if (set.cache !== undefined) process.env.ARCADE_KUSTOMIZE_CACHE = set.cache;
  const tree = new Map(Object.entries(files).map(([p, c]) => [p, Buffer.from(c)]));
  built.push(await buildTree(tree, 'apps/arcade', {}, { kubectl }));
}
process.stdout.write(JSON.stringify(built));
`;

/**
 * The child's bundle, built on first use: build-cache.ts and what it imports in one ES module (its
 * import.meta.url the source's, so build-store reads the same code as this worker), packages left
 * to node, so it lives under the repository's .build/ (removed after the file).
 */
const CHILD_FOLDER = join(REPO_ROOT, '.build', 'test', `kustomize-disk-child-${process.pid}`);
let bundled: Promise<string> | undefined;
function childBundle(): Promise<string> {
  bundled ??= (async () => {
    const entry = join(tempDir('kustomize-disk-child-'), 'child.ts');
    writeFileSync(entry, CHILD);
    return bundleScript(entry, CHILD_FOLDER);
  })();
  return bundled;
}
// Only this file's own folder is removed: .build/test/ itself stays (a build-output folder), since
// another file (probe-runner-bundle.test.ts) may make it and write into it at the same moment.
afterAll(() => rmSync(CHILD_FOLDER, { recursive: true, force: true }));

/**
 * The child bundled as a one-file bundle is by default: esbuild alone, without bundleScript's
 * rewrite of import.meta.url, so build-store looks for its code files beside the bundle, where
 * they are not (still under .build/, for its packages).
 */
async function plainChildBundle(): Promise<string> {
  const entry = join(tempDir('kustomize-disk-child-'), 'child.ts');
  writeFileSync(entry, CHILD);
  const outfile = join(CHILD_FOLDER, 'plain', 'child.mjs');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    packages: 'external',
    logLevel: 'silent',
  });
  return outfile;
}

interface ChildBuild {
  readonly files: Record<string, string>;
  readonly cache?: string | null;
}

/** `builds` run by a new node process with `kubectl`, its ARCADE_KUSTOMIZE_CACHE `folder` (unset when undefined). */
async function buildInChild(
  kubectl: string,
  builds: readonly ChildBuild[],
  folder: string | undefined,
  cwd = REPO_ROOT,
  bundle?: string,
): Promise<{ built: unknown[][]; stderr: string }> {
  const env = { ...process.env };
  if (folder === undefined) delete env[CACHE_VARIABLE];
  else env[CACHE_VARIABLE] = folder;
  const run = await runProgram(
    process.execPath,
    [bundle ?? (await childBundle()), JSON.stringify({ kubectl, builds })],
    {
      cwd,
      env,
      encoding: 'utf8',
      timeoutMs: CHILD_TIMEOUT_MS,
      maxBuffer: 1 << 20,
    },
  );
  expect(run.error, run.stderr).toBeNull();
  return { built: JSON.parse(run.stdout) as unknown[][], stderr: run.stderr };
}

/** buildTree in this process with ARCADE_KUSTOMIZE_CACHE set to `folder` for the call. */
async function buildHere(kubectl: string, value: string, folder: string) {
  const before = process.env[CACHE_VARIABLE];
  process.env[CACHE_VARIABLE] = folder;
  try {
    return await buildTree(asTree(files(value)), 'apps/arcade', {}, { kubectl });
  } finally {
    if (before === undefined) delete process.env[CACHE_VARIABLE];
    else process.env[CACHE_VARIABLE] = before;
  }
}

const entries = (folder: string) => readdirSync(folder).sort();
const settingOf = (built: unknown) => (built as { object: { data: { value: string } } }[])[0]?.object.data.value;

describe.skipIf(!KUBECTL)('kustomize builds kept on disk (ARCADE_KUSTOMIZE_CACHE)', () => {
  it('answers another process building the same tree with the same kubectl from disk: no kubectl run, the same objects', async () => {
    const { kubectl, runs } = countingKubectl();
    const folder = join(tempDir('kustomize-disk-'), 'not', 'made', 'yet');
    const first = await buildHere(kubectl, 'one', folder);
    expect(runs()).toBe(1);
    expect(first).toEqual([
      { object: expect.objectContaining({ data: { value: 'one' } }), origin: 'apps/arcade/configmap.yaml' },
    ]);
    const [one] = entries(folder);
    expect(entries(folder)).toEqual([expect.stringMatching(/^[0-9a-f]{64}\.json$/)]);
    expect(statSync(folder).mode & 0o777).toBe(0o700);

    // A spawned process: the same tree from disk, another tree built (and kept beside it).
    const child = await buildInChild(kubectl, [{ files: files('one') }, { files: files('two') }], folder);
    expect(runs()).toBe(2);
    expect(child.built[0]).toEqual(first);
    expect(settingOf(child.built[1])).toBe('two');
    expect(child.stderr).toBe('');
    const [two] = entries(folder).filter((name) => name !== one);

    // This worker in turn is answered from the child's entry, which the hit marks as used...
    const old = new Date('2001-01-01T00:00:00Z');
    utimesSync(join(folder, two as string), old, old);
    const here = await buildHere(kubectl, 'two', folder);
    expect(runs()).toBe(2);
    expect(here).toEqual(child.built[1]);
    expect(statSync(join(folder, two as string)).mtimeMs).toBeGreaterThan(old.getTime());
    // ...as a copy: what the caller does to it reaches neither layer.
    (here[0]!.object as unknown as { data: { value: string } }).data.value = 'changed by a caller';
    expect(settingOf(await buildHere(kubectl, 'two', folder))).toBe('two');
    expect(runs()).toBe(2);
  });

  it('builds again for another kubectl at the same path: another mtime, or another size', async () => {
    const { kubectl, runs } = countingKubectl();
    const folder = tempDir('kustomize-disk-');
    chmodSync(folder, 0o755); // a folder that was there: its mode is the user's, each entry's 0600
    await buildHere(kubectl, 'one', folder);
    expect(runs()).toBe(1);
    // Touched: the same bytes, another mtime.
    const touched = new Date('2001-01-01T00:00:00Z');
    utimesSync(kubectl, touched, touched);
    expect(settingOf((await buildInChild(kubectl, [{ files: files('one') }], folder)).built[0])).toBe('one');
    expect(runs()).toBe(2);
    // Replaced: a new file renamed over it, one line longer, with the mtime of the one it replaces.
    const replacement = `${kubectl}.new`;
    writeFileSync(replacement, `${readFileSync(kubectl, 'utf8')}# replaced\n`, { mode: 0o755 });
    utimesSync(replacement, touched, touched);
    renameSync(replacement, kubectl);
    expect(settingOf((await buildInChild(kubectl, [{ files: files('one') }], folder)).built[0])).toBe('one');
    expect(runs()).toBe(3);
    expect(entries(folder)).toHaveLength(3);
    expect(entries(folder).map((name) => statSync(join(folder, name)).mode & 0o777)).toEqual([0o600, 0o600, 0o600]);
    expect(statSync(folder).mode & 0o777).toBe(0o755);
  });

  it('takes a corrupt entry for a miss: builds again and replaces it', async () => {
    const { kubectl, runs } = countingKubectl();
    const folder = tempDir('kustomize-disk-');
    await buildHere(kubectl, 'one', folder);
    await buildHere(kubectl, 'two', folder);
    const whole = new Map(entries(folder).map((name) => [name, readFileSync(join(folder, name))]));
    // One cut in half, the other whole JSON whose objects are not objects.
    const [cut, shaped] = [...whole.keys()];
    writeFileSync(join(folder, cut as string), (whole.get(cut as string) as Buffer).subarray(0, 40));
    const parsed = JSON.parse((whole.get(shaped as string) as Buffer).toString('utf8')) as Record<string, unknown>;
    writeFileSync(join(folder, shaped as string), JSON.stringify({ ...parsed, objects: [1] }));
    const child = await buildInChild(kubectl, [{ files: files('one') }, { files: files('two') }], folder);
    expect(runs()).toBe(4);
    expect(child.built.map(settingOf)).toEqual(['one', 'two']);
    expect(child.stderr).toBe('');
    expect(new Map(entries(folder).map((name) => [name, readFileSync(join(folder, name))]))).toEqual(whole);
  });

  it('is never in the way: a folder it cannot make warns once; unset or empty, nothing is read or written', async () => {
    const { kubectl, runs } = countingKubectl();
    const folder = tempDir('kustomize-disk-');
    await buildHere(kubectl, 'one', folder);
    const kept = entries(folder);
    const blocker = join(tempDir('kustomize-disk-'), 'a-file');
    writeFileSync(blocker, 'not a folder\n');
    const blocked = join(blocker, 'cache');
    // One process: two builds that cannot be kept, then unset, then empty (not the working folder);
    // each a tree of its own (the same one would be answered from the process's memory).
    const cwd = tempDir('kustomize-disk-cwd-');
    const builds = [
      { files: files('one'), cache: blocked },
      { files: files('two'), cache: blocked },
      { files: files('three'), cache: null },
      { files: files('four'), cache: '' },
    ];
    const child = await buildInChild(kubectl, builds, folder, cwd);
    expect(child.built.map(settingOf)).toEqual(['one', 'two', 'three', 'four']);
    expect(runs()).toBe(5);
    expect(child.stderr).toBe(
      `arcade-stack: warning: cannot keep kustomize builds in ${blocked} (ENOTDIR): this process keeps them in memory ` +
        `only (fix: make ${blocked} a folder this user may write, or unset ARCADE_KUSTOMIZE_CACHE)\n`,
    );
    expect(entries(folder)).toEqual(kept);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('a kubectl that resolves to no file: the build fails as without the folder', async () => {
    // Only that it fails as it would without the folder: that nothing is kept cannot be told apart
    // here (a failed build is never kept in any case), and no kubectl that runs but that
    // build-store's PATH lookup resolves otherwise than the spawn was found to test it with.
    const folder = tempDir('kustomize-disk-');
    for (const kubectl of [join(folder, 'no-kubectl-here'), 'arcade-no-such-kubectl']) {
      await expect(buildHere(kubectl, 'one', folder)).rejects.toThrow(KubectlMissing);
    }
  });

  it('says once, in a one-file bundle whose code files cannot be read, that nothing is kept on disk; builds still run', async () => {
    const { kubectl, runs } = countingKubectl();
    const folder = tempDir('kustomize-disk-');
    const bundle = await plainChildBundle();
    const child = await buildInChild(
      kubectl,
      [{ files: files('one') }, { files: files('two') }],
      folder,
      REPO_ROOT,
      bundle,
    );
    expect(child.built.map(settingOf)).toEqual(['one', 'two']);
    expect(runs()).toBe(2);
    expect(entries(folder)).toEqual([]);
    expect(child.stderr).toBe(
      'arcade-stack: warning: ARCADE_KUSTOMIZE_CACHE is set, but no kustomize build is kept on disk: the code that shapes ' +
        `a build (./build-store.ts, ./build-cache.ts, ./kustomize.ts) cannot be read beside ${bundle} (ENOENT; a one-file ` +
        'bundle or a compiled tree): builds still run, and are kept in memory only (fix: run from the source tree, or ' +
        'unset ARCADE_KUSTOMIZE_CACHE)\n',
    );
  });
});

describe('the folder is bounded', () => {
  it('removes the least recently used entries beyond the bound, and temporary files an hour old: only names it writes', () => {
    const folder = tempDir('kustomize-disk-prune-');
    const at = (minutes: number) => new Date(Date.UTC(2001, 0, 1, 0, minutes));
    const write = (name: string, minutes: number) => {
      writeFileSync(join(folder, name), '{}');
      utimesSync(join(folder, name), at(minutes), at(minutes));
    };
    const entry = (c: string) => `${c.repeat(64)}.json`;
    for (const [i, c] of ['c', 'a', 'e', 'b', 'd'].entries()) write(entry(c), 10 + i);
    write(`.${entry('1')}.12.0123abcd.tmp`, 0); // a writer killed before its rename, two hours before `now`
    write(`.${entry('2')}.34.89abcdef.tmp`, 90); // another, still writing
    // The user's own, as old as can be: never removed.
    for (const name of ['notes.txt', 'settings.json', 'backup.tmp', '.x.json.1.ab.tmp', `${'A'.repeat(64)}.json`])
      write(name, 0);
    mkdirSync(join(folder, 'sub'));
    // A folder named like an entry, the oldest beyond the bound: cannot be removed, is skipped.
    mkdirSync(join(folder, entry('f')));
    utimesSync(join(folder, entry('f')), at(1), at(1));
    pruneFolder(folder, 3, at(120).getTime());
    const kept = [
      `.${entry('2')}.34.89abcdef.tmp`,
      '.x.json.1.ab.tmp',
      `${'A'.repeat(64)}.json`,
      entry('b'),
      'backup.tmp',
      entry('d'),
      entry('e'),
      entry('f'),
      'notes.txt',
      'settings.json',
      'sub',
    ].sort();
    expect(entries(folder)).toEqual(kept);
    pruneFolder(folder, 3, at(120).getTime());
    expect(entries(folder)).toEqual(kept);
  });
});
