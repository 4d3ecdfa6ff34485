/**
 * Where the CRD schema cache keeps a schema, `<cache>/<group>/<Kind>/<version>.json`, and the
 * guards that keep every read and every write of it inside the cache folder. The three names come
 * from input: a CRD file or a cluster when `npm run crds` writes (refused first by ./crd-names.ts,
 * the API server's rules), a manifest's `apiVersion` and `kind` when `npm run check --crd-cache`
 * reads. So:
 *
 * - reading (`cachedEntry`): a group, Kind or version that no CRD could have (`../../x`, `V1`) has
 *   no cached schema (undefined: the gate reports `schema.missing` for it, as for any schema the
 *   cache lacks), and an entry whose real path lies outside the cache (a folder or file in it that
 *   links elsewhere) is refused, so no file outside is read or quoted in a message;
 * - writing (`writeEntry`): a cache folder that is, or passes through, a link to nothing or a loop
 *   of links is refused first (`cacheLinkRefusal`: no folder can be made through it), and a path
 *   outside the cache before anything is written; then each entry's folder is made, its real path
 *   checked to lie in the cache, the text written to a new temporary file there (`wx`: never
 *   through a file or link already there), the folder's real path checked again right before the
 *   rename, and the temporary file renamed over the entry.
 *
 * What stays open, and why it is small: node offers no `openat`/`renameat`, so a path is resolved
 * again by each call. Someone who can write into the cache and swaps a folder on the entry's path
 * for a link between the last check and the rename makes the rename resolve `<link>/.<temporary>`,
 * which does not exist there: the rename fails (ENOENT) and nothing is written through the link.
 * The temporary file is not removed: its removal resolves the same path through the link, so it
 * stays, holding the new text, in the folder that was checked, wherever that was moved (named
 * `.<version>.json.<pid>.<8 hex>.tmp`; the same when the check before the rename refuses, as
 * test/check/crd-cache-guards.test.ts shows). Only moving the checked folder itself below the
 * link's target carries the new entry along, which takes write access to that target folder too:
 * the entry can land only where its mover could already write. `mkdir` of a missing folder can follow
 * a link swapped in at that moment and make empty folders through it (no file is written there:
 * the real-path check comes first). A cache outside any folder others can write has no such window.
 */
