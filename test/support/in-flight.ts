/**
 * What a test was waiting on when it failed, so a hang says WHERE instead of vitest's bare "Test
 * timed out in 120000ms". The loopback stand-ins mark each request they are serving as pending
 * (test/support/git-http.ts: every `git http-backend` with its pid; test/support/forge.ts), a test
 * marks its long steps ({@link step}); a test file that calls {@link reportInFlightOnFailure} gets,
 * on every failed test, one more error listing what was still pending (with its age) and every
 * process this test worker started that is still running: pid, state, what the kernel waits in
 * (`wchan`: `pipe_read`, `unix_stream_read`, `do_wait`...), command line, read from /proc.
 *
 * Nothing here ends a wait: the bounds are the product's own timeouts (src/core/git.ts, the forge
 * client) and vitest's test timeout (test/support/deadlines.ts). This only reports, so it cannot
 * make a slow run fail.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { beforeEach } from 'vitest';

interface Pending {
  readonly what: string;
  readonly since: number;
}

const pending = new Set<Pending>();

/** Marks `what` as pending until the returned function is called (calling it again does nothing). */
export function pendingWhile(what: string): () => void {
  const entry: Pending = { what, since: performance.now() };
  pending.add(entry);
  return () => pending.delete(entry);
}

/** Runs `work`, marked as pending under `what` until it settles. */
export async function step<T>(what: string, work: () => Promise<T>): Promise<T> {
  const done = pendingWhile(what);
  try {
    return await work();
  } finally {
    done();
  }
}

interface ProcessRow {
  readonly pid: number;
  readonly ppid: number;
  readonly state: string;
  readonly wchan: string;
  readonly command: string;
}

function readProcess(pid: number): ProcessRow | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // `pid (comm) state ppid ...`: comm may hold spaces and parentheses, so split after the last ')'.
    const [state = '?', ppid = '0'] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    let wchan = '';
    try {
      wchan = readFileSync(`/proc/${pid}/wchan`, 'utf8');
    } catch {
      // not readable on every kernel
    }
    return { pid, ppid: Number(ppid), state, wchan: wchan === '0' ? '' : wchan, command };
  } catch {
    return undefined; // it ended while the table was read
  }
}

/** Every running descendant of this process, as indented lines (parents first). */
function childProcesses(): string[] {
  if (!existsSync('/proc/self/stat')) return ['(no /proc here: processes not listed)'];
  const rows = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProcess(Number(name)))
    .filter((row): row is ProcessRow => row !== undefined);
  const lines: string[] = [];
  const walk = (parent: number, depth: number): void => {
    for (const row of rows.filter((r) => r.ppid === parent)) {
      const wait = row.wchan ? ` in ${row.wchan}` : '';
      lines.push(`${'  '.repeat(depth)}pid ${row.pid} (${row.state}${wait}): ${row.command.slice(0, 240)}`);
      walk(row.pid, depth + 1);
    }
  };
  walk(process.pid, 0);
  return lines;
}

/** What is pending now, oldest first, and the running child processes; empty when nothing is. */
export function describeInFlight(now = performance.now()): string {
  const items = [...pending]
    .sort((a, b) => a.since - b.since)
    .map((p) => `- ${p.what}, for ${((now - p.since) / 1000).toFixed(1)} s`);
  const children = childProcesses();
  if (items.length === 0 && children.length === 0) return '';
  return [
    ...(items.length > 0 ? ['still pending when the test failed:', ...items] : []),
    ...(children.length > 0 ? ['processes of this test worker still running:', ...children] : []),
  ].join('\n');
}

/**
 * For every test of the calling file: when it fails (a timeout included), one more error on it
 * naming what was in flight (describeInFlight), as vitest prints and its JSON report keeps.
 */
export function reportInFlightOnFailure(): void {
  beforeEach(({ onTestFailed }) => {
    onTestFailed(({ task }) => {
      const text = describeInFlight();
      if (text === '') return;
      task.result?.errors?.push({ name: 'InFlight', message: text, stack: `InFlight: ${text}` });
    });
  });
}
