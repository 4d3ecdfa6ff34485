// What a bundle was built from, so the next run builds it again only when something changed
// (bundle.ts `bundleSynthEntry` and `bundleProbeRunner`, script-bundle.ts `bundleScript`, and
// launch.mjs, which checks a script's bundle with plain node before it runs it): each records its
// build through bundle.ts `writeBuild`, from esbuild's metafile with every input's imports as
// written, so the link and parent checks below cover every bundle. Bundling costs loading esbuild,
// starting its service process and the build itself: about half a second of CPU or more (the probe
// runner's ~1500 modules: about 5 s), for a bundle that is the same bytes as the last one unless a
// source changed.
//
// Plain JavaScript (types in build-record.d.mts) so that node runs it without tsx: this is the one
// implementation of the up-to-date rule, for the TypeScript builders and the plain-node launcher.
//
// The record is a JSON file beside the bundle (`.build/main.cjs.built-from.json`): the sha256 of
// the build's settings (`key`: esbuild's version, bundler and recorder sources, tsconfig.json,
// package.json and what bundle.ts decided about yaml), of every file esbuild read (its metafile's
// inputs, and the package.json of each bundled package, which esbuild reads but does not list) and
// of every file it wrote; the names in each folder in which esbuild tried a name for an import as
// written or that holds an input (`./sub/dep.js`: sub/, though dep.ts there is a link to a file
// elsewhere; `pkg/a/b` of a package without exports, found as a/b/index.js: a/ and a/b/; a main
// field `dist/lib` of a package.json found there: dist/ and dist/lib/; each node_modules tried
// before the one a package was found in), each link with where it leads in the end, each
// package.json or tsconfig.json with its content; what stands at each step of an import's path as
// written (`./lib/shared/dep.js`: lib/shared -> ../v1); in each parent folder up to the file
// system's root, what esbuild looks for there (package.json, tsconfig.json, jsconfig.json,
// node_modules); and the bundle's entry file. esbuild's metafile
// lists only where links led, and a file added beside an input or a tsconfig.json in a parent can
// change what an unchanged import resolves to or how it compiles. The bundle is up to date only
// when all of them are still the same. By content, not by time: a file put back with an older time
// is still seen. A parent is not listed whole, nor the folder of a file only ever imported by the
// exact path it names (`../../package.json`: esbuild takes a file standing at the path as written
// before trying any other name, so no name added beside it changes what the import resolves to);
// what stands at that path is recorded instead (a link pointed elsewhere, the file gone). So
// another name at the repository's root (bench.json, an editor's swap file) builds no bundle again,
// though probe's and the runner's read package.json there (otlp-export.ts).
//
// Reading every input again is most of a check (probe's ~1500 files, 19 MB). So the record also
// keeps, for each input and folder whose change time was already older than the build's start less
// the margin, its stat signature (device, inode, size, modification and change time, as git's index
// does); one whose signature is unchanged is taken as unchanged without reading it. Writing a file,
// or setting its times back, sets its change time to the present, which no recorded signature
// holds. A folder holding a symbolic link gets none (a link elsewhere on its chain may be pointed
// anew without touching it): it is listed on every check.
//
// A source (JavaScript or TypeScript) is recorded as esbuild was given it (bundle.ts LoadedFiles),
// whatever its time: one saved during the build, or copied in with old times (`cp -p`, `rsync -t`,
// `tar x`), is recorded as the bundle was built from it, so the next run sees it differs. The files
// esbuild reads itself (JSON, package.json, tsconfig.json) are hashed after the build, which is
// recorded only when none of them was modified after its start less a margin for coarse clocks
// (else the next run builds again): that time is all that guards them, so one copied in with old
// times while esbuild ran is not seen until it changes again; nor is a name added or a link pointed
// elsewhere while esbuild ran (folders are read after the build, with no time to go by).
// The record is written atomically after the bundle (by the caller, through
// src/core/atomic-write.ts); a record that cannot be read or does not match means "build".
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { BUILD_RECORD_SUFFIX } from '../core/beside-bundle.mjs';
import { entryAt, importWay, lookedUp, RECORDER, target, withParents } from './build-record-paths.mjs';

