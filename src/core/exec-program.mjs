// Plain JavaScript (types in exec-program.d.mts) so the test workers' program helper, a bare node
// (test/support/program-helper-child.mjs), runs this same code: see ./run-program.ts.
import { execFile } from 'node:child_process';

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
