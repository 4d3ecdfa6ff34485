/**
 * Renders a ManifestDiff for people: plain text for a terminal or a commit message, Markdown for
 * a pull-request description. Values are shown as YAML-ish scalars; summaries replace noisy ones.
 */
import { codeSpan, markdownText } from '../core/markdown.js';
import { isEmptyDiff, type FieldChange, type ManifestDiff, type Shown } from './diff.js';

export const NO_CHANGES = 'no changes';

function value(v: Shown, structured = false): string {
  if (v === undefined) return '(absent)';
  if (typeof v === 'string' && !structured) return JSON.stringify(v);
  return String(v);
}

function fieldLine(f: FieldChange): string {
  return f.summary
    ? `${f.path}: ${f.summary}`
    : `${f.path}: ${value(f.before, f.structured)} → ${value(f.after, f.structured)}`;
}

/** `2 added, 1 removed, 3 changed (7 fields)`, or `no changes`. */
export function summaryLine(d: ManifestDiff): string {
  if (isEmptyDiff(d)) return NO_CHANGES;
  const fields = d.changed.reduce((n, c) => n + c.fields.length, 0);
  return `${d.added.length} added, ${d.removed.length} removed, ${d.changed.length} changed (${fields} field${fields === 1 ? '' : 's'})`;
}

/** Plain text: one line per object, one indented line per field. */
export function renderText(d: ManifestDiff, title?: string): string {
  const lines: string[] = [];
  if (title) lines.push(title);
  lines.push(summaryLine(d));
  for (const a of d.added) lines.push(`+ ${a.key} (${a.file})`);
  for (const r of d.removed) lines.push(`- ${r.key} (${r.file})`);
  for (const c of d.changed) {
    lines.push(`~ ${c.key} (${c.file})`);
    for (const f of c.fields) lines.push(`    ${fieldLine(f)}`);
  }
  return lines.join('\n');
}

/** A value in a table cell: a code span nothing inside can close or split (src/core/markdown.ts). */
function code(v: Shown, structured?: boolean): string {
  return codeSpan(value(v, structured), { inTable: true });
}

/**
 * Markdown for a pull-request description: summary, then a table per changed object. Keys, files,
 * paths and values come from manifests: each goes in through src/core/markdown.ts.
 */
export function renderMarkdown(d: ManifestDiff, title = 'Manifest changes'): string {
  const out: string[] = [`### ${title}`, '', `**${summaryLine(d)}**`, ''];
  if (d.added.length > 0) {
    out.push('#### Added', '', ...d.added.map((a) => `- ${codeSpan(a.key)} (${markdownText(a.file)})`), '');
  }
  if (d.removed.length > 0) {
    out.push('#### Removed', '', ...d.removed.map((r) => `- ${codeSpan(r.key)} (${markdownText(r.file)})`), '');
  }
  for (const c of d.changed) {
    out.push(
      `#### Changed: ${codeSpan(c.key)} (${markdownText(c.file)})`,
      '',
      '| Field | Before | After |',
      '| --- | --- | --- |',
    );
    for (const f of c.fields) {
      const path = codeSpan(f.path, { inTable: true });
      if (f.summary) out.push(`| ${path} | ${markdownText(f.summary)} | |`);
      else out.push(`| ${path} | ${code(f.before, f.structured)} | ${code(f.after, f.structured)} |`);
    }
    out.push('');
  }
  return out.join('\n');
}
