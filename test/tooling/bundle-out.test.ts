/**
 * `npm run bundle -- --out`: the bundle writes two files beside its own, so only a file path is
 * taken (src/core/script.ts plainOutputFile). `-`, the process's streams, a device and a folder are
 * refused with exit 2 before anything is built or written. The real /dev/stdout is never given as a
 * target: a link to it in a temporary folder is (refused by its name, never opened). That a link to a
 * file is followed is proven where the runner is built: test/tooling/probe-runner-bundle.test.ts.
 */
import { lstatSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main as bundleMain } from '../../scripts/bundle.js';
import { runMain } from '../support/run-script.js';
import { tempDir } from '../support/temp.js';

const FIX = '(fix: give a file path in an existing, writable folder, e.g. --out .build/probe-runner.mjs)';
const USAGE = 'usage: npm run bundle -- --help\n';

describe('npm run bundle --out refuses what is not a file path, before any write', () => {
  it.each([
    ['-', '-', 'standard output cannot take the file'],
    ['a link to /dev/stdout', 'to-stdout', "leads to this process's file descriptor 1, not to a file"],
    ['a link to /dev/null', 'to-null', 'leads to /dev/null, a device, FIFO or terminal, not to a regular file'],
    ['a folder', 'folder', 'is a folder'],
    ['a file in a missing folder', 'missing/probe-runner.mjs', 'cannot write in {dir}/missing (ENOENT)'],
  ])('%s: a usage error naming the fix (exit 2), nothing written', async (_, out, problem) => {
    const dir = tempDir('arcade-bundle-out-');
    symlinkSync('/dev/stdout', join(dir, 'to-stdout'));
    symlinkSync('/dev/null', join(dir, 'to-null'));
    mkdirSync(join(dir, 'folder'));
    const run = await runMain(bundleMain, ['--out', out], { cwd: dir });
    expect(run).toEqual({
      status: 2,
      stdout: '',
      stderr: `bundle: --out ${out}: ${problem.replace('{dir}', dir)}; files are written beside it ${FIX}; ${USAGE}`,
    });
    // Nothing made or replaced: no file named -, no bundle, no list of inputs, no record; the links stay links.
    expect(readdirSync(dir).sort()).toEqual(['folder', 'to-null', 'to-stdout']);
    expect(readdirSync(join(dir, 'folder'))).toEqual([]);
    expect(lstatSync(join(dir, 'to-stdout')).isSymbolicLink()).toBe(true);
    expect(lstatSync(join(dir, 'to-null')).isSymbolicLink()).toBe(true);
  });
});
