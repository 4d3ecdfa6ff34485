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
 * One copy for the whole run: `committed-stack` in the run's temporary folder, as makeRepo keeps a
 * template repository (./support.ts). No test writes into it: the exports run there read it, write
 * their checkout elsewhere and are given --dist. A copy costs about 4 s of CPU the first time a
 * script runs from it (the copy, its commit and the script's bundle, src/tooling/launch.mjs): once
 * a run now, where it was once a test. Made in a folder of its own and renamed into place; a
 * worker that finds the place taken by another worker's copy uses that one.
 */
export function committedStack(): Promise<{ root: string; commit: string }> {
  made ??= sharedStack();
  return made;
}

async function sharedStack(): Promise<{ root: string; commit: string }> {
  const place = join(inject('arcadeTempRoot'), 'committed-stack');
  try {
    renameSync(await newStack(), place);
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
