#!/usr/bin/env tsx
/**
 * npm run synth: bundle the app, synthesize every environment into a temporary folder, and swap
 * it into dist/ only when synthesis succeeded. A failed or interrupted synth leaves the previous
 * dist/ intact; --out never replaces a folder synth did not create, and is never a stream or a
 * device (src/tooling/output-dir.ts).
 *
 *   npm run synth
 *   npm run synth -- --out /tmp/preview            # write elsewhere (same swap rule)
 *   npm run synth -- --environments ./my-envs      # another folder of environment files
 */
import { join, relative } from 'node:path';
import { isWithin, realPath } from '../src/core/path-within.mjs';
import { defineScript } from '../src/core/script.js';
import { runCommand, type ScriptMain, scriptMain } from '../src/core/script-main.js';
import { bundleSynthEntry } from '../src/tooling/bundle.js';
import { REPO_ROOT } from '../src/tooling/root.mjs';
import { checkOutputFolder, DIST_MARKER, UnmarkedFolder } from '../src/tooling/output-dir.js';
import { shellWord } from '../src/core/shell-word.js';
import { removeStaleStaging, synthesizeInto } from '../src/tooling/synth-run.js';

const script = defineScript({
  name: 'synth',
  description: `Synthesizes every environment in src/environments/ into <out>/<environment>/: bundles src/main.ts,
runs it into a temporary folder beside <out> (<out>.synth-<pid>), and swaps that folder into place
only on success. <out> must be missing, empty, or an earlier synth's output (it holds ${DIST_MARKER});
the repository, a folder containing it, and any other folder are refused: synth replaces the whole
folder. <out> is a folder, never a stream: -, /dev/stdout, anything under /dev (but /dev/shm) or
/proc, a FIFO, a socket or a device is refused. Temporary folders left by a killed run are removed.`,
  options: {
    out: { type: 'string', value: '<dir>', description: 'output folder, replaced only on success (default: dist)' },
    environments: {
      type: 'string',
      value: '<dir>',
      description: 'folder of environment files (default: src/environments)',
    },
  },
  exitCodes: {
    0: 'synthesized',
    1: 'synthesis failed or timed out (the previous output is left unchanged)',
    2: 'also: an invalid environment file, or an --out synth must not replace',
  },
  examples: ['npm run synth', 'npm run synth -- --out /tmp/preview', 'npm run synth -- --environments ./my-envs'],
  interruptible: true,
});

/**
 * The command for the repository at `root` (src/core/script-main.ts). Tests call it in process
 * with a temporary copy of the repository as `root`, so a refusal that fails can only cost the copy.
 */
export function synthCommand(root: string): ScriptMain {
  return scriptMain(script, async (options, { io, path, print, signal }) => {
    const out = await outputFolder(options.out ?? join(root, 'dist'), root, io.cwd);
    for (const line of removeStaleStaging(out)) print(`synth: ${line}`);
    const bundle = await bundleSynthEntry();
    await synthesizeInto({
      bundle,
      out,
      environments: options.environments ? path(options.environments) : undefined,
      signal,
      // The child writes to this process's own streams itself; to a caller's, through us.
      ...(io.stdout === process.stdout && io.stderr === process.stderr ? {} : { output: io }),
    });
    print(`synth: wrote ${out}`);
    return 0;
  });
}

/**
 * checkOutputFolder; a folder without the marker whose marker git tracks (deleted from a checkout's
 * dist/) is refused with the git command that puts it back (markerRestore).
 */
async function outputFolder(out: string, root: string, cwd: string): Promise<string> {
  try {
    return checkOutputFolder(out, root, cwd);
  } catch (err) {
    if (!(err instanceof UnmarkedFolder)) throw err;
    const restore = await markerRestore(err.folder, root, cwd);
    if (restore === undefined) throw err;
    throw err.withFix(`${restore} puts back the marker git tracks, which was deleted; then run npm run synth again`);
  }
}

/**
 * The command that puts back `folder`'s marker when the stack's own repository (the one holding
 * `root`) tracks it; undefined for a folder outside `root` or a marker git does not track. git runs
 * at `root`, never in `folder`: a folder outside the stack may lie in someone else's repository (an
 * unpacked archive holding a `.git`), whose `core.fsmonitor` any `git ls-files` there runs as a
 * command; below `root`, a repository nested in the checkout is one more folder to the stack's
 * own git. `-c core.fsmonitor=false` guards the stack's own configuration too: one listing needs
 * no file monitor.
 */
async function markerRestore(folder: string, root: string, cwd: string): Promise<string | undefined> {
  const top = realPath(root).path;
  if (!isWithin(top, folder)) return undefined;
  const marker = relative(top, join(folder, DIST_MARKER));
  const { gitTry } = await import('../src/core/git.js');
  const tracked = await gitTry(top, ['-c', 'core.fsmonitor=false', 'ls-files', '--error-unmatch', '--', marker]);
  if (!tracked.ok) return undefined;
  const here = realPath(cwd).path;
  return isWithin(top, here)
    ? `git checkout -- ${shellWord(relative(here, join(folder, DIST_MARKER)))}`
    : `git -C ${shellWord(top)} checkout -- ${shellWord(marker)}`;
}

/** `npm run synth`'s command, for this repository. */
export const main = synthCommand(REPO_ROOT);

await runCommand(import.meta.url, script, main);
