// Types of static-inputs.mjs (plain JavaScript so node runs it without tsx), for its tests.
import type { StaticCheck } from './static-checks.d.mts';

/** Ignored entries at the root that no check reads as its input. */
export const IGNORED_UNREAD: readonly string[];

/** The fingerprint of what every check in `root` reads, or why there is none (then every check runs). */
export function treeInputs(root: string, env?: NodeJS.ProcessEnv): { hash: string } | { uncertain: string };

/** One check's fingerprint: the tree's, with the check's name, command line and folder. */
export function checkInputs(tree: string, check: StaticCheck, cwd: string): string;

export interface StaticChecksRecord {
  readonly version: 1;
  readonly checks: Record<string, { readonly inputs: string; readonly passedAt: string }>;
}

export function readRecord(file: string): StaticChecksRecord;

export function recordPassed(file: string, passed: readonly { name: string; inputs: string }[]): void;
