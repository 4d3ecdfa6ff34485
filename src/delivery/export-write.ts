/**
 * The export's writes to the checkout (./export.ts, after every check passed): the plan written into
 * the folder, exactly the export's own paths staged, and its commit made and its branch moved.
 *
 * Interrupts (docs/delivery.md "Interrupted"): once the export starts writing, each step runs to its
 * end. The git commands that write the checkout under a lock file (checkout, add, write-tree,
 * update-ref) run in a session of their own (src/core/git.ts `detached`), so a terminal's Ctrl-C,
 * which reaches the whole foreground process group, cannot stop one midway (it once left the
 * checkout on the new branch with staged files, or with `.git/index.lock`). The export notes the
 * interrupt, finishes the few remaining local steps, and ends Interrupted (130/143) saying what it
 * left and the fix that undoes it, losing nothing.
 */
import { lstatSync, mkdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CommandError, Interrupted, interruptedBy } from '../core/command-error.js';
import { lastLines } from '../core/child-failure.js';
import { catObjects, git, gitTry } from '../core/git.js';
import type { ManifestFile } from '../core/manifests.js';
import { shellWord } from '../core/shell-word.js';
import { ignoredPaths } from './checkout-status.js';
import { OWNERSHIP_FILE } from './ownership.js';
import { branchMoved, commitFailed } from './refused.js';
import { listFiles, type Target } from './target.js';
import { commitTreeCommand, notAsWritten, readCommit } from './trailers.js';

/**
 * Writes the plan into the folder (exportEnvironment refused a link, or a file where a folder is
 * needed, on the way: target.ts blockedOnTheWay).
 * A link at a written path is replaced by the file, never written through; rmSync removes a link,
 * never what it leads to.
 */
