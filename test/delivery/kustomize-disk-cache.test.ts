/**
 * The kustomize builds kept on disk across processes (src/delivery/build-store.ts, opt-in through
 * ARCADE_KUSTOMIZE_CACHE): another node process building the same tree with the same kubectl
 * (the same file: path, realpath, size and mtime) is answered from the folder without running
 * it; another mtime or size builds again; a corrupt entry is a miss and is replaced; a folder that
 * cannot be made warns once and costs the builds nothing; unset, nothing is read or written. The
 * child is bundled once per file (src/tooling/script-bundle.ts bundleScript, as every script runs:
 * plain node, no tsx, whose start cost about 0.7 s of CPU a child).
 * Real kubectl behind the counting wrapper, real node processes (`buildTree` in each); the
 * worker's own builds set the variable around the call, and restore it.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
afterAll(() => rmSync(CHILD_FOLDER, { recursive: true, force: true }));

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
): Promise<{ built: unknown[][]; stderr: string }> {
  const env = { ...process.env };
  if (folder === undefined) delete env[CACHE_VARIABLE];
  else env[CACHE_VARIABLE] = folder;
  const run = await runProgram(process.execPath, [await childBundle(), JSON.stringify({ kubectl, builds })], {
    cwd,
    env,
    encoding: 'utf8',
    timeoutMs: CHILD_TIMEOUT_MS,
    maxBuffer: 1 << 20,
  });
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

  it('keeps nothing for a kubectl that resolves to no file: the build fails as without the folder', async () => {
    const folder = tempDir('kustomize-disk-');
    for (const kubectl of [join(folder, 'no-kubectl-here'), 'arcade-no-such-kubectl']) {
      await expect(buildHere(kubectl, 'one', folder)).rejects.toThrow(KubectlMissing);
    }
    expect(entries(folder)).toEqual([]);
  });
});

describe('the folder is bounded', () => {
  it('removes the least recently used entries beyond the bound, and temporary files an hour old', () => {
    const folder = tempDir('kustomize-disk-prune-');
    const at = (minutes: number) => new Date(Date.UTC(2001, 0, 1, 0, minutes));
    const write = (name: string, minutes: number) => {
      writeFileSync(join(folder, name), '{}');
      utimesSync(join(folder, name), at(minutes), at(minutes));
    };
    for (const [i, name] of ['c', 'a', 'e', 'b', 'd'].entries()) write(`${name}.json`, 10 + i);
    write('.x.json.1.ab.tmp', 0); // a writer killed before its rename, two hours before `now`
    write('.y.json.2.cd.tmp', 90); // another, still writing
    write('notes.txt', 0);
    mkdirSync(join(folder, 'sub'));
    pruneFolder(folder, 3, at(120).getTime());
    expect(entries(folder)).toEqual(['.y.json.2.cd.tmp', 'b.json', 'd.json', 'e.json', 'notes.txt', 'sub']);
    pruneFolder(folder, 3, at(120).getTime());
    expect(entries(folder)).toHaveLength(6);
  });
});
