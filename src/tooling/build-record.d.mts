// Types of build-record.mjs (plain JavaScript so the plain-node launcher, launch.mjs, runs it).

/** The record of the bundle at `outfile`. */
export function buildRecordFile(outfile: string): string;

/** A key for the build's settings: `parts` (plain values) and the content of `files`. */
export function settingsKey(parts: Readonly<Record<string, string | undefined>>, files: readonly string[]): string;

/** The recorded bundle's entry file when it was built with `key` from files that are all unchanged; else undefined. */
export function currentBundle(recordFile: string, key: string): string | undefined;

/** Whether the bundle at `outfile`, recorded beside it, was built with `key` from files that are all unchanged. */
export function upToDate(outfile: string, key: string): boolean;

/** The record of a build, for the caller to write atomically; `recordable` false: a record that never matches. */
export function buildRecord(
  key: string,
  build: {
    readonly entry: string;
    readonly workingDir: string;
    readonly startedAt: number;
    readonly inputs: readonly string[];
    readonly outputs: readonly string[];
  },
): { readonly text: string; readonly recordable: boolean };
