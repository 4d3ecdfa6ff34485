/**
 * One `kubectl kustomize` per distinct tree (src/delivery/build-cache.ts): a tree built before is
 * answered from the process's cache; a changed byte, an added file, another transform or another
 * kubectl builds again, as does a tree holding a symbolic link (built on disk, never cached).
 * kubectl is the real one, behind a wrapper that counts its runs. The key itself, per kustomization
 * field that names a file (envs, secretGenerator, crds, openapi, replacements), needs no kubectl.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { buildKey, buildOwner, buildTree, readCheckout, type Tree } from '../../src/delivery/build-cache.js';
import type { FluxOwner } from '../../src/delivery/flux-owners.js';
import { buildFluxView, type FluxTransforms, KustomizeFailed } from '../../src/delivery/kustomize.js';
import { buildPreview } from '../../src/delivery/preview.js';
import { tempDir } from '../support/temp.js';
import { countingKubectl, KUBECTL, kubectlNotingSignals } from '../support/kubectl.js';
import { KUBECTL_SKIP } from './gitops-fixture.js';
import { makeRepo } from './support.js';

if (!KUBECTL) console.log(`[kustomize-cache] skipped: ${KUBECTL_SKIP}`);

/** A tree `apps/arcade/` holding one ConfigMap with `value`, in memory (as readCheckout reads a checkout's files). */
function tree(value: string, extra: Record<string, string> = {}): Tree {
  const files: Record<string, string> = {
    'apps/arcade/configmap.yaml': stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: 'arcade' },
      data: { value },
    }),
    ...extra,
  };
  return new Map(Object.entries(files).map(([path, content]) => [path, Buffer.from(content)]));
}

