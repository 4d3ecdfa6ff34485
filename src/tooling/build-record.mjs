// What a bundle was built from, so the next run builds it again only when something changed
// (bundle.ts `bundleSynthEntry`, script-bundle.ts `bundleScript`, and launch.mjs, which checks a
// script's bundle with plain node before it runs it). Bundling costs loading esbuild, starting its
// service process and the build itself: about half a second of CPU or more, for a bundle that is
// the same bytes as the last one unless a source changed.
//
// Plain JavaScript (types in build-record.d.mts) so that node runs it without tsx: this is the one
// implementation of the up-to-date rule, for the TypeScript builders and the plain-node launcher.
//
// The record is a JSON file beside the bundle (`.build/main.cjs.built-from.json`): the sha256 of
// the build's settings (`key`: the esbuild version, the bundler's own source, tsconfig.json,
// package.json and what bundle.ts decided about yaml), of every file esbuild read (its metafile's
// inputs: our sources and the bundled packages' files, and the package.json of each bundled
// package, which esbuild reads to resolve and tree-shake it but its metafile does not list) and
// of every file it wrote (the bundle and its chunks or source map), the names in each folder
// holding an input, each link with its target (a file added beside an input, or a link beside it
// pointed elsewhere, can change what an unchanged import resolves to),
// and the bundle's entry file. The bundle is up to date only when all of them are still the same,
// so an edited source, a changed setting, a package upgrade, a file added beside a source, a bundle
// edited or deleted by hand all build again. By content, not by time: a file put back with an older
// time is still seen.
//
// Reading every input again is most of a check (probe's ~1500 files, 19 MB: about 0.25 s of every
// `npm run probe`). So the record also keeps, for each input and folder whose change time was
// already older than the build's start less the margin, its stat signature (device, inode, size,
// modification and change time, as git's index does); one whose signature is unchanged is taken
// as unchanged without reading it, any other is hashed or listed as before. Writing a file, or
// setting its times back, sets its change time to the present, which no recorded signature holds:
// the signature was taken after the build started, and holds a change time older than that.
//
// A record is written only when no input changed while esbuild ran (each input's modification time
// is older than the build's start, less a margin for coarse file system clocks): a file saved
// during the build may have been read before the save, and recording its new content would mark a
// bundle built from the old one as current. Such a build is simply not recorded (the next run
// builds again). The record is written atomically after the bundle (by the caller, through
// src/core/atomic-write.ts); a record that cannot be read or does not match means "build".
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Inputs modified this close to a build's start, or after it, leave the build unrecorded. */
const MODIFIED_DURING_BUILD_MARGIN_MS = 2000;

/**
 * The record of the bundle at `outfile`.
 * @param {string} outfile
 */
export function buildRecordFile(outfile) {
  return `${outfile}.built-from.json`;
}

/**
 * A stat signature: device, inode, size, modification and change time in nanoseconds.
 * @param {import('node:fs').BigIntStats} s
 */
