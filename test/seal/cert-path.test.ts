/**
 * `seal --cert <path>` given something that is not a readable file: one line naming the option
 * and the fix, exit 2 (it ended on "unexpected error (a bug…) EISDIR" for a folder, exit 1; it
 * waited forever on a FIFO for a writer, and read /dev/zero until memory ran out).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../scripts/seal.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { copyOfEnvironments } from './support.js';
import { tempDir } from '../support/temp.js';
import { runMain } from '../support/run-script.js';
import { runBounded } from '../support/run-bounded.js';
import { SETTLE } from '../support/deadlines.js';
import { scriptCommand, type ScriptRun } from '../support/spawn-script.js';

/** `npm run seal -- <args>` as its own process, killed after SETTLE's timeout (a read that never ends: status null). */
function sealBounded(args: readonly string[]): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, scriptCommand(join(REPO_ROOT, 'scripts', 'seal.ts'), args), {
      cwd: REPO_ROOT,
      env: { ...process.env, KUBECONFIG: join(REPO_ROOT, '.no-such-kubeconfig') },
      timeout: SETTLE.timeout,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end('not-a-real-value');
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

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

describe('npm run seal -- --cert <not a regular file, or missing>', () => {
  it.each([
    ['a FIFO (no writer)', 'fifo', 'not a regular file'],
    ['/dev/zero', '/dev/zero', 'not a regular file'],
    ['a missing file', 'missing.pem', 'no such file'],
  ])('%s: refused in one line, exit 2', async (_what, name, problem) => {
    const dir = copyOfEnvironments();
    const folder = tempDir('arcade-seal-cert-special-');
    const cert = name.startsWith('/') ? name : join(folder, name);
    if (name === 'fifo') await runBounded(folder, 'mkfifo', [cert], 'mkfifo');
    const args = ['--env', 'backstage-wus2-v4', '--secret', 'engine', '--key', 'root-key', '--cert', cert];
    const run = await sealBounded([...args, '--environments', dir]);
    expect({ status: run.status, stderr: run.stderr.trim() }).toEqual({
      status: 2,
      stderr: `seal: --cert ${cert}: ${problem} (fix: give the path of the controller's certificate PEM file); usage: npm run seal -- --help`,
    });
  });
});
