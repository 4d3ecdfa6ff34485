/**
 * Renders probe results: a live table on a terminal, plain lines in CI or when piped, and the
 * report files (`--json` in the shape the issue fixes, `--junit` JUnit XML, `--markdown` for a
 * pull request or an evaluation document). The last line printed is always
 * `N passed, N failed, N skipped` (failed = fail + error, skipped = skip + known-gap).
 */
import type { Probe, ProbeCategory, ProbeReport, ProbeResult, ProbeStatus } from './types.js';

export function buildReport(environment: string, startedAt: Date, durationMs: number, results: readonly ProbeResult[]): ProbeReport {
  const count = (s: ProbeStatus) => results.filter((r) => r.status === s).length;
  return {
    environment,
    startedAt: startedAt.toISOString(),
    durationMs,
    summary: { passed: count('pass'), failed: count('fail'), errors: count('error'), skipped: count('skip'), knownGaps: count('known-gap') },
    results: results.map((r) => ({
      id: r.id,
      category: r.category,
      title: r.title,
      status: r.status,
      durationMs: r.durationMs,
      attempts: r.attempts,
      detail: r.detail,
      evidence: r.evidence,
    })),
  };
}

/** `N passed, N failed, N skipped`: the last line of every run. */
export function summaryLine(report: ProbeReport): string {
  const s = report.summary;
  return `${s.passed} passed, ${s.failed + s.errors} failed, ${s.skipped + s.knownGaps} skipped`;
}

/** 1 when any probe failed or errored, else 0 (known gaps and skips allowed). */
export function exitCodeOf(report: ProbeReport): 0 | 1 {
  return report.summary.failed + report.summary.errors > 0 ? 1 : 0;
}

