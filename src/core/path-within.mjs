// Whether a path lies inside a folder, and the real path of a path whose tail may not exist yet:
// the one rule of synth's --out (src/tooling/output-dir.ts), the CRD schema cache
// (src/check/crd-cache-paths.ts), the export's --path and kustomize root (src/delivery/target.ts,
// kustomize.ts), the build record's linked packages (src/tooling/build-record-paths.mjs), where an
// output path leads (./output-target.ts), the refusal of an output whose links lead nowhere
// (./unreachable-path.ts) and the file names messages show relative to a folder.
//
// Named for what most of its callers import: isWithin, the check as written (no link followed),
// which the environments, the gate's manifests, the export's target, synth's --out and the build
// record use; most of its code is real-path resolution (realPath and its helpers), yet a name such
// as real-path.mjs would tell a reader of `import { isWithin } from './real-path.mjs'` that the
// containment check follows links, which it does not.
//
// Plain JavaScript (types in path-within.d.mts) so the plain-node launcher's build record
// (src/tooling/build-record-paths.mjs) runs this same code.
//
// `.` and `..` of the path given are taken as written, before any link is followed, as node's
// path.resolve does (`<link>/..` is the folder holding the link, where the kernel would take the
// parent of the link's target): so a caller writes to realPath's `path`, or to the path it checked
// once path.resolve has left no `.` or `..` in it (the CRD cache's entries, each folder's real path
// checked again once made: src/check/crd-cache-paths.ts), never to a path with `..` after a link,
// and what is checked is where it writes (kustomize.ts writes the root kustomization to realPath's
// `path` of the build root it checked). The links of the
// existing part are followed by the kernel (fs.realpathSync.native), never by node's JavaScript
// fs.realpathSync: that one resolves `..` in a link's TARGET against the link's own folder (with
// `b -> /far/deep/z` and `app -> b/../sub`, it says `sub` beside `app`, the kernel and every write
// say /far/deep/sub); test/architecture/realpath-native.test.ts keeps it out of src/ and scripts/.
import { lstatSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/**
 * `path`'s status, links followed, or undefined when it does not exist (ENOTDIR too: a part of it
 * is a file). Any other failure (EACCES, ELOOP) is thrown.
 * @param {string} path
 */
export function statOf(path) {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch (err) {
    if (/** @type {NodeJS.ErrnoException} */ (err).code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/**
 * The nearest of `path` and its parent folders that exists, with its status (links followed): where
 * a command can make the missing rest of an output path (`mkdir -p`), or what stands in its way (a
 * file, a device). `stat` is undefined only when not even the file system's root can be read.
 * @param {string} path
 */
export function nearestExisting(path) {
  let current = path;
  let stat = statOf(current);
  while (!stat && dirname(current) !== current) {
    current = dirname(current);
    stat = statOf(current);
  }
  return { path: current, stat };
}

/**
 * The symbolic link that leads nowhere on `path` (absolute against the working folder): the last of
 * its missing part (below the nearest part that exists, links followed) that is a link, with its
 * target as written; undefined when there is none. realPath counts such a link as a missing name,
 * yet nothing can be made where it stands: mkdir through it fails (ENOENT) and a folder renamed onto
 * it fails (ENOTDIR), so every output option refuses it first (./unreachable-path.ts). A loop of
 * links (the kernel's ELOOP) leads nowhere too: `loop` is true and `link` is the first link on the
 * path whose following loops.
 * @param {string} path
 * @returns {{ link: string, target: string, loop: boolean } | undefined}
 */
export function linkToNothing(path) {
  /** @type {string | undefined} */
  let looping;
  for (let part = resolve(path); dirname(part) !== part; part = dirname(part)) {
    let stat;
    try {
      stat = statOf(part);
    } catch (err) {
      if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'ELOOP') throw err;
      looping = part; // the last part that loops, walking up, is the link that starts the loop
      continue;
    }
    if (looping !== undefined || stat) break;
    let isLink = false;
    try {
      isLink = lstatSync(part, { throwIfNoEntry: false })?.isSymbolicLink() ?? false;
    } catch {
      // ENOTDIR (a file on the way), EACCES: the caller's own checks name them
    }
    if (isLink) return { link: part, target: readlinkSync(part), loop: false };
  }
  return looping === undefined ? undefined : { link: looping, target: readlinkSync(looping), loop: true };
}

/**
 * The real path of `path` (absolute against the working folder): the symbolic links of its existing
 * part resolved, the missing rest appended as written. `existing` is the real path of that existing
 * part, and `stat` its status (links followed): when the rest is missing, the real folder where
 * mkdir would make it, or the file in its way (realOf: a /proc magic link the kernel can give no
 * path for ends at the text it leads to). One walk up from `path` (nearestExisting); a link that
 * leads nowhere counts as a missing name. Throws what stops the kernel from following `path`
 * (ELOOP, EACCES): output-dir.ts turns them into --out's refusal.
 * @param {string} path
 */
export function realPath(path) {
  const absolute = resolve(path);
  const nearest = nearestExisting(absolute);
  const existing = realOf(nearest.path);
  const rest = relative(nearest.path, absolute);
  return { path: rest === '' ? existing : join(existing, rest), existing, stat: nearest.stat };
}

/**
 * The real path of `path`, which exists: realpathSync.native's; for a name the kernel finds but can
 * give no path for (ENOENT: a /proc magic link to a pipe, a socket or a deleted file), where its
 * links lead hop by hop (linkTarget), ending at a link's text, such as `/proc/<pid>/fd/pipe:[N]` or
 * `/tmp/d (deleted)`, that names no file.
 * @param {string} path
 */
function realOf(path) {
  try {
    return realpathSync.native(path);
  } catch (err) {
    if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'ENOENT') throw err;
  }
  let current = path;
  for (let hop = 0; hop < 40 && lstatSync(current, { throwIfNoEntry: false })?.isSymbolicLink(); hop++) {
    const next = linkTarget(current);
    if (next === undefined) break;
    current = next;
  }
  return current;
}

/**
 * Where the symbolic link `link` leads, one hop, as the kernel follows it: the folder part of its
 * target, joined to the link's folder as text (never normalized by path.resolve, which would take a
 * `..` after a link in the target against the link's own folder), resolved by
 * realpathSync.native, then its last name as written (itself a link, maybe). Undefined when that
 * folder does not resolve (missing, a loop, no permission).
 * @param {string} link
 */
export function linkTarget(link) {
  const target = readlinkSync(link);
  const text = isAbsolute(target) ? target : `${dirname(link)}/${target}`;
  const last = basename(text);
  try {
    return last === '..' || last === '.' ? realpathSync.native(text) : join(realpathSync.native(dirname(text)), last);
  } catch {
    return undefined;
  }
}

/**
 * Whether `inner` is `outer` or lies below it, as written: both made absolute (against the working
 * folder, `.` and `..` taken lexically, a trailing separator dropped); no link is followed. `/` holds
 * every path; `/a` holds `/a/` and `/a/b` but not `/ab` or `/a/../b`; `/a/..b` is a name inside `/a`.
 * @param {string} outer @param {string} inner
 */
export function isWithin(outer, inner) {
  const rel = relative(resolve(outer), resolve(inner));
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * Whether `inner` is `outer` or lies below it by real paths (realPath of each: links resolved, a
 * missing tail of either taken as written): a folder inside `outer` that links elsewhere leads
 * outside, and a path through a link to `outer` is inside.
 * @param {string} outer @param {string} inner
 */
export function isWithinReal(outer, inner) {
  return isWithin(realPath(outer).path, realPath(inner).path);
}
