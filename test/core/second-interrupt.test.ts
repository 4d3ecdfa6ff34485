/**
 * A second SIGINT/SIGTERM (src/core/script.ts interruptSignal): handled (the detached groups killed,
 * then the process ends) only while a detached program's group runs; outside that window it takes
 * its default action at once, also while the event loop is held. A real node process is signalled
 * twice; the loop is held by a synchronous wait of 20 s after which the process would print
 * `unblocked`: a second signal that waited for the loop shows as that line, never as elapsed time.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { alive, until } from '../support/process-alive.js';
import { tempDir } from '../support/temp.js';

/**
 * A node process with an interrupt signal that prints `ready`, then on the first signal `aborted`.
 * WHEN says when it then holds its loop (`blocked`, 20 s, `unblocked`): `abort` at once; `ended`
 * once the detached `sh -c $PROGRAM` it started first has ended; `started` never, but it starts
 * `sh -c $PROGRAM` detached then. Each line is written synchronously, so none waits for the loop.
 */
const CHILD = `
import { writeSync } from 'node:fs';
import { interruptSignal } from ${JSON.stringify(join(REPO_ROOT, 'src/core/script.ts'))};
import { execProgram } from ${JSON.stringify(join(REPO_ROOT, 'src/core/exec-program.mjs'))};
const say = (line) => writeSync(1, line + '\\n');
const hold = () => {
  say('blocked');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20000);
  say('unblocked');
};
const run = (done) =>
  execProgram('sh', ['-c', process.env.PROGRAM], { timeoutMs: 600000, maxBuffer: 1024, encoding: 'utf8', detached: true }, done);
const { signal } = interruptSignal();
const when = process.env.WHEN;
if (when === 'ended') run(() => { say('ended'); hold(); });
signal.addEventListener('abort', () => {
  say('aborted');
  if (when === 'abort') setImmediate(hold);
  if (when === 'started') run(() => {});
});
process.stdin.resume();
say('ready');
`;

function start(when: 'abort' | 'ended' | 'started', program = '') {
  const dir = tempDir('second-interrupt-');
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], {
    cwd: REPO_ROOT,
    env: { ...process.env, WHEN: when, PROGRAM: program, DIR: dir },
  });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  const said = async (line: string) => expect(await until(() => stdout.includes(`${line}\n`), 1500)).toBe(true);
  return { child, dir, ended, said, stdout: () => stdout };
}

describe('a second SIGINT/SIGTERM', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    'with no detached program running: %s ends the process at once, its loop held',
    async (signal) => {
      const run = start('abort');
      await run.said('ready');
      run.child.kill(signal);
      await run.said('blocked');
      run.child.kill(signal);
      expect(await run.ended).toEqual({ code: null, signal });
      expect(run.stdout()).toBe('ready\naborted\nblocked\n');
    },
  );

  it('once the detached program the first found running has ended: at once, its loop held', async () => {
    const run = start('ended', 'while [ ! -e "$DIR/go" ]; do sleep 0.05; done');
    await run.said('ready');
    run.child.kill('SIGINT');
    await run.said('aborted');
    writeFileSync(join(run.dir, 'go'), '');
    await run.said('blocked');
    run.child.kill('SIGINT');
    expect(await run.ended).toEqual({ code: null, signal: 'SIGINT' });
    expect(run.stdout()).toBe('ready\naborted\nended\nblocked\n');
  });

  it('while a detached program started after the first runs: handled, its group killed with the process', async () => {
    const run = start('started', 'sleep 60 & echo $! > "$DIR/pid"; wait');
    await run.said('ready');
    run.child.kill('SIGINT');
    const pidFile = join(run.dir, 'pid');
    expect(await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').endsWith('\n'), 1500)).toBe(true);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(alive(pid)).toBe(true);
    run.child.kill('SIGINT');
    expect(await run.ended).toEqual({ code: null, signal: 'SIGINT' });
    expect(await until(() => !alive(pid)), `the background sleep ${pid} is gone`).toBe(true);
  });
});