/** Inputs modified this close to a build's start, or after it, leave the build unrecorded. */
const MODIFIED_DURING_BUILD_MARGIN_MS = 2000;

/** The record of the bundle at `outfile` (its name: ../core/beside-bundle.mjs). @param {string} outfile */
export function buildRecordFile(outfile) {
  return `${outfile}${BUILD_RECORD_SUFFIX}`;
}

/** A stat signature: device, inode, size, modification and change time in nanoseconds. @param {import('node:fs').BigIntStats} s */
const signed = (s) => `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;

/** The signature of `path` (a file or folder); undefined when it is gone or cannot be read. @param {string} path */
function signature(path) {
  try {
    const s = statSync(path, { bigint: true, throwIfNoEntry: false });
    return s && signed(s);
  } catch {
    return undefined; // a file where a folder was on its way (ENOTDIR), no permission: never equal to a recorded one
  }
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
 * sha256 of the sorted names in `folder`, each symbolic link with where it leads in the end (a
 * `dep.js` added beside the `dep.ts` an import resolved to, a link pointed elsewhere), and whether
 * it holds a link.
 * @param {string} folder @returns {{ hash: string, links: boolean } | undefined}
 */
function listing(folder) {
  try {
    let links = false;
    const names = readdirSync(folder, { withFileTypes: true }).map((e) => {
      if (!e.isSymbolicLink()) return e.name;
      links = true;
      return `${e.name}\0->${target(join(folder, e.name))}`;
    });
    return { hash: createHash('sha256').update(names.sort().join('\0')).digest('hex'), links };
  } catch {
    return undefined; // gone or unreadable: never equal to a recorded listing
  }
}

/**
 * A key for the build's settings: `parts` (plain values), the content of `files` and the recorder's.
 * @param {Readonly<Record<string, string | undefined>>} parts @param {readonly string[]} files
 */
export function settingsKey(parts, files) {
  const hashed = [...files, ...RECORDER].map((f) => [f, sha256(f) ?? null]);
  return createHash('sha256')
    .update(JSON.stringify({ parts, files: hashed }))
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
  /** @param {unknown} value */
  const isMap = (value) => typeof value === 'object' && value !== null;
  if (
    !isMap(record) ||
    record.key !== key ||
    typeof record.entry !== 'string' ||
    ![record.inputs, record.outputs, record.folders, record.passed, record.parents].every(isMap)
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
    Object.entries(record.folders).every(([folder, hash]) => unchanged(folder) || listing(folder)?.hash === hash) &&
    Object.entries(record.passed).every(([path, entry]) => entryAt(path) === entry) &&
    Object.entries(record.parents).every(([folder, text]) => lookedUp(folder).text === text);
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
 *
 * Recorded as inputs, so the package's folder is listed as any input's, and it must be: a package without `exports` is
 * resolved as a path is, by trying names (`zod/v4`: v4.js, v4.ts and so on before v4/index.js; `"main": "lib"`: lib.js
 * before lib/index.js), and its folder often holds no other input (zod's files are under v4/), so a v4.js added there
 * would change what an unchanged import resolves to unseen (test/tooling/synth-bundle.test.ts). A deeper subpath's
 * folders (`pkg/a/b` as a/b/index.js: a/, where b.js is tried first), and a linked package's (npm link: outside
 * node_modules; its package.json is read with the parents), are listed by importWay (build-record-paths.mjs foundIn).
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
 * entry is `build.entry` (see above). Not recordable (the text is then a record that can never
 * match, replacing any earlier one) when an input is not a plain file, or a file esbuild read itself
 * or looked up was modified after `startedAt` less the margin.
 * @param {string} key
 * @param {import('./build-record.d.mts').BuildOfRecord} build
 * @returns {{ text: string, recordable: boolean }}
 */
export function buildRecord(key, build) {
  const since = build.startedAt - MODIFIED_DURING_BUILD_MARGIN_MS;
  const before = BigInt(since) * 1_000_000n;
  /** @type {Record<string, string>} signatures of what changed before the build's start less the margin */
  const stats = {};
  /** @param {string} path */
  const stat = (path) => {
    const s = statSync(path, { bigint: true, throwIfNoEntry: false });
    if (s && s.ctimeNs < before) stats[path] = signed(s);
    return s;
  };
  /** @type {Record<string, string>} */
  const inputs = {};
  let recordable = true;
  /** A path that could not be read on the way: the build cannot be recorded (a record never matches). */
  const unreadable = () => {
    recordable = false;
    return '';
  };
  /** Hashes `file`, one esbuild read itself: recordable only when it was not modified during the build. @param {string} file */
  const readItself = (file) => {
    const hash = sha256(file); // before the stat: a write after the hash shows in the stat's times
    const s = stat(file);
    if (!s?.isFile() || hash === undefined || s.mtimeNs >= before) recordable = false;
    else inputs[file] = hash;
  };
  const files = Object.keys(build.inputs);
  /** @type {Set<string>} */
  const walked = new Set();
  /** @type {Record<string, string>} */
  const passed = {};
  /** @type {Set<string>} files an import named exactly as written; `other`: files reached any other way (kept listed) */
  const named = new Set();
  const other = new Set();
  for (const input of [...files, ...packageManifests(files)]) {
    const file = resolve(build.workingDir, input);
    for (const i of build.inputs[input]?.imports ?? [])
      if (!i.external && i.original !== undefined) {
        const to = i.path === undefined ? undefined : resolve(build.workingDir, i.path);
        const way = importWay(file, i.original, to);
        for (const p of way.passed) passed[p] ??= entryAt(p) ?? unreadable();
        if (to !== undefined && way.exact !== undefined && to === target(way.exact)) {
          named.add(to);
          passed[way.exact] ??= entryAt(way.exact) ?? unreadable(); // a link there pointed elsewhere, or the file gone
        } else {
          if (to !== undefined) other.add(to);
          for (const f of way.listed) walked.add(f);
        }
      }
    const loaded = build.loaded?.get(file);
    if (loaded === undefined) readItself(file);
    else {
      stat(file); // unchanged since before the build (its change time says so): what esbuild was given
      inputs[file] = loaded; // what esbuild was given, whatever the file's time or content now
    }
    if (!recordable) break;
  }
  /** @type {Record<string, string>} */
  const folders = {};
  /** @type {Record<string, string>} */
  const parents = {};
  // A file only ever named exactly (`../../package.json`) leaves its folder unlisted: no name added beside it changes what
  // that import resolves to (a file named exactly is taken first); its folder's parents are still looked up.
  /** @param {string} file */
  const kept = (file) => !named.has(file) || other.has(file);
  const listed = new Set([
    ...Object.keys(inputs)
      .filter(kept)
      .map((file) => dirname(file)),
    ...walked,
  ]);
  const seen = new Set();
  for (const folder of new Set([...listed, ...[...named].map((file) => dirname(file))])) {
    if (listed.has(folder)) {
      const s = statSync(folder, { bigint: true, throwIfNoEntry: false }); // before its listing (see stat)
      const list = listing(folder);
      if (list === undefined) recordable = false;
      else folders[folder] = list.hash;
      if (s && list && !list.links && s.ctimeNs < before) stats[folder] = signed(s);
    }
    for (const parent of withParents(folder)) {
      if (seen.has(parent)) break; // and so were its parents
      seen.add(parent);
      const found = lookedUp(parent);
      for (const file of found.files) if (!(file in inputs)) readItself(file);
      // A listed folder's names are in its listing.
      if (!listed.has(parent)) parents[parent] = found.text ?? unreadable();
    }
  }
  /** @type {Record<string, string>} */
  const outputs = {};
  for (const file of build.outputs) outputs[file] = sha256(file) ?? '';
  // Unrecordable: a record that can never match (no outputs), so the next call builds again.
  const record = recordable
    ? { key, entry: build.entry, inputs, folders, passed, parents, outputs, stats }
    : { key: '', entry: '', inputs: {}, folders: {}, passed: {}, parents: {}, outputs: {} };
  return { text: `${JSON.stringify(record, null, 1)}\n`, recordable };
}
