/**
 * `npm run export -- --push --pull-request`: after the export committed its branch, push it
 * (./push.ts) and open or update the pull request into the branch the export started from through
 * the forge's REST API (./forge.ts). Idempotent: one source commit gives one branch name, and the
 * open pull request from that branch is updated (title and body) instead of a second one opened.
 *
 * Where the pull request goes comes from environment variables (./forge-settings.ts), checked
 * before the export does any work.
 */
import { resolve } from 'node:path';
import { CommandError, ConfigurationError, type ExitCode, Interrupted } from '../core/command-error.js';
import { gitTry } from '../core/git.js';
import { BODY_LIMIT, capBody } from './forge-api.js';
import { withLink } from './forge-link.js';
import type { ForgeType } from './forge-settings.js';
import { WRITES, WriteInterrupted } from './export-write.js';
import { exportBranch, exportEnvironment, type ExportOptions, type ExportResult, type ExportSource } from './export.js';
import { ForgeClient, type ForgeConnection, ForgeError, type PullRequest } from './forge.js';
import { pushExport, type PushResult } from './push.js';
import { checkBranchIsNotBase, checkRemote, putBackFix } from './publish-checks.js';
import { committedOtherwise, ExportRefused } from './refused.js';
import { checkoutStatus, parseStatus } from './checkout-status.js';
import { checkoutRoot } from './target.js';
import { shellWord } from '../core/shell-word.js';
import { withoutTrailers } from './trailers.js';

/** The pull request's description: the export's commit message (summary, source commit, unresolved values). */
function pullRequestText(message: string): { title: string; body: string } {
  const text = withoutTrailers(message);
  const [subject = '', ...rest] = text.split('\n');
  const header =
    'Exported by `npm run export -- --push --pull-request` (arcade-stack). The commit message, as the export printed it:';
  const fence = '```';
  const body = `${header}\n\n${fence}text\n${rest.join('\n').trim()}\n${fence}\n`;
  return {
    title: subject.slice(0, 250),
    body: capBody(
      body,
      BODY_LIMIT,
      '**Truncated**: the export summary is longer than the forge accepts; read it in full in the commit message of this branch.',
    ),
  };
}

interface PullRequestResult {
  readonly action: 'opened' | 'updated' | 'unchanged';
  readonly pull: PullRequest;
}

/** Opens the pull request from `head` into `base`, or updates the open one (never a second). */
async function openOrUpdatePullRequest(
  connection: ForgeConnection,
  input: { head: string; base: string; title: string; body: string },
  signal: AbortSignal | undefined,
): Promise<PullRequestResult> {
  const forge = new ForgeClient(connection, signal);
  const update = async (existing: PullRequest): Promise<PullRequestResult> =>
    existing.title === input.title && existing.body === input.body
      ? { action: 'unchanged', pull: existing }
      : { action: 'updated', pull: await forge.updatePull(existing.number, input) };
  const open = await forge.findOpenPull(input.head, input.base);
  if (open) return update(open);
  const created = await forge.createPull(input);
  if (created) return { action: 'opened', pull: created };
  // Opened by someone else (or a concurrent run) between the search and the create.
  const raced = await forge.findOpenPull(input.head, input.base);
  if (!raced)
    throw new ConfigurationError(
      `the forge says a pull request from ${input.head} into ${input.base} exists, but it cannot be found`,
    );
  return update(raced);
}

/**
 * What a run does after its push: the pull request from `head` into `base`, titled and described
 * by the export's commit message, opened or updated (openOrUpdatePullRequest). `signal` (the
 * run's interrupt) stops a request or a retry's wait at once: Interrupted (./forge.ts).
 */
export function publishPullRequest(
  connection: ForgeConnection,
  input: { head: string; base: string; message: string },
  signal?: AbortSignal,
): Promise<PullRequestResult> {
  const text = pullRequestText(input.message);
  return openOrUpdatePullRequest(connection, { head: input.head, base: input.base, ...text }, signal);
}

interface PublishOptions {
  /** Push the export's branch. */
  readonly push: boolean;
  /** Open or update the pull request (requires `push`); the forge and its token. */
  readonly pullRequest?: ForgeConnection;
  /** Without `pullRequest`: a token for the push, and how the forge wants it presented. */
  readonly token?: string;
  readonly forgeType?: ForgeType;
  /** @default 'origin' */
  readonly remote?: string;
  /** GITOPS_ALLOW_PLAIN_HTTP=1: a token push to a plain-http remote is let through (./push.ts). */
  readonly allowPlainHttp?: boolean;
}

export interface PublishResult {
  readonly export: ExportResult;
  readonly push?: PushResult;
  readonly pullRequest?: PullRequestResult;
}

