/**
 * `npm run bundle -- --out`: the bundle writes two files beside its own, so only a file path is
 * taken (src/core/script.ts plainOutputFile). `-`, the process's streams, a device and a folder are
 * refused with exit 2 before anything is built or written, and so is a missing folder whose nearest
 * existing part is a file; a missing folder under a writable one is made (the Dockerfile's
 * `--out /out/probe-runner.mjs`, a fresh clone's `.build/`). The real /dev/stdout is never given as a
 * target: a link to it in a temporary folder is (refused by its name, never opened). That a link to a
 * file is followed is proven where the runner is built: test/tooling/probe-runner-bundle.test.ts.
 */
import { lstatSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main as bundleMain } from '../../scripts/bundle.js';
import { runMain } from '../support/run-script.js';
import { tempDir } from '../support/temp.js';

const FIX =
  '(fix: give a file path in a writable folder (a missing folder is made), e.g. --out .build/probe-runner.mjs)';
const USAGE = 'usage: npm run bundle -- --help\n';

describe('npm run bundle --out refuses what is not a file path, before any write', () => {
  it.each([
    ['-', '-', 'standard output cannot take the file'],
    ['a link to /dev/stdout', 'to-stdout', "leads to this process's file descriptor 1, not to a file"],
    ['a link to /dev/null', 'to-null', 'leads to /dev/null, a device, FIFO or terminal, not to a regular file'],
    ['a folder', 'folder', 'is a folder'],
    ['a file in a file', 'file/probe-runner.mjs', '{dir}/file is not a folder'],
    [
      'a missing folder under a file',
      'file/missing/deeper/probe-runner.mjs',
      '{dir}/file is not a folder, so {dir}/file/missing/deeper cannot be made',
    ],
  ])('%s: a usage error naming the fix (exit 2), nothing written', async (_, out, problem) => {
    const dir = tempDir('arcade-bundle-out-');
    symlinkSync('/dev/stdout', join(dir, 'to-stdout'));
    symlinkSync('/dev/null', join(dir, 'to-null'));
    mkdirSync(join(dir, 'folder'));
    writeFileSync(join(dir, 'file'), 'a file\n');
    const run = await runMain(bundleMain, ['--out', out], { cwd: dir });
    expect(run).toEqual({
      status: 2,
      stdout: '',
      stderr: `bundle: --out ${out}: ${problem.replaceAll('{dir}', dir)}; files are written beside it ${FIX}; ${USAGE}`,
    });
    // Nothing made or replaced: no file named -, no bundle, no list of inputs, no record; the links stay links.
    expect(readdirSync(dir).sort()).toEqual(['file', 'folder', 'to-null', 'to-stdout']);
    expect(statSync(join(dir, 'file')).isFile()).toBe(true);
    expect(readdirSync(join(dir, 'folder'))).toEqual([]);
    expect(lstatSync(join(dir, 'to-stdout')).isSymbolicLink()).toBe(true);
    expect(lstatSync(join(dir, 'to-null')).isSymbolicLink()).toBe(true);
  });
});

describe('npm run bundle --out a file in a missing folder', () => {
  it('makes the folders and writes the bundle there, its list of inputs and build record beside it', async () => {
    // A real build (a new place has no record yet): about 5 s of CPU, as the Dockerfile's first bundle.
    const dir = tempDir('arcade-bundle-out-');
    const run = await runMain(bundleMain, ['--out', 'missing/deeper/probe-runner.mjs'], { cwd: dir });
    const out = join(dir, 'missing', 'deeper', 'probe-runner.mjs');
    const mb = (statSync(out).size / 1e6).toFixed(1);
    expect(run).toEqual({
      status: 0,
      stdout: `bundle: wrote missing/deeper/probe-runner.mjs (${mb} MB); run it with: node ${out} --demo\n`,
      stderr: '',
    });
    expect(readdirSync(join(dir, 'missing', 'deeper')).sort()).toEqual([
      'probe-runner.mjs',
      'probe-runner.mjs.built-from.json',
      'probe-runner.mjs.inputs.json',
    ]);
  });
});
