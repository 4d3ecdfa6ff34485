/**
 * `npm run probe -- --demo | head -1`: the reader of stdout goes after the first line. The probe
 * ends as it would have (exit 0, the demo is healthy), with no trace on stderr (EPIPE ends only the
 * writing: src/core/script.ts quietOnClosedOutput, through runCommand), and leaves no temporary
 * folder behind: neither the demo's kubeconfig (it holds the loopback token) nor its targets.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { scriptCommand } from '../support/spawn-script.js';
import { tempDir } from '../support/temp.js';

it('probe --demo with its stdout closed after the first line: exit 0, no trace, no temporary folder left', async () => {
  const tmp = tempDir('probe-closed-stdout-');
  const { status, stderr, first } = await new Promise<{ status: number | null; stderr: string; first: string }>(
    (resolve, reject) => {
      const child = spawn(process.execPath, scriptCommand(join(REPO_ROOT, 'scripts', 'probe.ts'), ['--demo']), {
        cwd: REPO_ROOT,
        env: { ...process.env, TMPDIR: tmp, CI: 'true' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let err = '';
      let line = '';
      child.stdout.once('data', (d: Buffer) => {
        line = d.toString().split('\n')[0] ?? '';
        child.stdout.destroy(); // as `head -1` exits
      });
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ status: code, stderr: err, first: line }));
    },
  );
  expect(first).toMatch(/^Starting loopback stand-ins/);
  expect(stderr).toBe('');
  expect(status).toBe(0);
  expect(readdirSync(tmp).filter((n) => n.startsWith('arcade-probe-'))).toEqual([]);
});
