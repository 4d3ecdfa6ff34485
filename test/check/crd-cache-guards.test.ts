/**
 * The CRD schema cache's guards (src/check/crd-cache-paths.ts) on the two paths the audit of
 * session 12 left open: the read path, built from a manifest's apiVersion and kind (which no
 * CRD-name rule had checked), and the window between the check of a write and the write itself.
 * Real files and links in a temporary folder; the gate's command in process.
 */
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main as check } from '../../scripts/check.js';
import { CrdError, readCachedSchema, readCrdFiles, writeCache } from '../../src/check/crd-cache.js';
import { CrdPathError, entryToWrite, markCache, writeEntry } from '../../src/check/crd-cache-paths.js';
import { writeFileAtomically } from '../../src/core/atomic-write.js';
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
  const REFUSED = '(a folder on its path links elsewhere since it was checked), outside the cache';

  /** The cache's Widget folder moved aside and a link to an empty folder outside put in its place. */
  function swapForLink(root: string, cache: string): { victim: string; aside: string } {
    const victim = join(root, 'victim');
    const aside = join(root, 'moved-aside');
    mkdirSync(victim);
    // A folder's mtime changes with every file made or removed in it: pinned at the epoch, it tells
    // that nothing was written there, not even a temporary file removed again.
    utimesSync(victim, 0, 0);
    renameSync(join(cache, 'test.arcade-stack.dev', 'Widget'), aside);
    symlinkSync(victim, join(cache, 'test.arcade-stack.dev', 'Widget'));
    return { victim, aside };
  }
  /** Nothing was ever written in the link's target. */
  const untouched = (victim: string) => {
    expect(readdirSync(victim)).toEqual([]);
    expect(statSync(victim).mtimeMs).toBe(0);
  };

  it('the check once the folder is made: a folder swapped for a link before the write is refused, nothing made in its target', () => {
    const { root, cache } = layout();
    const [schema] = readCrdFiles([writeYaml(join(root, 'w2.yaml'), [widgetCrd()])]);
    const path = entryToWrite(cache, schema!); // checked: inside the cache
    // Then the folder is swapped for a link to a folder outside (what writeCache's checks used to miss).
    const { victim, aside } = swapForLink(root, cache);
    expect(() => writeEntry(cache, schema!, path, '{"new": true}\n')).toThrow(`would be written to ${path} ${REFUSED}`);
    untouched(victim); // without this check, the temporary file is made there (and removed at the second)
    expect(readdirSync(aside)).toEqual(['v1.json']);
    expect(JSON.parse(readFileSync(join(aside, 'v1.json'), 'utf8'))).toMatchObject({ version: 'v1' });
  });

  it('the check right before the rename: a folder swapped for a link once the temporary file is written is refused', () => {
    const { root, cache } = layout();
    const [schema] = readCrdFiles([writeYaml(join(root, 'w2.yaml'), [widgetCrd()])]);
    const path = entryToWrite(cache, schema!);
    let victim = '';
    // writeFileAtomically itself; the swap runs at its beforeRename, before writeEntry's check there.
    const swapBeforeRename: typeof writeFileAtomically = (file, text, options) =>
      writeFileAtomically(file, text, {
        ...options,
        beforeRename: () => {
          victim = swapForLink(root, cache).victim;
          options?.beforeRename?.();
        },
      });
    expect(() => writeEntry(cache, schema!, path, '{"new": true}\n', swapBeforeRename)).toThrow(
      `would be written to ${path} ${REFUSED}`, // without this check: ENOENT from the rename
    );
    untouched(victim);
    // What stays: the entry as it was, and the temporary file, in the folder moved aside (its
    // removal, too, resolved the path through the link: crd-cache-paths.ts says so).
    const aside = join(root, 'moved-aside');
    const left = readdirSync(aside).sort();
    expect(left).toHaveLength(2);
    expect(left[0]).toMatch(new RegExp(`^\\.v1\\.json\\.${process.pid}\\.[0-9a-f]{8}\\.tmp$`));
    expect(left[1]).toBe('v1.json');
    expect(readFileSync(join(aside, left[0]!), 'utf8')).toBe('{"new": true}\n');
    expect(JSON.parse(readFileSync(join(aside, 'v1.json'), 'utf8'))).toMatchObject({ version: 'v1' });
  });
});

describe('writing the cache: a link whose target climbs with .. after another link', () => {
  it('is refused by the path check (CrdPathError, not ENOENT) and nothing is made where the kernel leads', () => {
    // cache/b -> far/deep/z and cache/test.arcade-stack.dev -> b/../sub: node's JavaScript
    // realpathSync put the group folder at cache/sub (inside), while mkdir made far/deep/sub/Widget.
    const root = tempDir('crd-dotdot-');
    const cache = join(root, 'cache');
    const far = join(root, 'far', 'deep');
    mkdirSync(join(far, 'z'), { recursive: true });
    mkdirSync(join(far, 'sub'));
    mkdirSync(join(cache, 'sub'), { recursive: true });
    symlinkSync(join(far, 'z'), join(cache, 'b'));
    symlinkSync('b/../sub', join(cache, 'test.arcade-stack.dev'));
    markCache(cache); // a cache npm run crds filled (src/check/crd-cache-paths.ts CACHE_MARKER)
    const [schema] = readCrdFiles([writeYaml(join(root, 'w.yaml'), [widgetCrd()])]);
    const entry = join(cache, 'test.arcade-stack.dev', 'Widget', 'v1.json');
    expect(() => entryToWrite(cache, schema!)).toThrow(CrdPathError);
    expect(() => writeCache(cache, [schema!])).toThrow(CrdError);
    expect(() => writeCache(cache, [schema!])).toThrow(`would be written to ${entry}, outside the cache ${cache}`);
    expect(readdirSync(join(far, 'sub'))).toEqual([]);
    expect(readdirSync(join(cache, 'sub'))).toEqual([]);
  });
});