/**
 * The export, then its branch pushed and its pull request opened or updated. Every check that
 * needs no writing runs first (the source's commit, the remote, the branch to start from), so a
 * refusal leaves the checkout, the remote and the forge as they were.
 */
export async function exportAndPublish(
  source: ExportSource,
  options: Omit<ExportOptions, 'commit' | 'dryRun'>,
  publish: PublishOptions,
): Promise<PublishResult> {
  if (!publish.push) return { export: await exportEnvironment(source, { ...options, commit: false }) };
  const remote = publish.remote ?? 'origin';
  if (source.sourceDirty)
    throw new ExportRefused([
      `the stack's src/ or dist/ has uncommitted changes: a pushed branch is named after its source commit ` +
        `(${source.sourceCommit.slice(0, 12)}), which would not hold what is pushed (fix: commit the change ` +
        `first, then export)`,
    ]);
  // The root and whether the export's branch exists, by one git; the branch to start from from the
  // status the export reads too: all handed over, not asked again (target.ts).
  const branchName = exportBranch(source, options);
  const { top, branchExists } = await openCheckout(
    resolve(options.cwd ?? process.cwd(), options.repo),
    options.repo,
    branchName,
  );
  const status = await checkoutStatus(top);
  const base = parseStatus(status).head;
  if (base === undefined || base === 'HEAD')
    throw new ConfigurationError(
      `${options.repo} is not on a branch (detached HEAD): a pull request needs the branch the export starts from (fix: git checkout master there)`,
    );
  await checkBranchIsNotBase(top, branchName, base, options.branch !== undefined, source.env);
  const url = publish.pullRequest ? await checkRemote(top, remote, publish.pullRequest) : undefined;

  const exported = await exportEnvironment(source, {
    ...options,
    commit: true,
    checkout: { top, status, branch: { name: branchName, exists: branchExists } },
  }).catch(async (err: unknown) => {
    // Interrupted once it had begun writing, it finished its commit: not pushed, put back as after a failed push.
    if (!(err instanceof WriteInterrupted) || err.commit === undefined) throw err;
    throw err.withPushed((await putBack(top, base, branchName, err.commit)).left);
  });
  const branch = exported.branch;
  if (!exported.commit || branch === undefined) return { export: exported };
  const token = publish.pullRequest?.token ?? publish.token;
  const forgeType = publish.pullRequest?.type ?? publish.forgeType;
  // A commit git stored otherwise than written is not pushed (the next run would refuse it as
  // changed): refused, the checkout put back as after a failed push.
  const problem = exported.commitProblem;
  const commit = exported.commit;
  const pushed = await (async () => {
    if (problem !== undefined) throw new ExportRefused([committedOtherwise(top, commit, problem, true)]);
    return pushExport({
      top,
      remote,
      branch,
      commit,
      env: source.env,
      ...(url !== undefined ? { url } : {}),
      ...(token !== undefined ? { token } : {}),
      ...(forgeType !== undefined ? { forgeType } : {}),
      ...(publish.allowPlainHttp ? { allowPlainHttp: true } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  })().catch(async (err: unknown) => {
    // The push failed, was refused or was interrupted: the checkout goes back to where it was.
    const { clean, left } = await putBack(top, base, branch, commit);
    if (err instanceof Interrupted) throw new Interrupted(err.signal, `${err.message}${left}`);
    // Refused or failed with the checkout put back: told as it was. A bug (not a CommandError) keeps its stack.
    if (clean || !(err instanceof CommandError)) throw err;
    throw new CheckoutLeftBehind(`${err.message}${left}`, err.exitCode);
  });
  if (!publish.pullRequest) return { export: exported, push: pushed };
  const pullRequest = await publishPullRequest(
    publish.pullRequest,
    { head: branch, base, message: exported.message },
    options.signal,
  ).catch(async (err: unknown) => {
    // The branch is pushed, its pull request not opened or updated (the forge failed), or maybe
    // not (an interrupt stopped a request the forge may have received and done, or a retry's wait).
    // The checkout goes back as after a failed push, so that the fix is the same export run again:
    // its push finds the branch pushed and unchanged, and it opens or updates the pull request
    // (never a second); after a refusal every run gets (401, 403, 404), the forge's own fix first.
    const { clean, left } = await putBack(top, base, branch, commit);
    if (!(err instanceof CommandError)) throw err;
    const again =
      'run the same export again: it finds the branch pushed and unchanged, and opens or updates the pull request';
    const next = err instanceof ForgeError && err.fix ? `${err.fix}; then ${again}` : again;
    const message =
      `${err.message}; ${pushed.url} branch ${branch} holds this export (${pushed.head.slice(0, 12)}), but its ` +
      `pull request ${err instanceof Interrupted || (err instanceof ForgeError && err.maybeDone) ? 'may not have been' : 'was not'} opened or updated${left}` +
      (clean ? ` (fix: ${next})` : `; then ${next}`);
    throw err instanceof Interrupted
      ? new Interrupted(err.signal, message)
      : new PullRequestNotOpened(message, err.exitCode);
  });
  return { export: exported, push: pushed, pullRequest };
}

/**
 * Puts the checkout back on `base` without the export's local branch `branch`, after the push or
 * the pull request failed, so the next run starts clean; what it left, for the failure's message.
 * The branch is deleted only while it is at the export's `commit` (`update-ref -d <ref> <commit>`),
 * and only once the checkout is off it: a commit someone made on it while the run went on (after the
 * export's update-ref) stays on it, named. Never aborted, also when an interrupt stopped the run:
 * these write the checkout under .git/index.lock and a ref's lock file, which a kill would leave
 * behind, stopping every later git there; they are local and end at once, and run out of reach of
 * a terminal's Ctrl-C (src/core/git.ts `detached`). A fix it prints deletes the branch only while it
 * is at `commit` (`update-ref -d`); `branch -D` only once a person's commit on it is named, after "keep
 * what is yours" (it would delete that commit otherwise).
 */
async function putBack(
  top: string,
  base: string,
  branch: string,
  commit: string,
): Promise<{ clean: boolean; left: string }> {
  const back = await gitTry(top, ['checkout', '-q', base], WRITES);
  const ref = `refs/heads/${branch}`;
  const removed = back.ok ? await gitTry(top, ['update-ref', '-d', ref, commit], WRITES) : undefined;
  // Not removed: moved on by a commit someone made (kept, named), or git failed (a lock file).
  const now = removed?.ok === false ? (await gitTry(top, ['rev-parse', '--verify', '--quiet', ref])).stdout.trim() : '';
  const [dir, name, short] = [shellWord(top), shellWord(branch), commit.slice(0, 12)];
  const left =
    removed === undefined
      ? `; putting the checkout back on ${base} failed: ${back.failure}; it is still on the export's local ` +
        `branch ${branch}, and the next export refuses while that branch exists (fix: ${putBackFix(top, base, branch, commit)})`
      : removed.ok
        ? `; the checkout is back on ${base}, without the export's local branch`
        : now !== '' && now !== commit
          ? `; the checkout is back on ${base}, but the export's local branch ${branch} was kept: a commit made on it ` +
            `since the export's ${short} is on it (git -C ${dir} log ${shellWord(`${short}..${branch}`)}), and the next ` +
            `export refuses while branch ${branch} exists (fix: keep what is yours, then git -C ${dir} branch -D ${name})`
          : `; the checkout is back on ${base}, but removing the export's local branch failed: ${removed.failure}; ` +
            `the next export refuses while branch ${branch} exists (fix: git -C ${dir} update-ref -d ${shellWord(ref)} ${commit})`;
  return { clean: removed?.ok === true, left };
}

/**
 * A failure of the push or the pull request step, told again with what it left and the fix: the
 * message is the whole story, the exit code the first failure's own. One class, two names.
 */
class PublishFailed extends CommandError {
  override readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** The branch pushed, its pull request not opened or updated: the failure, what is left and the fix (its exit code). */
export class PullRequestNotOpened extends PublishFailed {}

/** A push that failed, and the clean-up after it failed too: the push's failure, what is left and its fix. */
export class CheckoutLeftBehind extends PublishFailed {}

/** The root of the checkout `repo` (given as `--repo shown`), and whether `branch` exists in it. */
async function openCheckout(
  repo: string,
  shown: string,
  branch: string,
): Promise<{ top: string; branchExists: boolean }> {
  const { root, branchExists } = await checkoutRoot(repo, branch);
  if (root === undefined || branchExists === undefined)
    throw new ConfigurationError(
      `--repo ${shown}: not a git checkout (fix: clone the GitOps repository and point --repo at it)`,
    );
  return { top: root, branchExists };
}

/** What `npm run export` prints about the push and the pull request, one line each. */
export function publishLines(published: PublishResult): string[] {
  const lines: string[] = [];
  const p = published.push;
  if (p) {
    const what = {
      created: 'pushed a new branch',
      updated: `replaced its own earlier export ${p.previous?.slice(0, 12) ?? ''} on`,
      unchanged: 'already holds the same export on',
    }[p.action];
    lines.push(`${p.url}: ${what} ${p.branch} (${p.head.slice(0, 12)})`);
  }
  const pr = published.pullRequest;
  if (pr) {
    const what = `pull request #${pr.pull.number} ${pr.action} (${pr.pull.head} -> ${pr.pull.base})`;
    lines.push(...withLink(what, pr.pull.link, `pull request #${pr.pull.number}`));
  }
  return lines;
}
