/**
 * One `npm test` run for the test-time bench (./test-bench.ts): its wall time, the load average as
 * it started and ended, and its phases; or why it failed, with the failing tests named.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { failingTests, staticPhases, tail, type Phase } from './test-run-report.js';

/**
 * One run of the command: wall time, the 1-minute load average as it started and ended, and its
 * phases (empty when the command wrote no static-check times).
 */
export interface TestRunSample {
  readonly ms: number;
  readonly loadStart: number;
  readonly loadEnd: number;
  readonly phases: readonly Phase[];
}

/** A run that failed: why, with the failing tests named when vitest's report has them. */
export interface FailedRun {
  readonly failed: string;
  /** The phases of the failed run, when it got as far as writing them. */
  readonly phases: readonly Phase[];
}

/** `npm test` through the npm CLI that runs `npm run bench` (npm_execpath), else npm from the PATH. */
export function npmTestCommand(env: NodeJS.ProcessEnv = process.env): string[] {
  const npm = env.npm_execpath;
  return npm && /npm-cli\.[cm]?js$/.test(npm) ? [process.execPath, npm, 'test'] : ['npm', 'test'];
}

/**
 * Runs `command` in `cwd` with `env`, output to a file, with vitest's JSON reporter added as
 * `.ci/run` adds it (`-- --reporter=default --reporter=json --outputFile.json=<file>`) and the
 * static checks' times asked for. Resolves with the sample, or with why the run failed (its exit
 * code, its failing tests, else its last lines) and the fix, which names the folder in
 * `keepFailedIn` that keeps its output and vitest report. A run past `timeoutMs` is stopped whole
 * (SIGKILL to its process group) and fails, saying so.
 */
export async function timeCommand(
  command: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  /** Where a failed run's output and vitest report are kept. @default the system's temporary folder */
  keepFailedIn = tmpdir(),
): Promise<TestRunSample | FailedRun> {
  const [file, ...args] = command;
  if (!file) return { failed: 'bench: no command to run', phases: [] };
  const logDir = mkdtempSync(join(keepFailedIn, 'arcade-bench-tests-log-'));
  const log = join(logDir, 'output.log');
  const vitestReport = join(logDir, 'vitest.json');
  const staticTimes = join(logDir, 'static-checks.json');
  const fd = openSync(log, 'w');
  const loadStart = loadavg()[0] ?? 0;
  const started = performance.now();
  // A failed run's output and vitest report are kept (and named in the reason): a failure seen
  // only under the bench's load is otherwise lost with its evidence.
  let keep = false;
  try {
    let timedOut = false;
    const end = await new Promise<{ code: number | null; signal: NodeJS.Signals | null } | Error>((resolve) => {
      // Its own process group (POSIX), so that a run past its time is stopped whole: npm passes a
      // signal to the shell of `npm test`, which ends without passing it on, and the static checks
      // and vitest, orphaned, would go on beside the next measured run.
      const group = process.platform !== 'win32';
      const child = spawn(
        file,
        [...args, '--', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestReport}`],
        { cwd, env: { ...env, ARCADE_STATIC_CHECKS_TIMES: staticTimes }, stdio: ['ignore', fd, fd], detached: group },
      );
      const signalAll = (signal: NodeJS.Signals) => {
        try {
          if (group && child.pid !== undefined) process.kill(-child.pid, signal);
          else child.kill(signal);
        } catch {
          // already gone
        }
      };
      // In its own group the run no longer gets the terminal's Ctrl-C: pass a signal to the bench
      // on to it, then end as that signal ends a process (the listener is gone once it ran).
      const passOn = (signal: NodeJS.Signals) => {
        signalAll(signal);
        process.kill(process.pid, signal);
      };
      process.once('SIGINT', passOn);
      process.once('SIGTERM', passOn);
      const timer = setTimeout(() => {
        timedOut = true;
        signalAll('SIGKILL');
      }, timeoutMs);
      const settle = (value: { code: number | null; signal: NodeJS.Signals | null } | Error) => {
        clearTimeout(timer);
        process.off('SIGINT', passOn);
        process.off('SIGTERM', passOn);
        resolve(value);
      };
      child.on('error', settle);
      child.on('close', (code, signal) => settle({ code, signal }));
    });
    const ms = performance.now() - started;
    if (end instanceof Error)
      return {
        // The command is npm test (npmTestCommand): npm from the PATH unless npm run bench started the bench.
        failed:
          `bench: ${command.join(' ')} could not start (${end.message}) ` +
          '(fix: start the bench with npm run bench, whose own npm then runs the tests)',
        phases: [],
      };
    const staticPart = staticPhases(staticTimes);
    const sideBySide = staticPart.at(-1)?.ms;
    // vitest is the rest of the run (with npm's own start, a fraction of a second).
    const phases =
      sideBySide === undefined || !existsSync(vitestReport)
        ? staticPart
        : [...staticPart, { name: 'vitest', ms: Math.max(0, ms - sideBySide) }];
    if (end.code === 0 && !timedOut) return { ms, loadStart, loadEnd: loadavg()[0] ?? 0, phases };
    const why = timedOut
      ? `over ${timeoutMs / 1000} s: stopped, with every process it started`
      : end.code === null
        ? `killed by ${end.signal}`
        : `exit code ${end.code}`;
    const tests = failingTests(vitestReport, cwd);
    const detail =
      tests.length > 0 ? `${tests.length} failing test(s): ${tests.join('; ')}` : tail(readFileSync(log, 'utf8'));
    const fix = timedOut
      ? `its output, kept in ${logDir}, ends where the run hung: run that test or check alone to see why it never ends`
      : `make it pass (its output is kept in ${logDir})`;
    keep = true;
    const said = detail === '' ? '' : `: ${detail}`;
    return { failed: `${command.join(' ')} failed (${why})${said} (fix: ${fix})`, phases };
  } finally {
    closeSync(fd);
    if (!keep) rmSync(logDir, { recursive: true, force: true });
  }
}

/** Whether a run failed. */
export const failedRun = (run: TestRunSample | FailedRun): run is FailedRun => 'failed' in run;
