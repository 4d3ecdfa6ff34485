// Types of script-bundles.mjs (plain JavaScript so the plain-node launcher, launch.mjs, runs it).

/** The folder of the bundles of scripts/<name>.ts (`.build/scripts/<name>`). */
export function scriptBundleFolder(name: string): string;

/** The record naming the current bundle in `folder`. */
export function scriptRecordFile(folder: string): string;

/** The key of a script bundle's settings (build-record.mjs). */
export function scriptBundleKey(entry: string): string;

/** The entry of the current bundle in `folder` when it is up to date; undefined when it must be built. */
export function currentScriptBundle(folder: string, key: string): string | undefined;

/** Marks the generation `dir` as used by this process until it exits. */
export function useGeneration(dir: string): void;

/** Removes the generation `dir` unless a living process uses it (or another process removes or marks it meanwhile); whether it did. */
export function pruneGeneration(dir: string): boolean;

/** Removes every generation in `folder` but the current one that no living process uses, and lock leftovers of processes gone; returns the generations. */
export function pruneGenerations(folder: string): string[];

/** The lock a script's builder holds in `folder` (`build.lock`). */
export function buildLockFile(folder: string): string;

/** Raised when another process's build did not end within the wait (ARCADE_BUNDLE_WAIT). */
export class BuildLockTimeout extends Error {
  constructor(lock: string, pid: number, seconds: number);
}

/**
 * The bundle in `folder`: `current()` when up to date, otherwise `build()`'s, one process at a
 * time across processes (a lock in `folder`); a second waits, at most `waitSeconds`, then uses it.
 */
export function buildOnce(
  folder: string,
  current: () => string | undefined,
  build: () => Promise<string>,
  waitSeconds?: number,
): Promise<string>;

/** Raised for an ARCADE_BUNDLE_WAIT that is not a number of seconds (0 or more). */
export declare class InvalidBundleWait extends Error {
  constructor(text: string);
}

/** ARCADE_BUNDLE_WAIT in seconds (default 120 when unset or empty); throws InvalidBundleWait otherwise. */
export declare function lockWait(text?: string): number;
