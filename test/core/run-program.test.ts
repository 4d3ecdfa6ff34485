/**
 * src/core/run-program.ts and the test workers' program helper (test/support/program-helper.ts):
 * every way a program can end gives the same end, and the same describeChildFailure message,
 * whether execFile runs in this process or in the helper. The suite's git and helm go through the
 * helper (test/support/setup.ts), so this is what keeps their tests true to the command line's
 * own path, which starts programs with execFile in its own process.
 */
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeChildFailure } from '../../src/core/child-failure.js';
import {
  execFileLauncher,
  type ProgramEnd,
  type ProgramLauncher,
  type ProgramRequest,
  runProgram,
} from '../../src/core/run-program.js';
import { ProgramHelper, workerHelper } from '../support/program-helper.js';
import { alive, until } from '../support/process-alive.js';
import { tempDir } from '../support/temp.js';

const helper = new ProgramHelper();
afterAll(() => helper.close());

const folder = realpathSync(tempDir('run-program-'));

function request(file: string, args: string[], options: Partial<ProgramRequest['options']> = {}): ProgramRequest {
  return {
    file,
    args,
    options: {
      env: { PATH: process.env.PATH ?? '' },
      cwd: folder,
      timeoutMs: 60_000,
      maxBuffer: 1024 * 1024,
      encoding: 'utf8',
      ...options,
    },
  };
}

/** What a caller can observe of an end: the fields describeChildFailure reads, the outputs, and its message. */
function seen(r: ProgramRequest, end: ProgramEnd<string | Buffer>) {
  const { error } = end;
  const stderr = end.stderr.toString();
  const failure = describeChildFailure(
    {
      command: `${r.file} ${r.args.join(' ')}`,
      program: r.file,
      cwd: r.options.cwd,
      timeoutMs: r.options.timeoutMs,
      maxBuffer: r.options.maxBuffer,
      timeoutFix: null, // each caller's own: not what this file tests
    },
    { error, stderr },
  );
  return {
    failed: error !== null,
    code: error?.code,
    killed: error?.killed,
    signal: error?.signal,
    stdout: end.stdout,
    stderr,
    buffers: Buffer.isBuffer(end.stdout) && Buffer.isBuffer(end.stderr),
    failure: error === null ? '' : failure,
  };
}

async function both(r: ProgramRequest) {
  const direct = seen(r, await execFileLauncher(r));
  const helped = seen(r, await helper.launch(r));
  expect(helped).toEqual(direct);
  return direct;
}

