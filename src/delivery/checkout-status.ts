/**
 * The one `git status` an export asks about its checkout: the branch, every change (the export
 * refuses a checkout that has any), and every file git ignores (an ignored file in the export's
 * folder was never committed: export-folder.ts ignoredRefusals). One git answers all three.
 * And the one `git check-ignore` for the paths the export writes (ignoredPaths).
 */
import { at } from '../core/at.js';
import { git, GitError, type GitOptions, gitTry } from '../core/git.js';

/** The number of space-separated fields before the path, by entry type (git-status(1), "Porcelain Format Version 2"). */
const FIELDS_BEFORE_PATH: Readonly<Record<string, number>> = { '1': 8, '2': 9, u: 10, '?': 1, '!': 1 };

/**
 * `git status --porcelain=v2 --branch -z --ignored=matching`: the checked-out branch (`#
 * branch.head <name>`, 'HEAD' for `(detached)`, as `git rev-parse --abbrev-ref HEAD` names it), its
 * commit (`# branch.oid`: the parent of the export's commit; absent before the first commit),
 * the path of every change, and apart the path of every ignored entry, each NUL-terminated: `1
 * <XY> <sub> <mH> <mI> <mW> <hH> <hI> <path>` for a change, `2 ... <Xscore> <path>` for a rename or
 * copy (its original path in the next field), `u ... <path>` for an unmerged path (ten fields
 * before it), `? <path>` untracked, `! <path>` ignored (a folder git ignores whole ends with `/`).
 * A path keeps its spaces; the status letters are never part of it. Paths are relative to the root.
 */
export function parseStatus(output: string): { head?: string; commit?: string; paths: string[]; ignored: string[] } {
  const fields = output.split('\0');
  let head: string | undefined;
  let commit: string | undefined;
  const paths: string[] = [];
  const ignored: string[] = [];
  for (let i = 0; i < fields.length; i++) {
    const entry = at(fields, i, 'status field');
    if (entry.startsWith('# branch.head ')) {
      const name = entry.slice('# branch.head '.length);
      head = name === '(detached)' ? 'HEAD' : name;
      continue;
    }
    // `# branch.oid <id>`, `(initial)` on a branch with no commit yet.
    if (entry.startsWith('# branch.oid ') && entry !== '# branch.oid (initial)')
      commit = entry.slice('# branch.oid '.length);
    if (entry === '' || entry.startsWith('# ')) continue; // other headers, the last empty field
    if (entry.startsWith('! ')) {
      ignored.push(entry.slice(2));
      continue;
    }
    const before = FIELDS_BEFORE_PATH[entry.charAt(0)];
    // An entry of a kind not listed above still counts as a change, whole: the dirty check fails closed.
    paths.push(before === undefined || entry.charAt(1) !== ' ' ? entry : entry.split(' ').slice(before).join(' '));
    if (entry.charAt(0) === '2') i++;
  }
  return { ...(head === undefined ? {} : { head }), ...(commit === undefined ? {} : { commit }), paths, ignored };
}

/**
 * One git for the branch, the changes and the ignored files: `git status --porcelain=v2 --branch -z
 * --untracked-files=all --ignored=matching` (parseStatus reads it). `matching` names a folder git
 * ignores whole once, without walking it (a node_modules elsewhere in the checkout costs nothing).
 * Never aborted by an interrupt: status may write the index it refreshed under .git/index.lock,
 * which a kill would leave behind, stopping every later git in the checkout; it ends at once and
 * the export checks for an interrupt after it.
 */
export function checkoutStatus(top: string): Promise<string> {
  return git(top, ['status', '--porcelain=v2', '--branch', '-z', '--untracked-files=all', '--ignored=matching']);
}

/**
 * The files of `listed` (relative to the folder `folderInRepo`) that git ignores: named by an
 * `ignored` entry of {@link parseStatus}, or under an ignored folder (an entry ending with `/`).
 */
export function ignoredIn(listed: readonly string[], folderInRepo: string, ignored: readonly string[]): string[] {
  const files = new Set(ignored.filter((p) => !p.endsWith('/')));
  const folders = ignored.filter((p) => p.endsWith('/'));
  return listed.filter((f) => {
    const inRepo = `${folderInRepo}/${f}`;
    return files.has(inRepo) || folders.some((d) => inRepo.startsWith(d));
  });
}

/**
 * Which of `paths` (relative to the root, existing or not) git ignores, asked by one `git
 * check-ignore -z --stdin`: a tracked path is never ignored (no --no-index), and a path under a
 * folder git ignores is. It exits 0 when it printed some, 1 when none, 128 on an error (a path
 * beyond a symbolic link: the export refuses those first, target.ts blockedOnTheWay); an error,
 * or a git that did not exit by itself, is a GitError, never "none ignored".
 */
export async function ignoredPaths(
  top: string,
  paths: readonly string[],
  options: Pick<GitOptions, 'signal'> = {},
): Promise<Set<string>> {
  if (paths.length === 0) return new Set();
  // Each path after `./`: check-ignore reads a leading `:` as pathspec magic (`:arcade/x.yaml` asked
  // nothing about that file), and takes no --literal-pathspecs; it prints each path as it was given.
  const input = paths.map((p) => `./${p}\0`).join('');
  const run = await gitTry(top, ['check-ignore', '-z', '--stdin'], { ...options, input });
  if (run.exitCode === 1 && run.stdout === '') return new Set();
  if (run.exitCode !== 0) throw new GitError(run.failure);
  return new Set(
    run.stdout
      .split('\0')
      .filter(Boolean)
      .map((p) => (p.startsWith('./') ? p.slice(2) : p)),
  );
}
