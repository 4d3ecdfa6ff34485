/**
 * The Flux build check reads nothing but the folder's own files: a remote resource in
 * kustomization.yaml is refused before `kubectl kustomize` would fetch it (a stand-in kubectl
 * records whether it was started), and a symbolic link leading outside the dist folder is refused
 * with or without kubectl (session 16: with --skip-kustomize it passed); a subfolder or link listed in
 * resources, or a folder synth would not write, is not built either. Real files and links.
 */
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { errorsOf, runGate, type GateOptions } from '../../src/check/gate.js';
import { cachedCrds } from '../../src/check/crd-cache.js';
import { tempDir, testCache, writeDist, writeYaml } from './support.js';

const cache = cachedCrds(testCache());
const configMap = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'arcade' } });

function gate(root: string, extra: Partial<GateOptions> = {}) {
  return runGate({ root, crds: cache, scanRepository: false, kubectl: false, exceptions: [], ...extra });
}

/** A kubectl stand-in that notes each start in a file and prints the folder's one file. */
function standInKubectl(dir: string): { kubectl: string; started: () => boolean } {
  const mark = join(dir, 'started');
  const kubectl = join(dir, 'kubectl');
  writeFileSync(kubectl, `#!/bin/sh\necho "$@" >> '${mark}'\necho 'apiVersion: v1'\n`, { mode: 0o755 });
  return { kubectl, started: () => existsSync(mark) };
}

describe('kustomization resources: files of the folder only', () => {
  it('refuses remote resources, each by its path, and does not start kubectl kustomize', async () => {
    const root = tempDir();
    const dist = writeDist(root, 'test', { 'a.yaml': [configMap('a')] });
    const remote = [
      'https://github.com/example/repo//deploy?ref=main',
      'github.com/example/other/deploy',
      'git@github.com:example/x.git',
      'git::https://example.com/x.git',
    ];
    writeYaml(join(dist, 'test', 'kustomization.yaml'), [
      { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['a.yaml', ...remote] },
    ]);
    const kubectl = standInKubectl(tempDir());
    const report = await gate(root, { kubectl: kubectl.kubectl });
    expect(errorsOf(report).map((f) => [f.rule, f.path])).toEqual(
      remote.map((_, i) => ['flux.remote-resource', `resources[${i + 1}]`]),
    );
    expect(errorsOf(report)[0]!.message).toContain('kustomize would fetch it over the network');
    expect(kubectl.started()).toBe(false);
    expect(report.notes).toContainEqual(
      expect.stringMatching(/^kubectl kustomize dist\/test not run: the folder names/),
    );
  });

  it('starts kubectl kustomize when every resource is a file of the folder (the stand-in can tell)', async () => {
    const root = tempDir();
    writeDist(root, 'test', { 'a.yaml': [configMap('a')] });
    const kubectl = standInKubectl(tempDir());
    expect(errorsOf(await gate(root, { kubectl: kubectl.kubectl }))).toEqual([]);
    expect(kubectl.started()).toBe(true);
  });
});

describe('resources that are not regular files of the folder', () => {
  it('does not start kubectl kustomize for a subfolder listed in resources (its kustomization.yaml may fetch)', async () => {
    const root = tempDir();
    const dist = writeDist(root, 'test', { 'a.yaml': [configMap('a')] });
    mkdirSync(join(dist, 'test', 'sub'));
    writeYaml(join(dist, 'test', 'sub', 'kustomization.yaml'), [
      {
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        resources: ['https://github.com/example/repo//deploy?ref=main', '../../../outside'],
      },
    ]);
    symlinkSync('a.yaml', join(dist, 'test', 'same.yaml'));
    writeYaml(join(dist, 'test', 'kustomization.yaml'), [
      {
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        resources: ['a.yaml', 'sub', 'same.yaml'],
      },
    ]);
    const kubectl = standInKubectl(tempDir());
    const report = await gate(root, { kubectl: kubectl.kubectl });
    const flux = errorsOf(report).filter((f) => f.rule !== 'flux.duplicate-object'); // same.yaml is a.yaml's object again
    expect(flux.map((f) => [f.rule, f.path, f.message.split(',')[0]])).toEqual([
      ['flux.not-a-file', 'resources[1]', 'resources lists sub'],
      ['flux.not-a-file', 'resources[2]', 'resources lists same.yaml'],
    ]);
    expect(flux[0]!.message).toContain('not a file of the folder (a folder or a link)');
    // Its own fix: the entry exists, so "npm run synth" alone (flux.missing-file's) would not remove it.
    expect(flux[0]!.fix).toBe(
      'remove sub from the folder (the link, or the folder and what it holds), then npm run synth: it writes plain files and lists only those',
    );
    expect(kubectl.started()).toBe(false);
  });

  it('does not start kubectl kustomize for a folder that is not what synth writes (compared first)', async () => {
    const root = tempDir();
    writeDist(root, 'test', { 'a.yaml': [configMap('a')] });
    const kubectl = standInKubectl(tempDir());
    const report = await gate(root, { kubectl: kubectl.kubectl, synthesized: () => [] });
    expect(new Set(errorsOf(report).map((f) => f.rule))).toEqual(new Set(['synth.not-synthesized']));
    expect(kubectl.started()).toBe(false);
    expect(report.notes).toContainEqual(
      'kubectl kustomize dist/test not run: the folder is not what npm run synth writes (above)',
    );
  });
});

