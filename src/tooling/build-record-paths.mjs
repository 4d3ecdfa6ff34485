// The paths a bundle's record (build-record.mjs) checks besides its inputs' content: where a
// symbolic link leads, the way an import's path went as written, and what esbuild looks up in a
// folder's parents. Plain JavaScript, as build-record.mjs, for the plain-node launcher.
import { lstatSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isWithin, isWithinReal } from '../core/path-within.mjs';

/**
 * The recorder's own sources (build-record.mjs, this file, path-within.mjs, beside-bundle.mjs): in every bundle's key
 * (build-record.mjs settingsKey), so a record written by an older recorder never matches.
 */
export const RECORDER = [
  './build-record.mjs',
  './build-record-paths.mjs',
  '../core/path-within.mjs',
  '../core/beside-bundle.mjs',
].map((file) => fileURLToPath(new URL(file, import.meta.url)));

/** The names esbuild looks for in every parent folder of a file it resolves or loads. */
export const LOOKED_UP = ['jsconfig.json', 'node_modules', 'package.json', 'tsconfig.json'];

/** Where the symbolic link `path` leads in the end (through every link on the way), or its own text when it leads nowhere. */
export function target(path) {
  try {
    return realpathSync.native(path);
  } catch {
    return readlinkSync(path);
  }
}

/**
 * The entries of `folder` named in LOOKED_UP, each as a file, a folder, or a link and where it
 * leads; and the files among them (whose content the record holds as an input's).
 * @param {string} folder @returns {{ text: string | undefined, files: string[] }}
 */
export function lookedUp(folder) {
  let text = '';
  const files = [];
  try {
    for (const name of LOOKED_UP) {
      const path = join(folder, name);
      const stat = lstatSync(path, { throwIfNoEntry: false });
      if (stat === undefined) continue;
      if (stat.isFile()) files.push(path);
      if (stat.isSymbolicLink()) text += `${name}\0->${target(path)}\0`;
      else text += `${name}\0${stat.isFile() ? 'file' : stat.isDirectory() ? 'folder' : 'other'}\0`;
    }
  } catch {
    return { text: undefined, files }; // unreadable: the build cannot be recorded, a record never matches
  }
  return { text, files };
}

/**
 * The way the import `original` of the file `importer` went as written, before any link on it was
 * followed: `passed`, each entry on the path below the folder it climbs to (`..`), and `listed`,
 * the folders whose names decided what it resolved to (`tried`). `exact`: the path it names when a
 * file (or a link to one) stands there, which esbuild takes before trying any other name
 * (`./dep.js` beside dep.ts: dep.js).
 * A package's name (`resolved`: where esbuild found it) adds the node_modules folders tried before
 * that one, and the folders `tried` of its path in node_modules when the package has no `exports`
 * (which map a subpath to one exact file); a package reached through a link adds the link to
 * `passed` (foundIn).
 * @param {string} importer @param {string} original @param {string | undefined} resolved
 * @returns {{ passed: string[], listed: string[], exact?: string }}
 */
export function importWay(importer, original, resolved) {
  if (!/^\.\.?(\/|$)/.test(original) && !isAbsolute(original)) {
    const found = resolved === undefined ? undefined : foundIn(importer, original, resolved);
    if (found === undefined) return { passed: [], listed: [] };
    const exports = manifest(join(found.modules, found.name))?.exports;
    const own = exports === undefined || exports === null ? tried(join(found.modules, original)) : [];
    return { passed: found.passed, listed: [...nearerModules(dirname(importer), found), ...own] };
  }
  const from = dirname(importer);
  const to = resolve(from, original);
  // The nearest folder the two paths share: `..` from a real folder (an input's) is its real parent.
  let top = from;
  while (top !== dirname(top) && !isWithin(top, to)) top = dirname(top); // as written: no link followed
  const passed = [];
  for (let path = dirname(to); path !== top && path !== dirname(path); path = dirname(path)) passed.push(path);
  return statOrNothing(to)?.isFile() ? { passed, listed: tried(to), exact: to } : { passed, listed: tried(to) };
}

