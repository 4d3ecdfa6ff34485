/**
 * `export` without `--commit` interrupted once it has begun writing (docs/delivery.md
 * "Interrupted"): it finishes writing, ends 130 with one line, and the undo in it, pasted, leaves the
 * checkout as it was, after which the same export runs again.
 *
 * The window: without --commit no git runs while the export writes; its files are written by one
 * synchronous stretch (export-write.ts writePlan) between two turns of the event loop, and a signal is
 * handled only at a turn. To put the signal there, a `kubectl` first on PATH (the preview's, the last
 * program the export runs before it writes) makes a FIFO at the ownership record's path, the last
 * file the export writes: opening it for writing waits for a reader, so the export is held inside
 * that stretch (the export refuses a FIFO at a path it writes, src/delivery/target.ts blockedOnTheWay,
 * but checks before its preview: this one appears after). The test sees it held there (/proc/<pid>/wchan `wait_for_partner`, the kernel's wait
 * for a FIFO's other end), sends SIGINT to its process group as a terminal does, then reads the
 * record from the FIFO and puts it in place as the file the export meant to write.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, closeSync, constants, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { KUBECTL } from '../support/kubectl.js';
import { until } from '../support/process-alive.js';
import { scriptCommand, spawnScript } from '../support/spawn-script.js';
import { tempDir } from '../support/temp.js';
import { stagingArgs } from './staging-dist.js';
import { makeRepo, run, snapshot } from './support.js';

/** Where the kernel has the process `pid` wait ('' once it is gone). */
function wchan(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/wchan`, 'utf8');
  } catch {
    return '';
  }
}

/** Why this machine cannot show a process waiting to open a FIFO (undefined when it can). */
async function noFifoWait(): Promise<string | undefined> {
  const fifo = join(tempDir('wchan-'), 'fifo');
  execFileSync('mkfifo', [fifo]);
  const writer = spawn('sh', ['-c', 'echo x > "$0"', fifo]);
  const pid = writer.pid ?? 0;
  const seen = await until(() => wchan(pid) === 'wait_for_partner', 250);
  const said = wchan(pid);
  await readFile(fifo);
  return seen ? undefined : `/proc/<pid>/wchan shows no wait for a FIFO's reader (it said '${said}')`;
}
const NO_FIFO_WAIT = await noFifoWait();
if (NO_FIFO_WAIT) console.log(`[export-interrupt-uncommitted] skipped: ${NO_FIFO_WAIT}`);

/**
 * Opens `fifo`'s writing end and closes it at once, so a read waiting for a writer ends (with what
 * was written, or nothing); nothing to do when no one reads it (ENXIO) or it is a file again.
 */
function releaseFifo(fifo: string): void {
  try {
    closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENXIO') throw err;
  }
}

const ARGS = stagingArgs();
const EXPORT = join(REPO_ROOT, 'scripts/export.ts');

/** A kubectl that makes a FIFO at $ARCADE_TEST_FIFO (once), then runs the real one. */
function fifoKubectl(): string {
  const bin = tempDir('kubectl-fifo-');
  writeFileSync(
    join(bin, 'kubectl'),
    `#!/bin/sh\n[ -p "$ARCADE_TEST_FIFO" ] || mkfifo "$ARCADE_TEST_FIFO"\nPATH='${process.env.PATH ?? ''}' exec kubectl "$@"\n`,
  );
  chmodSync(join(bin, 'kubectl'), 0o755);
  return bin;
}

describe.skipIf(!KUBECTL || NO_FIFO_WAIT !== undefined)('export without --commit interrupted while it writes', () => {
  it.each([
    ['--repo the checkout', ''],
    ['--repo a folder inside the checkout (the undo names the top)', 'gitops'],
  ])('%s: it finishes, exit 130, one line whose undo, pasted, leaves the checkout as it was', async (_, inside) => {
    const top = await makeRepo({ [join(inside, 'apps/arcade/README.md')]: 'x\n' });
    const repo = join(top, inside);
    const folder = join(inside, 'apps/arcade');
    const record = join(top, folder, '.arcade-stack-export.json');
    const before = await snapshot(top);
    const env = { ...process.env, PATH: `${fifoKubectl()}:${process.env.PATH ?? ''}`, ARCADE_TEST_FIFO: record };
    const child = spawn(process.execPath, scriptCommand(EXPORT, ['--repo', repo, ...ARGS]), {
      cwd: REPO_ROOT,
      env,
      detached: true,
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    const ended = new Promise<number | null>((resolve) => child.on('close', resolve));
    const pid = child.pid ?? 0;
    let written: Buffer;
    try {
      // Held opening the record for writing: every manifest written, the record not yet (a hang
      // guard of 30 s, well inside the test's own timeout, so the finally below still runs).
      expect(await until(() => wchan(pid) === 'wait_for_partner' || child.exitCode !== null, 1500), stderr).toBe(true);
      expect(wchan(pid), stderr).toBe('wait_for_partner');
      process.kill(-pid, 'SIGINT');
      const reading = readFile(record);
      expect(await ended, stderr).toBe(130);
      // An export that ended without writing the record leaves this read waiting for a writer.
      releaseFifo(record);
      written = await reading;
    } finally {
      // On a failure above, the export may still wait for the FIFO's reader: end its group.
      if (child.exitCode === null && child.signalCode === null) process.kill(-pid, 'SIGKILL');
    }
    rmSync(record);
    writeFileSync(record, written);

    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    const shown = (await run(top, ['status', '--porcelain', '--untracked-files=all'])).trim().split('\n');
    expect(shown).toContain(`?? ${folder}/.arcade-stack-export.json`);
    expect(shown).toContain(`?? ${folder}/release.yaml`);
    const paths = shown.map((line) => line.slice(3)).sort();
    const undo = `git -C ${top} --literal-pathspecs clean -fq -- `;
    const said =
      'export: interrupted by SIGINT while the export wrote the checkout; it finished first, as it does once it has ' +
      `begun writing: its files are in ${folder}, uncommitted, as a run without --commit leaves them (fix: review ` +
      `them with git -C ${top} status; to undo them: ${undo}`;
    expect(lines[0]?.startsWith(said), lines[0]).toBe(true);
    expect(lines[0]?.endsWith(')'), lines[0]).toBe(true);
    // Every path the export wrote, its record included (all new: a first export), and no other.
    expect((lines[0] ?? '').slice(said.length, -1).split(' ').sort()).toEqual(paths);

    // Pasted from another folder, as a person would: the checkout is as it was.
    const fix = /; to undo them: (.*)\)$/.exec(lines[0] ?? '')?.[1] ?? '';
    execFileSync('sh', ['-c', fix], { cwd: tempDir('elsewhere-') });
    expect(await snapshot(top)).toEqual(before);
    const again = await spawnScript(EXPORT, ['--repo', repo, ...ARGS], { cwd: REPO_ROOT, env: process.env });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain('export: files left uncommitted for review');
  });
});
