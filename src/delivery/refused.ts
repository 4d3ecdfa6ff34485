/** The export's refusal: nothing was changed. */
import { ProblemsError } from '../shared/problems-error.js';

/** A refusal: nothing was changed. `problems` lists every reason, each with its fix. */
export class ExportRefused extends ProblemsError {
  constructor(problems: readonly string[]) {
    super('export refused, nothing was changed', problems);
    this.name = 'ExportRefused';
  }
}
