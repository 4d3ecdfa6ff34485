/**
 * The few git commands review and delivery need, run as `git` itself (execFile: no shell, so a
 * hostile branch name or path is one argument, never shell syntax) with a timeout on every call.
 * Errors name the command and git's own message.
 *
 * Why not zx's `$`: it starts bash for every command and bash starts git, two processes where
 * one does; an export runs about a dozen git commands, and the delivery tests run hundreds.
 */
import { execFile } from 'node:child_process';
import { CommandError } from './command-error.js';

export class GitError extends CommandError {}

export interface GitResult {
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

/** The longest output a git command may print (a `git show` of a large manifest, `ls-files` of a big checkout). */
const MAX_OUTPUT = 256 * 1024 * 1024;

/**
 * Runs `git <args>` in `cwd`; never throws on a non-zero exit (see `ok`). `env` adds variables to
 * git's environment (never a command line: the process list shows those). A timed-out command
 * is killed and reported with no message (`ok: false`, empty stderr), as a failed one.
 */
export function gitTry(
  cwd: string,
  args: readonly string[],
  timeoutMs = 30_000,
  env: Readonly<Record<string, string>> = {},
): Promise<GitResult> {
  return new Promise((resolve) => {
    const child = execFile(
      'git',
      [...args],
      {
        cwd,
        encoding: 'utf8',
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: MAX_OUTPUT,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...env },
      },
      (error, stdout, stderr) => {
        // A string code is a failure to start (ENOENT: no git on PATH, or cwd is gone), not git's exit status.
        const notStarted = error && typeof error.code === 'string' && !error.killed ? `${error.message}` : '';
        resolve({ ok: error === null, stdout, stderr: (stderr.trim() || notStarted).trim() });
      },
    );
    child.stdin?.end(); // git reads no input here; an open stdin must not keep a command waiting
  });
}

/** Runs `git <args>` in `cwd` and returns stdout; throws GitError on failure or timeout. */
export async function git(cwd: string, args: readonly string[], timeoutMs = 30_000): Promise<string> {
  const r = await gitTry(cwd, args, timeoutMs);
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
