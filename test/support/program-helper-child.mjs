/**
 * The program helper's own process (./program-helper.ts starts it): a bare node that runs each
 * program it is sent with src/core/exec-program.mjs, the same code src/core/run-program.ts's
 * `execFileLauncher` runs in process, and sends back how it ended. Plain JavaScript, so starting it
 * costs one node and nothing else (no TypeScript loader).
 */
import { execProgram } from '../../src/core/exec-program.mjs';

/**
 * Programs still running, by request id, each with the controller of its AbortSignal (the test
 * worker sends `{ abort: id }` when the request's own signal is aborted): killed if the test worker
 * goes away, so none outlives it (no child: execProgram could not start one, its end is on the way).
 */
const running = new Map();

process.on('message', (message) => {
  if (message.abort !== undefined) {
    // A run that ended already (its reply on the way) has nothing left to stop.
    running.get(message.abort)?.controller.abort();
    return;
  }
  const { id, file, args, options } = message;
  const controller = new AbortController();
  const child = execProgram(file, args, { ...options, signal: controller.signal }, (error, stdout, stderr) => {
    running.delete(id);
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
  running.set(id, { child, controller });
});

process.on('disconnect', () => {
  for (const { child } of running.values()) child?.kill('SIGKILL');
  process.exit(0);
});
