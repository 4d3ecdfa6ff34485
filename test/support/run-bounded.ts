/**
 * A test fixture's own program run (git, its `sh`), started through runProgram, which the test
 * setup hands to the worker's small helper process (./program-helper.ts): the worker does not
 * fork itself for it, and is not blocked while it runs.
 */
import { timedOut } from '../../src/core/child-failure.js';
import { runProgram } from '../../src/core/run-program.js';
import { CHILD_TIMEOUT_MS } from './deadlines.js';

/** The most a fixture's program may print (execFileSync's default, which these runs had before). */
const MAX_OUTPUT = 1024 * 1024;

/**
 * `command <args>` in `cwd` (`input` on its stdin), its stdout; throws execFile's error (`Command
 * failed: <command>` and its stderr) when it fails. Bounded (CHILD_TIMEOUT_MS, then SIGKILL), so a
 * hung child ends the test with `shown` named, not at vitest's timeout with the child left running.
 */
export async function runBounded(
  cwd: string,
  command: string,
  args: readonly string[],
  shown: string,
  input?: string,
): Promise<string> {
  const { error, stdout } = await runProgram(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C' },
    timeoutMs: CHILD_TIMEOUT_MS,
    maxBuffer: MAX_OUTPUT,
    ...(input === undefined ? {} : { input }),
  });
  if (error === null) return stdout;
  if (timedOut({ error }))
    throw new Error(`${shown} in ${cwd}: still running after ${CHILD_TIMEOUT_MS / 1000} s, killed`);
  throw error;
}
