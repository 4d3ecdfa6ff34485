/**
 * The few git commands review and delivery need, run as `git` itself (execFile through
 * ./run-program.ts: no shell, so a hostile branch name or path is one argument, never shell syntax)
 * with a timeout on every call, and an AbortSignal where the caller gives one (GitOptions.signal).
 * A failure names the command and where it ran, how git ended and the last lines it wrote
 * (./child-failure.ts, as every program the stack runs is reported).
 *
 * Why not zx's `$`: it starts bash for every command and bash starts git, two processes where
 * one does; an export runs about a dozen git commands, and the delivery tests run hundreds.
 */
import { type ChildCommand, type ChildEnd, describeChildFailure } from './child-failure.js';
import { CommandError } from './command-error.js';
import { withoutRepositoryLocation } from './git-location.js';
import { runProgram } from './run-program.js';

export class GitError extends CommandError {}

export interface GitResult {
  readonly ok: boolean;
  readonly stdout: string;
  /** What git wrote to stderr, trimmed. */
  readonly stderr: string;
  /** Why it failed ('' when ok): the command and where it ran, how it ended, git's last lines (describeChildFailure). */
  readonly failure: string;
  /**
   * The code git exited with, when it exited by itself (0 when ok); absent when it did not: killed
   * at its timeout or by a signal, or it could not start.
   */
  readonly exitCode?: number;
  /**
   * How it ended, as node reports it (execFile's error, null when ok, and what git wrote to
   * stderr): for a caller that chooses its own fix by the kind of failure (timedOut, error.code),
   * as the gate's repository scan does (src/check/secrets.ts).
   */
  readonly end: ChildEnd;
}

/** How long a git command may run before it is killed, unless the caller says otherwise. */
const GIT_TIMEOUT_MS = 30_000;

/** The longest output a git command may print (a `git show` of a large manifest, `ls-files` of a big checkout). */
const MAX_OUTPUT = 256 * 1024 * 1024;

/** How a caller may run a git command. */
export interface GitOptions {
  /** Killed (SIGKILL) after this long and reported as timed out. @default 30_000 */
  readonly timeoutMs?: number;
  /**
   * Variables added to git's environment (never a command line: the process list shows those).
   * @default {}
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Aborting it kills git at once (SIGKILL, as at the timeout; ./run-program.ts): an interrupted
   * export's git. The caller tells an aborted run (`signal.aborted`) from a failed one. Give it
   * only to a git that writes nothing under a lock file: SIGKILL gives git no chance to remove
   * one, and a stale `.git/index.lock` stops every later command in the checkout.
   * @default never aborted
   */
  readonly signal?: AbortSignal;
  /**
   * What a failure's message says to do at a timeout, and when git is not found (ChildCommand);
   * null where the caller's own report carries the fix, said once (the gate's repository scan).
   * @default what git waits on at a timeout (a remote, a prompt); install git when it is missing
   */
  readonly timeoutFix?: string | null;
  readonly missingFix?: string | null;
  /** The most output git may print (more fails the command). @default 256 MiB */
  readonly maxBuffer?: number;
  /** What git reads on its stdin (`check-ignore --stdin`). @default none: stdin is closed at once */
  readonly input?: string;
  /**
   * Started in a session of its own (./exec-program.mjs), so a terminal's Ctrl-C, which goes to
   * the whole foreground process group, never stops it: for a git that writes the checkout under a
   * lock file (the export's checkout, add, write-tree, update-ref), which ends as it would have;
   * the export then decides what the interrupt means. Not for a git that may prompt on the
   * terminal (a signer's passphrase): it has none. @default false
   */
  readonly detached?: boolean;
}

/**
 * How every git runs: a timeout that kills it (./run-program.ts), room for large output, no prompt, C
 * locale, and the caller's environment without the variables that would point it at another
 * repository than `cwd`'s (GIT_DIR, GIT_WORK_TREE, GIT_INDEX_FILE...: ./git-location.ts).
 */
function runOptions(
  cwd: string,
  { timeoutMs = GIT_TIMEOUT_MS, env = {}, signal, maxBuffer = MAX_OUTPUT, detached }: GitOptions,
) {
  return {
    cwd,
    timeoutMs,
    maxBuffer,
    env: { ...withoutRepositoryLocation(process.env), GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...env },
    ...(signal ? { signal } : {}),
    ...(detached ? { detached } : {}),
  };
}

/** What a git past its timeout most often waits on. */
const DEFAULT_TIMEOUT_FIX =
  'find what it waits on (a remote that does not answer, a credential helper or an ssh key asking for input) and run it again';

/**
 * `git <args>` in `cwd`, as a failure names it. A git killed at its timeout is reported as timed
 * out although a helper it started (git-remote-https) may still hold its output: execFile kills
 * git and closes its output, so the helper cannot hold the answer back.
 */
