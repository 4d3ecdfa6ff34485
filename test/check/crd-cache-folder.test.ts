/**
 * The CRD cache folder as given (src/check/crd-cache-paths.ts CACHE_MARKER): check --crd-cache of
 * a folder that is missing or no cache is configuration (exit 2, one line), not one schema.missing
 * per object; crds --cache of a file or of a folder holding other files (`--cache .`, `--cache src`
 * wrote API group folders there) is refused before anything is written; a stray file in a cache
 * is no entry (it crashed with ENOTDIR). The commands run in process.
 */
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main as check } from '../../scripts/check.js';
import { main as crds } from '../../scripts/crds.js';
import { CACHE_MARKER } from '../../src/check/crd-cache-paths.js';
import { miniHelmReleaseCrd, tempDir, writeDist, writeYaml } from './support.js';
import { runMain } from '../support/run-script.js';

const oneLine = (text: string) => text.trim().split('\n');

describe('npm run check -- --crd-cache <not a cache>', () => {
  it('is refused in one line naming the folder, exit 2: missing, a file, or a folder crds did not fill', async () => {
    const dir = tempDir();
    const dist = writeDist(dir, 'test', {
      'a.yaml': [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }],
    });
    const file = join(dir, 'file');
    writeFileSync(file, '');
    const other = join(dir, 'other');
    mkdirSync(join(other, 'sub'), { recursive: true });
    for (const [cache, what] of [
      [join(dir, 'nonexistent'), 'no such folder'],
      [file, 'is a file, not a folder'],
      [other, `is no CRD schema cache (it has no ${CACHE_MARKER}`],
    ] as const) {
      const r = await runMain(check, ['--dist', dist, '--crd-cache', cache, '--dist-only', '--skip-kustomize']);
      expect(r.status, cache).toBe(2);
      expect(oneLine(r.stderr)).toEqual([expect.stringContaining(`check: --crd-cache ${cache}: ${what}`)]);
      expect(r.stderr).toContain('(fix: fill it: npm run crds -- --from-cluster --cache');
      expect(r.stdout).not.toContain('schema.missing');
    }
  });
});

describe('npm run crds -- --cache <folder>', () => {
  it('refuses a file and a folder of other files, writing nothing; fills a new folder, marks it, fills it again', async () => {
    const dir = tempDir();
    const crdFile = writeYaml(join(dir, 'hr.yaml'), [miniHelmReleaseCrd()]);
    const file = join(dir, 'file');
    writeFileSync(file, 'x');
    const f = await runMain(crds, ['--from', crdFile, '--cache', file]);
    expect(f.status).toBe(2);
    expect(oneLine(f.stderr)).toEqual([
      `crds: --cache ${file}: is a file, not a folder (fix: give a new or empty folder, e.g. .cache/crds, or a cache npm run crds filled)`,
    ]);

    const repo = join(dir, 'repo');
    mkdirSync(join(repo, 'src'), { recursive: true });
    writeFileSync(join(repo, 'package.json'), '{}\n');
    const r = await runMain(crds, ['--from', crdFile, '--cache', repo]);
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toEqual([
      expect.stringMatching(/^crds: --cache .*repo: holds other files and is no CRD schema cache/),
    ]);
    expect(readdirSync(repo).sort()).toEqual(['package.json', 'src']);

    const cache = join(dir, 'cache');
    for (let fill = 0; fill < 2; fill++) {
      const ok = await runMain(crds, ['--from', crdFile, '--cache', cache]);
      expect(ok.status, ok.stderr).toBe(0);
    }
    expect(readdirSync(cache).sort()).toEqual([CACHE_MARKER, 'helm.toolkit.fluxcd.io']);

    // A stray file where a Kind's folder belongs is no entry: listed and checked past, not ENOTDIR.
    mkdirSync(join(cache, 'sub'));
    writeFileSync(join(cache, 'sub', 'x.json'), '{}\n');
    const list = await runMain(crds, ['--list', '--cache', cache]);
    expect(list.status, list.stderr).toBe(0);
    expect(oneLine(list.stdout)).toEqual(['helm.toolkit.fluxcd.io/v2 HelmRelease']);
    const dist = writeDist(dir, 'test', {
      'a.yaml': [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }],
    });
    const c = await runMain(check, ['--dist', dist, '--crd-cache', cache, '--dist-only', '--skip-kustomize']);
    // The gate runs to its report (its folder `test` is no environment: synth.no-environment), no crash.
    expect(c.stdout + c.stderr).not.toMatch(/ENOTDIR|unexpected error/);
    expect(c.stdout).toMatch(/^check: FAILED: 1 error,/m);
  });
});

describe('a marker that is not a regular file', () => {
  it('a link named like the marker is never written through: crds --cache refuses the folder, the file it leads to unchanged', async () => {
    const dir = tempDir();
    const crdFile = writeYaml(join(dir, 'hr.yaml'), [miniHelmReleaseCrd()]);
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'mine\n');
    for (const planted of ['link', 'folder'] as const) {
      const cache = join(dir, `planted-${planted}`);
      mkdirSync(cache);
      if (planted === 'link') symlinkSync(victim, join(cache, CACHE_MARKER));
      else mkdirSync(join(cache, CACHE_MARKER));
      const r = await runMain(crds, ['--from', crdFile, '--cache', cache]);
      expect(r.status, planted).toBe(2);
      expect(oneLine(r.stderr)).toEqual([
        expect.stringContaining(`its ${CACHE_MARKER} is not a regular file (a link or a folder)`),
      ]);
      expect(readdirSync(cache)).toEqual([CACHE_MARKER]);
      const c = await runMain(check, ['--dist', dir, '--crd-cache', cache, '--dist-only', '--skip-kustomize']);
      expect(c.status, planted).toBe(2);
      expect(c.stderr).toContain(`its ${CACHE_MARKER} is not a regular file`);
    }
    expect(readFileSync(victim, 'utf8')).toBe('mine\n');
  });
});
