/**
 * The report as a person reads it on a terminal or in a CI log: one block per probe (status,
 * id, category, time, then the detail beside the row or under it), then the evidence of what did
 * not pass (YAML on a terminal, one JSON line per result without one), laid out for a width or
 * unwrapped. The views that print it while the probes run are terminal.ts.
 */
import { stringify } from 'yaml';
import { printable } from '../core/printable.js';
import type { ProbeResult, ProbeStatus } from './types.js';

/** Fewer columns than this for the detail beside a row puts it under the row instead. */
const MIN_DETAIL_COLUMNS = 40;

const LABEL: Record<ProbeStatus, string> = {
  pass: 'PASS',
  fail: 'FAIL',
  error: 'ERROR',
  skip: 'SKIP',
  'known-gap': 'GAP',
};
const SGR: Record<ProbeStatus, string> = { pass: '32', fail: '31', error: '31', skip: '90', 'known-gap': '33' };

/** How text is laid out: a width to wrap to (a terminal), or none (one line per result). */
export interface Layout {
  readonly width?: number;
  readonly color: boolean;
  /** `text` as lines of at most `columns` (by display width); unwrapped: one line. */
  wrap(text: string, columns: number): string[];
}

/** No width: nothing is wrapped (CI logs, pipes, files). */
export function unwrapped(color: boolean): Layout {
  return { color, wrap: (text) => [text] };
}

/** Wrapping to `width` columns (wrap-ansi, loaded on first use). */
export async function wrapping(width: number, color: boolean): Promise<Layout> {
  const { default: wrapAnsi } = await import('wrap-ansi');
  return {
    width,
    color,
    wrap: (text, columns) => wrapAnsi(text, Math.max(1, columns), { hard: true, trim: true }).split('\n'),
  };
}

/** Whitespace runs (newlines included) as one space: a detail is one paragraph. */
export const flat = (text: string) => text.replace(/\s+/g, ' ').trim();

function label(status: ProbeStatus | 'waiting' | 'running', color: boolean): string {
  const text = (status === 'waiting' ? 'wait' : status === 'running' ? 'run' : LABEL[status]).padEnd(STATUS);
  return color && status !== 'waiting' && status !== 'running' ? `\u001b[${SGR[status]}m${text}\u001b[39m` : text;
}

/** Column widths of the rows for these probes. */
interface Columns {
  readonly id: number;
  readonly category: number;
}

export function columnsFor(probes: readonly { id: string; category: string }[]): Columns {
  return {
    id: Math.max(24, ...probes.map((p) => p.id.length)),
    category: Math.max(13, ...probes.map((p) => p.category.length)),
  };
}

/** Widths of the status (`STATUS` is the widest) and time columns. */
const STATUS = 6;
const TIME = 8;
export const headWidth = (c: Columns) => STATUS + 1 + c.id + 1 + c.category + 1 + TIME;
export const time = (ms: number) => `${ms}ms`.padStart(TIME);

export function head(
  c: Columns,
  status: ProbeStatus | 'waiting' | 'running',
  id: string,
  category: string,
  duration: string,
  color: boolean,
): string {
  return `${label(status, color)} ${id.padEnd(c.id)} ${category.padEnd(c.category)} ${duration.padStart(TIME)}`;
}

/** Whether the detail goes beside the row (true) or under it (false) at this layout. */
function beside(layout: Layout, c: Columns): boolean {
  return layout.width === undefined || layout.width - headWidth(c) - 2 >= MIN_DETAIL_COLUMNS;
}

/** The column titles over the rows (the report's header, and the live table's with `  DETAIL`). */
export const columnTitles = (c: Columns): string =>
  `${'STATUS'.padEnd(STATUS)} ${'PROBE'.padEnd(c.id)} ${'CATEGORY'.padEnd(c.category)} ${'TIME'.padStart(TIME)}`;

/** The header line of the report. */
export function reportHeader(layout: Layout, c: Columns): string {
  const h = columnTitles(c);
  return beside(layout, c) ? `${h}  DETAIL` : h; // stacked: each detail is under its row
}

/** One result as printed in the report: its row and its whole detail. */
export function resultBlock(r: ProbeResult, layout: Layout, c: Columns): string {
  const row = head(c, r.status, r.id, r.category, time(r.durationMs).trim(), layout.color);
  const detail = flat(r.detail) + (r.attempts > 1 ? ` (${r.attempts} attempts)` : '');
  if (layout.width === undefined) return `${row}  ${detail}`;
  if (beside(layout, c)) {
    const indent = headWidth(c) + 2;
    const [first = '', ...rest] = layout.wrap(detail, layout.width - indent);
    return [`${row}  ${first}`, ...rest.map((l) => `${' '.repeat(indent)}${l}`)].join('\n');
  }
  const indent = STATUS + 1; // under the probe's id
  return [row, ...layout.wrap(detail, layout.width - indent).map((l) => `${' '.repeat(indent)}${l}`)].join('\n');
}

/**
 * The evidence of every result that is not a pass or a skip, as YAML (keys and lists read better
 * than JSON on a terminal), or '' when there is none. With a width, YAML folds long text and any
 * line still too wide (a long URL) is wrapped under itself.
 */
export function evidenceSection(results: readonly ProbeResult[], layout: Layout): string {
  const notable = results.filter((r) => r.status === 'fail' || r.status === 'error' || r.status === 'known-gap');
  if (notable.length === 0) return '';
  const lines = ['', 'Evidence of what did not pass:'];
  for (const r of notable) {
    lines.push(`  ${r.id} (${LABEL[r.status]}):`);
    if (layout.width === undefined) {
      // JSON.stringify leaves C1 controls, U+2028 and bidi marks raw: evidence quotes servers and logs.
      lines.push(`    ${printable(JSON.stringify(r.evidence))}`);
      continue;
    }
    const room = Math.max(20, layout.width - 4);
    const yaml = stringify(r.evidence, { lineWidth: room - 4, minContentWidth: 20 }).trimEnd(); // slack: YAML may pass its width by a word
    // YAML leaves C1 controls, U+2028 and bidi marks raw too: each line made printable before it is wrapped.
    for (const line of yaml.split('\n').map(printable)) {
      // Keep YAML's indentation; what is still too wide continues two columns further in.
      const indent = ' '.repeat(Math.min(line.length - line.trimStart().length, room - 20));
      const [first = '', ...rest] = layout.wrap(line.trimStart(), room - indent.length);
      const more = rest.length > 0 ? layout.wrap(rest.join(' '), room - indent.length - 2) : [];
      lines.push(`    ${indent}${first}`, ...more.map((l) => `    ${indent}  ${l}`));
    }
  }
  return lines.join('\n');
}

/** The whole report: header, every result's block in the given (documented) order, evidence. */
export function renderReport(results: readonly ProbeResult[], layout: Layout): string {
  const c = columnsFor(results);
  const evidence = evidenceSection(results, layout);
  return [
    reportHeader(layout, c),
    ...results.map((r) => resultBlock(r, layout, c)),
    ...(evidence ? [evidence] : []),
  ].join('\n');
}
