/**
 * What one `npm test` run leaves for the test-time bench (./test-bench.ts) to read: the static
 * checks' times (src/tooling/static-checks.mjs) as phases, vitest's JSON report as the names of
 * the failing tests, and the last lines of its log.
 */
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';

/** A part of one run and its wall time. */
export interface Phase {
  readonly name: string;
  readonly ms: number;
}

/** The last non-empty lines of a log, for a reason that fits on a line or three. */
export function tail(text: string, lines = 3): string {
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter(Boolean)
    .slice(-lines)
    .join(' / ');
}

/**
 * The static checks' times file (src/tooling/static-checks.mjs) as phases; none when absent or
 * unreadable. A check the script did not run (its inputs unchanged since it passed) is named so,
 * `<name> (unchanged, not run)`, with the time it took to know that, never as a run.
 */
export function staticPhases(file: string): Phase[] {
  if (!existsSync(file)) return [];
  try {
    const times = JSON.parse(readFileSync(file, 'utf8')) as {
      wallMs?: number;
      checks?: { name?: string; ms?: number; skipped?: boolean }[];
    };
    const checks = (times.checks ?? []).filter(
      (c): c is Phase & { skipped?: boolean } => typeof c.name === 'string' && typeof c.ms === 'number',
    );
    return typeof times.wallMs === 'number'
      ? [
          ...checks.map(({ name, ms, skipped }) => ({ name: skipped ? `${name} (unchanged, not run)` : name, ms })),
          { name: 'static checks (side by side)', ms: times.wallMs },
        ]
      : [];
  } catch {
    return [];
  }
}

/**
 * The failing tests of a vitest JSON report, as `<file> > <full title>` (a file that failed
 * without a failing test, e.g. an import error, as `<file>: <its message's first line>`); empty
 * when there is no readable report.
 */
export function failingTests(reportFile: string, root: string): string[] {
  if (!existsSync(reportFile)) return [];
  let report: {
    testResults?: {
      name?: string;
      status?: string;
      message?: string;
      assertionResults?: { status?: string; fullName?: string }[];
    }[];
  };
  try {
    report = JSON.parse(readFileSync(reportFile, 'utf8')) as typeof report;
  } catch {
    return [];
  }
  return (report.testResults ?? []).flatMap((file) => {
    const name = file.name ? relative(root, file.name) : '(a test file)';
    const tests = (file.assertionResults ?? [])
      .filter((t) => t.status === 'failed')
      .map((t) => `${name} > ${t.fullName ?? '(untitled)'}`);
    if (tests.length > 0 || file.status !== 'failed') return tests;
    return [`${name}: ${(file.message ?? 'failed').split('\n')[0]}`];
  });
}