const signed = (s) => `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;

/** The signature of `path` (a file or folder); undefined when it is gone. @param {string} path */
function signature(path) {
  const s = statSync(path, { bigint: true, throwIfNoEntry: false });
  return s && signed(s);
}

/** @param {string} file @returns {string | undefined} */
function sha256(file) {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return undefined; // missing or unreadable: never equal to a recorded hash
  }
}

/**
 * sha256 of the sorted names in `folder`, each symbolic link with its target: a file added beside
 * an input (a `dep.js` next to the `dep.ts` an import resolved to, a new `index.ts`, a nearer
 * `node_modules`) can change what an unchanged import resolves to, and so can a link pointed
 * elsewhere (esbuild lists the file a link led to, whose content stays the same); no input's
 * content says so.
 * @param {string} folder @returns {string | undefined}
 */
function listing(folder) {
  try {
    const names = readdirSync(folder, { withFileTypes: true }).map((e) =>
      e.isSymbolicLink() ? `${e.name}\0->${readlinkSync(resolve(folder, e.name))}` : e.name,
    );
    return createHash('sha256').update(names.sort().join('\0')).digest('hex');
  } catch {
    return undefined; // gone or unreadable: never equal to a recorded listing
  }
}

/**
 * A key for the build's settings: `parts` (plain values) and the content of `files`.
 * @param {Readonly<Record<string, string | undefined>>} parts
 * @param {readonly string[]} files
 */
export function settingsKey(parts, files) {
  return createHash('sha256')
    .update(JSON.stringify({ parts, files: files.map((f) => [f, sha256(f) ?? null]) }))
    .digest('hex');
}

/**
 * The entry file of the bundle recorded in `recordFile` when it was built with `key` from files
 * that are all unchanged (and it and every other file the build wrote are as written); otherwise
 * undefined.
 * @param {string} recordFile
 * @param {string} key
 * @returns {string | undefined}
 */
export function currentBundle(recordFile, key) {
  let record;
  try {
    record = JSON.parse(readFileSync(recordFile, 'utf8'));
  } catch {
    return undefined;
  }
  if (
    record === null ||
    record.key !== key ||
    typeof record.entry !== 'string' ||
    typeof record.inputs !== 'object' ||
    typeof record.outputs !== 'object' ||
    typeof record.folders !== 'object'
  )
    return undefined;
  /** @type {Readonly<Record<string, string>>} signatures of unchanged inputs and folders (see above) */
  const stats = typeof record.stats === 'object' && record.stats !== null ? record.stats : {};
  /** @param {string} path */
  const unchanged = (path) => stats[path] !== undefined && signature(path) === stats[path];
  /** @param {Readonly<Record<string, string>>} files */
  const same = (files) => Object.entries(files).every(([file, hash]) => unchanged(file) || sha256(file) === hash);
  const current =
    Object.keys(record.outputs).includes(record.entry) &&
    same(record.outputs) &&
    same(record.inputs) &&
    Object.entries(record.folders).every(([folder, hash]) => unchanged(folder) || listing(folder) === hash);
  return current ? record.entry : undefined;
}

/**
 * Whether the bundle at `outfile`, recorded beside it, was built with `key` from files that are all unchanged.
 * @param {string} outfile
 * @param {string} key
 */
export function upToDate(outfile, key) {
  return currentBundle(buildRecordFile(outfile), key) === outfile;
}

/**
 * The package.json of each package an input lies in (`node_modules/zod/v4/index.js` ->
 * `node_modules/zod/package.json`, `@scope/name` likewise): its `exports`, `main` and `sideEffects`
 * decide what esbuild bundles, so an upgrade that changes only them still builds again.
 * @param {readonly string[]} inputs
 */
function packageManifests(inputs) {
  const manifests = new Set();
  for (const input of inputs) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/@][^/]*)\//.exec(input);
    if (match) manifests.add(`${match[1]}/package.json`);
  }
  return [...manifests];
}

/**
 * The record of a build (its text, for the caller to write atomically to `buildRecordFile`), whose
 * entry is `build.entry`: `inputs` as esbuild's metafile lists them (relative to `workingDir`) and
 * the package.json of each package among them, `outputs` the files written. Not recordable (the
 * text is then a record that can never match, replacing any earlier one) when an input is not a
 * plain file or was modified after `startedAt` less the margin.
 * @param {string} key
 * @param {{ entry: string, workingDir: string, startedAt: number, inputs: readonly string[], outputs: readonly string[] }} build
 * @returns {{ text: string, recordable: boolean }}
 */
export function buildRecord(key, build) {
  /** @type {Record<string, string>} */
  const inputs = {};
  /** @type {Record<string, string>} signatures of what changed before the build's start less the margin */
  const stats = {};
  const before = BigInt(build.startedAt - MODIFIED_DURING_BUILD_MARGIN_MS) * 1_000_000n;
  /** @param {string} path */
  const stat = (path) => {
    const s = statSync(path, { bigint: true, throwIfNoEntry: false });
    if (s && s.ctimeNs < before) stats[path] = signed(s);
    return s;
  };
  let recordable = true;
  for (const input of [...build.inputs, ...packageManifests(build.inputs)]) {
    const file = resolve(build.workingDir, input);
    // Hashed before the stat: a write after the hash shows in the stat's times.
    const hash = sha256(file);
    const s = stat(file);
    if (!s?.isFile() || hash === undefined || s.mtimeNs >= before) {
      recordable = false;
      break;
    }
    inputs[file] = hash;
  }
  /** @type {Record<string, string>} */
  const folders = {};
  for (const folder of new Set(Object.keys(inputs).map((file) => dirname(file)))) {
    stat(folder); // before its listing: an entry added after the stat changes the folder's times
    const hash = listing(folder);
    if (hash === undefined) recordable = false;
    else folders[folder] = hash;
  }
  /** @type {Record<string, string>} */
  const outputs = {};
  for (const file of build.outputs) outputs[file] = sha256(file) ?? '';
  // Unrecordable: a record that can never match (no outputs), so the next call builds again.
  const record = recordable
    ? { key, entry: build.entry, inputs, folders, outputs, stats }
    : { key: '', entry: '', inputs: {}, folders: {}, outputs: {} };
  return { text: `${JSON.stringify(record, null, 1)}\n`, recordable };
}
