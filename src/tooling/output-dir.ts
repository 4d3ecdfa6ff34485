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
 */
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ConfigurationError } from '../core/command-error.js';

/** The marker file at the top of every synth output folder. */
export const DIST_MARKER = '.arcade-stack-dist';

/** The marker's content: why it is there. */
export const DIST_MARKER_TEXT = `This folder is written by npm run synth (arcade-stack) and replaced as a whole on every run:
keep nothing else in it. This file marks it as synth's own output: synth --out <dir> replaces
only a missing or empty folder, or one holding this file.
`;

/** What a project or a repository holds at its top: such a folder is never synth output. */
const PROJECT_FILES = ['.git', 'src', 'package.json'];

/** The real path of `path`: symbolic links of its existing part resolved, the rest appended. */
export function realPathOf(path: string): string {
  const absolute = resolve(path);
  let existing = absolute;
  const rest: string[] = [];
  while (!existsSync(existing)) {
    const parent = dirname(existing);
    if (parent === existing) break;
    rest.unshift(basename(existing));
    existing = parent;
  }
  return join(realpathSync(existing), ...rest);
}

/** True when `inner` is `outer` or inside it. */
function within(outer: string, inner: string): boolean {
  const rel = relative(outer, inner);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * Checks `out` (relative to `cwd`) as synth's output folder for the repository at `repoRoot`.
 * Returns its real path (where the staging folder and the swap happen); throws ConfigurationError,
 * before anything is written, when synth must not replace it.
 */
export function checkOutputFolder(out: string, repoRoot: string, cwd: string = process.cwd()): string {
  const absolute = resolve(cwd, out);
  const real = realPathOf(absolute);
  const root = realpathSync(repoRoot);
  const refuse = (why: string): never => {
    throw new ConfigurationError(
      `--out ${out}${real !== absolute ? ` (${real})` : ''}: ${why}; nothing was changed ` +
        `(fix: give a new or empty folder, or one an earlier npm run synth wrote; synth replaces the whole folder)`,
    );
  };
  if (real === root) refuse('is the repository root');
  if (within(real, root)) refuse(`contains the repository (${root})`);
  if (real.split(sep).includes('.git')) refuse('is inside a .git folder');
  const stat = statSync(real, { throwIfNoEntry: false });
  if (!stat) return real;
  if (!stat.isDirectory()) refuse('is not a folder');
  const held = PROJECT_FILES.filter((name) => existsSync(join(real, name)));
  if (held.length > 0) refuse(`holds ${held.join(', ')}: it is a project or a repository, not synth output`);
  const entries = readdirSync(real);
  if (entries.length > 0 && !entries.includes(DIST_MARKER)) {
    refuse(`is not empty and was not written by synth (no ${DIST_MARKER} at its top)`);
  }
  return real;
}
