/**
 * The run's temporary folder (test/support/temp-root.ts): every test folder is made inside it, and
 * it is removed after the run by a detached process, so a run leaves nothing behind.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { TEST_RUN_FOLDER_PREFIX } from '../../src/bench/test-floor.js';
import { runProgram } from '../../src/core/run-program.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { CHILD_TIMEOUT_MS } from './deadlines.js';
import { removeInBackground } from './temp-root.js';
import { tempDir } from './temp.js';

/**
 * A node process that runs the global setup as vitest's main process does, writes into the run's
 * folder, prints it, and ends as vitest ends on Ctrl-C or SIGTERM: process.exit() before the
 * teardown (vitest's cli-api addCleanupListeners).
 */
const INTERRUPTED_RUN = `
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
const { default: setup } = await import(process.argv[1]);
let root;
setup({ provide: (_key, value) => { root = value; } });
writeFileSync(join(root, 'written-during-the-run'), 'x');
process.stdout.write(root);
process.exit(130);
`;

/** Resolves once `path` is gone; the test's own timeout is the hang guard. */
async function gone(path: string): Promise<void> {
  while (existsSync(path)) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('the run temporary folder', () => {
  it('holds every test folder', () => {
    const root = inject('arcadeTempRoot');
    expect(dirname(tempDir('temp-root-'))).toBe(root);
    // Named as the bench looks for it: the floor after a run waits for its removal (src/bench/test-bench.ts).
    expect(basename(root)).toMatch(new RegExp(`^${TEST_RUN_FOLDER_PREFIX}.+$`));
    expect(dirname(root)).toBe(tmpdir());
  });

  it('is removed whole, files and folders, by removeInBackground', async () => {
    const folder = tempDir('temp-root-remove-');
    mkdirSync(join(folder, 'repo', '.git', 'objects'), { recursive: true });
    writeFileSync(join(folder, 'repo', '.git', 'objects', 'a'), 'x');
    writeFileSync(join(folder, 'file'), 'y');
    removeInBackground(folder);
    await gone(folder);
    expect(existsSync(folder)).toBe(false);
  });

  it('is removed also when the run is interrupted and never reaches its teardown', async () => {
    const tmp = tempDir('temp-root-interrupted-');
    const setupFile = pathToFileURL(join(REPO_ROOT, 'test', 'support', 'temp-root.ts')).href;
    const run = await runProgram(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', INTERRUPTED_RUN, setupFile],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, TMPDIR: tmp },
        encoding: 'utf8',
        timeoutMs: CHILD_TIMEOUT_MS,
        maxBuffer: 1 << 20,
      },
    );
    expect(run.error?.code, run.stderr).toBe(130);
    const root = run.stdout;
    expect(dirname(root)).toBe(tmp);
    await gone(root);
    expect(existsSync(root)).toBe(false);
  });
});
