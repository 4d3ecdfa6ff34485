/**
 * The report of a run and its files: `--json` (the shape the issue fixes), `--junit` (JUnit XML),
 * `--markdown` (for a pull request or an evaluation document), and the summary line that ends
 * every run, `N passed, N failed, N errors, N skipped, N known gaps`, the JSON summary's five
 * counts in words. What a person reads on the terminal is terminal.ts; where the files go and
 * how they are checked and written, report-files.ts.
 */
import { codeFence, codeSpan, markdownText } from '../core/markdown.js';
import { printable, printableCut } from '../core/printable.js';
import { CRITERIA, criteriaOf, criterionTitle, NOT_COVERED, type CriterionId } from './criteria.js';
import type { Evidence, ProbeCategory, ProbeReport, ProbeResult, ProbeStatus } from './types.js';

export function buildReport(
  environment: string,
  startedAt: Date,
  durationMs: number,
  results: readonly ProbeResult[],
  kubernetes?: ProbeReport['kubernetes'],
): ProbeReport {
  const count = (s: ProbeStatus) => results.filter((r) => r.status === s).length;
  return {
    environment,
    ...(kubernetes
      ? { kubernetes: { server: kubernetes.server, context: kubernetes.context, source: kubernetes.source } }
      : {}),
    startedAt: startedAt.toISOString(),
    durationMs,
    summary: {
      passed: count('pass'),
      failed: count('fail'),
      errors: count('error'),
      skipped: count('skip'),
      knownGaps: count('known-gap'),
    },
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

/** `N passed, N failed, N errors, N skipped, N known gaps`: the last line of every run, the JSON summary in words. */
export function summaryLine(report: ProbeReport): string {
  const s = report.summary;
  return `${s.passed} passed, ${s.failed} failed, ${s.errors} errors, ${s.skipped} skipped, ${s.knownGaps} known gaps`;
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
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: XML 1.0 cannot carry these characters; dropping them is the point
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

/**
 * Evidence as indented JSON, made printable line by line (JSON.stringify leaves C1 controls, U+2028
 * and bidi marks raw: evidence quotes servers; its own line ends are the layout's).
 */
function evidenceJson(evidence: Evidence): string {
  return JSON.stringify(evidence, null, 2).split('\n').map(printable).join('\n');
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/** JUnit XML: one testsuite per category, one testcase per probe (classname `probes.<category>`). */
export function toJunit(report: ProbeReport): string {
  const s = report.summary;
  const categories = [...new Set(report.results.map((r) => r.category))];
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="arcade probes ${xml(report.environment)}" ` +
      `tests="${report.results.length}" failures="${s.failed}" errors="${s.errors}" ` +
      `skipped="${s.skipped + s.knownGaps}" time="${seconds(report.durationMs)}" timestamp="${report.startedAt}">`,
  ];
  for (const category of categories) {
    const rs = report.results.filter((r) => r.category === category);
    const n = (st: ProbeStatus) => rs.filter((r) => r.status === st).length;
    lines.push(
      `  <testsuite name="${xml(category)}" tests="${rs.length}" failures="${n('fail')}" ` +
        `errors="${n('error')}" skipped="${n('skip') + n('known-gap')}" time="${seconds(rs.reduce((t, r) => Math.max(t, r.durationMs), 0))}">`,
    );
    for (const r of rs) {
      const open = `    <testcase classname="probes.${xml(r.category)}" name="${xml(r.id)}" time="${seconds(r.durationMs)}">`;
      const evidence = `      <system-out>${xml(`${r.title}\nattempts: ${r.attempts}\n${evidenceJson(r.evidence)}`)}</system-out>`;
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

const ICON: Record<ProbeStatus, string> = {
  pass: '✅ pass',
  fail: '❌ fail',
  error: '⛔ error',
  skip: '⏭️ skip',
  'known-gap': '⚠️ known-gap',
};
const CATEGORY: Record<ProbeCategory, string> = {
  deployment: 'deployment',
  observability: 'observability',
  gateway: 'functional gateway',
  security: 'security',
  performance: 'performance',
};

/** The `--otlp` delivery note (a paragraph), or nothing without `--otlp`. */
function deliveryNote(report: ProbeReport): string[] {
  const otlp = report.delivery?.otlp;
  if (!otlp) return [];
  return [
    otlp.status === 'delivered'
      ? `Metrics delivered to ${codeSpan(otlp.url)} (OTLP): ${markdownText(otlp.detail)}.`
      : `**Metrics not delivered** to ${codeSpan(otlp.url)} (OTLP): ${markdownText(otlp.detail)}. The results and the exit code are the probes', unchanged.`,
    '',
  ];
}

/**
 * Markdown ready to paste into a pull request or an evaluation document. Every text from outside
 * (details, evidence, the environment's and the cluster's names) goes in through
 * src/core/markdown.ts: it renders as itself, never as a link, an image, HTML or a new column.
 */
export function toMarkdown(report: ProbeReport): string {
  const out = [
    `## Arcade probes: ${markdownText(report.environment)}`,
    '',
    `${summaryLine(report)} in ${seconds(report.durationMs)} s, started ${report.startedAt}.`,
    ...(report.kubernetes
      ? [
          '',
          `Kubernetes: ${codeSpan(report.kubernetes.server)}, context ${codeSpan(report.kubernetes.context)}, from ${markdownText(report.kubernetes.source)}.`,
        ]
      : []),
    '',
    ...deliveryNote(report),
    '| Probe | Category | Status | Duration | Attempts | Detail |',
    '|---|---|---|---:|---:|---|',
    ...report.results.map(
      (r) =>
        `| \`${r.id}\` | ${CATEGORY[r.category]} | ${ICON[r.status]} | ${r.durationMs} ms | ${r.attempts} | ${markdownText(r.detail)} |`,
    ),
  ];
  const notable = report.results.filter((r) => r.status === 'fail' || r.status === 'error' || r.status === 'known-gap');
  if (notable.length > 0) {
    out.push('', '### Evidence of what did not pass', '');
    for (const r of notable) {
      const json = evidenceJson(r.evidence);
      const fence = codeFence(json);
      out.push(
        `<details><summary><code>${r.id}</code>: ${r.status}</summary>`,
        '',
        `${fence}json`,
        json,
        fence,
        '',
        '</details>',
        '',
      );
    }
  }
  out.push('', ...criteriaSection(report.results));
  return `${out.join('\n').trimEnd()}\n`;
}

/** Characters of evidence JSON quoted per probe in the criteria section: enough to see what was observed. */
export const EVIDENCE_EXCERPT = 200;

/** Evidence as one line of JSON, cut to EVIDENCE_EXCERPT characters, safe inside a code span. */
export function evidenceExcerpt(evidence: Evidence): string {
  // Printable (JSON.stringify leaves C1 controls raw), cut never inside an escape.
  return printableCut(JSON.stringify(evidence).replace(/`/g, "'"), EVIDENCE_EXCERPT);
}

/**
 * "Evidence by evaluation criterion": per criterion of the evaluation (criteria.ts), each probe of
 * this run that gives evidence for it, with its status, detail and an excerpt of its evidence. A
 * criterion no probe covers says why; one whose probes did not run (`--only`, `--skip`) says so.
 * The results were redacted by the runner, and the file is redacted again at its sink.
 */
function criteriaSection(results: readonly ProbeResult[]): string[] {
  const out = ['### Evidence by evaluation criterion', ''];
  for (const id of Object.keys(CRITERIA) as CriterionId[]) {
    out.push(`#### ${criterionTitle(id)}`, '');
    const notCovered = NOT_COVERED[id];
    const evidence = results.filter((r) => criteriaOf(r.id).includes(id));
    if (notCovered !== undefined) out.push(`Not covered by any probe: ${notCovered}.`);
    else if (evidence.length === 0) out.push('None of its probes ran in this run (--only, --skip).');
    for (const r of evidence) {
      out.push(
        `- \`${r.id}\` ${ICON[r.status]}: ${markdownText(r.detail)} (evidence: \`${evidenceExcerpt(r.evidence)}\`)`,
      );
    }
    out.push('');
  }
  return out;
}
