/**
 * The CRD schema cache's guards (src/check/crd-cache-paths.ts) on the two paths the audit of
 * session 12 left open: the read path, built from a manifest's apiVersion and kind (which no
 * CRD-name rule had checked), and the window between the check of a write and the write itself.
 * Real files and links in a temporary folder; the gate's command in process.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main as check } from '../../scripts/check.js';
import { CrdError, readCachedSchema, readCrdFiles, writeCache } from '../../src/check/crd-cache.js';
import { entryToWrite, writeEntry } from '../../src/check/crd-cache-paths.js';
import { tempDir, widgetCrd, writeDist, writeYaml } from './support.js';
import { runMain } from '../support/run-script.js';

/** A cached-schema file that accepts anything: planted outside the cache, where `../` names would lead. */
const PERMISSIVE = `${JSON.stringify({
  group: 'planted',
  kind: 'Widget',
  version: 'v1',
  plural: 'widgets',
  scope: 'Namespaced',
  source: 'planted',
  openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
})}\n`;

/** A folder with the cache at cache/ (one Widget entry) and a planted schema at x/Widget/v1.json beside it. */
function layout(): { root: string; cache: string; planted: string } {
  const root = tempDir('crd-guards-');
  const cache = join(root, 'cache');
  writeCache(cache, readCrdFiles([writeYaml(join(root, 'w.yaml'), [widgetCrd()])]));
  const planted = join(root, 'x', 'Widget', 'v1.json');
  mkdirSync(join(planted, '..'), { recursive: true });
  writeFileSync(planted, PERMISSIVE);
  return { root, cache, planted };
}

describe('reading the cache: names from a manifest', () => {
  it('has no schema for an apiVersion or kind no CRD can have (../ included): none is read outside the cache', () => {
    const { cache } = layout();
    // `../x/v1` Widget would be cache/../x/Widget/v1.json: the planted file.
    for (const [group, version, kind] of [
      ['../x', 'v1', 'Widget'],
      ['..', 'v1', 'x/Widget'],
      ['test.arcade-stack.dev', '../../x/Widget/v1', 'Widget'],
      ['test.arcade-stack.dev/../../x', 'v1', 'Widget'],
      ['test.arcade-stack.dev', 'V1', 'Widget'],
      ['test.arcade-stack.dev', 'v1', 'Wid get'],
    ] as const)
      expect(readCachedSchema(cache, group, version, kind), `${group}/${version} ${kind}`).toBeUndefined();
    expect(readCachedSchema(cache, 'test.arcade-stack.dev', 'v1', 'Widget')?.group).toBe('test.arcade-stack.dev');
  });

  it('npm run check --crd-cache: a manifest whose apiVersion is ../x/v1 fails schema.missing, not valid by a planted schema', async () => {
    const { root, cache } = layout();
    const dist = writeDist(root, 'test', {
      'widget.yaml': [{ apiVersion: '../x/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'arcade' } }],
    });
    const r = await runMain(check, ['--dist', dist, '--crd-cache', cache, '--dist-only', '--skip-kustomize']);
    expect(r.stdout).toContain(
      'widget.yaml:1 Widget arcade/w apiVersion: [schema.missing] no CRD schema for ../x/v1 Widget in the cache',
    );
    expect(r.status).toBe(1);
  });

  it('refuses an entry whose real path is outside the cache (a linked folder, a linked file), naming it and the fix', () => {
    const { root, cache, planted } = layout();
    symlinkSync(join(root, 'x'), join(cache, 'linked.example.com'));
    symlinkSync(planted, join(cache, 'test.arcade-stack.dev', 'Widget', 'v2.json'));
    for (const [group, version] of [
      ['linked.example.com', 'v1'],
      ['test.arcade-stack.dev', 'v2'],
    ] as const) {
      let message = '';
      try {
        readCachedSchema(cache, group, version, 'Widget');
      } catch (err) {
        expect(err).toBeInstanceOf(CrdError);
        message = (err as Error).message;
      }
      expect(message).toBe(
        `${cache}: the schema of "${group}/${version} Widget" would be read from ${join(cache, group, 'Widget', `${version}.json`)}, ` +
          `outside the cache ${cache} (fix: a CRD whose group, Kind and version names Kubernetes accepts; ` +
          'a folder in the cache that links elsewhere (or, to read, an entry that does): remove it)',
      );
    }
  });
});

describe('writing the cache: a link swapped in after the check', () => {
  it('refuses to write through a folder that became a link since the check, writing nothing outside', () => {
    const { root, cache } = layout();
    const [schema] = readCrdFiles([writeYaml(join(root, 'w2.yaml'), [widgetCrd()])]);
    const path = entryToWrite(cache, schema!); // checked: inside the cache
    // Then the folder is swapped for a link to a folder outside (what writeCache's checks used to miss).
    const victim = join(root, 'victim');
    mkdirSync(victim);
    renameSync(join(cache, 'test.arcade-stack.dev', 'Widget'), join(root, 'moved-aside'));
    symlinkSync(victim, join(cache, 'test.arcade-stack.dev', 'Widget'));
    expect(() => writeEntry(cache, schema!, path, '{"new": true}\n')).toThrow(
      `would be written to ${path} (a folder on its path links elsewhere since it was checked), outside the cache`,
    );
    expect(readdirSync(victim)).toEqual([]);
    expect(existsSync(join(root, 'moved-aside', 'v1.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(root, 'moved-aside', 'v1.json'), 'utf8'))).toMatchObject({ version: 'v1' });
  });
});
