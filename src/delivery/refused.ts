/** The export's refusals: nothing was changed; or, its branch moved while it ran (branchMoved), the checkout left as it is. */
import { GitError, gitTry } from '../core/git.js';
import { ProblemsError } from '../core/problems-error.js';

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
  const now = (await gitTry(top, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`])).stdout.trim();
  if (now === (parent ?? '')) return new GitError(at.failure);
  const short = (id: string) => id.slice(0, 12);
  const range = parent === undefined ? branch : `${short(parent)}..${branch}`;
  const where =
    now === ''
      ? 'it no longer exists'
      : `it is at ${short(now)}, holding commit(s) the export did not make (git -C ${repo} log ${range})`;
  return new BranchMoved(
    `branch ${branch} in ${repo} moved while the export ran: ${where}; the export's commit ${short(at.commit)} ` +
      `(on ${parent === undefined ? 'no parent' : short(parent)}, the commit git status named) is on no branch; ` +
      `the export's files are in the working tree and index on top of ${branch}, the checkout left as it is ` +
      `(fix: review git -C ${repo} status and that log, keep what is yours, then put the checkout back on ` +
      `${at.base ?? 'the branch it was on'} yourself and run the export again, with --branch <new name> while ` +
      `${branch} holds that work)`,
  );
}