export function toJson(report: ProbeReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** XML 1.0 text: escapes markup and drops characters XML cannot carry. */
function xml(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/** JUnit XML: one testsuite per category, one testcase per probe (classname `probes.<category>`). */
export function toJunit(report: ProbeReport): string {
  const s = report.summary;
  const categories = [...new Set(report.results.map((r) => r.category))];
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="arcade probes ${xml(report.environment)}" tests="${report.results.length}" failures="${s.failed}" errors="${s.errors}" skipped="${s.skipped + s.knownGaps}" time="${seconds(report.durationMs)}" timestamp="${report.startedAt}">`,
  ];
  for (const category of categories) {
    const rs = report.results.filter((r) => r.category === category);
    const n = (st: ProbeStatus) => rs.filter((r) => r.status === st).length;
    lines.push(
      `  <testsuite name="${xml(category)}" tests="${rs.length}" failures="${n('fail')}" errors="${n('error')}" skipped="${n('skip') + n('known-gap')}" time="${seconds(rs.reduce((t, r) => Math.max(t, r.durationMs), 0))}">`,
    );
    for (const r of rs) {
      const open = `    <testcase classname="probes.${xml(r.category)}" name="${xml(r.id)}" time="${seconds(r.durationMs)}">`;
      const evidence = `      <system-out>${xml(`${r.title}\nattempts: ${r.attempts}\n${JSON.stringify(r.evidence, null, 2)}`)}</system-out>`;
      const message = xml(r.detail);
      const body =
        r.status === 'fail'
          ? `      <failure message="${message}" type="fail">${message}</failure>`
          : r.status === 'error'
            ? `      <error message="${message}" type="error">${message}</error>`
            : r.status === 'skip' || r.status === 'known-gap'
              ? `      <skipped message="${xml(`${r.status}: ${r.detail}`)}"/>`
              : undefined;
      lines.push(open, ...(body ? [body] : []), evidence, '    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>', '');
  return lines.join('\n');
}

const ICON: Record<ProbeStatus, string> = { pass: '✅ pass', fail: '❌ fail', error: '⛔ error', skip: '⏭️ skip', 'known-gap': '⚠️ known-gap' };
const CATEGORY: Record<ProbeCategory, string> = {
  deployment: 'deployment',
  observability: 'observability',
  gateway: 'functional gateway',
  security: 'security',
  performance: 'performance',
};

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Markdown ready to paste into a pull request or an evaluation document. */
export function toMarkdown(report: ProbeReport): string {
  const out = [
    `## Arcade probes: ${report.environment}`,
    '',
    `${summaryLine(report)} (${report.summary.errors} of the failed are errors, ${report.summary.knownGaps} of the skipped are known gaps) in ${seconds(report.durationMs)} s, started ${report.startedAt}.`,
    '',
    '| Probe | Category | Status | Duration | Attempts | Evidence |',
    '|---|---|---|---:|---:|---|',
    ...report.results.map(
      (r) => `| \`${r.id}\` | ${CATEGORY[r.category]} | ${ICON[r.status]} | ${r.durationMs} ms | ${r.attempts} | ${cell(r.detail)} |`,
    ),
  ];
  const notable = report.results.filter((r) => r.status === 'fail' || r.status === 'error' || r.status === 'known-gap');
  if (notable.length > 0) {
    out.push('', '### Evidence of what did not pass', '');
    for (const r of notable) {
      out.push(`<details><summary><code>${r.id}</code>: ${r.status}</summary>`, '', '```json', JSON.stringify(r.evidence, null, 2), '```', '', '</details>', '');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** Where the live output goes (a stream and whether it is a terminal). */
export interface Output {
  write(text: string): void;
}

const LABEL: Record<ProbeStatus, string> = { pass: 'PASS', fail: 'FAIL', error: 'ERROR', skip: 'SKIP', 'known-gap': 'GAP' };
const COLOR: Record<ProbeStatus, string> = { pass: '32', fail: '31', error: '31', skip: '90', 'known-gap': '33' };

function clip(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
}

/** Progress as the probes finish: plain lines (CI, pipes) or a table redrawn in place (terminal). */
export interface ProgressView {
  start(probe: Probe, index: number): void;
  result(result: ProbeResult, index: number): void;
  /** Final state (the table stays on screen; plain mode prints nothing more). */
  end(): void;
}

/** One line per finished probe: `PASS  flux.release-ready  deployment  120ms  detail`. */
export function plainView(out: Output): ProgressView {
  return {
    start: () => undefined,
    result: (r) => out.write(`${LABEL[r.status].padEnd(5)} ${r.id.padEnd(28)} ${r.category.padEnd(13)} ${`${r.durationMs}ms`.padStart(7)}  ${r.detail}\n`),
    end: () => undefined,
  };
}

/** A table of every probe, redrawn in place with ANSI cursor movement as results arrive. */
export function tableView(out: Output, probes: readonly Probe[], columns = 120): ProgressView {
  const rows: string[] = probes.map((p) => row(p.id, p.category, 'waiting', '', ''));
  let drawn = 0;
  function row(id: string, category: string, status: string, duration: string, detail: string, color?: string): string {
    const head = `${id.padEnd(28)} ${category.padEnd(13)} ${status.padEnd(7)} ${duration.padStart(7)}  `;
    const text = head + clip(detail, Math.max(10, columns - head.length - 1));
    return color ? text.replace(status.padEnd(7), `\u001b[${color}m${status.padEnd(7)}\u001b[0m`) : text;
  }
  function draw(): void {
    const up = drawn > 0 ? `\u001b[${drawn}F` : '';
    const header = `${'PROBE'.padEnd(28)} ${'CATEGORY'.padEnd(13)} ${'STATUS'.padEnd(7)} ${'TIME'.padStart(7)}  EVIDENCE`;
    out.write(`${up}${[header, ...rows].map((l) => `\u001b[2K${l}`).join('\n')}\n`);
    drawn = rows.length + 1;
  }
  draw();
  return {
    start(p, i) {
      rows[i] = row(p.id, p.category, 'running', '', '');
      draw();
    },
    result(r, i) {
      rows[i] = row(r.id, r.category, LABEL[r.status], `${r.durationMs}ms`, r.detail, COLOR[r.status]);
      draw();
    },
    end: () => undefined,
  };
}