function writePlan(target: Target, planned: readonly ManifestFile[], removed: readonly string[], record: string): void {
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

/** Local git that writes under a lock file: out of reach of a terminal's Ctrl-C, never aborted (also publish's put-back). */
export const WRITES = { detached: true } as const;

/**
 * Stages exactly the paths the export wrote and removed (`paths`, relative to the folder) and its
 * ownership record, never the folder: a file someone put in the folder while the export ran (between
 * its `git status` and this `git add`) is not committed with the export's and stays on disk,
 * untracked (or ignored); the warning names it. Each pathspec literal (`--literal-pathspecs`): a
 * folder named `apps/a*` is that folder, not a pattern that also matches apps/arcade. Returns the
 * warnings. The look for strangers reads the folder again: one that cannot be read (a folder put
 * there meanwhile that this user may not read) is a warning, never a failure after the add.
 */
async function stageOwn(target: Target, paths: readonly string[]): Promise<string[]> {
  const ours = [...paths, OWNERSHIP_FILE];
  const inRepo = (f: string) => `${target.folderInRepo}/${f}`;
  await git(target.top, ['--literal-pathspecs', 'add', '-A', '--', ...ours.map(inRepo)], WRITES);
  // What the folder holds now that it held neither when the export opened it nor from the export.
  const known = new Set([...target.files.keys(), ...target.ignored, ...ours]);
  let strangers: string[];
  try {
    strangers = listFiles(target.folder).filter((f) => !known.has(f));
  } catch (err) {
    return [
      `${target.folderInRepo} could not be read again after the export staged its files ` +
        `(${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): a file put there meanwhile is not in ` +
        `the export's commit, and is not named here (fix: git -C ${shellWord(target.top)} status)`,
    ];
  }
  if (strangers.length === 0) return [];
  const said = (files: string[], how: string) =>
    `${files.map(inRepo).join(', ')} appeared in the folder while the export ran: not the export's, so not in its commit, ${how}`;
  let ignored: Set<string>;
  try {
    ignored = await ignoredPaths(target.top, strangers.map(inRepo));
  } catch (err) {
    // A warning all the same: the commit is made; only how git sees these files is not known.
    return [said(strangers, `left on disk (whether git ignores them is not known: ${(err as Error).message})`)];
  }
  const [untracked, ignoredOnes] = [
    strangers.filter((f) => !ignored.has(inRepo(f))),
    strangers.filter((f) => ignored.has(inRepo(f))),
  ];
  return [
    ...(untracked.length > 0
      ? [said(untracked, 'left on disk untracked (fix: commit it yourself if it belongs there)')]
      : []),
    ...(ignoredOnes.length > 0
      ? [said(ignoredOnes, 'left on disk, ignored by git (nothing to do: git never commits it)')]
      : []),
  ];
}

/** What the export writes, and where it stood when it began. */
export interface Writing {
  readonly target: Target;
  /** Make a branch and a commit (else the files are left uncommitted). */
  readonly commit: boolean;
  readonly branch: string;
  readonly planned: readonly ManifestFile[];
  readonly removed: readonly string[];
  readonly record: string;
  readonly message: string;
  /** The reflog's line for the branch. */
  readonly reflog: string;
  readonly trailers: { readonly environment: string; readonly source: string };
  readonly sign: boolean;
  /** The checkout as the command line named it, for a fix. */
  readonly repo: string;
  readonly signal?: AbortSignal;
}

/**
 * Writes the plan, and with `commit` makes the branch and its commit: the warnings, and the commit
 * and why git stored it otherwise than written. An interrupt while it runs lets it finish, then
 * throws Interrupted naming what it left (./refused.ts interruptedWhileWriting); a failure meanwhile
 * is Interrupted too, with the failure's own words and fix.
 */
export async function writeExport(
  w: Writing,
): Promise<{ warnings: string[]; commit?: string; commitProblem?: string }> {
  const { target, signal } = w;
  // The branch the export started from, or the commit of a detached HEAD.
  const started = target.head !== undefined && target.head !== 'HEAD' ? target.head : target.headCommit;
  try {
    const made = await writeAndCommit(w, started);
    // A signal that arrived during the last step is delivered first.
    await new Promise((resolve) => setImmediate(resolve));
    if (signal?.aborted) throw interruptedWhileWriting(interruptedBy(signal), w, started, made.commit);
    return made;
  } catch (err) {
    if (!signal?.aborted || err instanceof Interrupted || !(err instanceof CommandError)) throw err;
    const by = interruptedBy(signal);
    throw new Interrupted(by, `interrupted by ${by} while the export wrote the checkout; ${err.message}`);
  }
}

async function writeAndCommit(
  w: Writing,
  started: string | undefined,
): Promise<{ warnings: string[]; commit?: string; commitProblem?: string }> {
  const { target, branch, message } = w;
  if (w.commit) await git(target.top, ['checkout', '-q', '-b', branch], WRITES);
  writePlan(target, w.planned, w.removed, w.record);
  if (!w.commit) return { warnings: [] };
  const warnings = await stageOwn(target, [...w.planned.map((f) => f.path), ...w.removed]);
  // The commit names its own tree and its message's digest: a later push can tell it unchanged (./trailers.ts).
  const tree = (await git(target.top, ['write-tree'], WRITES)).trim();
  const trailers = { ...w.trailers, tree };
  // commit-tree runs no hook; update-ref moves the branch only from the parent (./trailers.ts, the header).
  const made = commitTreeCommand(message, trailers, target.headCommit, w.sign);
  // A signer may wait on a passphrase prompt or a hardware key's touch: 5 minutes, not git's 30 s,
  // and on the terminal (not detached: a session of its own has none); it writes only objects.
  const tried = await gitTry(target.top, made.args, {
    input: made.input,
    ...(w.sign ? { timeoutMs: 300_000 } : WRITES),
  });
  const at = { top: target.top, repo: w.repo, branch, base: started, parent: target.headCommit };
  if (!tried.ok)
    throw commitFailed({
      ...at,
      folder: target.folderInRepo,
      sign: w.sign,
      said: lastLines(tried.stderr) || tried.failure,
    });
  const commit = tried.stdout.trim();
  const update = ['update-ref', '-m', w.reflog, `refs/heads/${branch}`, commit, target.headCommit ?? ''];
  const updated = await gitTry(target.top, ['-c', 'core.hooksPath=/dev/null', ...update], WRITES);
  if (!updated.ok) throw await branchMoved({ ...at, commit, failure: updated.failure });
  // What git stored: checked now, not refused by the next run's push.
  const [head] = await catObjects(target.top, [commit]);
  const commitProblem = notAsWritten(readCommit(head), message, trailers);
  return { warnings, commit, ...(commitProblem ? { commitProblem } : {}) };
}

/** An interrupt that came while the export wrote, told once it finished: with its commit, which --push puts back (./publish.ts). */
export class WriteInterrupted extends Interrupted {
  constructor(
    by: 'SIGINT' | 'SIGTERM',
    message: string,
    readonly commit?: string,
  ) {
    super(by, message);
  }

  /** With --push: the commit not pushed, and `left`, what putting it back left (./publish.ts putBack). */
  withPushed(left: string): Interrupted {
    return new Interrupted(
      this.signal,
      `interrupted by ${this.signal} while the export wrote the checkout: it finished its commit, not pushed${left}`,
    );
  }
}

/**
 * An interrupt that came while the export wrote: it finished first, so the checkout is as a run
 * without the interrupt leaves it; the message says so, and the fix that undoes it (after which the
 * same export runs again): the branch deleted only while it is at the export's commit (`update-ref
 * -d <ref> <commit>`: a commit made on it since stops the fix, kept); without --commit, only the
 * export's own paths restored from HEAD or, new, cleaned.
 */
function interruptedWhileWriting(
  by: 'SIGINT' | 'SIGTERM',
  w: Writing,
  base: string | undefined,
  commit: string | undefined,
): WriteInterrupted {
  const { target } = w;
  const dir = shellWord(w.repo);
  const head = `interrupted by ${by} while the export wrote the checkout; it finished first, as it does once it has begun writing:`;
  if (commit !== undefined)
    return new WriteInterrupted(
      by,
      `${head} ${w.repo} is on branch ${w.branch}, holding the export's commit ${commit.slice(0, 12)} (not pushed), as ` +
        `a run without the interrupt leaves it (fix, to undo it: git -C ${dir} checkout -q ` +
        `${base === undefined ? '<the branch it was on>' : shellWord(base)} && git -C ${dir} update-ref -d ` +
        `${shellWord(`refs/heads/${w.branch}`)} ${commit}; then the same export runs again)`,
      commit,
    );
  // Its pathspecs are relative to the checkout's top, as git -C <top> reads them (--repo may be a folder inside).
  const [top, inRepo] = [shellWord(target.top), (f: string) => shellWord(`${target.folderInRepo}/${f}`)];
  const ours = [...w.planned.map((f) => f.path), ...w.removed, OWNERSHIP_FILE];
  const tracked = ours.filter((f) => target.files.has(f) || (f === OWNERSHIP_FILE && target.record));
  const fresh = ours.filter((f) => !tracked.includes(f) && !w.removed.includes(f));
  const undo = [
    ...(tracked.length > 0
      ? [`git -C ${top} --literal-pathspecs restore --source=HEAD --worktree -- ${tracked.map(inRepo).join(' ')}`]
      : []),
    ...(fresh.length > 0 ? [`git -C ${top} --literal-pathspecs clean -fq -- ${fresh.map(inRepo).join(' ')}`] : []),
  ];
  return new WriteInterrupted(
    by,
    `${head} its files are in ${target.folderInRepo}, uncommitted, as a run without --commit leaves them (fix: ` +
      `review them with git -C ${top} status; to undo them: ${undo.join(' && ')})`,
  );
}