describe('runProgram: the same end through execFile here and through the helper', () => {
  it('a program that succeeds: its stdout and stderr', async () => {
    const end = await both(request('sh', ['-c', 'printf out; printf err >&2']));
    expect(end).toMatchObject({ failed: false, stdout: 'out', stderr: 'err' });
  });

  it('bytes stay bytes with encoding buffer, and the input reaches stdin', async () => {
    const end = await both(request('cat', [], { encoding: 'buffer', input: 'abc\n\u00e9' }));
    expect(end.buffers).toBe(true);
    expect(end.stdout).toEqual(Buffer.from('abc\n\u00e9'));
  });

  it('a non-zero exit: its code and stderr in the message', async () => {
    const end = await both(request('sh', ['-c', 'echo first >&2; echo last >&2; exit 3']));
    expect(end).toMatchObject({ failed: true, code: 3, killed: false, signal: null });
    expect(end.failure).toBe('sh -c echo first >&2; echo last >&2; exit 3 failed (exit 3): first / last');
  });

  it('a program that does not end in time is killed (a 60 s sleep against a 100 ms timeout)', async () => {
    const end = await both(request('sleep', ['60'], { timeoutMs: 100 }));
    expect(end).toMatchObject({ failed: true, killed: true, signal: 'SIGKILL' });
    expect(end.failure).toBe('sleep 60 timed out after 100 ms and was stopped');
  });

  it('more output than allowed stops it', async () => {
    const end = await both(request('head', ['-c', '5000', '/dev/zero'], { maxBuffer: 100 }));
    expect(end).toMatchObject({ failed: true, code: 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER' });
    expect(end.failure).toBe('head -c 5000 /dev/zero printed more than 100 bytes and was stopped');
  });

  it('a missing program, a working folder that does not exist, and one that is a file', async () => {
    const missing = await both(request('no-such-program-here', []));
    expect(missing).toMatchObject({ failed: true, code: 'ENOENT' });
    expect(missing.failure).toContain('no-such-program-here was not found on the PATH');
    const gone = await both(request('sh', ['-c', 'true'], { cwd: join(folder, 'gone') }));
    expect(gone.failure).toBe(`sh -c true could not start: its working folder ${join(folder, 'gone')} does not exist`);
    // execFile throws at once here instead of reporting (ENOTDIR): reported the same way, through both paths.
    const file = join(folder, 'a-file');
    writeFileSync(file, '');
    for (const encoding of ['utf8', 'buffer'] as const) {
      const notFolder = await both(request('sh', ['-c', 'true'], { cwd: file, encoding }));
      expect(notFolder).toMatchObject({
        failed: true,
        code: 'ENOTDIR',
        stdout: encoding === 'buffer' ? Buffer.alloc(0) : '',
      });
      expect(notFolder.failure).toBe(`sh -c true could not start: its working folder ${file} is not a folder`);
    }
  });

  it('an aborted run is stopped (a 60 s sleep), aborted while it runs or before it starts', async () => {
    for (const abortedFirst of [false, true]) {
      // A signal of its own for each path: aborted right after the start (the helper gets the run, then its abort).
      const stopped = async (launch: ProgramLauncher) => {
        const controller = new AbortController();
        if (abortedFirst) controller.abort();
        const r = request('sleep', ['60'], { signal: controller.signal });
        const ending = launch(r);
        controller.abort();
        return seen(r, await ending);
      };
      const direct = await stopped(execFileLauncher);
      expect(await stopped(helper.launch)).toEqual(direct);
      expect(direct).toMatchObject({ failed: true, code: 'ABORT_ERR', stdout: '' });
      expect(direct.failure).toBe('sleep 60 was interrupted and stopped');
    }
  });

  it('the environment and working folder it is given', async () => {
    const end = await both(
      request('sh', ['-c', 'printf "%s %s" "$ONLY_HERE" "$(pwd)"'], {
        env: { PATH: process.env.PATH ?? '', ONLY_HERE: 'yes' },
      }),
    );
    expect(end.stdout).toBe(`yes ${folder}`);
  });
});

describe("execProgram detached (the export's writing git): the same end as execFile, in a session of its own", () => {
  const cases: [string, ProgramRequest][] = [
    ['success', request('sh', ['-c', 'printf out; printf err >&2'])],
    ['bytes and input', request('cat', [], { encoding: 'buffer', input: 'abc\n\u00e9' })],
    ['a non-zero exit', request('sh', ['-c', 'echo first >&2; echo last >&2; exit 3'])],
    ['a timeout', request('sleep', ['60'], { timeoutMs: 100 })],
    ['too much output', request('head', ['-c', '5000', '/dev/zero'], { maxBuffer: 100 })],
    ['a missing program', request('no-such-program-here', [])],
    ['a working folder that does not exist', request('sh', ['-c', 'true'], { cwd: join(folder, 'gone') })],
  ];
  it.each(cases)('%s', async (_, r) => {
    const detached = { ...r, options: { ...r.options, detached: true } };
    expect(seen(detached, await execFileLauncher(detached))).toEqual(seen(r, await execFileLauncher(r)));
  });

  it('an abort, before it starts and right after: the same AbortError at once', async () => {
    for (const abortedFirst of [true, false]) {
      const stopped = async (detached: boolean) => {
        const controller = new AbortController();
        if (abortedFirst) controller.abort();
        const r = request('sleep', ['60'], { signal: controller.signal, detached });
        const ending = execFileLauncher(r);
        controller.abort();
        return seen(r, await ending);
      };
      expect(await stopped(true)).toEqual(await stopped(false));
    }
  });

  it('a timeout stops a child that holds its output too: its whole process group is killed', async () => {
    for (const abort of [false, true]) {
      const pidFile = join(folder, `background-${abort}`);
      const controller = new AbortController();
      const r = request('sh', ['-c', `sleep 60 & echo $! > ${pidFile}; wait`], {
        detached: true,
        ...(abort ? { signal: controller.signal } : { timeoutMs: 100 }),
      });
      const ending = execFileLauncher(r);
      if (abort) await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').endsWith('\n'));
      controller.abort();
      const end = seen(r, await ending);
      expect(end.failure).toBe(
        `sh -c ${r.args[1]} ${abort ? 'was interrupted and stopped' : 'timed out after 100 ms and was stopped'}`,
      );
      const pid = Number(readFileSync(pidFile, 'utf8'));
      expect(pid).toBeGreaterThan(0);
      expect(await until(() => !alive(pid)), `the background sleep ${pid} is gone`).toBe(true);
    }
  });

  it("an abort stops it; and it leads a session of its own (a terminal's Ctrl-C to our group misses it)", async () => {
    const controller = new AbortController();
    const r = request('sleep', ['60'], { signal: controller.signal, detached: true });
    const ending = execFileLauncher(r);
    controller.abort();
    expect(seen(r, await ending)).toMatchObject({
      failed: true,
      code: 'ABORT_ERR',
      failure: 'sleep 60 was interrupted and stopped',
    });
    // Field 6 of /proc/<pid>/stat is the session id: the shell's own pid when it leads one.
    const own = request('sh', ['-c', 'read -r _ _ _ _ _ sid _ < /proc/$$/stat; [ "$sid" = "$$" ] && echo own'], {
      detached: true,
    });
    expect((await execFileLauncher(own)).stdout).toBe('own\n');
    expect((await execFileLauncher({ ...own, options: { ...own.options, detached: false } })).stdout).toBe('');
  });
});

describe('the program helper', () => {
  const parentOf = async (launch: ProgramLauncher) =>
    Number((await launch(request('sh', ['-c', 'printf %s "$PPID"']))).stdout);

  it('starts the programs itself, not this process', async () => {
    expect(await parentOf(helper.launch)).toBe(helper.pid);
    expect(await parentOf(execFileLauncher)).toBe(process.pid);
  });

  it("is what the suite's runProgram uses (test/support/setup.ts), with this process's environment and folder of the moment", async () => {
    process.env.RUN_PROGRAM_TEST = 'now';
    try {
      const end = await runProgram('sh', ['-c', 'printf "%s %s %s" "$PPID" "$RUN_PROGRAM_TEST" "$(pwd)"'], {
        timeoutMs: 60_000,
        maxBuffer: 1024,
        encoding: 'utf8',
      });
      expect(end.stdout).toBe(`${workerHelper.pid} now ${process.cwd()}`);
      expect(workerHelper.pid).not.toBe(process.pid);
    } finally {
      delete process.env.RUN_PROGRAM_TEST;
    }
  });

  it('when it dies, what it ran ends with an error saying so, and the next request starts a new helper', async () => {
    const own = new ProgramHelper();
    try {
      const running = own.launch(request('sleep', ['60']));
      const first = own.pid;
      expect(first).toBeTypeOf('number');
      process.kill(first as number, 'SIGKILL');
      const end = await running;
      expect(end.error?.code).toBe('EHELPER');
      expect(end.error?.message).toBe(
        `the program helper (pid ${first}) was stopped by SIGKILL before the program ended`,
      );
      const again = await own.launch(request('sh', ['-c', 'printf again']));
      expect(again).toMatchObject({ error: null, stdout: 'again' });
      expect(own.pid).not.toBe(first);
    } finally {
      own.close();
    }
  });
});
