/**
 * Interrupts during `npm run synth`, with real signals to the real script, no timing assumed: the
 * environment file is a named pipe (FIFO), so the synth process is provably mid-run (blocked
 * reading it) when the test opens the pipe's other end; only then is the signal sent.
 *
 * - SIGINT: the child is stopped, the staging folder removed, exit 130 with "interrupted", and
 *   the previous output is exactly as it was.
 * - SIGKILL of npm run synth (cannot be trapped): the orphaned child writes nothing, and the next
 *   synth removes the staging folder the killed run left (that one in process: its command,
 *   test/support/run-script.ts; the signals need the real processes).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../scripts/synth.js';
import { ENVIRONMENTS_DIR } from '../../src/environments/load.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { DIST_MARKER, DIST_MARKER_TEXT } from '../../src/tooling/output-dir.js';
import { runMain } from '../support/run-script.js';
import { scriptCommand } from '../support/spawn-script.js';
import { tempDir } from '../support/temp.js';

const ENVIRONMENT = 'backstage-wus2-v4.yaml';

interface Running {
  readonly child: ChildProcess;
  /** Everything written to stdout and stderr, by the script and by the synth process it started. */
  readonly output: () => string;
  /** Resolves when the script and every process holding its output pipes have ended. */
  readonly closed: Promise<number | null>;
  /** Resolves when the script process itself has ended. */
  readonly exited: Promise<void>;
}

function startSynth(args: string[]): Running {
  const child = spawn(process.execPath, scriptCommand(join(REPO_ROOT, 'scripts', 'synth.ts'), args), {
    cwd: REPO_ROOT,
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { child, output: () => output, closed, exited };
}

/** A folder of environment files whose only file is a FIFO; and a last good output folder. */
function workspace() {
  const dir = tempDir('arcade-synth-signal-');
  const envs = join(dir, 'envs');
  mkdirSync(envs);
  execFileSync('mkfifo', [join(envs, ENVIRONMENT)]);
  const out = join(dir, 'dist');
  mkdirSync(join(out, 'backstage-wus2-v4'), { recursive: true });
  writeFileSync(join(out, DIST_MARKER), DIST_MARKER_TEXT);
  writeFileSync(join(out, 'backstage-wus2-v4', 'release.yaml'), 'last good output\n');
  return { dir, envs, out, fifo: join(envs, ENVIRONMENT) };
}

/** Opens the FIFO for writing: resolves once the synth process opened it for reading (it is mid-run). */
async function whenReading(fifo: string, run: Running) {
  let reading = false;
  const opening = open(fifo, 'w').then((handle) => {
    reading = true;
    return handle;
  });
  const ended = run.closed.then(async (code) => {
    if (reading) return opening;
    // Release the pending open (it holds a thread of the pool) by opening the read end ourselves.
    closeSync(openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK));
    await (await opening).close();
    throw new Error(`synth ended (exit ${code}) before reading the environment:\n${run.output()}`);
  });
  return Promise.race([opening, ended]);
}

describe('npm run synth under signals', () => {
  it('SIGINT stops the child, removes the staging folder, says interrupted (exit 130), keeps the output', async () => {
    const w = workspace();
    const run = startSynth(['--out', w.out, '--environments', w.envs]);
    const writer = await whenReading(w.fifo, run);
    expect(readdirSync(w.dir).sort()).toEqual(['dist', `dist.synth-${run.child.pid}`, 'envs']);
    run.child.kill('SIGINT');
    const code = await run.closed;
    await writer.close();
    expect(run.output()).toMatch(
      new RegExp(
        `synth: interrupted by SIGINT: stopped the synth process and removed dist\\.synth-${run.child.pid}; .*dist was left unchanged\\n$`,
      ),
    );
    expect(run.output()).not.toMatch(/timed out|unexpected error/);
    expect(code).toBe(130);
    expect(readdirSync(w.dir).sort()).toEqual(['dist', 'envs']);
    expect(readFileSync(join(w.out, 'backstage-wus2-v4', 'release.yaml'), 'utf8')).toBe('last good output\n');
  });

  it('SIGKILL: the orphaned child writes nothing, and the next synth removes the folder the killed run left', async () => {
    const w = workspace();
    const run = startSynth(['--out', w.out, '--environments', w.envs]);
    const writer = await whenReading(w.fifo, run);
    const staging = join(w.dir, `dist.synth-${run.child.pid}`);
    run.child.kill('SIGKILL');
    await run.exited;
    // The orphan gets a valid environment only now: it synthesizes, then must stop before writing.
    await writer.writeFile(readFileSync(join(ENVIRONMENTS_DIR, ENVIRONMENT)));
    await writer.close();
    await run.closed; // the orphan held the output pipes: they close when it ends
    expect(run.output()).toMatch(
      /synth: the process that started this synth \(pid \d+\) has gone; stopped before writing /,
    );
    expect(readdirSync(staging)).toEqual([]);

    rmSync(w.fifo);
    writeFileSync(join(w.envs, ENVIRONMENT), readFileSync(join(ENVIRONMENTS_DIR, ENVIRONMENT)));
    const next = await runMain(main, ['--out', w.out, '--environments', w.envs]);
    expect(next.stdout).toContain(`synth: removed dist.synth-${run.child.pid} (left by a run that was killed)\n`);
    expect(next.stderr).toBe('');
    expect(next.status).toBe(0);
    expect(readdirSync(w.dir).sort()).toEqual(['dist', 'envs']);
    expect(readdirSync(w.out).sort()).toEqual([DIST_MARKER, 'backstage-wus2-v4']);
  });
});
