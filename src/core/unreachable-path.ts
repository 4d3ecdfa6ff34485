/**
 * The one refusal of an output path whose links lead nowhere, for every option that writes: synth's
 * `--out` (src/tooling/output-dir.ts), the CRD cache (`crds --cache` and writeCache:
 * src/check/crd-cache-paths.ts), the report files (`check --json`, `diff --markdown/--comment`,
 * `bench --json`: ./script.ts outputFile; probe's `--json/--junit/--markdown`:
 * src/probes/report-files.ts) and `bundle --out` (./script.ts plainOutputFile). Three cases, each one
 * line naming the path, what is wrong and the fix, checked before anything is written:
 *
 * - a symbolic link to nothing (`d -> /nonexistent`), the path itself or a folder on its way
 *   (./path-within.mjs linkToNothing). Refused, never written through and never replaced: the
 *   atomic write's rename would replace the link with a regular file (the link someone made is
 *   gone), and creating what it points to would make a file, or folders, wherever a stale link
 *   leads (an unmounted volume's mount point, a removed release folder): the user decides which
 *   (docs/probes.md "Report files" says so). A folder output cannot be made through one at all
 *   (mkdir: ENOENT; a rename onto it: ENOTDIR);
 * - a loop of links (ELOOP), named by the link that starts it;
 * - a folder on the way this user may not search (EACCES).
 */
import { resolve } from 'node:path';
import { linkToNothing } from './path-within.mjs';
import { printableLine } from './printable.js';

/** How a refusal names the path and what it leaves undone. */
export interface RefusalWords {
  /** The path as the message names it: `--json r.json`, `the default cache folder <dir>`. */
  readonly named: string;
  /** What the option takes: a `folder` (made when missing) or a `file`. */
  readonly takes: 'folder' | 'file';
  /** What was not done: `nothing was changed`, `nothing was stored`, `nothing written`. */
  readonly nothing: string;
  /** Added to the fix's last choice, `give another folder<this>`: e.g. ` with --cache <dir>`. */
  readonly another?: string;
}

/**
 * The refusal of `path` (absolute, or relative to `cwd`) when the kernel cannot follow it to a
 * place where the output can be made: it is, or passes through, a symbolic link to nothing or a
 * loop of links, or a folder on its way may not be searched (EACCES). Undefined otherwise (an
 * existing path, a missing one in a real folder, another failure: the caller's own checks follow).
 */
export function unreachableRefusal(path: string, words: RefusalWords, cwd = process.cwd()): string | undefined {
  const absolute = resolve(cwd, path);
  const { named, takes, nothing, another = '' } = words;
  let found: ReturnType<typeof linkToNothing>;
  try {
    found = linkToNothing(absolute);
  } catch (err) {
    // Anything else (ENAMETOOLONG…) is named by the caller's own checks, as before.
    if ((err as NodeJS.ErrnoException).code !== 'EACCES') return undefined;
    return (
      `${named}: cannot be followed: a folder on its way may not be searched by this user (EACCES); ${nothing} ` +
      `(fix: give a ${takes} this user may reach, or grant it search (x) permission on every folder on the way)`
    );
  }
  if (!found) return undefined;
  const itself = found.link === absolute;
  const at = itself ? takes : 'folder'; // what the link should lead to
  const what = found.loop ? 'a loop of symbolic links' : 'a symbolic link to nothing';
  const mend = found.loop ? `point the link at a ${at}` : `${at === 'file' ? 'create' : 'make'} the ${at} it points to`;
  return (
    `${named}: ${itself ? 'is' : 'passes through'} ${what} (${found.link} -> ${printableLine(found.target, 200)}); ` +
    `${nothing} (fix: remove the link, or ${mend}, or give another ${takes}${another})`
  );
}