import { lstatSync, mkdirSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { badCrdNames } from './crd-names.js';
import { writeFileAtomically } from '../core/atomic-write.js';
import { isWithinReal, nearestExisting } from '../core/path-within.mjs';
import { unreachableRefusal } from '../core/unreachable-path.js';

/** The names of one entry, and where they came from (for messages). */
interface EntryNames {
  readonly group: string;
  readonly kind: string;
  readonly version: string;
  readonly source: string;
}

const LINK_FIX = 'a folder in the cache that links elsewhere (or, to read, an entry that does): remove it';

/**
 * `<cache>/<group>/<Kind>/<version>.json`, and whether that is exactly three parts below the cache:
 * the shape of an entry, as written (where it really leads is isWithinReal's question).
 */
function lexicalEntry(root: string, e: EntryNames): { path: string; below: boolean } {
  const path = resolve(join(root, e.group, e.kind, `${e.version}.json`));
  const parts = relative(root, path).split(sep);
  return { path, below: parts.length === 3 && parts.every((p) => p !== '' && p !== '.' && p !== '..') };
}

function outside(root: string, e: EntryNames, path: string, verb: string, why = ''): Error {
  return new CrdPathError(
    `${e.source}: the schema of ${JSON.stringify(`${e.group}/${e.version} ${e.kind}`)} would be ${verb} ${path}${why}, ` +
      `outside the cache ${root} (fix: a CRD whose group, Kind and version names Kubernetes accepts; ${LINK_FIX})`,
  );
}

/** A path the cache refuses (crd-cache.ts turns it into its CrdError). */
export class CrdPathError extends Error {}

/**
 * The file every fill writes at the cache's top (as synth's output has `.arcade-stack-dist`): a
 * folder that holds other files but not this one is no cache, and is never filled or read as one
 * (`crds --cache .` wrote API group folders into the repository's top, `--cache src` into src/).
 */
export const CACHE_MARKER = '.arcade-crd-cache';

const CACHE_FOLDER_FIX = 'give a new or empty folder, e.g. .cache/crds, or a cache npm run crds filled';

/**
 * What `cache` is. The marker counts only as a regular file (lstat): a link named like it would
 * have the marker written through it (a folder made by someone else, e.g. under /tmp, with the
 * marker a link to a file of the person running crds, had that file overwritten).
 */
function folderState(cache: string): 'missing' | 'not-a-folder' | 'empty' | 'cache' | 'bad-marker' | 'other' {
  let isFolder: boolean;
  try {
    isFolder = statSync(cache).isDirectory();
  } catch {
    return 'missing'; // unreachable paths (links to nothing, loops) are cacheLinkRefusal's
  }
  if (!isFolder) return 'not-a-folder';
  const names = readdirSync(cache);
  if (names.includes(CACHE_MARKER))
    return lstatSync(join(cache, CACHE_MARKER), { throwIfNoEntry: false })?.isFile() ? 'cache' : 'bad-marker';
  return names.length === 0 ? 'empty' : 'other';
}

/**
 * Why `cache` (named as `named`, e.g. `--cache x`) cannot be filled: a file, or a folder holding
 * other files without the marker (a cache filled before session 16 has none: remove it and fill
 * it again). A missing or empty folder is fine.
 */
export function cacheWriteRefusal(cache: string, named: string): string | undefined {
  const state = folderState(cache);
  if (state === 'not-a-folder') return `${named}: is a file, not a folder (fix: ${CACHE_FOLDER_FIX})`;
  if (state === 'bad-marker') return badMarker(named);
  if (state !== 'other') return undefined;
  return (
    `${named}: holds other files and is no CRD schema cache (it has no ${CACHE_MARKER}, which npm run crds ` +
    `writes) (fix: ${CACHE_FOLDER_FIX}; a cache filled before session 16 lacks it: remove the folder and fill it again)`
  );
}

/** Why `cache` cannot be read as a cache (`check --crd-cache`): missing, a file, or not one npm run crds filled. */
export function cacheReadRefusal(cache: string, named: string, fill: string): string | undefined {
  const state = folderState(cache);
  if (state === 'cache') return undefined;
  if (state === 'bad-marker') return badMarker(named);
  const what = { missing: 'no such folder', 'not-a-folder': 'is a file, not a folder', empty: 'is empty' }[
    state as 'missing'
  ];
  return `${named}: ${what ?? `is no CRD schema cache (it has no ${CACHE_MARKER}, which npm run crds writes)`} (fix: ${fill})`;
}

/** A marker that is not a regular file (a link, a folder): never written through, never trusted. */
function badMarker(named: string): string {
  return (
    `${named}: its ${CACHE_MARKER} is not a regular file (a link or a folder), which npm run crds never writes ` +
    `(fix: ${CACHE_FOLDER_FIX}; do not use a folder someone else made)`
  );
}

/**
 * Marks the cache folder (made when missing) as one, before the first entry is written: a new
 * file put in place by rename (never written through a link planted under the marker's name);
 * a marker already a regular file is left as it is.
 */
export function markCache(cache: string): void {
  mkdirSync(cache, { recursive: true });
  const marker = join(cache, CACHE_MARKER);
  if (lstatSync(marker, { throwIfNoEntry: false })?.isFile()) return;
  writeFileAtomically(marker, 'A CRD schema cache filled by npm run crds (src/check/crd-cache-paths.ts).\n', {
    mode: 0o644,
  });
}

/**
 * The refusal of a cache folder that is, or passes through, a symbolic link to nothing or a loop of
 * links, or that this user cannot reach (src/core/unreachable-path.ts): it passes every cache path
 * check (a missing name) but no folder can be made through it (mkdir: ENOENT, ELOOP). The cache
 * named as `--cache <dir>` (`option`), as the default of `npm run crds` (`default`), or as itself
 * (`folder`: writeCache, which names no option).
 */
export function cacheLinkRefusal(cache: string, named: 'option' | 'default' | 'folder'): string | undefined {
  return unreachableRefusal(cache, {
    named: { option: `--cache ${cache}`, default: `the default cache folder ${cache}`, folder: `the cache ${cache}` }[
      named
    ],
    takes: 'folder',
    nothing: 'nothing was stored',
    another: named === 'default' ? ' with --cache <dir>' : '',
  });
}

/**
 * The file of an entry to write, refused unless it lies inside the cache (also through the links
 * that exist now): the check of every entry before the first is written.
 */
export function entryToWrite(cacheDir: string, e: EntryNames): string {
  const root = resolve(cacheDir);
  const { path, below } = lexicalEntry(root, e);
  // Its folder: an entry that is a link is replaced by the rename, never written through.
  if (!below || !isWithinReal(root, dirname(path))) throw outside(root, e, path, 'written to');
  return path;
}

/**
 * Writes one entry (a path from entryToWrite) atomically, checking the real path of its folder once
 * made and again right before the rename (the module's comment says what window stays open).
 * `write` is writeFileAtomically everywhere but in test/check/crd-cache-guards.test.ts, which passes
 * writeFileAtomically itself with a folder swapped for a link at its `beforeRename`, before this
 * check runs: so each of the two checks has a test that fails without it.
 */
export function writeEntry(
  cacheDir: string,
  e: EntryNames,
  path: string,
  text: string,
  write: typeof writeFileAtomically = writeFileAtomically,
): void {
  const root = resolve(cacheDir);
  const folder = dirname(path);
  mkdirSync(folder, { recursive: true });
  // Stricter than isWithinReal: the folder must be exactly where its names put it, not only somewhere
  // in the cache (a link to another entry's folder is inside the cache, yet writes that entry).
  const expected = () => {
    if (realpathSync.native(folder) !== join(realpathSync.native(root), relative(root, folder)))
      throw outside(root, e, path, 'written to', ' (a folder on its path links elsewhere since it was checked)');
  };
  expected();
  write(path, text, { beforeRename: expected });
}

/**
 * The file of the cached schema of `group/version` `kind`, or undefined when no CRD could have
 * those names or the cache holds no such entry. Throws CrdPathError for an entry that exists but
 * whose real path lies outside the cache.
 */
export function cachedEntry(cacheDir: string, group: string, version: string, kind: string): string | undefined {
  if (badCrdNames(group, kind, [{ index: 0, name: version }]).length > 0) return undefined;
  const root = resolve(cacheDir);
  const { path, below } = lexicalEntry(root, { group, kind, version, source: '' });
  if (!below || nearestExisting(path).path !== path) return undefined;
  if (!isWithinReal(root, path)) throw outside(root, { group, kind, version, source: cacheDir }, path, 'read from');
  return path;
}
