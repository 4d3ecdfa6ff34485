// Plain JavaScript (types in exec-program.d.mts) so the test workers' program helper, a bare node
// (test/support/program-helper-child.mjs), runs this same code: see ./run-program.ts.
import { execFile, spawn } from 'node:child_process';

/**
 * Runs `file` with `args` by execFile as ./run-program.ts describes: `options.timeoutMs` then
 * SIGKILL, `options.maxBuffer`, `options.encoding`, its `cwd` and `env`, `options.input` written to
 * its stdin, which is then closed (at once when there is no input: nothing may wait on it), and
 * `options.signal`, whose abort kills it with SIGKILL too.
 * Returns the child (undefined when none could be started); `done` gets execFile's error (null when
 * it exited 0), stdout and stderr, also when execFile throws instead of starting the program (a
 * working folder that is a file: ENOTDIR), as it reports a start that fails later (ENOENT).
 */
export function execProgram(file, args, options, done) {
  if (options.detached) return execDetached(file, args, options, done);
  let child;
  try {
    child = execFile(
      file,
      [...args],
      {
        cwd: options.cwd,
        env: options.env,
        timeout: options.timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: options.maxBuffer,
        encoding: options.encoding,
        signal: options.signal,
      },
      done,
    );
  } catch (error) {
    const empty = options.encoding === 'buffer' ? Buffer.alloc(0) : '';
    process.nextTick(done, error, empty, empty);
    return undefined;
  }
  child.stdin?.end(options.input);
  return child;
}

/** The process groups of the detached programs still running: ended with this process (killDetachedGroups). */
const groups = new Set();
/** Told whenever a group is added or forgotten (watchDetachedGroups). */
const watchers = new Set();

/**
 * Calls `watcher` with whether any detached program's group is still running, each time one starts
 * or is forgotten; returns what stops it. src/core/script.ts interruptSignal keeps its second-signal
 * handlers only while one runs.
 */
export function watchDetachedGroups(watcher) {
  watchers.add(watcher);
  return () => watchers.delete(watcher);
}

/** Whether any detached program's group is still running. */
export function detachedGroupsRunning() {
  return groups.size > 0;
}

function told() {
  for (const watcher of [...watchers]) watcher(detachedGroupsRunning());
}

/**
 * SIGKILLs every process group a detached execProgram started that is still running: its program and
 * whatever that program started (a git hook, a helper) that stayed in its group. Out of a terminal's
 * reach, these would outlive this process: called when it exits (an export that failed) and by a
 * second SIGINT/SIGTERM (src/core/script.ts interruptSignal), which ends the process at once.
 */
export function killDetachedGroups() {
  for (const pid of groups) killGroup(pid);
}
process.on('exit', killDetachedGroups);

/**
 * SIGKILL to the group `pid` leads (a detached program leads its own group, which lasts while any of
 * its members does, a zombie too). When there is no such group nothing of ours is left: `pid` alone
 * is never signalled, as that number may since belong to another process (a review of 09c0324 saw
 * the bare pid of an exited, reaped program SIGKILLed).
 */
function killGroup(pid) {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {}
}

/** Forgets the group `pid` once none of its members is left (its number may then be reused). */
function forgetIfGone(pid) {
  try {
    process.kill(-pid, 0);
  } catch {
    if (groups.delete(pid)) told();
  }
}

/**
 * execProgram for a program started in a session of its own (spawn's `detached`: setsid), which
 * execFile does not pass on to spawn: the same contract (timeout then SIGKILL, maxBuffer, encoding,
 * input, signal) and the same error fields (`code`, `killed`, `signal`, `cmd`, `message`). A
 * terminal's Ctrl-C goes to its foreground process group, so it never reaches such a program: an
 * export's git that writes the checkout under a lock file ends as it would have, and the export
 * decides what the interrupt means (src/core/git.ts GitOptions.detached).
 * Its timeout, an abort and too much output SIGKILL its whole process group and close its output,
 * as execFile closes it: a child it started that holds the pipes (a git hook's `sleep &`) neither
 * keeps the call waiting nor outlives it, out of reach of Ctrl-C. The end is reported as execFile
 * reports it: at an abort or a failed start at once, otherwise when the program has exited.
 */
function execDetached(file, args, options, done) {
  const buffer = options.encoding === 'buffer';
  const cmd = [file, ...args].join(' ');
  const { signal } = options;
  let child;
  try {
    child = spawn(file, [...args], { cwd: options.cwd, env: options.env, detached: true });
  } catch (error) {
    const empty = buffer ? Buffer.alloc(0) : '';
    process.nextTick(done, error, empty, empty);
    return undefined;
  }
  if (child.pid !== undefined) {
    groups.add(child.pid);
    told();
  }
  const chunks = { stdout: [], stderr: [] };
  const sizes = { stdout: 0, stderr: 0 };
  let killed = false;
  let ended = false;
  // As execFile at its end: the output is closed, whoever else holds the pipes.
  const closeOutput = () => {
    child.stdout.destroy();
    child.stderr.destroy();
  };
  const kill = () => {
    closeOutput();
    killed = true;
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) killGroup(child.pid);
  };
  const timer = setTimeout(kill, options.timeoutMs);
  const text = (name) => (buffer ? Buffer.concat(chunks[name]) : Buffer.concat(chunks[name]).toString('utf8'));
  let failure;
  const end = (error) => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    done(error, text('stdout'), text('stderr'));
  };
  // As execFile's spawn: an abort kills it, and its AbortError is reported at once.
  function onAbort() {
    kill();
    end(
      Object.assign(new Error('The operation was aborted', { cause: signal.reason }), {
        name: 'AbortError',
        code: 'ABORT_ERR',
        cmd,
      }),
    );
  }
  if (signal?.aborted) process.nextTick(onAbort);
  else signal?.addEventListener('abort', onAbort, { once: true });
  for (const name of ['stdout', 'stderr'])
    child[name].on('data', (chunk) => {
      sizes[name] += chunk.length;
      // As execFile: what fits is kept, the error names the stream, and both streams are closed.
      if (sizes[name] > options.maxBuffer) {
        chunks[name].push(chunk.subarray(0, options.maxBuffer - (sizes[name] - chunk.length)));
        failure = Object.assign(new RangeError(`${name} maxBuffer length exceeded`), {
          code: 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER',
        });
        kill();
        return;
      }
      chunks[name].push(chunk);
    });
  // As execFile's: a start that failed (ENOENT) is the spawn's own error, reported at once.
  child.on('error', (error) => {
    closeOutput();
    end(Object.assign(error, { cmd }));
  });
  // A group is forgotten only once it is empty: at the program's exit (what it started may still hold
  // the pipes, and 'close' waits for them) and at 'close' (what it started may have closed them and
  // run on in its group, a hook's background job: that is killed with this process).
  child.on('exit', () => forgetIfGone(child.pid));
  child.on('close', (code, signalName) => {
    forgetIfGone(child.pid);
    if (failure) return end(Object.assign(failure, { cmd }));
    if (code === 0 && signalName === null) return end(null);
    end(
      Object.assign(new Error(`Command failed: ${cmd}\n${text('stderr')}`), { code, killed, signal: signalName, cmd }),
    );
  });
  child.stdin.on('error', () => {});
  child.stdin.end(options.input);
  return child;
}
