/**
 * `npm run diff -- --comment <file> [--gate <check.json>] [--post-comment <number>]`: the stack's
 * pull request carries its semantic diff, and the gate's findings, as ONE comment that every push
 * updates in place.
 *
 * - The comment starts with a hidden marker (an HTML comment, invisible when rendered), so the
 *   workflow finds its own comment among the others: the first comment holding the marker is
 *   updated, never a second one created.
 * - It is capped to what a comment may hold: GitHub refuses a body over 65536 characters (422
 *   "body is too long (maximum is 65536 characters)"; src/delivery/forge-api.ts). A longer one is
 *   cut at a line end, an open code block closed, and a "truncated, see the artifact" line added;
 *   the full Markdown is the workflow's artifact. The marker comes first, so it is never cut.
 */
import { z } from 'zod';
import { BODY_LIMIT, capBody } from './forge-api.js';
import { ForgeClient, type ForgeConnection } from './forge.js';
import type { ForgeLink } from './forge-link.js';
import { ConfigurationError } from '../core/command-error.js';
import { codeSpan, markdownText } from '../core/markdown.js';
import { readOptionFile } from '../core/option-file.js';

/** The hidden marker the comment starts with. */
export const COMMENT_MARKER = '<!-- arcade-stack:semantic-diff (updated in place by the workflow; do not edit) -->';

/** The line that replaces what did not fit. */
export function truncatedLine(artifact: string): string {
  return `**Truncated**: the diff is longer than a comment may be (${BODY_LIMIT} characters); the full diff is in the workflow artifact \`${artifact}\`.`;
}

/** The part of `npm run check -- --json` the comment summarizes. */
const GateJsonSchema = z.object({
  passed: z.boolean(),
  findings: z.array(
    z.object({
      severity: z.enum(['error', 'warning']),
      rule: z.string(),
      file: z.string(),
      line: z.number().optional(),
      message: z.string(),
      fix: z.string(),
    }),
  ),
  excepted: z.array(z.unknown()),
});
export type GateJson = z.infer<typeof GateJsonSchema>;

const GATE_FIX = 'give the file npm run check -- --json <file> wrote';

/**
 * Reads a `npm run check -- --json` report (`path` relative to `cwd`) through readOptionFile (a
 * missing file, a folder, one this user may not read; a FIFO or a device, refused as not a regular
 * file); a file that is not such a report is a configuration error (exit 2).
 */
export function readGateJson(option: string, path: string, cwd = process.cwd()): GateJson {
  const text = readOptionFile(option, path, cwd, GATE_FIX);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigurationError(`--${option} ${path}: not JSON (fix: ${GATE_FIX})`);
  }
  const parsed = GateJsonSchema.safeParse(json);
  if (!parsed.success)
    throw new ConfigurationError(
      `--${option} ${path}: not a report of npm run check -- --json ` +
        `(${parsed.error.issues[0]?.path.join('.') || 'top level'}: ${parsed.error.issues[0]?.message}) (fix: ${GATE_FIX})`,
    );
  return parsed.data;
}

/** At most this many findings are listed one by one (errors first); the rest are counted. */
const LISTED_FINDINGS = 20;

/**
 * The gate's findings in a few lines: the verdict, the counts, then the findings, errors first.
 * A finding's rule, file, message and fix may quote an environment file (an unresolved value's
 * reason): each goes in through src/core/markdown.ts, so it renders as itself.
 */
function gateSummary(gate: GateJson): string {
  const errors = gate.findings.filter((f) => f.severity === 'error');
  const warnings = gate.findings.filter((f) => f.severity === 'warning');
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const lines = [
    `**Quality gate** (\`npm run check\`): ${gate.passed ? 'passed' : '**FAILED**'}: ` +
      `${plural(errors.length, 'error')}, ${plural(warnings.length, 'warning')}, ` +
      `${plural(gate.excepted.length, 'exception')}`,
  ];
  const listed = [...errors, ...warnings].slice(0, LISTED_FINDINGS);
  if (listed.length > 0) lines.push('');
  for (const f of listed)
    lines.push(
      `- ${f.severity === 'error' ? '**error**' : 'warning'} ${codeSpan(f.rule)} ${markdownText(f.file)}${f.line ? `:${f.line}` : ''}: ` +
        `${markdownText(f.message)} (fix: ${markdownText(f.fix)})`,
    );
  const rest = gate.findings.length - listed.length;
  if (rest > 0) lines.push(`- ... and ${rest} more (the full report is in the workflow artifact)`);
  return lines.join('\n');
}

interface CommentInput {
  /** The semantic diff as `npm run diff -- --markdown` writes it. */
  readonly diffMarkdown: string;
  readonly gate?: GateJson;
  /** The artifact holding the full Markdown. @default 'semantic-diff' */
  readonly artifact?: string;
  /** @default BODY_LIMIT (GitHub's 65536) */
  readonly limit?: number;
}

/** The comment: marker, heading, gate summary, diff; capped with the truncation line. */
export function commentMarkdown(input: CommentInput): string {
  const parts = [COMMENT_MARKER, '## arcade-stack: what this pull request changes', ''];
  if (input.gate) parts.push(gateSummary(input.gate), '');
  parts.push(input.diffMarkdown.trimEnd(), '');
  return capBody(parts.join('\n'), input.limit ?? BODY_LIMIT, truncatedLine(input.artifact ?? 'semantic-diff'));
}

interface PostedComment {
  readonly action: 'created' | 'updated' | 'unchanged';
  readonly id: number;
  /** Its page, or why the forge's link is not shown (./forge-link.ts). */
  readonly link: ForgeLink;
}

/**
 * Posts `body` (which starts with the marker) on pull request `issue`: the first comment holding
 * the marker is updated in place (left alone when equal), else one is created.
 */
export async function postComment(connection: ForgeConnection, issue: number, body: string): Promise<PostedComment> {
  const forge = new ForgeClient(connection);
  const ours = (await forge.listComments(issue)).find((c) => c.body.includes(COMMENT_MARKER));
  if (!ours) {
    const created = await forge.createComment(issue, body);
    return { action: 'created', id: created.id, link: created.link };
  }
  if (ours.body === body) return { action: 'unchanged', id: ours.id, link: ours.link };
  const updated = await forge.updateComment(ours.id, body);
  return { action: 'updated', id: updated.id, link: updated.link };
}
