// Types of build-record.mjs (plain JavaScript so the plain-node launcher, launch.mjs, runs it).

/** The record of the bundle at `outfile`. */
export function buildRecordFile(outfile: string): string;

/** A key for the build's settings: `parts` (plain values) and the content of `files`. */
export function settingsKey(parts: Readonly<Record<string, string | undefined>>, files: readonly string[]): string;

/** The recorded bundle's entry file when it was built with `key` from files that are all unchanged; else undefined. */
export function currentBundle(recordFile: string, key: string): string | undefined;

/** Whether the bundle at `outfile`, recorded beside it, was built with `key` from files that are all unchanged. */
export function upToDate(outfile: string, key: string): boolean;

/** A build to record: what esbuild's metafile and the LoadedFiles plugin (bundle.ts) tell of it. */
export interface BuildOfRecord {
  readonly entry: string;
  readonly workingDir: string;
  readonly startedAt: number;
  /** esbuild's metafile `inputs`: paths relative to `workingDir`, each with its imports as written (`original`). */
  readonly inputs: Readonly<
    Record<string, { readonly imports: readonly { readonly external?: boolean; readonly original?: string; readonly path?: string }[] }>
  >;
  /** sha256 of the bytes esbuild was given, by absolute path (hex). */
  readonly loaded?: ReadonlyMap<string, string>;
  readonly outputs: readonly string[];
}

/** The record of a build, for the caller to write atomically; `recordable` false: a record that never matches. */
export function buildRecord(key: string, build: BuildOfRecord): { readonly text: string; readonly recordable: boolean };
