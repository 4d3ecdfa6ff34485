/**
 * The few git commands review and delivery need, through zx with argument arrays and a timeout
 * on every call. Errors name the command and git's own message.
 */
import { $, type Duration } from 'zx';
import { CommandError } from './command-error.js';

export class GitError extends CommandError {}

export interface GitResult {
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `git <args>` in `cwd`; never throws on a non-zero exit (see `ok`). `env` adds variables to
 * git's environment (never a command line: zx echoes those, and the process list shows them).
 */
export async function gitTry(
  cwd: string,
  args: readonly string[],
  timeout: Duration = '30s',
  env: Readonly<Record<string, string>> = {},
): Promise<GitResult> {
  const p = await $({
    cwd,
    nothrow: true,
    quiet: true,
    timeout,
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...env },
  })`git ${args}`;
  return { ok: p.exitCode === 0, stdout: p.stdout, stderr: p.stderr.trim() };
}

/** Runs `git <args>` in `cwd` and returns stdout; throws GitError on failure or timeout. */
export async function git(cwd: string, args: readonly string[], timeout: Duration = '30s'): Promise<string> {
  const r = await gitTry(cwd, args, timeout);
  if (!r.ok) throw new GitError(`git ${args.join(' ')} failed in ${cwd}: ${r.stderr || 'no message (timed out?)'}`);
  return r.stdout;
}

/** The default base of a review: the merge base of HEAD with the main branch. */
export async function defaultBase(cwd: string): Promise<string> {
  for (const branch of ['main', 'master', 'origin/main', 'origin/master']) {
    const exists = await gitTry(cwd, ['rev-parse', '--verify', '--quiet', `${branch}^{commit}`]);
    if (!exists.ok) continue;
    const base = await gitTry(cwd, ['merge-base', 'HEAD', branch]);
    if (base.ok) return base.stdout.trim();
  }
  throw new GitError(
    'no main branch (main, master, origin/main, origin/master) to compare with (fix: pass --base <git-ref>)',
  );
}

/** Files under `folder` at `ref`, paths relative to `folder`, with their content. */
export async function filesAtRef(
  cwd: string,
  ref: string,
  folder: string,
): Promise<{ path: string; content: string }[]> {
  const verified = await gitTry(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  if (!verified.ok)
    throw new GitError(`--base ${ref}: not a commit in this repository (fix: give a branch, tag or commit id)`);
  const list = await git(cwd, ['ls-tree', '-r', '-z', '--name-only', ref, '--', `${folder}/`]);
  const paths = list.split('\0').filter(Boolean);
  return Promise.all(
    paths.map(async (p) => ({ path: p.slice(folder.length + 1), content: await git(cwd, ['show', `${ref}:${p}`]) })),
  );
}
