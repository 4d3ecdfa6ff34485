/**
 * The git trailers every export commit carries, and how a commit is recognized as one this tool
 * wrote and nobody changed since:
 *
 *     Arcade-Stack-Environment: backstage-wus2-v4
 *     Arcade-Stack-Source: <40-hex source commit>
 *     Arcade-Stack-Tree: <the commit's own tree id>
 *
 * A commit's tree id is fixed before the commit is made (`git write-tree` of the staged index),
 * so the commit can name it. A change to such a commit's files (an amend that changes them, a
 * rebase onto another base, a commit on top) gives a tip whose tree differs from the one its
 * message names, or a tip without the trailers: `npm run export -- --push` then refuses to replace
 * the remote branch. An amend of the message alone that keeps the trailers keeps the tree, and is
 * not told apart: the export's next push would replace that message.
 * This is a guard against overwriting people's work, not a signature: anyone can write trailers.
 */

const TRAILER_ENVIRONMENT = 'Arcade-Stack-Environment';
const TRAILER_SOURCE = 'Arcade-Stack-Source';
const TRAILER_TREE = 'Arcade-Stack-Tree';

interface ExportTrailers {
  readonly environment: string;
  readonly source: string;
  readonly tree: string;
}

/** The trailer paragraph (no leading blank line, a final newline). */
export function formatTrailers(t: ExportTrailers): string {
  return `${TRAILER_ENVIRONMENT}: ${t.environment}\n${TRAILER_SOURCE}: ${t.source}\n${TRAILER_TREE}: ${t.tree}\n`;
}

/** The trailers of a commit message's last paragraph, when all three are there. */
export function parseTrailers(message: string): ExportTrailers | undefined {
  const paragraphs = message.trimEnd().split(/\n\s*\n/);
  const last = paragraphs[paragraphs.length - 1] ?? '';
  const values = new Map<string, string>();
  for (const line of last.split('\n')) {
    const [, key, value] = /^([A-Za-z0-9-]+):\s*(\S+)\s*$/.exec(line) ?? [];
    if (key !== undefined && value !== undefined) values.set(key, value);
  }
  const environment = values.get(TRAILER_ENVIRONMENT);
  const source = values.get(TRAILER_SOURCE);
  const tree = values.get(TRAILER_TREE);
  return environment && source && tree ? { environment, source, tree } : undefined;
}

/** The message without its trailer paragraph (what a pull request shows). */
export function withoutTrailers(message: string): string {
  if (!parseTrailers(message)) return message;
  const paragraphs = message.trimEnd().split(/\n\s*\n/);
  return `${paragraphs.slice(0, -1).join('\n\n')}\n`;
}
