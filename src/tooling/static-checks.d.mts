// Types of static-checks.mjs (plain JavaScript so node runs it without tsx), for its tests.
export interface StaticCheck {
  readonly name: string;
  /** The executable and its arguments. */
  readonly command: readonly string[];
}

export interface StaticCheckResult {
  readonly name: string;
  /** The exit code (127: could not start; 0 for a check not run). */
  readonly code: number;
  /** How long it ran; for a check not run, how long it took to know its inputs unchanged. */
  readonly ms: number;
  /** stdout and stderr, in the order written. */
  readonly output: string;
  /** Not run: its inputs are the ones recorded when it last passed. */
  readonly skipped?: true;
  /** Its inputs' fingerprint, when they could be pinned down. */
  readonly inputs?: string;
}

export const STATIC_CHECKS: readonly StaticCheck[];

/** Where the checks that passed are recorded, relative to the repository root. */
export const STATIC_CHECKS_RECORD: string;

export function runStaticChecks(
  checks?: readonly StaticCheck[],
  options?: {
    cwd?: string;
    out?: { write(text: string): unknown };
    /** The record file: with it, a check whose inputs passed before is not run, and passes are recorded. */
    record?: string;
    /** Run every check even when its inputs passed before (still recording the passes). */
    force?: boolean;
    env?: NodeJS.ProcessEnv;
  },
): Promise<StaticCheckResult[]>;
