/**
 * vitest's global setup (vitest.config.ts `globalSetup`), in vitest's main process: the run's own
 * temporary folder, `$TMPDIR/arcade-test-run-<random>`, made before any worker starts and removed
 * after the last one ended. Every test folder (./temp.ts `tempDir`) is made inside it.
 *
 * Why not in the workers: vitest stops a worker with SIGTERM and SIGKILLs it 500 ms later, and a
 * worker that removed its own folders on SIGTERM needed seconds for a whole run's (about 350
 * folders, 5000 files), so most were left behind on every run (567 MB in /tmp after a dozen runs,
 * 2026-12-02).
 *
 * Why in the background: removing a run's files took 10-20 s of waiting on this VM's disk (ext4
 * mounted with `discard`, under load) for under 0.5 s of CPU, time nobody should wait for at the
 * end of `npm test`. A detached process does it after the run, also after an interrupted one; it
 * outlives vitest, and a folder it could not remove (the machine stopped, vitest SIGKILLed) is an
 * ordinary folder under the system temp folder.
 *
 * Only `tempDir`'s folders are inside it: product code the tests drive makes its own temporary
 * folders in the system temp folder (os.tmpdir()) and removes them itself, as it does for a user.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's temporary folder: every test folder is made inside it (./temp.ts). */
    arcadeTempRoot: string;
  }
}

/** Removes `folder` and everything in it from a detached node process, without waiting for it. */
export function removeInBackground(folder: string): void {
  const remover = spawn(
    process.execPath,
    // Retries: after an interrupt, a worker may still be writing into the folder for a moment (ENOTEMPTY).
    [
      '-e',
      'require("node:fs").rmSync(process.argv[1], { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })',
      folder,
    ],
    { detached: true, stdio: 'ignore' },
  );
  remover.unref();
}

export default function setup(project: TestProject): () => void {
  const root = mkdtempSync(join(tmpdir(), 'arcade-test-run-'));
  project.provide('arcadeTempRoot', root);
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    removeInBackground(root);
  };
  // An interrupted run (Ctrl-C, SIGTERM) never reaches the teardown: vitest's main process answers
  // either signal with process.exit(), which still emits 'exit', where a detached start works.
  process.once('exit', remove);
  return remove;
}