/**
 * The package name of the bare import `original` of `importer` and the node_modules folder where
 * esbuild found it (`resolved`: `pkg/a/b` found as node_modules/pkg/a/b/index.js); undefined when it
 * was found elsewhere (a tsconfig.json `paths` alias). Found as node_modules/pkg.js (tried before
 * pkg/), the file's folder is listed as an input's.
 *
 * A package reached through a symbolic link (npm link, a workspace: node_modules/pkg -> ../../pkg)
 * is resolved by esbuild to its real path, outside any node_modules: it is found by looking, from
 * the importer's folder up as esbuild did, for the first node_modules/pkg whose real path holds
 * `resolved`. Its folders are then listed through the link, like an installed package's, and
 * `passed` holds each link on the way (node_modules/pkg, or @scope and @scope/name), so the link
 * pointed at another copy builds again; its package.json, a parent folder of its files, is read
 * with the parents (lookedUp).
 * @param {string} importer @param {string} original @param {string} resolved
 * @returns {{ name: string, modules: string, passed: string[] } | undefined}
 */
function foundIn(importer, original, resolved) {
  const name = /^(?:@[^/]+\/)?[^/]+/.exec(original)?.[0];
  if (name === undefined) return undefined;
  const i = resolved.lastIndexOf(`${sep}node_modules${sep}${name}${sep}`);
  if (i >= 0) return { name, modules: resolved.slice(0, i + `${sep}node_modules`.length), passed: [] };
  for (const dir of withParents(dirname(importer))) {
    const modules = join(dir, 'node_modules');
    const folder = join(modules, name);
    if (statOrNothing(folder)?.isDirectory() && isWithinReal(folder, resolved)) {
      const scope = dirname(folder) === modules ? [] : [dirname(folder)];
      return { name, modules, passed: [...scope, folder] };
    }
  }
  return undefined;
}

/**
 * The node_modules folders esbuild tried before the one where it found the package `name` (in each
 * folder from `from` up): a package installed there is what the import names next. For a scoped
 * name, its scope's folder there too. A node_modules that is not there is recorded with the
 * parents (LOOKED_UP). @param {string} from @param {{ name: string, modules: string }} found
 */
function nearerModules(from, { name, modules }) {
  const folders = [];
  for (let dir = from; dir !== dirname(modules) && dir !== dirname(dir); dir = dirname(dir)) {
    const nearer = join(dir, 'node_modules');
    if (!statOrNothing(nearer)?.isDirectory()) continue;
    folders.push(nearer);
    const scope = join(nearer, dirname(name));
    if (name.startsWith('@') && statOrNothing(scope)?.isDirectory()) folders.push(scope);
  }
  return folders;
}

/**
 * The folders whose names decide what the path `to` resolves to, as esbuild resolves a path by
 * trying names: its own folder (to.js, to.ts and so on are tried before a folder `to`; `pkg/a/b`
 * resolved to a/b/index.js changes when a b.js is added in a/) and, when `to` is a folder, itself
 * (index.js and the like) and the folders tried for each of its package.json's `main` and `module`
 * (esbuild's main fields for node: `"main": "dist/lib"`, dist/lib.js before dist/lib/index.js).
 * @param {string} to @param {Set<string>} [seen] @returns {string[]}
 */
function tried(to, seen = new Set()) {
  if (seen.has(to)) return [];
  seen.add(to);
  if (!statOrNothing(to)?.isDirectory()) return [dirname(to)];
  const fields = manifest(to) ?? {};
  const mains = [fields.main, fields.module].filter((field) => typeof field === 'string');
  return [dirname(to), to, ...mains.flatMap((main) => tried(join(to, main), seen))];
}

/**
 * What stands at `path` (through links); undefined when nothing does or it cannot be read for any
 * reason. Not ../core/path-within.mjs `statOf`, which throws on EACCES/ELOOP: a build record fails
 * closed (what cannot be read is recorded as absent, so any change later builds again), never throws.
 * @param {string} path
 */
function statOrNothing(path) {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

/** The package.json in `folder`, parsed; undefined when there is none or it is not JSON. @param {string} folder */
function manifest(folder) {
  try {
    const parsed = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What stands at `path`: nothing, a file, a folder, or a link and where it leads; undefined when it
 * cannot be read. @param {string} path @returns {string | undefined}
 */
export function entryAt(path) {
  try {
    const stat = lstatSync(path, { throwIfNoEntry: false });
    if (stat === undefined) return 'none';
    if (stat.isSymbolicLink()) return `->${target(path)}`;
    return stat.isDirectory() ? 'folder' : 'file';
  } catch {
    return undefined; // unreadable: the build cannot be recorded, a record never matches
  }
}

/** `folder` and each of its parents up to the file system's root. @param {string} folder */
export function withParents(folder) {
  const all = [folder];
  for (let f = folder; f !== dirname(f); f = dirname(f)) all.push(dirname(f));
  return all;
}
