/** A committed copy of the stack, for an export that pushes (it refuses a stack with uncommitted changes). */
import { cpSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { run } from './support.js';
import { tempDir } from '../support/temp.js';

/** This worker's copy, made on first use (every file of the worker uses the same one). */
let made: Promise<{ root: string; commit: string }> | undefined;

/**
 * A copy of the stack (src/, scripts/, imports/, contracts/, package.json, tsconfig.json;
 * node_modules linked) with all of it committed, and its commit: the export reads the stack's own
 * src/ and dist/ for its source commit and refuses to push with uncommitted changes there, so a
 * run of the working checkout's script would stop before its push while src/ is being edited.
 *
 * One copy for the whole run: `committed-stack-<tree>` in the run's temporary folder, as makeRepo
 * keeps a template repository (./support.ts). No test writes its files: the exports run there read
 * it, write their checkout elsewhere and are given --dist (the launcher writes the script's bundle
 * under its ignored .build/, behind the build lock; git status may refresh its index). Each worker
 * that needs it copies and commits the stack (about 1 s), then renames its copy into place; one
 * that finds the place taken uses the copy there, so the script's bundle (about 3 s of CPU,
 * src/tooling/launch.mjs) is built once a run, where it was once a test. The place is named by the
 * copy's tree: under `vitest --watch` the run's folder outlives a rerun, and a copy named only
 * `committed-stack` held the src/ of when watching started, so an edit to src/ went untested.
 */
export function committedStack(): Promise<{ root: string; commit: string }> {
  made ??= sharedStack();
  return made;
}

async function sharedStack(): Promise<{ root: string; commit: string }> {
  const copy = await newStack();
  const tree = (await run(copy, ['rev-parse', 'HEAD^{tree}'])).trim();
  const place = join(inject('arcadeTempRoot'), `committed-stack-${tree}`);
  try {
    renameSync(copy, place);
  } catch (e) {
    // Another worker's copy is there (a folder that is not empty cannot be renamed onto).
    if (!['ENOTEMPTY', 'EEXIST'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
  }
  return { root: place, commit: (await run(place, ['rev-parse', 'HEAD'])).trim() };
}

async function newStack(): Promise<string> {
  const root = tempDir('arcade-stack-copy-');
  for (const path of ['src', 'scripts', 'imports', 'contracts', 'package.json', 'tsconfig.json'])
    cpSync(join(REPO_ROOT, path), join(root, path), { recursive: true });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  writeFileSync(join(root, '.gitignore'), '/node_modules\n/.build/\n');
  await run(root, ['init', '-q', '--template=']);
  await run(root, ['add', '-A']);
  const identity = ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false'];
  await run(root, [...identity, 'commit', '-q', '-m', 'the stack']);
  return root;
}
