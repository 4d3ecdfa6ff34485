// The paths a bundle's record (build-record.mjs) checks besides its inputs' content: where a
// symbolic link leads, the way an import's path went as written, and what esbuild looks up in a
// folder's parents. Plain JavaScript, as build-record.mjs, for the plain-node launcher.
import { lstatSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

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
 * the folder holding what it names and that itself when it is a folder (`./lib` -> lib/index.ts).
 * A package's name (resolved in node_modules, whose folders are those of its files) adds none.
 * `exact`: the path it names when a file (or a link to one) stands there, which esbuild takes before
 * trying any other name (`./dep.js` beside dep.ts: dep.js).
 * @param {string} importer @param {string} original
 * @returns {{ passed: string[], listed: string[], exact?: string }}
 */
export function importWay(importer, original) {
  if (!/^\.\.?(\/|$)/.test(original) && !isAbsolute(original)) return { passed: [], listed: [] };
  const from = dirname(importer);
  const to = resolve(from, original);
  // The nearest folder the two paths share: `..` from a real folder (an input's) is its real parent.
  let top = from;
  const outside = () => {
    const path = relative(top, to);
    return path === '..' || path.startsWith(`..${sep}`);
  };
  while (top !== dirname(top) && outside()) top = dirname(top);
  const passed = [];
  for (let path = dirname(to); path !== top && path !== dirname(path); path = dirname(path)) passed.push(path);
  const listed = [dirname(to)];
  const stat = statSync(to, { throwIfNoEntry: false });
  if (stat?.isDirectory()) listed.push(to);
  return stat?.isFile() ? { passed, listed, exact: to } : { passed, listed };
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
