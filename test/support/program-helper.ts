/**
 * Starts the test workers' programs from a small process (src/core/run-program.ts says why: a fork
 * costs in proportion to the forking process's memory, and a worker holds 150-450 MB).
 *
 * `ProgramHelper` starts ./program-helper-child.mjs (a bare node, ~50 MB) on first use and hands it
 * each `runProgram` request over node's IPC channel (advanced serialization, so a Buffer output
 * stays bytes); the helper runs execFile with the same options and sends back the error's fields,
 * stdout and stderr, which are turned back into what execFile's callback gives. The request
 * carries the worker's environment and working folder of the moment (runProgram resolves both),
 * so a test that changes PATH or HOME is seen by the program as before. An AbortSignal cannot
 * cross the channel: the request goes without it, and its abort follows as a message of its own
 * (`{ abort: id }`) that aborts the same run in the helper, as execFile here would have.
 *
 * Lifetime: the channel keeps the worker alive only while a program runs; the helper exits when
 * the worker does (its channel closes) and kills what it still runs. If the helper dies, the
 * programs it was running end with an error that says so (code EHELPER, never a silent success),
 * and the next request starts a new helper.
 *
 * test/core/run-program.test.ts proves the contract: every way a program can end gives the
 * same end and the same describeChildFailure message through the helper as through execFile.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { ExecFileException } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ProgramEnd, ProgramRequest } from '../../src/core/run-program.js';

const CHILD = fileURLToPath(new URL('./program-helper-child.mjs', import.meta.url));

/** The error's fields as the helper sends them. */
interface SentError {
  readonly message: string;
  readonly code?: string | number;
  readonly killed?: boolean;
  readonly signal?: NodeJS.Signals | null;
  readonly cmd?: string;
}

interface Reply {
  readonly id: number;
  readonly error: SentError | null;
  readonly stdout: string | Uint8Array;
  readonly stderr: string | Uint8Array;
}

interface Pending {
  readonly encoding: 'utf8' | 'buffer';
  readonly resolve: (end: ProgramEnd<string | Buffer>) => void;
  /** Stops listening to the request's AbortSignal (its run ended). */
  readonly release: () => void;
}

/** IPC's structured clone turns a Buffer into a plain Uint8Array: give execFile's Buffer back. */
function output(value: string | Uint8Array): string | Buffer {
  return typeof value === 'string' ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

export class ProgramHelper {
  private child: ChildProcess | undefined;
  private readonly pending = new Map<number, Pending>();
  private next = 0;

  /** The helper's process id, once started (programs it starts have it as their parent). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** A `ProgramLauncher` (src/core/run-program.ts) that starts every program from the helper. */
  readonly launch = (request: ProgramRequest): Promise<ProgramEnd<string | Buffer>> => {
    const child = this.child ?? this.start();
    const id = this.next++;
    const { signal, ...options } = request.options;
    return new Promise((resolve) => {
      // The abort of this run, sent after its request: the helper starts the program, then stops it.
      const abort = () => {
        if (child.connected) child.send({ abort: id });
      };
      const release = () => signal?.removeEventListener('abort', abort);
      this.pending.set(id, { encoding: options.encoding, resolve, release });
      child.channel?.ref();
      // process.env is not a plain object: sent as one, as execFile would copy it.
      child.send({ id, file: request.file, args: [...request.args], options: { ...options, env: { ...options.env } } });
      if (signal?.aborted) abort();
      else signal?.addEventListener('abort', abort, { once: true });
    });
  };

  /** Ends the helper (the programs it still runs are killed); the next request starts a new one. */
  close(): void {
    this.child?.disconnect();
  }

  private start(): ChildProcess {
    const child = spawn(process.execPath, [CHILD], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    });
    this.child = child;
    child.unref();
    child.channel?.unref();
    child.on('message', (reply: Reply) => this.settle(reply));
    child.on('error', (error) => this.lost(child, `could not start: ${error.message}`));
    child.on('exit', (code, signal) =>
      this.lost(child, signal === null ? `exited with code ${code}` : `was stopped by ${signal}`),
    );
    return child;
  }

  private settle(reply: Reply): void {
    const waiting = this.pending.get(reply.id);
    if (waiting === undefined) return;
    this.pending.delete(reply.id);
    waiting.release();
    if (this.pending.size === 0) this.child?.channel?.unref();
    const error =
      reply.error === null ? null : (Object.assign(new Error(reply.error.message), reply.error) as ExecFileException);
    waiting.resolve({ error, stdout: output(reply.stdout), stderr: output(reply.stderr) });
  }

  /** The helper is gone: what it ran ends with an error that says so; the next request starts another. */
  private lost(child: ChildProcess, how: string): void {
    if (this.child !== child) return;
    this.child = undefined;
    for (const [id, waiting] of this.pending) {
      this.pending.delete(id);
      waiting.release();
      const empty = waiting.encoding === 'buffer' ? Buffer.alloc(0) : '';
      const error = Object.assign(new Error(`the program helper (pid ${child.pid}) ${how} before the program ended`), {
        code: 'EHELPER',
      });
      waiting.resolve({ error, stdout: empty, stderr: empty });
    }
  }
}

/** The one helper of this test worker (test files of a worker share it: vitest.config.ts `isolate: false`). */
export const workerHelper = new ProgramHelper();
