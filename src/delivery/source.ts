/**
 * The export's source: one environment's committed dist/ folder, checked against a fresh
 * in-memory synthesis (a stale or hand-edited dist/ is refused), and the stack's commit.
 */
import { join, relative } from 'node:path';
import { loadEnvironment } from '../environments/load.js';
import { GitError, git } from '../core/git.js';
import { synthMismatches } from '../core/synth-mismatch.js';
import { folderFiles, synthEnvironment } from '../synth.js';
import { ExportRefused, type ExportSource } from './export.js';

export interface SourceOptions {
  /** The stack's repository root (for the source commit). */
  readonly repoRoot: string;
  /** @default the only environment, when there is exactly one */
  readonly env?: string;
  /** @default src/environments */
  readonly environmentsDir?: string;
  /** @default <repoRoot>/dist */
  readonly distDir?: string;
  /** Told about problems of the other environments, which the export does not need. */
  readonly warn?: (message: string) => void;
}

export async function exportSource(options: SourceOptions): Promise<ExportSource> {
  const { env, file, warnings } = loadEnvironment(options.env, options.environmentsDir);
  for (const w of warnings) options.warn?.(w);
  const output = synthEnvironment(env);
  const folder = join(options.distDir ?? join(options.repoRoot, 'dist'), env.name);
  const fresh = folderFiles(output);
  if (synthMismatches(folder, fresh).length > 0)
    throw new ExportRefused([
      `${folder} is missing, stale or edited by hand: it differs from a fresh synthesis (fix: npm run synth, review with npm run diff, commit)`,
    ]);
  // The commit (`# branch.oid`) and the changes under src/ and dist/ from one git (git-status(1),
  // porcelain v2: headers start with `# `, every other line is a change or an untracked file).
  const status = (await git(options.repoRoot, ['status', '--porcelain=v2', '--branch', '--', 'src', 'dist'])).split(
    '\n',
  );
  const sourceCommit = status.find((l) => l.startsWith('# branch.oid '))?.slice('# branch.oid '.length) ?? '';
  if (!/^[0-9a-f]{40,64}$/.test(sourceCommit))
    throw new GitError(
      `${options.repoRoot}: the stack has no commit yet (git status: branch.oid ${sourceCommit || 'missing'}) (fix: commit src/ and dist/ first)`,
    );
  const dirty = status.some((l) => l !== '' && !l.startsWith('# '));
  const envFile = relative(process.cwd(), file) || file;
  return {
    env: env.name,
    envFile,
    files: fresh,
    unresolved: output.unresolved,
    datastores: env.datastores.mode,
    sourceCommit,
    sourceDirty: dirty,
  };
}
