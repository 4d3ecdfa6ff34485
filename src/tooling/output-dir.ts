/**
 * Where `npm run synth -- --out <dir>` may write. Synth replaces its output folder as a whole
 * (swap-dir.ts), so a folder it did not create must never be accepted: `--out .` once deleted
 * the repository (`.git`, `node_modules`, uncommitted work) and exited 0.
 *
 * Accepted: a missing folder, an empty one, or one carrying synth's marker file at its top
 * (DIST_MARKER, written by every synth and committed in dist/; never inside dist/<env>/, which
 * export copies into the GitOps repository). Refused, naming why: the repository root or any
 * folder containing it, anything inside a `.git` folder, a folder holding `.git`, `src` or
 * `package.json`, a file, and any other non-empty folder. Paths are resolved to real paths first,
 * so a symbolic link cannot smuggle the repository in.
 *
 * Refused as a stream or a device, not a folder (synth writes files; there is no stream form, unlike
 * the `-` of probe/check/diff/bench): `-`, whatever src/core/output-target.ts names a `stream` (the
 * process's own descriptors: `/dev/stdout`, `/dev/stderr`, `/dev/fd/N`, `/proc/self/fd/N`, a link
 * to one) or a `device` (a FIFO, a character or block device, a socket), and any path under `/dev/`
 * or `/proc/`, as given or resolved, except `/dev/shm` and below (a real tmpfs folder, used as
 * scratch space). `npm run synth -- --out /dev/stdout | cat` once hung: the real path of
 * `/dev/stdout` on a pipe is `/proc/<pid>/fd/pipe:[N]`, which does not exist, so it passed as a new
 * folder, and mkdirSync of `<that>.synth-<pid>` spun at 100 % CPU, deaf to SIGTERM.
 *
 * A missing real path is accepted only when its nearest existing ancestor is a real directory (its
 * real path names a directory): that is where mkdir can make the new folder. Otherwise (`<file>/new`,
 * a path a magic link resolved to) it is refused before anything is made, as is a path the kernel
 * cannot follow (a loop of links, a folder this user may not search): one line, exit 2. So is a
 * symbolic link to nothing (`d -> /nonexistent`), at the end of the path or on its way: realPath
 * counts it as a missing name, but the swap cannot rename a folder onto it (ENOTDIR). These three
 * are the one refusal of every output option (src/core/unreachable-path.ts), checked first.
 */
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { ConfigurationError } from '../core/command-error.js';
import { outputTarget } from '../core/output-target.js';
import { isWithin, realPath, statOf } from '../core/path-within.mjs';
import { unreachableRefusal } from '../core/unreachable-path.js';

/** The marker file at the top of every synth output folder. */
export const DIST_MARKER = '.arcade-stack-dist';

/** The marker's content: why it is there. */
export const DIST_MARKER_TEXT = `This folder is written by npm run synth (arcade-stack) and replaced as a whole on every run:
keep nothing else in it. This file marks it as synth's own output: synth --out <dir> replaces
only a missing or empty folder, or one holding this file.
`;

const FOLDER_FIX = 'give a new or empty folder, or one an earlier npm run synth wrote; synth replaces the whole folder';
const STREAM_FIX = 'give a folder, e.g. --out /tmp/preview; synth writes files, there is no stream form';

const STREAMS: Readonly<Record<number, string>> = { 0: 'standard input', 1: 'standard output', 2: 'standard error' };

/** The kernel's folders, never a folder of ours, and what they hold (for the refusal). */
const SYSTEM_FOLDERS: Readonly<Record<string, string>> = {
  '/dev': 'kernel devices and streams; of /dev only /dev/shm is taken',
  '/proc': "the kernel's process files",
};

/**
 * `/dev` or `/proc` when `path` is under one, with what it holds; `/dev/shm` and below are not: a
 * real tmpfs folder people use as scratch space (its streams and devices are still refused, and its
 * paths pass every other check).
 */
