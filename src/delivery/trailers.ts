/**
 * The git trailers every export commit carries, and how a commit is recognized as one this tool
 * wrote and nobody changed since:
 *
 *     Arcade-Stack-Environment: backstage-wus2-v4
 *     Arcade-Stack-Source: <40-hex source commit>
 *     Arcade-Stack-Tree: <the commit's own tree id>
 *     Arcade-Stack-Message-Sha256: <16 hex: the sha256 of every byte of the message above this line>
 *
 * The tree: a commit's tree id is fixed before the commit is made (`git write-tree` of the staged
 * index), so the commit can name it. A change to its files (an amend that changes them, a rebase
 * onto another base, a commit on top) gives a tip whose tree differs from the one its message
 * names, or a tip without the trailers.
 * The message: the last line names a digest of all of the message above it (the summary and the
 * other three trailers). An amend of the message alone that keeps the trailers (`git commit --amend
 * -m`, an edit in the editor, a trailer `--amend -s` or `--trailer` adds, which git puts below it)
 * gives a message whose digest is not the one it names. Either is someone's work:
 * `npm run export -- --push` refuses to replace that remote branch (./push.ts), and a checkout left
 * on such a branch is never offered `git branch -D` (./publish-checks.ts).
 *
 * The digest is of the message as git stores it (`git cat-file commit`), so the export commits it
 * in a form git keeps byte for byte ({@link commitTreeCommand}): cleaned first as git's default
 * cleanup of a message it does not edit cleans it (`git stripspace`: the trailing spaces, tabs and
 * CRs of each line cut, runs of blank lines made one, blank lines at either end dropped, a final
 * newline), so a person's `git commit --amend --no-edit`, which cleans it again, changes no byte;
 * then every noncharacter and lone surrogate written as its `\uXXXX` escape: git checks a UTF-8
 * message and stores one that holds such a code point (invalid UTF-8 to git, though a manifest
 * value "a\uFDD0b" is valid JSON and YAML) re-encoded as if its bytes were Latin-1, with the warning
 * "commit message did not conform to UTF-8"; then `git commit-tree`, which stores its stdin as it is
 * (no cleanup: a `commit.cleanup=strip` in the checkout cannot drop a `#` line), and UTF-8 with no
 * `encoding` header (`-c i18n.commitEncoding=UTF-8`: the message is UTF-8, whatever the checkout's
 * setting). A commit with an `encoding` header (an `--amend --no-edit`
 * where i18n.commitEncoding is ISO-8859-1 transcodes the message when every character has a byte
 * there, and labels it so either way) matches when its bytes, or its text decoded as the header
 * says, are the export's ({@link readCommit}). Refused as changed, on the safe side: an `--amend
 * --no-edit` whose cleanup drops a line (`commit.cleanup=strip` and a line that starts with the
 * comment character).
 * Hooks: the export's commit runs none. `git commit-tree` (the tree from write-tree, the parent the
 * checkout's `git status` named) runs no commit hook in any git version, and `git update-ref
 * refs/heads/<branch> <new> <parent>` moves the branch only if it is still at that parent (a
 * concurrent commit makes it fail). Not `git commit`: its prepare-commit-msg hook (husky's
 * core.hooksPath, a ticket prefix on the subject, an appended Change-Id) rewrote the message after
 * its digest was computed, and the tool refused its own export on the next run; `--no-verify` skips
 * only pre-commit and commit-msg, and `-c core.hooksPath=/dev/null` does not turn off the hooks git
 * 2.54 defines in config (`[hook "x"] event = prepare-commit-msg`). update-ref keeps `-c
 * core.hooksPath=/dev/null` for the reference-transaction hook, which can refuse the update but not
 * change the message; a config-defined one (git >= 2.54) still runs: not tested here (git 2.39).
 * Signed when the checkout's commit.gpgsign is true, as `git commit` signs (commit-tree needs `-S`,
 * {@link commitTreeCommand}): the signature is a header, so the message and its digest are the same.
 * It is that one commit only: a person's own commits and amends in the checkout run their hooks as
 * before. What git stored is read back at once ({@link notAsWritten}, a `git cat-file --batch` of
 * the id commit-tree printed), so a message changed anyway is told there, not one run later.
 * A commit with more than one parent is never an unchanged export ({@link unchangedExport}): the
 * export commits on one branch, and a merge carrying its message and tree would hide the work of
 * its other parents (the push would drop it).
 *
 * Why 16 hex digits (64 bits): the digest guards against an accident, not an attack (anyone can
 * write trailers, and recompute a full digest as easily as a short one). What matters is the
 * chance that a changed message keeps the digest its line names: 2^-64 per change, never in
 * practice. It is compared with one expected value, so no birthday bound applies. The line stays
 * 45 characters, inside git's 72 columns (the whole 64 digits would make it 93).
 *
 * A commit with the three older trailers and no digest (an export by an arcade-stack older than the
 * digest, or one whose digest line someone removed: the two look alike) is not told unchanged:
 * refused as changed, never replaced. Why not the behaviour before the digest: the default branch name
 * carries the source commit, the stack's own commit with this tool in it, so this version meets
 * such a commit only on a branch given by `--branch` across an upgrade (one refusal, whose fix
 * loses nothing); treating it as unchanged would let a message whose digest line was removed be
 * replaced (docs/delivery.md).
 * This is a guard against overwriting people's work, not a signature: anyone can write trailers.
 */
