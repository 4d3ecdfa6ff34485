/**
 * An error that lists every problem found at once, one per line under a heading, so a person
 * fixes them in one pass:
 *
 *     invalid collector configuration:
 *       - <path>: <what is wrong> (fix: <what to do>)
 *
 * Each refusal of the stack (environment files, probe targets, collector configuration, export)
 * is a subclass naming its heading; `problems` keeps the lines for callers that merge or test them.
 * A CommandError: scripts print it without a stack trace, with exit code 1 (a refusal) unless the
 * subclass says 2 (configuration the person gave).
 */
import { CommandError } from './command-error.js';

export class ProblemsError extends CommandError {
  constructor(
    heading: string,
    readonly problems: readonly string[],
  ) {
    super(`${heading}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}
