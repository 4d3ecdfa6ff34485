/** Whether a process still runs, for tests that show a program stopped by its pid, never by elapsed time. */
import { readFileSync } from 'node:fs';

/**
 * Whether `pid` is a running process: false once it is gone, or a zombie (dead, not yet reaped: its
 * parent ended and the machine's init reaps it when it will).
 */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // Field 3 of /proc/<pid>/stat, after the command in parentheses, is the state: Z for a zombie.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Checks `condition` up to `checks` times, 20 ms apart, until it holds: whether it did. A bounded
 * number of checks, not a time limit asserted: a machine under load only makes it wait longer.
 */
export async function until(condition: () => boolean, checks = 500): Promise<boolean> {
  for (let i = 0; i < checks; i++) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
}