describe('symbolic links in dist/', () => {
  it('refuses a file and a folder that lead outside the dist folder, without kubectl, and reads neither', async () => {
    const root = tempDir();
    const dist = writeDist(root, 'test', { 'a.yaml': [configMap('a')] });
    const elsewhere = tempDir();
    writeFileSync(join(elsewhere, 'outside.yaml'), stringify(configMap('outside')));
    symlinkSync(join(elsewhere, 'outside.yaml'), join(dist, 'test', 'linked.yaml'));
    writeYaml(join(dist, 'test', 'kustomization.yaml'), [
      { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['a.yaml', 'linked.yaml'] },
    ]);
    mkdirSync(join(elsewhere, 'env'));
    writeDist(elsewhere, 'env', { 'b.yaml': [configMap('b')] });
    symlinkSync(join(elsewhere, 'dist', 'env'), join(dist, 'other'));
    // A link that stays inside the dist folder is not refused by this rule.
    symlinkSync(join('..', 'test', 'a.yaml'), join(dist, 'test', 'same.yaml'));
    const report = await gate(root);
    expect(
      errorsOf(report)
        .filter((f) => f.rule === 'flux.link-outside')
        .map((f) => [f.file, f.message.split(',')[0]]),
    ).toEqual([
      ['dist/other', `the folder is a symbolic link to ${join(elsewhere, 'dist', 'env')}`],
      ['dist/test/linked.yaml', `linked.yaml is a symbolic link to ${join(elsewhere, 'outside.yaml')}`],
    ]);
    expect(errorsOf(report).find((f) => f.rule === 'flux.link-outside')!.fix).toBe(
      'replace the link with the file itself: npm run synth writes plain files',
    );
    // neither linked object was read: only a.yaml's ConfigMap and same.yaml's (inside) counted
    expect(report.stats.objects).toBe(2);
  });

  it('names a link that loops (ln -s loop loop) as leading outside, with the error code, not as a bug', async () => {
    const root = tempDir();
    const dist = writeDist(root, 'test', { 'a.yaml': [configMap('a')] });
    symlinkSync('loop', join(dist, 'test', 'loop'));
    const report = await gate(root);
    expect(
      errorsOf(report)
        .filter((f) => f.rule === 'flux.link-outside')
        .map((f) => [f.file, f.message.split(',')[0]]),
    ).toEqual([['dist/test/loop', 'loop is a symbolic link to nothing it can be followed to (ELOOP)']]);
  });

  it('names a link that loops directly under dist/ (not in an environment folder): one finding, the gate does not stop', async () => {
    const root = tempDir();
    const dist = writeDist(root, 'test', { 'a.yaml': [configMap('a')] });
    symlinkSync('loop', join(dist, 'loop'));
    const report = await gate(root);
    expect(errorsOf(report).map((f) => [f.file, f.rule, f.message.split(',')[0]])).toEqual([
      ['dist/loop', 'flux.link-outside', 'the folder is a symbolic link to nothing it can be followed to (ELOOP)'],
    ]);
  });
});
