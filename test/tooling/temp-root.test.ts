/**
 * The run's temporary folder (test/support/temp-root.ts): every test folder is made inside it, and
 * it is removed after the run by a detached process, so a run leaves nothing behind.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { removeInBackground } from '../support/temp-root.js';
import { tempDir } from '../support/temp.js';

/** Resolves once `path` is gone; the test's own timeout is the hang guard. */
async function gone(path: string): Promise<void> {
  while (existsSync(path)) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('the run temporary folder', () => {
  it('holds every test folder', () => {
    const root = inject('arcadeTempRoot');
    expect(dirname(tempDir('temp-root-'))).toBe(root);
    expect(root).toMatch(/arcade-test-run-[^/]+$/);
  });

  it('is removed whole, files and folders, by a detached process', async () => {
    const folder = tempDir('temp-root-remove-');
    mkdirSync(join(folder, 'repo', '.git', 'objects'), { recursive: true });
    writeFileSync(join(folder, 'repo', '.git', 'objects', 'a'), 'x');
    writeFileSync(join(folder, 'file'), 'y');
    removeInBackground(folder);
    await gone(folder);
    expect(existsSync(folder)).toBe(false);
  });
});
