/**
 * The program helper's own process (./program-helper.ts starts it): a bare node that runs each
 * program it is sent with src/core/exec-program.mjs, the same code src/core/run-program.ts's
 * `execFileLauncher` runs in process, and sends back how it ended. Plain JavaScript, so starting it
 * costs one node and nothing else (no TypeScript loader).
 */
import { execProgram } from '../../src/core/exec-program.mjs';

/** Programs still running: killed if the test worker goes away, so none outlives it. */
const running = new Set();

process.on('message', ({ id, file, args, options }) => {
  const child = execProgram(file, args, options, (error, stdout, stderr) => {
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
  });
  running.add(child);
});

process.on('disconnect', () => {
  for (const child of running) child.kill('SIGKILL');
  process.exit(0);
});
