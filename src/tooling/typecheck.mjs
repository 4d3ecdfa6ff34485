// npm run typecheck (and npm test's tsc check): TypeScript's check of the whole program, with its
// incremental build info in .build/ (tsconfig.json `incremental`, `tsBuildInfoFile`), cheap when
// nothing changed (docs/benchmarks.md "The static checks' caches").
//
// `tsc --noEmit -p tsconfig.json` parses and binds all ~2300 files of the program every time, even
// when nothing changed (about 8 s of CPU on the 2-core machines here, of 20 s for a first check).
// `tsc -b tsconfig.json` checks the same program with the same options and reports the same errors,
// but first asks whether anything changed (a root file newer than the build info, a root added or
// removed, tsconfig.json, errors still to report) and stops there if not (under 1 s). It looks at
// the root files only, though: a dependency `npm ci` updated, or a JSON file the code imports, would
// go unseen. Those are the build info's other `fileNames`, so `-b` is used only when every file the
// last check read still exists and is older than the build info; otherwise `-p`.
//
// After a check that passed, the build info's modification time is set to when it started: `-p`
// leaves the file untouched when no content changed (a `touch`ed dependency would otherwise send
// every later run down the slow path), and a file edited while tsc ran must count as newer than
// the check that may have read its previous content. Never after a failed or interrupted one: a
// build info tsc did not write would then pass for newer than edits it never saw. A tsconfig that
// writes no build info at TS_BUILD_INFO has none to date (the check still passes, always with -p).
//
// Answers --help with its own help (./tool-args.mjs). Plain JavaScript so node starts it without
// tsx. Exit code: tsc's.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killedFix } from './processes.mjs';
import { REPO_ROOT } from './root.mjs';
import { answerToolArgs } from './tool-args.mjs';

/** tsconfig.json's `tsBuildInfoFile`, relative to the repository root. */
export const TS_BUILD_INFO = join('.build', 'tsconfig.tsbuildinfo');

/**
 * `tsc`'s arguments for the project in `root`: `-b` when every file the build info lists exists and
 * is older than it, else `--noEmit -p` (no build info yet, an unreadable one, a newer or missing file).
 * @returns {string[]}
 */
export function tscArgs(root = REPO_ROOT) {
  const plain = ['--noEmit', '-p', 'tsconfig.json'];
  const info = join(root, TS_BUILD_INFO);
  let built;
  let fileNames;
  try {
    built = statSync(info).mtimeMs;
    fileNames = JSON.parse(readFileSync(info, 'utf8')).fileNames;
  } catch {
    return plain;
  }
  if (!Array.isArray(fileNames)) return plain;
  for (const name of fileNames) {
    try {
      if (statSync(join(dirname(info), name)).mtimeMs >= built) return plain;
    } catch {
      return plain;
    }
  }
  return ['-b', 'tsconfig.json'];
}

/**
 * Sets the build info's modification time to `started`. A project whose tsconfig writes no build
 * info there (no `incremental`, another `tsBuildInfoFile`) has nothing to date: `tscArgs` finds
 * none and always checks with `-p`, which is right for it.
 */
function dateBuildInfo(info, started) {
  try {
    utimesSync(info, started, started);
  } catch (err) {
    if (err?.code !== 'ENOENT') throw err;
  }
}

/**
 * Runs tsc in `root` with `tscArgs` (its output to this process's unless `stdio` says otherwise);
 * when it passed, dates the build info to the start.
 * @returns {number} tsc's exit code (1 when it could not start or was killed)
 */
export function typecheck(root = REPO_ROOT, { stdio = 'inherit' } = {}) {
  const started = new Date();
  const tsc = join(root, 'node_modules', '.bin', 'tsc');
  const result = spawnSync(tsc, tscArgs(root), { cwd: root, stdio });
  if (result.status === 0) dateBuildInfo(join(root, TS_BUILD_INFO), started);
  if (result.error)
    process.stderr.write(
      `typecheck: could not start ${tsc}: ${result.error.message} (fix: npm ci, which installs typescript)\n`,
    );
  else if (result.signal) process.stderr.write(`typecheck: ${tsc} was ${killedFix(result.signal)}\n`);
  return result.status ?? 1;
}

const HELP = `npm run typecheck: TypeScript's check of the whole program (tsconfig.json), as npm test runs it.

Runs: node_modules/.bin/tsc -b tsconfig.json when every file the last passing check read is
  unchanged (under a second), else tsc --noEmit -p tsconfig.json; its build info is
  ${TS_BUILD_INFO} (docs/benchmarks.md "The static checks' caches").

Options:
  -h, --help  this help

Exit codes:
  0  no type error
  1  type errors (tsc prints each), or tsc could not start or was killed
  2  bad usage (an option other than --help)

Examples:
  npm run typecheck`;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1])
  process.exitCode = answerToolArgs('typecheck', HELP, process.argv.slice(2)) ?? typecheck();
