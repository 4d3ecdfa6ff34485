/** A committed copy of the stack, for an export that pushes (it refuses a stack with uncommitted changes). */
import { cpSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { run } from './support.js';
import { tempDir } from '../support/temp.js';

/**
 * A copy of the stack (src/, scripts/, imports/, contracts/, package.json, tsconfig.json;
 * node_modules linked) with all of it committed, and its commit: the export reads the stack's own
 * src/ and dist/ for its source commit and refuses to push with uncommitted changes there, so a
 * run of the working checkout's script would stop before its push while src/ is being edited.
 */
export async function committedStack(): Promise<{ root: string; commit: string }> {
  const root = tempDir('arcade-stack-copy-');
  for (const path of ['src', 'scripts', 'imports', 'contracts', 'package.json', 'tsconfig.json'])
    cpSync(join(REPO_ROOT, path), join(root, path), { recursive: true });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  writeFileSync(join(root, '.gitignore'), '/node_modules\n/.build/\n');
  await run(root, ['init', '-q', '--template=']);
  await run(root, ['add', '-A']);
  const identity = ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false'];
  await run(root, [...identity, 'commit', '-q', '-m', 'the stack']);
  return { root, commit: (await run(root, ['rev-parse', 'HEAD'])).trim() };
}
