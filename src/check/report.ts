/** Renders a gate report: one line per finding, exceptions and notes, then a summary line. */
import { describeObject, type Finding } from './finding.js';
import { errorsOf, type GateReport } from './gate.js';
import { printable } from '../core/printable.js';

/**
 * One finding as a terminal line. A finding quotes dist/ (an unresolved value's reason, a name, a
 * path), which quotes the environment files: what would act on a terminal is escaped
 * (src/core/printable.ts; an unresolved reason is capped where its finding is made, ./unresolved.ts).
 */
export function formatFinding(f: Finding): string {
  const where = `${f.file}${f.line ? `:${f.line}` : ''}`;
  const object = f.object ? ` ${describeObject(f.object)}` : '';
  const path = f.path ? ` ${f.path}` : '';
  const anchors = f.anchors && f.anchors.length > 0 ? ` {${f.anchors.join(', ')}}` : '';
  const line = `${f.severity === 'error' ? 'error  ' : 'warning'} ${where}${object}${path}: [${f.rule}] `;
  return printable(`${line}${f.message} (fix: ${f.fix})${anchors}`);
}

export function summaryLine(report: GateReport): string {
  const errors = errorsOf(report).length;
  const warnings = report.findings.length - errors;
  const s = report.stats;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return (
    `check: ${errors > 0 ? 'FAILED' : 'passed'}: ${plural(errors, 'error')}, ` +
    `${plural(warnings, 'warning')}, ${plural(report.excepted.length, 'exception')} ` +
    `(${plural(s.environments, 'environment')}, ${plural(s.objects, 'object')}, ` +
    `${plural(s.workloads, 'workload')}, ${plural(s.filesScanned, 'file')} scanned for secrets)`
  );
}

export function formatReport(report: GateReport, options: { readonly warnings?: boolean } = {}): string {
  const lines: string[] = [];
  for (const f of report.findings)
    if (f.severity === 'error' || (options.warnings ?? true)) lines.push(formatFinding(f));
  for (const e of report.excepted) {
    const f = e.finding;
    lines.push(
      `except  ${f.file}${f.line ? `:${f.line}` : ''}${f.object ? ` ${describeObject(f.object)}` : ''}` +
        `${e.exception.container ? ` container ${e.exception.container}` : ''}: ` +
        `[${f.rule}] excepted in src/check/exceptions.ts: ${e.exception.reason}`,
    );
  }
  for (const n of report.notes) lines.push(`note    ${n}`);
  lines.push(summaryLine(report));
  return lines.join('\n');
}

/** The report as JSON (for `--json <file>`). */
export function reportJson(report: GateReport): string {
  return `${JSON.stringify({ passed: errorsOf(report).length === 0, ...report }, null, 2)}\n`;
}