function gitCommand(
  cwd: string,
  args: readonly string[],
  { timeoutMs, maxBuffer }: { timeoutMs: number; maxBuffer: number },
  { timeoutFix = DEFAULT_TIMEOUT_FIX, missingFix }: Pick<GitOptions, 'timeoutFix' | 'missingFix'>,
): ChildCommand {
  return {
    command: `git ${args.join(' ')} in ${cwd}`,
    program: 'git',
    cwd,
    timeoutMs,
    maxBuffer,
    timeoutFix,
    ...(missingFix === undefined ? {} : { missingFix }),
  };
}

/**
 * Runs `git <args>` in `cwd`; never throws on a non-zero exit (see `ok`, and `failure` for why).
 * A command killed at its timeout or by `options.signal` is reported as a failed one.
 */
export function gitTry(cwd: string, args: readonly string[], options: GitOptions = {}): Promise<GitResult> {
  const run = runOptions(cwd, options);
  // Without `input` its stdin is closed at once, so an open stdin cannot keep a command waiting.
  const input = options.input === undefined ? {} : { input: options.input };
  return runProgram('git', args, { ...run, ...input, encoding: 'utf8' }).then(({ error, stdout, stderr }) => {
    const end: ChildEnd = { error, stderr };
    const failure = error === null ? '' : describeChildFailure(gitCommand(cwd, args, run, options), end);
    // execFile's error.code: the exit code when git exited, a string (ENOENT...) or null otherwise.
    const exitCode = error === null ? 0 : typeof error.code === 'number' ? error.code : undefined;
    return {
      ok: error === null,
      stdout,
      stderr: stderr.trim(),
      failure,
      end,
      ...(exitCode === undefined ? {} : { exitCode }),
    };
  });
}

/** Runs `git <args>` in `cwd` and returns stdout; throws GitError on failure, timeout or abort. */
export async function git(cwd: string, args: readonly string[], options: GitOptions = {}): Promise<string> {
  const r = await gitTry(cwd, args, options);
  if (!r.ok) throw new GitError(r.failure);
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

/**
 * Files under `folder` at `ref`, paths relative to `folder`, with their content (two git processes
 * in all: the tree listed, every blob read by one `git cat-file --batch`).
 */
export async function filesAtRef(
  cwd: string,
  ref: string,
  folder: string,
): Promise<{ path: string; content: string }[]> {
  // `<ref>^{commit}`: a ref that is not a commit (or no ref at all) fails here, as `rev-parse --verify` would.
  const listed = await gitTry(cwd, ['ls-tree', '-r', '-z', `${ref}^{commit}`, '--', `${folder}/`]);
  if (!listed.ok)
    throw new GitError(`--base ${ref}: not a commit in this repository (fix: give a branch, tag or commit id)`);
  // `<mode> <type> <object id>\t<path>` per entry.
  const entries = listed.stdout
    .split('\0')
    .filter(Boolean)
    .map((line) => {
      const tab = line.indexOf('\t');
      return { id: line.slice(0, tab).split(' ')[2] ?? '', path: line.slice(tab + 1) };
    });
  const objects = await catObjects(
    cwd,
    entries.map((e) => e.id),
  );
  return entries.map((e, i) => {
    const object = objects[i];
    if (object?.type !== 'blob')
      throw new GitError(`git cat-file ${ref}:${e.path} failed in ${cwd}: not a file in the commit (a submodule?)`);
    return { path: e.path.slice(folder.length + 1), content: object.content.toString('utf8') };
  });
}

/** One object read by {@link catObjects}: its id, type (`blob`, `tree`, `commit`, `tag`) and raw bytes. */
export interface GitObject {
  readonly id: string;
  readonly type: string;
  readonly content: Buffer;
}

/**
 * The objects `names` name (object ids, or revisions such as `FETCH_HEAD`, `HEAD^{tree}`), in
 * order (undefined for a name that names no object), read by one `git cat-file --batch`: its output is `<id> <type> <size>\n<bytes>\n` per
 * object, or `<name> missing\n`. A commit's content is its raw text (`tree`, `parent` and the
 * other headers, a blank line, the message).
 */
export function catObjects(
  cwd: string,
  names: readonly string[],
  options: GitOptions = {},
): Promise<(GitObject | undefined)[]> {
  if (names.length === 0) return Promise.resolve([]);
  const input = names.map((name) => `${name}\n`).join('');
  const run = runOptions(cwd, options);
  return runProgram('git', ['cat-file', '--batch'], { ...run, encoding: 'buffer', input }).then(
    ({ error, stdout, stderr }) => {
      if (error) {
        const ended = { error, stderr: stderr.toString('utf8') };
        throw new GitError(describeChildFailure(gitCommand(cwd, ['cat-file', '--batch'], run, options), ended));
      }
      const out: (GitObject | undefined)[] = [];
      let at = 0;
      for (const _ of names) {
        const newline = stdout.indexOf(0x0a, at);
        const [id = '', type = '', size] = stdout.subarray(at, newline).toString('utf8').split(' ');
        if (size === undefined) {
          // `<name> missing` (or `ambiguous`): no content follows.
          out.push(undefined);
          at = newline + 1;
          continue;
        }
        const end = newline + 1 + Number(size);
        out.push({ id, type, content: stdout.subarray(newline + 1, end) });
        at = end + 1;
      }
      return out;
    },
  );
}
