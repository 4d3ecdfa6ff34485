/**
 * `--json /dev/fd/N` where N is one of node's own descriptors (its epoll, an eventfd, its signal
 * pipe) is refused before anything runs, exit 2 (docs/probes.md): writing there crashed node
 * (SIGSEGV, exit 139) or failed with EINVAL after the whole run. A descriptor the caller passed in
 * (a pipe at index 3 of the spawned script's stdio) still takes the report.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { descriptorRefusal } from '../../src/core/output-target.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { scriptCommand } from '../support/spawn-script.js';
import { tempDir } from '../support/temp.js';

interface Run {
  readonly status: number | null;
  readonly stderr: string;
  /** What the script wrote to descriptor 3, when it was passed one. */
  readonly fd3: string;
}

/** `npm run probe -- --demo --only endpoints.health --json /dev/fd/3`, fd 3 passed (a pipe) or not. */
function probeToFd3(pass: boolean): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      scriptCommand(join(REPO_ROOT, 'scripts', 'probe.ts'), [
        '--demo',
        '--only',
        'endpoints.health',
        '--json',
        '/dev/fd/3',
      ]),
      { cwd: REPO_ROOT, stdio: pass ? ['ignore', 'ignore', 'pipe', 'pipe'] : ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    let fd3 = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdio[3]?.on('data', (d: Buffer) => (fd3 += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stderr, fd3 }));
  });
}

describe('a report to /dev/fd/N', () => {
  it("node's own descriptor 3 (not passed in) is refused before the run, exit 2", async () => {
    const run = await probeToFd3(false);
    expect(run.stderr).toMatch(/--json \/dev\/fd\/3: descriptor 3 was not passed to this command \(it is node's own, /);
    expect(run.status).toBe(2);
  });

  it('a descriptor passed in (a pipe at index 3) takes the report, exit 0', async () => {
    const run = await probeToFd3(true);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.fd3)).toMatchObject({ environment: 'demo', summary: { passed: 1 } });
  });

  it("in this process: node's epoll and eventfd are refused, a file it opened is not, a closed one is not open", () => {
    const own = readdirSync('/proc/self/fd')
      .map(Number)
      .filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`).startsWith('anon_inode:');
        } catch {
          return false;
        }
      });
    expect(own.length).toBeGreaterThan(0);
    for (const fd of own) expect(descriptorRefusal(fd)).toMatch(/^descriptor \d+ was not passed to this command/);
    const fd = openSync(join(tempDir('own-descriptors-'), 'report.json'), 'w');
    expect(descriptorRefusal(fd)).toBeUndefined();
    closeSync(fd);
    expect(descriptorRefusal(fd)).toBe(`file descriptor ${fd} is not open`);
  });
});

describe("node's own pipe (both ends held here: libuv's signal pipe)", () => {
  it("is refused naming it as node's own", () => {
    const noop = () => {};
    process.on('SIGWINCH', noop); // libuv opens its signal pipe for the first signal handler
    try {
      const targets = new Map<number, string>();
      for (const n of readdirSync('/proc/self/fd').map(Number)) {
        try {
          targets.set(n, readlinkSync(`/proc/self/fd/${n}`));
        } catch {
          // closed between the listing and the read (readdirSync's own descriptor)
        }
      }
      const entries = [...targets];
      const own = entries
        .filter(([fd, t]) => t.startsWith('pipe:') && entries.some(([other, u]) => other !== fd && u === t))
        .map(([fd]) => fd);
      expect(own.length).toBeGreaterThan(0);
      for (const fd of own)
        expect(descriptorRefusal(fd)).toMatch(
          /^descriptor \d+ was not passed to this command \(it is node's own, pipe:/,
        );
    } finally {
      process.off('SIGWINCH', noop);
    }
  });
});
