// Whether a process is still running (and which one it is), for the tooling that leaves things behind named after the
// process that made them (synth's staging folders, the script bundles' generations and build lock)
// and removes them once that process is gone; and how the static checks tell a program a signal
// stopped (killedFix). Plain JavaScript so the launcher (launch.mjs) uses it
// without tsx.
import { readFileSync } from 'node:fs';

/**
 * Is a process with this id still running? (EPERM: it runs, under another user.)
 * @param {number} pid
 * @returns {boolean}
 */
export function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return /** @type {NodeJS.ErrnoException} */ (err).code === 'EPERM';
  }
}

/**
 * When the process `pid` started (/proc/<pid>/stat's starttime, in clock ticks since boot), or
 * undefined when it is gone or the system has no /proc: with the pid, it names one process, where
 * the pid alone may be a later process's that was given the same number.
 * @param {number} pid
 * @returns {string | undefined}
 */
export function startTime(pid) {
  let stat;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // `pid (comm) state ppid ...`: comm may hold spaces and parentheses; starttime is field 22.
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

/**
 * Is the process with this id, started at `start` (startTime), still running? A pid alive with
 * another start time is a later process given the same number. Without `start`, or where the
 * system cannot tell (no /proc), the pid alone decides.
 * @param {number} pid
 * @param {string} [start]
 */
export function running(pid, start) {
  if (!(Number.isSafeInteger(pid) && pid > 0 && alive(pid))) return false;
  const now = start === undefined ? undefined : startTime(pid);
  return now === undefined || now === start;
}

/**
 * How a check's program stopped by `signal` is told, with the fix: `killed by SIGKILL (fix: …)`
 * (src/tooling/static-checks.mjs, typecheck.mjs). SIGKILL is most often the kernel's out-of-memory
 * killer; any signal may also be a person's or a CI runner's.
 * @param {NodeJS.Signals} signal
 * @returns {string}
 */
export function killedFix(signal) {
  return (
    `killed by ${signal} (fix: run it again; if it is killed again, see whether the machine ran out of ` +
    'memory (dmesg, free -m) or what else stops it)'
  );
}
