// Types of static-checks.mjs (plain JavaScript so node runs it without tsx), for its tests.
export interface StaticCheck {
  readonly name: string;
  /** The executable and its arguments. */
  readonly command: readonly string[];
}

export interface StaticCheckResult {
  readonly name: string;
  /** The exit code (127: could not start). */
  readonly code: number;
  readonly ms: number;
  /** stdout and stderr, in the order written. */
  readonly output: string;
}

export const STATIC_CHECKS: readonly StaticCheck[];

export function runStaticChecks(
  checks?: readonly StaticCheck[],
  options?: { cwd?: string; out?: { write(text: string): unknown } },
): Promise<StaticCheckResult[]>;
