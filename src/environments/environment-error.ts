/**
 * The refusal of environment files (./load.ts): every problem of every file at once, each one line
 * as printed, escaped and of bounded length, since it names the keys and values a file holds.
 */
import type { ExitCode } from '../core/command-error.js';
import { printable, printableCapped } from '../core/printable.js';
import { ProblemsError } from '../core/problems-error.js';

/** The longest problem shown; a longer one keeps its start and ' (… N more characters)', within this. */
const PROBLEM_MAX = 1000;

/**
 * A problem as printed: escaped (README "Text from outside is printed escaped"), at most PROBLEM_MAX
 * characters. One already shown comes back unchanged, so problems gathered again stay as they were.
 */
export function shownProblem(problem: string): string {
  const whole = printable(problem);
  return whole.length <= PROBLEM_MAX ? whole : printableCapped(problem, PROBLEM_MAX - 40); // 40: the mark's room
}

export class EnvironmentError extends ProblemsError {
  /** An environment file or the choice of environment is wrong: configuration. */
  override readonly exitCode: ExitCode = 2;
  /** Each problem shown (shownProblem): it names keys and values the file holds. */
  constructor(problems: readonly string[], heading = 'invalid environment definition') {
    super(heading, problems.map(shownProblem));
    this.name = 'EnvironmentError';
  }
}
