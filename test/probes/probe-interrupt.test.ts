/**
 * Ctrl-C during `npm run probe -- --demo` (a real SIGINT to the real script, spawned as npm runs
 * it): the demo's temporary kubeconfig folder (it holds a loopback token) is removed, the command
 * says "interrupted by SIGINT" and exits 130 (src/probes/interrupted-run.ts). No timing assumed:
 * the child's TMPDIR is a folder of the test's own, and the signal is sent once the folder appears
 * there (the stand-ins are starting or the probes running; both end in the same cleanup). The run
 * cannot end first: it waits up to 600 s for a revision the demo's release never reaches
 * (`--wait 600 --revision 0000000`, retried until then), where a plain --demo ended in about 1.6 s,
 * sometimes before the signal (exit 0).
 */
import { spawn } from 'node:child_process';
import { readdirSync, watch } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { scriptCommand } from '../support/spawn-script.js';
import { tempDir } from '../support/temp.js';

const kubeFolders = (dir: string) => readdirSync(dir).filter((name) => name.startsWith('arcade-probe-kube-'));

/** Resolves when a kubeconfig folder is in `dir`; rejects if `ended` settles first. */
function whenAppears(dir: string, ended: Promise<unknown>, output: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const watcher = watch(dir, () => check());
    const check = () => {
      if (kubeFolders(dir).length === 0) return;
      watcher.close();
      resolve();
    };
    check();
    void ended.then(() => {
      watcher.close();
      reject(new Error(`probe ended before its kubeconfig folder appeared:\n${output()}`));
    });
  });
}

describe('npm run probe -- --demo under SIGINT', () => {
  it('removes the kubeconfig folder, says interrupted by SIGINT, exit 130', async () => {
    const tmp = tempDir('probe-sigint-');
    const child = spawn(
      process.execPath,
      scriptCommand(join(REPO_ROOT, 'scripts', 'probe.ts'), ['--demo', '--wait', '600', '--revision', '0000000']),
      {
        cwd: REPO_ROOT,
        env: { ...process.env, TMPDIR: tmp, CI: 'true' },
      },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await whenAppears(tmp, closed, () => output);
    child.kill('SIGINT');
    const code = await closed;
    expect({ code, folders: kubeFolders(tmp) }, output).toEqual({ code: 130, folders: [] });
    expect(output).toMatch(
      /^probe: interrupted by SIGINT: stopped the run; the demo's stand-ins were stopped and their kubeconfig folder removed; no report written$/m,
    );
    expect(output).not.toMatch(/\n\s+at /);
  });
});