import { createHash } from 'node:crypto';
import type { GitObject } from '../core/git.js';
import { printableCut, unicodeEscape } from '../core/printable.js';

const TRAILER_ENVIRONMENT = 'Arcade-Stack-Environment';
const TRAILER_SOURCE = 'Arcade-Stack-Source';
const TRAILER_TREE = 'Arcade-Stack-Tree';
const TRAILER_MESSAGE = 'Arcade-Stack-Message-Sha256';
/** Hex digits of the message's sha256 its trailer names (why 16: the header). */
const DIGEST_DIGITS = 16;

interface ExportTrailers {
  readonly environment: string;
  readonly source: string;
  readonly tree: string;
}

/** The first {@link DIGEST_DIGITS} hex digits of the sha256 of `text`'s UTF-8 bytes. */
function digestOf(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, DIGEST_DIGITS);
}

/**
 * `text` as git's cleanup of a message it does not edit leaves it (`git stripspace`, without
 * comment stripping): each line's trailing whitespace (git's: space, tab, CR, LF) cut, runs of
 * blank lines made one, blank lines at the start and end dropped, every line ending in a newline.
 */
export function stripSpace(text: string): string {
  const lines: string[] = [];
  let blank = false;
  for (const line of text.split('\n').map((l) => l.replace(/[ \t\r]+$/, ''))) {
    if (line === '') {
      blank = lines.length > 0;
      continue;
    }
    if (blank) lines.push('');
    blank = false;
    lines.push(line);
  }
  return lines.map((l) => `${l}\n`).join('');
}

/**
 * What git rewrites in a UTF-8 message: a noncharacter (U+FDD0-U+FDEF, U+xFFFE and U+xFFFF of every
 * plane) or a lone surrogate is invalid UTF-8 to git's check ("commit message did not conform to
 * UTF-8"), which then stores the message's bytes re-encoded as if they were Latin-1.
 */
const GIT_REWRITES = /[\p{Noncharacter_Code_Point}\p{Cs}]/gu;

/**
 * The export commit's message: `message` cleaned ({@link stripSpace}) with what git would rewrite
 * written as its `\uXXXX` escape ({@link GIT_REWRITES}: a manifest value reaches the summary as it
 * is), a blank line, the trailer paragraph, whose last line names the digest of everything above it.
 */
function exportMessage(message: string, t: ExportTrailers): string {
  const above =
    `${stripSpace(message).replace(GIT_REWRITES, unicodeEscape)}\n${TRAILER_ENVIRONMENT}: ${t.environment}\n` +
    `${TRAILER_SOURCE}: ${t.source}\n${TRAILER_TREE}: ${t.tree}\n`;
  return `${above}${TRAILER_MESSAGE}: ${digestOf(above)}\n`;
}

/**
 * The export's commit of `message` with its trailers as `git commit-tree` makes it (the header): its
 * arguments (`tree`, the parent when the branch has a commit, `-S` when `sign`: the checkout's
 * commit.gpgsign, which `git commit` honours and commit-tree does not) and the message it reads on
 * stdin. `-S` without a key signs as `git commit` does: user.signingkey (or the committer), gpg.format.
 * The signature is a `gpgsig` header, not part of the message: the digest is the same either way.
 */
export function commitTreeCommand(
  message: string,
  trailers: ExportTrailers,
  parent: string | undefined,
  sign = false,
): { args: string[]; input: string } {
  const args = ['-c', 'i18n.commitEncoding=UTF-8', 'commit-tree', trailers.tree];
  return {
    args: [...args, ...(parent === undefined ? [] : ['-p', parent]), ...(sign ? ['-S'] : []), '-F', '-'],
    input: exportMessage(message, trailers),
  };
}

/** The trailers of a commit message's last paragraph, when all three of the tree's are there. */
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

