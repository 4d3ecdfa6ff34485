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

/**
 * execProgram for a program started in a session of its own (spawn's `detached`: setsid), which
 * execFile does not pass on to spawn: the same contract (timeout then SIGKILL, maxBuffer, encoding,
 * input, signal) and the same error fields (`code`, `killed`, `signal`, `cmd`, `message`). A
 * terminal's Ctrl-C goes to its foreground process group, so it never reaches such a program: an
 * export's git that writes the checkout under a lock file ends as it would have, and the export
 * decides what the interrupt means (src/core/git.ts GitOptions.detached).
 */
function execDetached(file, args, options, done) {
  const buffer = options.encoding === 'buffer';
  const cmd = [file, ...args].join(' ');
  let child;
  try {
    child = spawn(file, [...args], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      signal: options.signal,
      killSignal: 'SIGKILL',
    });
  } catch (error) {
    const empty = buffer ? Buffer.alloc(0) : '';
    process.nextTick(done, error, empty, empty);
    return undefined;
  }
  const chunks = { stdout: [], stderr: [] };
  const sizes = { stdout: 0, stderr: 0 };
  let killed = false;
  let tooMuch;
  let ended = false;
  const kill = () => {
    killed = true;
    child.kill('SIGKILL');
  };
  const timer = setTimeout(kill, options.timeoutMs);
  const text = (name) => (buffer ? Buffer.concat(chunks[name]) : Buffer.concat(chunks[name]).toString('utf8'));
  const end = (error) => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    done(error, text('stdout'), text('stderr'));
  };
  for (const name of ['stdout', 'stderr'])
    child[name].on('data', (chunk) => {
      if (tooMuch) return;
      sizes[name] += chunk.length;
      // As execFile: what fits is kept, and the error names the stream.
      if (sizes[name] > options.maxBuffer) {
        chunks[name].push(chunk.subarray(0, options.maxBuffer - (sizes[name] - chunk.length)));
        tooMuch = Object.assign(new RangeError(`${name} maxBuffer length exceeded`), {
          code: 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER',
        });
        kill();
        return;
      }
      chunks[name].push(chunk);
    });
  // As execFile's: a start that failed (ENOENT) or an abort (ABORT_ERR) is the spawn's own error.
  child.on('error', (error) => end(Object.assign(error, { cmd })));
  child.on('close', (code, signal) => {
    if (tooMuch) return end(Object.assign(tooMuch, { cmd }));
    if (code === 0 && signal === null) return end(null);
    end(Object.assign(new Error(`Command failed: ${cmd}\n${text('stderr')}`), { code, killed, signal, cmd }));
  });
  child.stdin.on('error', () => {});
  child.stdin.end(options.input);
  return child;
}
