/** The export's refusal: nothing was changed. */
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
 * the parent `git status` named): the commit is not on it, the export's files are taken back out,
 * the checkout is left on that branch. `moved` says what happened, without the fix: under --push
 * the checkout is put back (./publish.ts) and the fix is another.
 */
export class BranchMoved extends ExportRefused {
  constructor(
    readonly moved: string,
    fix: string,
  ) {
    super([`${moved} (fix: ${fix})`], undefined, 'export refused, the checkout left on its branch');
    this.name = 'BranchMoved';
  }
}
