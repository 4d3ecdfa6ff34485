/**
 * What a bundle was built from, so the next `npm run synth` builds it again only when something
 * changed (bundle.ts `bundleSynthEntry`). Bundling costs loading esbuild, starting its service
 * process and the build itself: about half a second of CPU on every synth, for a bundle that is
 * the same bytes as the last one unless a source changed.
 *
 * The record is a JSON file beside the bundle (`.build/main.cjs.built-from.json`): the sha256 of
 * the build's settings (`key`: the esbuild version, the bundler's own source, tsconfig.json,
 * package.json and what bundle.ts decided about yaml), of every file esbuild read (its metafile's
 * inputs: our sources and the bundled packages' files, and the package.json of each bundled
 * package, which esbuild reads to resolve and tree-shake it but its metafile does not list) and
 * of every file it wrote (the bundle and its source map), and the names in each folder holding an
 * input (a file added beside an input can change what an unchanged import resolves to). The
 * bundle is up to date only when all of them are still the same, so an edited source, a changed
 * setting, a package upgrade, a file added beside a source, a bundle edited or deleted by hand all
 * build again. By content, not by time: a file put back with an older time is still seen.
 *
 * A record is written only when no input changed while esbuild ran (each input's modification time
 * is older than the build's start, less a margin for coarse file system clocks): a file saved
 * during the build may have been read before the save, and recording its new content would mark a
 * bundle built from the old one as current. Such a build is simply not recorded (the next synth
 * builds again). The record is written atomically after the bundle; a record that cannot be read
 * or does not match means "build".
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { writeFileAtomically } from '../core/atomic-write.js';

interface BuildRecord {
  readonly key: string;
  /** Absolute path -> sha256 of each file esbuild read. */
  readonly inputs: Readonly<Record<string, string>>;
  /** Absolute path -> sha256 of the names in each folder holding an input. */
  readonly folders: Readonly<Record<string, string>>;
  /** Absolute path -> sha256 of each file the build wrote. */
  readonly outputs: Readonly<Record<string, string>>;
}

/** Inputs modified this close to a build's start, or after it, leave the build unrecorded. */
const MODIFIED_DURING_BUILD_MARGIN_MS = 2000;

/** The record of the bundle at `outfile`. */
export function buildRecordFile(outfile: string): string {
  return `${outfile}.built-from.json`;
}

function sha256(file: string): string | undefined {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return undefined; // missing or unreadable: never equal to a recorded hash
  }
}

/**
 * sha256 of the sorted names in `folder`: a file added beside an input (a `dep.js` next to the
 * `dep.ts` an import resolved to, a new `index.ts`, a nearer `node_modules`) can change what an
 * unchanged import resolves to, and no input's content says so.
 */
function listing(folder: string): string | undefined {
  try {
    return createHash('sha256').update(readdirSync(folder).sort().join('\0')).digest('hex');
  } catch {
    return undefined; // gone or unreadable: never equal to a recorded listing
  }
}

/** A key for the build's settings: `parts` (plain values) and the content of `files`. */
export function settingsKey(parts: Readonly<Record<string, string | undefined>>, files: readonly string[]): string {
  return createHash('sha256')
    .update(JSON.stringify({ parts, files: files.map((f) => [f, sha256(f) ?? null]) }))
    .digest('hex');
}

/** Whether the bundle at `outfile` was built with `key` from files that are all unchanged. */
export function upToDate(outfile: string, key: string): boolean {
  let record: BuildRecord;
  try {
    record = JSON.parse(readFileSync(buildRecordFile(outfile), 'utf8')) as BuildRecord;
  } catch {
    return false;
  }
  if (
    record.key !== key ||
    typeof record.inputs !== 'object' ||
    typeof record.outputs !== 'object' ||
    typeof record.folders !== 'object'
  )
    return false;
  const same = (files: Readonly<Record<string, string>>) =>
    Object.entries(files).every(([file, hash]) => sha256(file) === hash);
  return (
    Object.keys(record.outputs).includes(outfile) &&
    same(record.outputs) &&
    same(record.inputs) &&
    Object.entries(record.folders).every(([folder, hash]) => listing(folder) === hash)
  );
}

/**
 * The package.json of each package an input lies in (`node_modules/zod/v4/index.js` ->
 * `node_modules/zod/package.json`, `@scope/name` likewise): its `exports`, `main` and `sideEffects`
 * decide what esbuild bundles, so an upgrade that changes only them still builds again.
 */
function packageManifests(inputs: readonly string[]): string[] {
  const manifests = new Set<string>();
  for (const input of inputs) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/@][^/]*)\//.exec(input);
    if (match) manifests.add(`${match[1]}/package.json`);
  }
  return [...manifests];
}

/**
 * Records what the bundle at `outfile` was built from: `inputs` as esbuild's metafile lists them
 * (relative to `workingDir`) and the package.json of each package among them, `outputs` the files
 * written. Not recorded (any earlier record is
 * replaced by nothing that matches) when an input is not a plain file or was modified after
 * `startedAt` less the margin. Returns whether it was recorded.
 */
export function recordBuild(
  outfile: string,
  key: string,
  build: { workingDir: string; startedAt: number; inputs: readonly string[]; outputs: readonly string[] },
): boolean {
  const inputs: Record<string, string> = {};
  let recordable = true;
  for (const input of [...build.inputs, ...packageManifests(build.inputs)]) {
    const file = resolve(build.workingDir, input);
    const stat = statSync(file, { throwIfNoEntry: false });
    const hash = stat?.isFile() ? sha256(file) : undefined;
    if (!stat || hash === undefined || stat.mtimeMs >= build.startedAt - MODIFIED_DURING_BUILD_MARGIN_MS) {
      recordable = false;
      break;
    }
    inputs[file] = hash;
  }
  const folders: Record<string, string> = {};
  for (const folder of new Set(Object.keys(inputs).map((file) => dirname(file)))) {
    const hash = listing(folder);
    if (hash === undefined) recordable = false;
    else folders[folder] = hash;
  }
  const outputs: Record<string, string> = {};
  for (const file of build.outputs) outputs[file] = sha256(file) ?? '';
  // Unrecordable: a record that can never match (no outputs), so the next call builds again.
  const record: BuildRecord = recordable
    ? { key, inputs, folders, outputs }
    : { key: '', inputs: {}, folders: {}, outputs: {} };
  writeFileAtomically(buildRecordFile(outfile), `${JSON.stringify(record, null, 1)}\n`);
  return recordable;
}