/** A commit as {@link readCommit} reads it. */
interface CommitFields {
  readonly tree: string;
  /** Its parents, in order (none for a root commit). */
  readonly parents: readonly string[];
  /** The message as `git log --encoding=UTF-8 --format=%B` shows it: decoded as its `encoding` header says (UTF-8 without one). */
  readonly message: string;
  /** With an `encoding` header naming another encoding: its bytes read as UTF-8 (the header may be wrong: the header). */
  readonly asUtf8?: string;
}

/** What an object that is not a commit (or is missing) reads as: nothing matches it. */
const NO_COMMIT: CommitFields = { tree: '', parents: [], message: '' };

/** A commit's fields from its raw bytes (git-cat-file(1)): headers up to the first blank line, then the message. */
export function readCommit(object: GitObject | undefined): CommitFields {
  if (object?.type !== 'commit') return NO_COMMIT;
  const blank = object.content.indexOf('\n\n');
  const headers = object.content
    .subarray(0, blank < 0 ? undefined : blank)
    .toString('utf8')
    .split('\n');
  const field = (name: string) => headers.filter((h) => h.startsWith(`${name} `)).map((h) => h.slice(name.length + 1));
  const bytes = blank < 0 ? Buffer.alloc(0) : object.content.subarray(blank + 2);
  const asUtf8 = bytes.toString('utf8');
  const encoding = field('encoding')[0];
  let decoded: string | undefined;
  try {
    if (encoding !== undefined && !/^utf-?8$/i.test(encoding)) decoded = new TextDecoder(encoding).decode(bytes);
  } catch {
    // An encoding TextDecoder does not know: the bytes alone are compared.
  }
  const base = { tree: field('tree')[0] ?? '', parents: field('parent') };
  return decoded === undefined ? { ...base, message: asUtf8 } : { ...base, message: decoded, asUtf8 };
}

/** Whether `message` ends in the digest line, and the digest it names is that of all of the message above it. */
function digestState(message: string): 'kept' | 'changed' | 'absent' {
  const line = new RegExp(`(?:^|\\n)${TRAILER_MESSAGE}: ([0-9a-f]{${DIGEST_DIGITS}})\\s*$`).exec(message);
  if (!line) return message.includes(`\n${TRAILER_MESSAGE}:`) ? 'changed' : 'absent';
  const above = message.slice(0, line.index + (line[0].startsWith('\n') ? 1 : 0));
  return digestOf(above) === line[1] ? 'kept' : 'changed';
}

/**
 * The trailers of `commit` when it is an export commit this tool wrote and nobody changed since
 * (no merge; its tree and its message the ones its trailers name), or why it is not one: words for a
 * refusal's parenthesis.
 */
export function unchangedExport(commit: CommitFields): { trailers: ExportTrailers } | { changed: string } {
  const trailers = parseTrailers(commit.message);
  if (!trailers) return { changed: 'no Arcade-Stack-* trailers' };
  if (commit.parents.length > 1)
    return {
      changed: `a merge of ${commit.parents.length} parents: an export commit has one, and the others' work would be lost`,
    };
  if (trailers.tree !== commit.tree) return { changed: `its tree is not the one its ${TRAILER_TREE} trailer names` };
  const state = digestState(commit.message);
  if (state === 'kept' || (commit.asUtf8 !== undefined && digestState(commit.asUtf8) === 'kept')) return { trailers };
  return {
    changed:
      state === 'absent'
        ? `no ${TRAILER_MESSAGE} trailer: an export by an arcade-stack older than that trailer, or one whose ` +
          'trailer was removed, so whether its message was changed cannot be told'
        : `its message is not the one its ${TRAILER_MESSAGE} trailer names: amended after the export`,
  };
}

/**
 * Why `commit`, the one the export's `git commit-tree` of `message` with `trailers` ({@link commitTreeCommand})
 * just made, is not stored as written (undefined: it is, byte for byte, and reads as the export's own):
 * the first line that differs, for an error that names it. No hook runs for that commit and what
 * git's UTF-8 check rewrites is escaped (the header), so this guards against whatever else might
 * rewrite a message (a `git` wrapper, a future git).
 */
export function notAsWritten(commit: CommitFields, message: string, trailers: ExportTrailers): string | undefined {
  const written = exportMessage(message, trailers);
  const stored = commit.asUtf8 ?? commit.message;
  if (stored !== written) {
    const [want, got] = [written.split('\n'), stored.split('\n')];
    const at = want.findIndex((line, i) => line !== got[i]);
    const line = at < 0 ? want.length : at;
    const quote = (text: string | undefined, none: string) =>
      text === undefined ? none : JSON.stringify(printableCut(text, 80));
    return `its message's line ${line + 1} is ${quote(got[line], 'missing')}, where the export wrote ${quote(want[line], 'no line')}`;
  }
  const checked = unchangedExport(commit);
  return 'changed' in checked ? checked.changed : undefined;
}
