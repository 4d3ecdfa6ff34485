/**
 * `npm run synth -- --out d` where d is a symbolic link to nothing (src/tooling/output-dir.ts):
 * realPath counts such a link as a missing name, so it passed as a new folder, synth wrote its
 * staging folder beside it and the swap's rename onto the link failed with ENOTDIR, an "unexpected
 * error (a bug …)", the staging folder left behind. Now one line, exit 2, naming --out, the link,
 * where it points and the fix, before anything is made: at the end of the path, on its way, and
 * for a link whose target's folder exists (rename cannot replace a link with a folder either).
 * `npm run crds -- --cache <link to nothing>` failed the same way (mkdir ENOENT, an unexpected
 * error): refused the same way (scripts/crds.ts), and a loop of links there (an unexpected ELOOP
 * error before) is named a loop; without --cache the default is named as the default. One function
 * builds these refusals (src/core/unreachable-path.ts), and writeCache refuses such a cache itself
 * (it failed in mkdir, an unexpected error, for any caller but the script); the file outputs (--json and the like,
 * bundle's --out) refuse the same way: ./dangling-output-file.test.ts.
 */
import { mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { main as crds } from '../../scripts/crds.js';
import { synthCommand } from '../../scripts/synth.js';
import { CrdError, readCrdFiles, writeCache } from '../../src/check/crd-cache.js';
import { cacheLinkRefusal } from '../../src/check/crd-cache-paths.js';
import { VENDORED_CRDS } from '../../src/check/crd-places.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { runMain } from '../support/run-script.js';
import { tempDir } from '../support/temp.js';

const FIX = '; nothing was changed (fix: remove the link, or make the folder it points to, or give another folder)\n';

it('a symbolic link to nothing is refused in one line, exit 2, and nothing is made', async () => {
  const place = tempDir('synth-dangling-');
  const nowhere = join(place, 'gone', 'deeper');
  const missing = join(place, 'made-later');
  symlinkSync(nowhere, join(place, 'd'));
  symlinkSync(missing, join(place, 'e'));
  mkdirSync(join(place, 'keep'));
  const before = readdirSync(place).sort();
  const run = (out: string) => runMain(synthCommand(REPO_ROOT), ['--out', out], { cwd: place });
  const link = (name: string) => join(place, name);

  expect(Object.values(await run('d'))).toEqual([
    2,
    '',
    `synth: --out d: is a symbolic link to nothing (${link('d')} -> ${nowhere})${FIX}`,
  ]);
  expect(Object.values(await run('d/sub'))).toEqual([
    2,
    '',
    `synth: --out d/sub: passes through a symbolic link to nothing (${link('d')} -> ${nowhere})${FIX}`,
  ]);
  expect(Object.values(await run('e'))).toEqual([
    2,
    '',
    `synth: --out e: is a symbolic link to nothing (${link('e')} -> ${missing})${FIX}`,
  ]);
  expect(readdirSync(place).sort()).toEqual(before);
});

it('crds --cache: a symbolic link to nothing is refused in one line, exit 2, and nothing is made', async () => {
  const place = tempDir('crds-dangling-');
  const nowhere = join(place, 'gone', 'deeper');
  const cache = join(place, 'cache');
  symlinkSync(nowhere, cache);
  const run = await runMain(crds, ['--cache', cache], { cwd: place });
  expect(Object.values(run)).toEqual([
    2,
    '',
    `crds: --cache ${cache}: is a symbolic link to nothing (${cache} -> ${nowhere}); nothing was stored ` +
      '(fix: remove the link, or make the folder it points to, or give another folder)\n',
  ]);
  expect(readdirSync(place)).toEqual(['cache']);
});

it('crds --cache: a loop of symbolic links is named a loop, at the end of the path and on its way', async () => {
  const place = tempDir('crds-loop-');
  symlinkSync('b', join(place, 'a'));
  symlinkSync('a', join(place, 'b'));
  const loop = (cache: string, where: string) => [
    2,
    '',
    `crds: --cache ${cache}: ${where} a loop of symbolic links (${join(place, 'a')} -> b); nothing was stored ` +
      '(fix: remove the link, or point the link at a folder, or give another folder)\n',
  ];
  expect(Object.values(await runMain(crds, ['--cache', 'a'], { cwd: place }))).toEqual(loop(join(place, 'a'), 'is'));
  expect(Object.values(await runMain(crds, ['--cache', 'a/crds'], { cwd: place }))).toEqual(
    loop(join(place, 'a', 'crds'), 'passes through'),
  );
  expect(readdirSync(place).sort()).toEqual(['a', 'b']);
});

it('the refusal names the default cache as the default, and a trailing slash is the link itself', () => {
  const place = tempDir('crds-default-');
  const cache = join(place, 'crds');
  symlinkSync(join(place, 'gone'), cache);
  const refusal = (path: string, given: boolean) => cacheLinkRefusal(path, given ? 'option' : 'default');
  expect(refusal(cache, false)).toBe(
    `the default cache folder ${cache}: is a symbolic link to nothing (${cache} -> ${join(place, 'gone')}); ` +
      'nothing was stored (fix: remove the link, or make the folder it points to, or give another folder with ' +
      '--cache <dir>)',
  );
  expect(refusal(`${cache}/`, true)).toBe(
    `--cache ${cache}/: is a symbolic link to nothing (${cache} -> ${join(place, 'gone')}); nothing was stored ` +
      '(fix: remove the link, or make the folder it points to, or give another folder)',
  );
  expect(refusal(join(place, 'elsewhere'), true)).toBeUndefined();
});

it('writeCache refuses a cache folder that is a link to nothing or a loop itself, naming no option', () => {
  const place = tempDir('crds-library-');
  const nowhere = join(place, 'gone');
  symlinkSync(nowhere, join(place, 'cache'));
  symlinkSync('b', join(place, 'a'));
  symlinkSync('a', join(place, 'b'));
  const schemas = readCrdFiles([VENDORED_CRDS]).slice(0, 1);
  const cache = join(place, 'cache');
  expect(() => writeCache(cache, schemas)).toThrow(CrdError);
  expect(() => writeCache(cache, schemas)).toThrow(
    `the cache ${cache}: is a symbolic link to nothing (${cache} -> ${nowhere}); nothing was stored (fix: remove ` +
      'the link, or make the folder it points to, or give another folder)',
  );
  expect(() => writeCache(join(place, 'a', 'crds'), schemas)).toThrow(
    `the cache ${join(place, 'a', 'crds')}: passes through a loop of symbolic links (${join(place, 'a')} -> b); ` +
      'nothing was stored (fix: remove the link, or point the link at a folder, or give another folder)',
  );
  expect(readdirSync(place).sort()).toEqual(['a', 'b', 'cache']);
});
