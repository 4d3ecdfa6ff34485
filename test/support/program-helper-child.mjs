/**
 * The program helper's own process (./program-helper.ts starts it): a bare node that runs each
 * program it is sent with node's execFile, the options exactly as src/core/run-program.ts's
 * `execFileLauncher` passes them, and sends back how it ended. Plain JavaScript, so starting it
 * costs one node and nothing else (no TypeScript loader).
 */
import { execFile } from 'node:child_process';

/** Programs still running: killed if the test worker goes away, so none outlives it. */
const running = new Set();

process.on('message', ({ id, file, args, options }) => {
  const child = execFile(
    file,
    args,
    {
      cwd: options.cwd,
      env: options.env,
      timeout: options.timeoutMs,
      killSignal: 'SIGKILL',
      maxBuffer: options.maxBuffer,
      encoding: options.encoding,
    },
    (error, stdout, stderr) => {
      running.delete(child);
      // An Error keeps only its message across the channel: the fields describeChildFailure reads go by name.
      const ended = error && {
        message: error.message,
        code: error.code,
        killed: error.killed,
        signal: error.signal,
        cmd: error.cmd,
      };
      process.send({ id, error: ended, stdout, stderr });
    },
  );
  running.add(child);
  child.stdin?.end(options.input);
});

process.on('disconnect', () => {
  for (const child of running) child.kill('SIGKILL');
  process.exit(0);
});