function systemFolder(path: string): string | undefined {
  if (isWithin('/dev/shm', path)) return undefined;
  const top = Object.keys(SYSTEM_FOLDERS).find((name) => isWithin(name, path));
  return top === undefined ? undefined : `${top} (${SYSTEM_FOLDERS[top]})`;
}

/**
 * The refusal of a folder that is not empty and has no DIST_MARKER at its top. Its `folder` lets
 * the caller ask git whether the marker was deleted from a checkout (`dist/`): `withFix` words the
 * same refusal with the fix that puts it back.
 */
export class UnmarkedFolder extends ConfigurationError {
  constructor(
    readonly folder: string,
    private readonly head: string,
  ) {
    super(`${head}; nothing was changed (fix: ${FOLDER_FIX})`);
  }

  withFix(fix: string): ConfigurationError {
    return new ConfigurationError(`${this.head}; nothing was changed (fix: ${fix})`);
  }
}

/** What a project or a repository holds at its top: such a folder is never synth output. */
const PROJECT_FILES = ['.git', 'src', 'package.json'];

/**
 * Checks `out` (relative to `cwd`) as synth's output folder for the repository at `repoRoot`.
 * Returns its real path (where the staging folder and the swap happen); throws ConfigurationError,
 * before anything is written, when synth must not replace it.
 */
export function checkOutputFolder(out: string, repoRoot: string, cwd: string = process.cwd()): string {
  const absolute = resolve(cwd, out);
  // A link to nothing, a loop of links, a folder this user may not search: the kernel cannot make it.
  const unreachable =
    out === '-'
      ? undefined
      : unreachableRefusal(absolute, { named: `--out ${out}`, takes: 'folder', nothing: 'nothing was changed' });
  if (unreachable) throw new ConfigurationError(unreachable);
  const target = outputTarget(out, cwd);
  const resolved = realPath(absolute); // its real path, and that of its nearest existing part
  const real = resolved.path;
  const shown = out !== '-' && real !== absolute ? ` (${real})` : '';
  const refuse = (why: string, fix = FOLDER_FIX): never => {
    throw new ConfigurationError(`--out ${out}${shown}: ${why}; nothing was changed (fix: ${fix})`);
  };
  const root = realpathSync.native(repoRoot);
  const notFolder = (what: string): never => refuse(`${what}, not a folder`, STREAM_FIX);
  if (target.kind === 'stream')
    notFolder(`is ${STREAMS[target.fd] ?? `the process's descriptor ${target.fd}`}: a stream`);
  if (target.kind === 'device') notFolder('is a FIFO, a socket or a device');
  const system = [absolute, real].map(systemFolder).find((name) => name !== undefined);
  if (system) notFolder(`is under ${system}`);
  if (real === root) refuse('is the repository root');
  if (isWithin(real, root)) refuse(`contains the repository (${root})`);
  if (real.split(sep).includes('.git')) refuse('is inside a .git folder');
  const stat = statOf(real);
  if (!stat) {
    // Where mkdir makes it: the nearest existing part's real path, a directory by that name (a
    // magic link such as /proc/<pid>/fd/N to a deleted folder is one, yet its real path, the text
    // `<folder> (deleted)`, names none: mkdir there would make a new folder of that name).
    const ancestor = resolved.existing;
    if (!statOf(ancestor)?.isDirectory())
      refuse(`does not exist, and its nearest existing part ${ancestor} is not a real directory to make it in`);
    return real;
  }
  if (!stat.isDirectory()) refuse('is not a folder');
  const held = PROJECT_FILES.filter((name) => existsSync(join(real, name)));
  if (held.length > 0) refuse(`holds ${held.join(', ')}: it is a project or a repository, not synth output`);
  const entries = readdirSync(real);
  if (entries.length > 0 && !entries.includes(DIST_MARKER))
    throw new UnmarkedFolder(
      real,
      `--out ${out}${shown}: is not empty and was not written by synth (no ${DIST_MARKER} at its top)`,
    );
  return real;
}
