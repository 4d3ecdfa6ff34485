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
  ) {
    super('export refused, nothing was changed', problems);
    this.name = 'ExportRefused';
  }
}
