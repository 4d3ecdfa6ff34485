/**
 * The one way text the stack did not write (a server's answer, a tool's name, an environment
 * file's reason, a finding's message) goes into a Markdown document (the probe report, the
 * semantic diff and its pull-request comment): as text that renders as itself, never as a link,
 * an image, HTML, emphasis or a table column.
 *
 * - `markdownText`: one line (whitespace runs made one space), escaped by `printable`
 *   (./printable.ts) for a terminal or a log that shows the file raw, then `&`, `<` and `>` as
 *   character references (no tag, no HTML comment, no autolink) and every other ASCII punctuation
 *   Markdown acts on inline (`\ ` * _ [ ] ( ) # ! | ~`) backslash-escaped (CommonMark: any ASCII
 *   punctuation may be), `|` included, so it is safe in a table cell too.
 * - `codeSpan`: an inline code span whose fence is one backtick longer than the longest run of
 *   backticks inside (CommonMark 6.1), so no text can close it; padded with a space when it starts
 *   or ends with a backtick; in a table cell (`inTable`) its `|` escaped too.
 * - `codeFence`: the fence (at least three backticks) of a code block that `text` cannot close.
 */
import { printable } from './printable.js';

const ENTITY: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** `text` as one line of Markdown text that renders as itself (see above). */
export function markdownText(text: string): string {
  return printable(text.replace(/\s+/g, ' ').trim())
    .replace(/[\\`*_[\]()#!|~]/g, (c) => `\\${c}`)
    .replace(/[&<>]/g, (c) => ENTITY[c] ?? c);
}

/** The longest run of backticks in `text` (0 when none). */
function longestBacktickRun(text: string): number {
  return Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
}

/**
 * `text` (one line, `printable`) as an inline code span no backtick inside can close; `inTable`:
 * its `|` escaped, as GitHub's tables require even inside a code span (the cell shows `|`).
 */
export function codeSpan(text: string, { inTable = false } = {}): string {
  const line = printable(text.replace(/\s+/g, ' '));
  const shown = inTable ? line.replace(/\|/g, '\\|') : line;
  const fence = '`'.repeat(longestBacktickRun(shown) + 1);
  const pad = shown.startsWith('`') || shown.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${shown}${pad}${fence}`;
}

/** The fence of a code block holding `text`: backticks, at least three, more than any run inside. */
export function codeFence(text: string): string {
  return '`'.repeat(Math.max(3, longestBacktickRun(text) + 1));
}
