/**
 * The export's refusals: nothing was changed; or, its branch moved while it ran (branchMoved), the
 * checkout left as it is; or, git commit-tree failed (commitFailed), the checkout on a new branch
 * with the export's files staged; or, git stored its commit otherwise than written
 * (committedOtherwise: refused by --push, a warning without it).
 */
import { GitError, gitTry } from '../core/git.js';
import { printable } from '../core/printable.js';
import { ProblemsError } from '../core/problems-error.js';
import { shellWord } from '../core/shell-word.js';

/**
 * A refusal: nothing was changed. `problems` lists every reason, each with its fix; `summary`,
 * when the plan got that far, is what the export would have done (identity, prunes, values...).
 */
export class ExportRefused extends ProblemsError {
  constructor(
    problems: readonly string[],
    readonly summary?: string,
    heading = 'export refused, nothing was changed',
  ) {
    super(heading, problems);
    this.name = 'ExportRefused';
  }
}

/**
 * The branch the export committed for moved while it ran (`git update-ref` found it elsewhere than
 * the parent `git status` named): something committed there meanwhile. Nothing is reset, deleted or
 * checked out, under --commit as under --push: the branch holds a commit the export did not make and
 * the checkout may hold a person's uncommitted change, so what to keep is the person's decision.
 */
class BranchMoved extends ExportRefused {
  constructor(problem: string) {
    super([problem], undefined, 'export refused, the checkout left as it is');
    this.name = 'BranchMoved';
  }
}

/** Where the export stood when `git update-ref` refused to move its branch. */
interface UpdateRefused {
  readonly top: string;
  /** The checkout as the command line named it, for the fix. */
  readonly repo: string;
  readonly branch: string;
  /** The branch the export started from, or the commit of a detached HEAD. */
  readonly base: string | undefined;
  /** The commit `git status` named, the export commit's parent (none in a repository without one). */
  readonly parent: string | undefined;
  readonly commit: string;
  /** update-ref's own failure. */
  readonly failure: string;
}

/**
 * Why update-ref did not move the branch to the export's commit: a BranchMoved naming what is there
 * (git's own "cannot lock ref ... is at X but expected Y" names no fix), when the branch is no longer
 * at the parent; otherwise git's failure.
 */
export async function branchMoved(at: UpdateRefused): Promise<Error> {
  const { top, repo, branch, parent } = at;
  const read = await gitTry(top, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`]);
  // Exit 1: no such branch. Any other failure says nothing of where the branch is: git's own words.
  if (!read.ok && read.exitCode !== 1) return new GitError(read.failure);
  const now = read.stdout.trim();
  if (now === (parent ?? '')) return new GitError(at.failure);
  const short = (id: string) => id.slice(0, 12);
  const range = shellWord(parent === undefined ? branch : `${short(parent)}..${branch}`);
  const dir = shellWord(repo);
  const where =
    now === ''
      ? 'it no longer exists'
      : `it is at ${short(now)}, holding commit(s) the export did not make (git -C ${dir} log ${range})`;
  return new BranchMoved(
    `branch ${branch} in ${repo} moved while the export ran: ${where}; the export's commit ${short(at.commit)} ` +
      `(on ${parent === undefined ? 'no parent' : short(parent)}, the commit git status named) is on no branch; ` +
      `the index holds the export made on ${parent === undefined ? 'no parent' : short(parent)}: against ${branch} ` +
      `it also undoes what those commit(s) changed (git -C ${dir} diff --cached), the checkout left as it is ` +
      `(fix: review git -C ${dir} status, that log and that diff, keep what is yours, then put the checkout back on ` +
      `${at.base ?? 'the branch it was on'} yourself and run the export again, with --branch <new name> while ` +
      `${branch} holds that work)`,
  );
}

/** Where the export stood when `git commit-tree` failed: on `branch`, new, with its files staged in `folder`. */
interface CommitTreeFailed {
  readonly top: string;
  readonly branch: string;
  /** The branch (or detached commit) the export started from, which `branch` was made at. */
  readonly base: string | undefined;
  /** The export's folder, relative to `top`. */
  readonly folder: string;
  /** commit.gpgsign was true: git asked gpg.program (or ssh-keygen) to sign. */
  readonly sign: boolean;
  /** What git wrote to stderr, else its failure. */
  readonly said: string;
}

/**
 * The refusal when `git commit-tree` made no commit (a signer that failed, or any other failure):
 * git's own words, signing named when it was on, what is left and a fix that touches only the
 * export's folder. `git restore --source=HEAD --staged --worktree` returns the folder to HEAD exactly
 * (files the export added are removed, no-overlay; the clean-checkout check ran and the export staged
 * only its own paths, so none was a person's; a file put there meanwhile is untracked, and left);
 * `diff --quiet` first stops the fix when the folder was edited after the export staged it;
 * `--literal-pathspecs`, so a folder named with `*?[` is that folder, not a pattern; and `branch -d`
 * (never -D) deletes the branch only while it holds no commit of its own (made at HEAD by `checkout
 * -b` just before): one committed there since stops the fix, kept. HEAD and the folder exist: an
 * export into a folder with no tracked file (new, or in a checkout with no commit yet) is refused
 * before anything is written, as kustomize cannot build it (test/delivery/export-paths.test.ts).
 */
export function commitFailed(at: CommitTreeFailed): ExportRefused {
  const [dir, branch, folder] = [shellWord(at.top), shellWord(at.branch), shellWord(at.folder)];
  const signing = at.sign
    ? `; commit.gpgsign is true there, so git signs the commit: check user.signingkey, gpg.format and ` +
      `gpg.program (git -C ${dir} config --show-origin --get-regexp '^(user\\.signingkey|gpg\\.)'), or set ` +
      `commit.gpgsign false there`
    : '';
  return new ExportRefused(
    [
      `git commit-tree could not make the export's commit in ${at.top} (${printable(at.said)})${signing}; the ` +
        `checkout is left on branch ${at.branch}, which holds no commit, with the export's files staged in ` +
        `${at.folder} (fix: git -C ${dir} --literal-pathspecs diff --quiet -- ${folder} && git -C ${dir} ` +
        `--literal-pathspecs restore --staged --worktree --source=HEAD -- ${folder} && git -C ${dir} checkout -q ` +
        `${at.base === undefined ? '<the branch it was on>' : shellWord(at.base)} && git -C ${dir} branch -d ${branch}, ` +
        'then run the export again)',
    ],
    undefined,
    'export refused, its commit not made',
  );
}

/**
 * Why an export commit git stored otherwise than the export wrote it (./trailers.ts notAsWritten)
 * is not pushed (`pushing`: the refusal, the checkout put back), or, committed without --push,
 * the warning: the fix each time.
 */
export function committedOtherwise(top: string, commit: string, problem: string, pushing: boolean): string {
  const find =
    `find what in that checkout's git rewrites commit messages, git -C ${shellWord(top)} config --show-origin ` +
    '--list, and turn it off there';
  return (
    `git stored the export's commit ${commit.slice(0, 12)} in ${top} otherwise than the export wrote it (${problem}), ` +
    `though it ran no hook (git commit-tree): a later --push would refuse it as changed, so it ${pushing ? 'is not' : 'should not be'} ` +
    `pushed (fix: ${find}; then ${pushing ? '' : 'delete its branch and '}run the export again)`
  );
}