/** The same tree written into a new folder (a checkout's files on disk). */
function onDisk(files: Tree): string {
  const dir = tempDir('kustomize-tree-');
  for (const [path, content] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

const kustomizationIn = (dir: string) => existsSync(join(dir, 'kustomization.yaml'));

const settingOf = (built: Awaited<ReturnType<typeof buildTree>>) =>
  built.map((b) => [b.origin, (b.object as { data?: Record<string, string> }).data?.value]);

describe('the build key, per field of a kustomization that names a file', () => {
  // One kustomization field each, naming the one file it reads: changing that file changes the
  // key; changing a file beside it that nothing names does not. (buildKey runs no kubectl.)
  const fields: Record<string, { readonly yaml: string; readonly file: string }> = {
    envs: { yaml: 'configMapGenerator:\n  - name: settings\n    envs: [settings.env]\n', file: 'settings.env' },
    secretGenerator: { yaml: 'secretGenerator:\n  - name: token\n    files: [token.txt]\n', file: 'token.txt' },
    crds: { yaml: 'crds: [widgets.crd.json]\n', file: 'widgets.crd.json' },
    openapi: { yaml: 'openapi:\n  path: schema.json\n', file: 'schema.json' },
    replacements: { yaml: 'replacements:\n  - path: replacement.yaml\n', file: 'replacement.yaml' },
  };
  for (const [field, { yaml, file }] of Object.entries(fields)) {
    it(`${field}: the file it names is in the key, a file nobody names is not`, () => {
      const base = tree('one', {
        'apps/arcade/kustomization.yaml': `resources: [configmap.yaml]\n${yaml}`,
        [`apps/arcade/${file}`]: 'a=1\n',
        'apps/arcade/unnamed.txt': 'a=1\n',
      });
      const key = (t: Tree) => buildKey(t, 'apps/arcade', {}, 'kubectl');
      const changed = (path: string) => new Map([...base, [path, Buffer.from('a=2\n')]]);
      expect(key(changed(`apps/arcade/${file}`))).not.toBe(key(base));
      expect(key(changed('apps/arcade/unnamed.txt'))).toBe(key(base));
    });
  }
});

describe.skipIf(!KUBECTL)('kubectl kustomize runs once per distinct tree', () => {
  it('answers the same bytes from the cache, and builds again for any change', async () => {
    const { kubectl, runs } = countingKubectl();
    const first = await buildTree(tree('one'), 'apps/arcade', {}, { kubectl });
    expect(settingOf(first)).toEqual([['apps/arcade/configmap.yaml', 'one']]);
    expect(runs()).toBe(1);
    // The same bytes in another tree: no second run, the same objects.
    const again = await buildTree(tree('one'), 'apps/arcade', {}, { kubectl });
    expect(again).toEqual(first);
    expect(runs()).toBe(1);
    // What callers do to the objects they got does not reach the cache.
    for (const built of [first, again])
      (built[0]!.object as unknown as { data: Record<string, string> }).data.value = 'changed by a caller';
    expect(settingOf(await buildTree(tree('one'), 'apps/arcade', {}, { kubectl }))).toEqual([
      ['apps/arcade/configmap.yaml', 'one'],
    ]);
    expect(runs()).toBe(1);
    // One byte changed, a manifest added beside it, another transform: each is built.
    expect(settingOf(await buildTree(tree('two'), 'apps/arcade', {}, { kubectl }))).toEqual([
      ['apps/arcade/configmap.yaml', 'two'],
    ]);
    expect(runs()).toBe(2);
    const added = stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other', namespace: 'arcade' } });
    await buildTree(tree('two', { 'apps/arcade/other.yaml': added }), 'apps/arcade', {}, { kubectl });
    expect(runs()).toBe(3);
    const moved = await buildTree(tree('two'), 'apps/arcade', { targetNamespace: 'elsewhere' }, { kubectl });
    expect(moved.map((b) => b.object.metadata.namespace)).toEqual(['elsewhere']);
    expect(runs()).toBe(4);
    // Another kubectl builds its own.
    const other = countingKubectl();
    await buildTree(tree('one'), 'apps/arcade', {}, { kubectl: other.kubectl });
    expect(other.runs()).toBe(1);
  });

  it('keys a build by the files it can read: a README or the ownership record changes nothing; a named file, however spelled, does', async () => {
    const { kubectl, runs } = countingKubectl();
    const first = await buildTree(tree('one', { 'apps/arcade/README.md': 'notes\n' }), 'apps/arcade', {}, { kubectl });
    expect(runs()).toBe(1);
    // A second export's tree: the README changed, an ownership record beside it; nothing names either.
    const next = tree('one', {
      'apps/arcade/README.md': 'other notes\n',
      'apps/arcade/.arcade-stack-export.json': '{"sourceCommit":"0"}\n',
      'docs/NOTES.md': 'x\n',
    });
    expect(await buildTree(next, 'apps/arcade', {}, { kubectl })).toEqual(first);
    expect(runs()).toBe(1);

    // kustomize reads each of these files (its content is in the build), each named another way: by
    // itself, through a YAML escape, in a component a transform adds (there also folded over two
    // lines, in a file with no escape), in a transform itself; and, in a tree of its own, by a kustomization in UTF-16 (a byte order mark
    // makes every file an input: the names cannot be searched as text). Each is in the key.
    const generator = (name: string, file: string) =>
      `  - name: ${name}\n    options: { disableNameSuffixHash: true }\n    files:\n      - ${file}\n`;
    const named: Record<string, string> = {
      'apps/arcade/plain.md': 'plain\n',
      'apps/arcade/escaped.md': 'escaped\n',
      'apps/arcade/my notes.md': 'folded\n',
      'apps/arcade/component.md': 'component\n',
      'apps/arcade/patch.txt': stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'settings', namespace: 'arcade' },
        data: { value: 'patched' },
      }),
    };
    const spelled = tree('one', {
      ...named,
      'apps/arcade/kustomization.yaml':
        'resources: [configmap.yaml]\nconfigMapGenerator:\n' +
        generator('plain', 'plain.md') +
        generator('escaped', '"\\x65scaped.md"'),
      'apps/notes/kustomization.yaml':
        'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nconfigMapGenerator:\n' +
        generator('component', '../arcade/component.md') +
        generator('folded', '../arcade/my\n        notes.md'),
    });
    const transforms = { components: ['../notes'], patchesStrategicMerge: ['patch.txt'] };
    const data = (built: Awaited<ReturnType<typeof buildTree>>) =>
      Object.fromEntries(built.map((b) => [b.object.metadata.name, (b.object as { data?: unknown }).data]));
    expect(data(await buildTree(spelled, 'apps/arcade', transforms, { kubectl }))).toEqual({
      settings: { value: 'patched' },
      plain: { 'plain.md': 'plain\n' },
      escaped: { 'escaped.md': 'escaped\n' },
      folded: { 'my notes.md': 'folded\n' },
      component: { 'component.md': 'component\n' },
    });
    const utf16 = (readme: string): Tree =>
      new Map([
        ...tree('one', { 'apps/kustomization.yaml': 'resources: [arcade]\n', 'apps/arcade/README.md': readme }),
        [
          'apps/arcade/kustomization.yaml',
          Buffer.from(
            `\ufeffresources: [configmap.yaml]\nconfigMapGenerator:\n${generator('utf16', 'README.md')}`,
            'utf16le',
          ),
        ],
      ]);
    expect(data(await buildTree(utf16('utf16\n'), 'apps', {}, { kubectl })).utf16).toEqual({ 'README.md': 'utf16\n' });
    expect(runs()).toBe(3);
    const key = (t: Tree, root = 'apps/arcade', applied: FluxTransforms = transforms) =>
      buildKey(t, root, applied, kubectl);
    const changed = (t: Tree, path: string) => new Map([...t, [path, Buffer.from('changed\n')]]);
    for (const path of Object.keys(named)) expect(key(changed(spelled, path)), path).not.toBe(key(spelled));
    expect(key(changed(spelled, 'apps/arcade/README.md'))).toBe(key(spelled));
    expect(key(changed(utf16('a\n'), 'apps/arcade/README.md'), 'apps', {})).not.toBe(key(utf16('a\n'), 'apps', {}));

    // A root that holds only such files still differs from a root that does not exist.
    expect(key(tree('one', { 'apps/docs/README.md': 'x\n' }), 'apps/docs', {})).not.toBe(
      key(tree('one'), 'apps/docs', {}),
    );
    await expect(buildTree(tree('one'), 'apps/docs', {}, { kubectl })).rejects.toThrow(/apps\/docs is not a folder/);
    expect(runs()).toBe(3);
  });

  const owner: FluxOwner = { ref: 'flux-system/apps', path: 'apps/arcade', prune: true, postBuild: false };

  it('builds a checkout holding a symbolic link from a copy on disk, every time (it may lead out of the tree)', async () => {
    const { kubectl, runs } = countingKubectl();
    const outside = tempDir('kustomize-outside-');
    writeFileSync(join(outside, 'x.txt'), 'x\n');
    const top = onDisk(tree('linked'));
    symlinkSync(join(outside, 'x.txt'), join(top, 'apps/arcade/link.txt'));
    // The link is read as a link (where it leads, never what), so the build cannot be kept by content...
    const checkout = readCheckout(top, ['apps/arcade/configmap.yaml', 'apps/arcade/link.txt']);
    expect([...checkout.files.keys()]).toEqual(['apps/arcade/configmap.yaml']);
    expect([...checkout.links]).toEqual([['apps/arcade/link.txt', join(outside, 'x.txt')]]);
    // ...and each build of it on disk runs kubectl.
    expect(settingOf(await buildOwner(checkout, owner, { kubectl }))).toEqual([
      ['apps/arcade/configmap.yaml', 'linked'],
    ]);
    await buildOwner(checkout, owner, { kubectl });
    expect(runs()).toBe(2);
  });

  it('applies a plan to a checkout holding links in memory: a planned file replaces a link, nothing is written through one', async () => {
    const { kubectl, runs } = countingKubectl();
    // Two links leading out of the checkout: a manifest the plan rewrites, and the root kustomization.
    const outside = tempDir('kustomize-outside-');
    const live = stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'outside', namespace: 'arcade' } });
    const rootKustomization = 'resources: [configmap.yaml, other.yaml]\n';
    writeFileSync(join(outside, 'live.yaml'), live);
    writeFileSync(join(outside, 'kustomization.yaml'), rootKustomization);
    const top = onDisk(tree('one'));
    symlinkSync(join(outside, 'live.yaml'), join(top, 'apps/arcade/other.yaml'));
    symlinkSync(join(outside, 'kustomization.yaml'), join(top, 'apps/arcade/kustomization.yaml'));
    const checkout = readCheckout(top, [
      'apps/arcade/configmap.yaml',
      'apps/arcade/kustomization.yaml',
      'apps/arcade/other.yaml',
    ]);
    const names = (built: Awaited<ReturnType<typeof buildOwner>>) => built.map((b) => b.object.metadata.name).sort();
    expect(names(await buildOwner(checkout, owner, { kubectl }))).toEqual(['outside', 'settings']);
    const planned = stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'planned', namespace: 'arcade' },
    });
    const plan = { folder: 'apps/arcade', plan: { writes: new Map([['other.yaml', planned]]), removes: [] } };
    expect(names(await buildOwner(checkout, owner, { kubectl }, plan))).toEqual(['planned', 'settings']);
    expect(runs()).toBe(2);
    // The files the links lead to are as they were: neither the plan nor the build's own root
    // kustomization (transforms, origin annotations) was written through a link.
    expect(readFileSync(join(outside, 'live.yaml'), 'utf8')).toBe(live);
    expect(readFileSync(join(outside, 'kustomization.yaml'), 'utf8')).toBe(rootKustomization);
  });

  it('refuses a build root that leads out of the repository through a symbolic link', async () => {
    const outside = onDisk(tree('outside'));
    const top = onDisk(tree('one'));
    symlinkSync(join(outside, 'apps/arcade'), join(top, 'apps/elsewhere'));
    // And one whose target climbs with .. after another link: apps/b -> <outside>/apps/z and
    // apps/tricky -> b/../arcade. node's JavaScript realpathSync took it as the copy's own
    // apps/arcade; the kernel (and the write of the root kustomization) as <outside>/apps/arcade.
    mkdirSync(join(outside, 'apps/z'));
    symlinkSync(join(outside, 'apps/z'), join(top, 'apps/b'));
    symlinkSync('b/../arcade', join(top, 'apps/tricky'));
    for (const root of ['apps/elsewhere', 'apps/tricky'])
      await expect(buildFluxView(top, root, {}, {})).rejects.toThrow(
        `kubectl kustomize ${root} failed: ${root} leads out of the repository through a symbolic link ` +
          '(fix: point spec.path at a folder of the repository)',
      );
    expect(readFileSync(join(outside, 'apps/arcade/configmap.yaml'), 'utf8')).toContain('outside');
    expect(kustomizationIn(join(outside, 'apps/arcade'))).toBe(false);
  });

  it('reads a root kustomization in UTF-16 as kustomize does, and refuses one that is not a map, naming the file', async () => {
    const { kubectl, runs } = countingKubectl();
    const kustomization = '\ufeffresources: [configmap.yaml]\ncommonLabels: {encoding: utf16}\n';
    const le = Buffer.from(kustomization, 'utf16le');
    const be = Buffer.from(le).swap16();
    const rooted = (bytes: Buffer): Tree => new Map([...tree('one'), ['apps/arcade/kustomization.yaml', bytes]]);
    // What the root lists is built, with its own setting and the Kustomization's transform on top
    // (read as UTF-8, the file was a string: the transforms alone replaced it and nothing was built).
    for (const bytes of [le, be]) {
      const built = await buildTree(rooted(bytes), 'apps/arcade', { targetNamespace: 'moved' }, { kubectl });
      expect(built.map((b) => [b.origin, b.object.metadata.namespace, b.object.metadata.labels])).toEqual([
        ['apps/arcade/configmap.yaml', 'moved', { encoding: 'utf16' }],
      ]);
    }
    expect(runs()).toBe(2);
    // kustomize refuses these itself ("control characters are not allowed", "invalid Kustomization"):
    // the build says which file and the fix before kubectl runs, never builds the transforms alone.
    const fix = '(fix: write it as a YAML map in UTF-8, or in UTF-16 with a byte order mark, as kustomize reads it)';
    const refused = (bytes: Buffer) => buildTree(rooted(bytes), 'apps/arcade', {}, { kubectl });
    await expect(refused(Buffer.from('resources: [configmap.yaml]\n', 'utf16le'))).rejects.toThrow(
      `kubectl kustomize apps/arcade failed: apps/arcade/kustomization.yaml is not a kustomization: its YAML is a string, not a map ${fix}`,
    );
    await expect(refused(Buffer.from('- configmap.yaml\n'))).rejects.toThrow(
      'apps/arcade/kustomization.yaml is not a kustomization: its YAML is a list, not a map',
    );
    await expect(refused(le.subarray(0, le.length - 1))).rejects.toThrow(
      `apps/arcade/kustomization.yaml is UTF-16 of an odd length: its last character is cut ${fix}`,
    );
    // Not YAML, or two documents: the yaml reader's own line (src/core/yaml-input.ts).
    await expect(refused(Buffer.from('resources: [configmap.yaml\n'))).rejects.toHaveProperty(
      'message',
      'kubectl kustomize apps/arcade failed: apps/arcade/kustomization.yaml: YAML syntax: Flow sequence in block ' +
        'collection must be sufficiently indented and end with a ] at line 2, column 1: (fix: correct the YAML at that line)',
    );
    await expect(refused(Buffer.from('resources: [configmap.yaml]\n---\nresources: []\n'))).rejects.toHaveProperty(
      'message',
      'kubectl kustomize apps/arcade failed: apps/arcade/kustomization.yaml: more than one YAML document ' +
        '(fix: keep one document (the file has 2, separated by ---))',
    );
    expect(runs()).toBe(2);
  });

  it('keeps no failed build: a tree kustomize refuses is built again', async () => {
    const { kubectl, runs } = countingKubectl();
    const broken = () => tree('x', { 'apps/arcade/kustomization.yaml': 'resources: [missing.yaml]\n' });
    // The build root, kubectl's exit code and its last lines, the temporary copy's folder left out.
    const failure = new RegExp(
      "^kubectl kustomize apps/arcade failed \\(exit 1\\): .*accumulating resources from 'missing\\.yaml': " +
        'open apps/arcade/missing\\.yaml: no such file or directory',
    );
    await expect(buildTree(broken(), 'apps/arcade', {}, { kubectl })).rejects.toThrow(failure);
    await expect(buildTree(broken(), 'apps/arcade', {}, { kubectl })).rejects.toThrow(failure);
    expect(runs()).toBe(2);
  });

  it('names a build that timed out with its limit and the fix (a resource named by URL that never answers)', async () => {
    // A server that accepts the connection and never answers: kubectl waits for it until killed.
    let closing = false;
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => (closing ? socket.destroy() : sockets.add(socket)));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/base.yaml`;
      const hanging = tree('x', { 'apps/arcade/kustomization.yaml': `resources: [configmap.yaml, ${url}]\n` });
      // The old message was only "spawnSync kubectl ETIMEDOUT".
      await expect(buildTree(hanging, 'apps/arcade', {}, { timeoutMs: 200 })).rejects.toThrow(
        new KustomizeFailed(
          'apps/arcade',
          'kubectl kustomize apps/arcade timed out after 200 ms and was stopped (fix: a resource or base a ' +
            'kustomization names by URL may not answer: build it with kubectl kustomize apps/arcade in the checkout ' +
            'to see where it waits, or copy what it fetches into the repository)',
          true,
        ),
      );
    } finally {
      closing = true;
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it("the preview builds before and after the plan at once, and tells the build before the plan's failure when both fail", async () => {
    const { kubectl, runs } = countingKubectl();
    const broken = (missing: string) => `resources: [${missing}]\n`;
    const repo = await makeRepo({ 'apps/arcade/kustomization.yaml': broken('missing-before.yaml') });
    const plan = { writes: new Map([['kustomization.yaml', broken('missing-after.yaml')]]), removes: [] };
    const preview = buildPreview({ top: repo, folder: 'apps/arcade', plan, ownNames: new Set(), kubectl });
    await expect(preview).rejects.toThrow(KustomizeFailed);
    await expect(preview).rejects.toThrow(
      /^before the export, kubectl kustomize apps\/arcade failed \(exit 1\): .*'missing-before\.yaml'/,
    );
    expect(runs()).toBe(2); // both sides were built: the one after the plan failed too
  });

  it('a build that fails only with the plan applied says so: after the export', async () => {
    const repo = await makeRepo({
      'apps/arcade/kustomization.yaml': 'resources: [configmap.yaml]\n',
      'apps/arcade/configmap.yaml': (tree('one').get('apps/arcade/configmap.yaml') as Buffer).toString('utf8'),
    });
    const plan = { writes: new Map([['kustomization.yaml', 'resources: [missing-after.yaml]\n']]), removes: [] };
    const failed = await buildPreview({ top: repo, folder: 'apps/arcade', plan, ownNames: new Set() }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failed).toBeInstanceOf(KustomizeFailed);
    expect((failed as KustomizeFailed).side).toBe('after');
    expect((failed as KustomizeFailed).message).toMatch(
      /^after the export, kubectl kustomize apps\/arcade failed \(exit 1\): .*accumulating resources from 'missing-after\.yaml'/,
    );
  });

  it('stops kubectl at the timeout with SIGKILL, never SIGTERM, as git and helm', async () => {
    const standIn = kubectlNotingSignals(tempDir('arcade-kubectl-'));
    const waiting = tree('x', { 'apps/arcade/kustomization.yaml': 'resources: [configmap.yaml]\n' });
    await expect(buildTree(waiting, 'apps/arcade', {}, { kubectl: standIn.kubectl, timeoutMs: 200 })).rejects.toThrow(
      /^kubectl kustomize apps\/arcade timed out after 200 ms and was stopped \(fix: /,
    );
    expect(standIn.caught()).toBeUndefined(); // stopped, by no signal it could catch: SIGKILL
  });
});

describe.skipIf(!KUBECTL)('kubectl output that cannot be read', () => {
  it('fails the build naming the problem, never skips the document (its object would leave the preview unseen)', async () => {
    const bin = tempDir('kubectl-bad-yaml-');
    const kubectl = join(bin, 'kubectl');
    writeFileSync(
      kubectl,
      `#!/bin/sh\nprintf 'x: &a [1]\\ny: [${Array.from({ length: 101 }, () => '*a').join(', ')}]\\n'\n`,
    );
    chmodSync(kubectl, 0o755);
    const built = tree('x', { 'apps/arcade/kustomization.yaml': 'resources: [configmap.yaml]\n' });
    await expect(buildTree(built, 'apps/arcade', {}, { kubectl })).rejects.toThrow(
      /^kubectl kustomize apps\/arcade failed: its output cannot be read as YAML: YAML aliases: /,
    );
  });
});
