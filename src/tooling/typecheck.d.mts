// Types of typecheck.mjs (plain JavaScript so node runs it without tsx), for its tests.
import type { StdioOptions } from 'node:child_process';

/** tsconfig.json's `tsBuildInfoFile`, relative to the repository root. */
export const TS_BUILD_INFO: string;

/** `tsc`'s arguments: `['-b', 'tsconfig.json']` when nothing the last check read changed, else `['--noEmit', '-p', 'tsconfig.json']`. */
export function tscArgs(root?: string): string[];

/** Runs tsc with `tscArgs(root)`; its exit code. */
export function typecheck(root?: string, options?: { stdio?: StdioOptions }): number;
