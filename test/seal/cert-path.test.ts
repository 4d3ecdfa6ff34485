/**
 * `seal --cert <path>` given something that is not a readable file: one line naming the option
 * and the fix, exit 2 (it ended on "unexpected error (a bug…) EISDIR" for a folder, exit 1).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../scripts/seal.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { copyOfEnvironments } from './support.js';
import { tempDir } from '../support/temp.js';
import { runMain } from '../support/run-script.js';

describe('npm run seal -- --cert <a folder>', () => {
  it('is refused in one line, exit 2, before anything is read from stdin or written', async () => {
    const dir = copyOfEnvironments();
    const folder = tempDir('arcade-seal-cert-folder-');
    const args = ['--env', 'backstage-wus2-v4', '--secret', 'engine', '--key', 'root-key', '--cert', folder];
    const run = await runMain(main, [...args, '--environments', dir], {
      cwd: REPO_ROOT,
      env: { ...process.env, KUBECONFIG: join(REPO_ROOT, '.no-such-kubeconfig') },
      stdin: 'not-a-real-value',
    });
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe(
      `seal: --cert ${folder}: a folder, not a file (fix: give the path of the controller's certificate PEM file); usage: npm run seal -- --help`,
    );
  });
});
