/**
 * The export's writes to the checkout (./export.ts, after every check passed): the plan written into
 * the folder, and exactly the export's own paths staged for its commit.
 */
import { lstatSync, mkdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { git } from '../core/git.js';
import type { ManifestFile } from '../core/manifests.js';
import { OWNERSHIP_FILE } from './ownership.js';
import { listFiles, type Target } from './target.js';

/**
 * Writes the plan into the folder (exportEnvironment refused a link, or a file where a folder is
 * needed, on the way: target.ts blockedOnTheWay).
 * A link at a written path is replaced by the file, never written through; rmSync removes a link,
 * never what it leads to.
 */
export function writePlan(
  target: Target,
  planned: readonly ManifestFile[],
  removed: readonly string[],
  record: string,
): void {
  // Files the listing found (target.ts listFiles): none is a link or lies below one.
  for (const f of removed) rmSync(join(target.folder, f));
  for (const f of planned) replaceFile(join(target.folder, f.path), f.content);
  replaceFile(join(target.folder, OWNERSHIP_FILE), record);
}

function replaceFile(full: string, content: string): void {
  mkdirSync(dirname(full), { recursive: true });
  if (lstatSync(full, { throwIfNoEntry: false })?.isSymbolicLink()) unlinkSync(full);
  writeFileSync(full, content);
}

/**
 * Stages exactly the paths the export wrote and removed (`paths`, relative to the folder) and its
 * ownership record, never the folder: a file someone put in the folder while the export ran (between
 * its `git status` and this `git add`) is not committed with the export's and stays on disk,
 * untracked; the warning names it. Each pathspec literal (`--literal-pathspecs`): a folder named
 * `apps/a*` is that folder, not a pattern that also matches apps/arcade. Returns the warnings.
 */
export async function stageOwn(target: Target, paths: readonly string[]): Promise<string[]> {
  const ours = [...paths, OWNERSHIP_FILE];
  const inRepo = (f: string) => `${target.folderInRepo}/${f}`;
  await git(target.top, ['--literal-pathspecs', 'add', '-A', '--', ...ours.map(inRepo)]);
  // What the folder holds now that it held neither when the export opened it nor from the export.
  const known = new Set([...target.files.keys(), ...target.ignored, ...ours]);
  const strangers = listFiles(target.folder).filter((f) => !known.has(f));
  return strangers.length === 0
    ? []
    : [
        `${strangers.map(inRepo).join(', ')} appeared in the folder while the export ran: not the export's, so ` +
          'not in its commit, left on disk untracked (fix: commit it yourself if it belongs there)',
      ];
}
