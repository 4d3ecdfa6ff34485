/**
 * The checks `npm run export -- --push` makes before it writes anything (./publish.ts): the
 * checkout's remote is the repository the forge settings name, and the export's branch is neither
 * the branch the checkout is on nor one an interrupted run left checked out. Apart from
 * ./publish.ts so that it stays under the 300 lines of a source file.
 */
import { ConfigurationError } from '../core/command-error.js';
import type { ForgeConnection } from './forge-settings.js';
import { catObjects, gitTry } from '../core/git.js';
import { shellWord } from '../core/shell-word.js';
import { remoteUrl } from './push.js';
import { readCommit, unchangedExport } from './trailers.js';
import { ExportRefused } from './refused.js';

/** `owner/name` of a clone URL (https or scp-like ssh), lower-case, without `.git`. */
function repositoryOfUrl(url: string): string | undefined {
  const path = /^[a-z][a-z0-9+.-]*:\/\/[^/]+\/(.+)$/i.exec(url)?.[1] ?? /^[^/:@]+@[^:]+:(.+)$/.exec(url)?.[1];
  if (!path) return undefined;
  const parts = path
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .split('/');
  if (parts.length < 2) return undefined;
  return parts.slice(-2).join('/').toLowerCase();
}

/**
 * The checkout's remote must be the repository the forge settings name: otherwise the branch
 * would be pushed to one repository and the pull request opened in another. Returns the remote's
 * URL (the push uses it: git is asked once).
 */
export async function checkRemote(
  top: string,
  remote: string,
  forge: Pick<ForgeConnection, 'owner' | 'repository'>,
): Promise<string> {
  const url = await remoteUrl(top, remote);
  const found = repositoryOfUrl(url);
  const wanted = `${forge.owner}/${forge.repository}`.toLowerCase();
  if (found !== wanted)
    throw new ConfigurationError(
      `remote ${remote} of ${top} is ${found ?? 'not a repository URL'}, but GITOPS_REPOSITORY names ` +
        `${forge.owner}/${forge.repository}: the branch would be pushed to one repository and the pull ` +
        `request opened in another (fix: correct GITOPS_REPOSITORY, or pass --remote)`,
    );
  return url;
}

/**
 * The commands that put a checkout left on the export's local `branch` back on `base` and delete
 * that branch while it is at `commit` (quoted for a POSIX shell where needed, so they paste as they
 * are): `update-ref -d <ref> <commit>` refuses a branch that moved since, so a commit a person made
 * on it meanwhile is kept (`branch -D` deleted it).
 */
export function putBackFix(top: string, base: string, branch: string, commit: string): string {
  const dir = shellWord(top);
  return (
    `git -C ${dir} checkout ${shellWord(base)} && git -C ${dir} update-ref -d ` +
    `${shellWord(`refs/heads/${branch}`)} ${commit}`
  );
}

/**
 * The export's branch must not be `base`, the branch the checkout is on (the pull request's
 * target). A checkout is left on the export's own branch by an earlier run of the same export (one
 * that finished, or one a second signal ended before it put the checkout back: docs/delivery.md
 * "Interrupted"); then the fix is to put it back (`checkout <base> && branch -D`), never `--branch
 * <new name>`, which would push a second branch and open a second pull request for the same
 * export. That fix deletes the branch, so it is given only when it loses nothing
 * ({@link branchOrigin}): the branch's tip is this environment's unchanged export commit on the tip
 * of the local branch it started from, or (the default name) it holds no commit that branch does
 * not. A default-named branch holding anything else (a commit on top of the export, another
 * environment's export, work by hand) is refused naming that work and a fix that deletes nothing;
 * a `--branch` that is not this export's is the real base: "pass another --branch".
 */
export async function checkBranchIsNotBase(
  top: string,
  branch: string,
  base: string,
  given: boolean,
  environment: string,
): Promise<void> {
  if (branch !== base) return;
  const origin = await branchOrigin(top, branch, environment);
  // Quoted for a POSIX shell where needed, so the commands paste as they are (a path with a space).
  const [dir, name] = [shellWord(top), shellWord(branch)];
  const fix = (from: string, tip: string) =>
    `(fix: ${putBackFix(top, from, branch, tip)}, then run the same export again)`;
  if (origin?.holds === 'export')
    throw new ExportRefused([
      `${top} is on the export's own branch ${branch}, left there by an earlier run of it (one that finished, ` +
        `or one a second Ctrl-C or SIGTERM ended before it put the checkout back); --branch <new name> would ` +
        `push a second branch of the same export ${fix(origin.from, origin.tip)}`,
    ]);
  if (given)
    throw new ConfigurationError(
      `--branch ${branch} is the branch ${top} is on, which the pull request would go into (fix: pass another ` +
        `--branch name, or leave --branch out for arcade-stack/<env>-<source commit>)`,
    );
  if (origin?.holds === 'nothing')
    throw new ExportRefused([
      `${top} is on the export's own branch ${branch}, which holds no commit that ${origin.from} does not (an ` +
        `earlier run a second Ctrl-C or SIGTERM ended before its commit leaves it so); --branch <new name> would ` +
        `push a second branch of the same export ${fix(origin.from, origin.tip)}`,
    ]);
  const from = origin !== undefined ? shellWord(origin.from) : '<base>';
  const range = origin !== undefined ? shellWord(`${origin.from}..${branch}`) : `<base>..${name}`;
  const what =
    origin !== undefined
      ? `holds ${origin.holds} commit(s) that ${origin.from} does not, not only this export's unchanged commit on its tip`
      : `may hold commits that are not this export's (HEAD's reflog names no local branch it was made from)`;
  throw new ExportRefused([
    `${top} is on ${branch}, the export's own branch name, but it ${what} (a commit on top of an export ` +
      `commit, an export commit amended, another environment's export, work by hand): deleting the branch could lose them (fix: review ` +
      `that work with git -C ${dir} log ${range}, then keep it or remove it, or pass ` +
      `--branch <new name>; the export starts from the branch the checkout is on: git -C ${dir} checkout ${from}${
        origin === undefined ? ', where <base> is the branch the pull request should go into' : ''
      })`,
  ]);
}

/**
 * Where the checkout's branch `branch` came from, and what it holds that its base does not. The
 * checkout's status names only the branch it is on, so the base is found the way a person would:
 * HEAD's reflog says `checkout: moving from <from> to <branch>` last, and `<from>` is still a local
 * branch (neither is known otherwise: a checkout without a reflog, one made from a detached HEAD).
 * `holds` is 'export' when `branch`'s tip is an export commit of `environment` this tool wrote
 * and nobody changed (no merge; its trailers name its own tree, its message's digest and the environment,
 * ./trailers.ts) whose one parent is `<from>`'s tip; 'nothing' when every commit of `branch` is on
 * `<from>`; otherwise how many commits it holds that `<from>` does not. Undefined when the base is
 * not known, or what the branch holds could not be read: no fix that deletes it is given then.
 */
async function branchOrigin(
  top: string,
  branch: string,
  environment: string,
): Promise<{ readonly from: string; readonly tip: string; readonly holds: 'export' | 'nothing' | number } | undefined> {
  const log = await gitTry(top, ['log', '-g', '-n', '50', '--format=%gs', 'HEAD']);
  if (!log.ok) return undefined;
  const move = log.stdout.split('\n').find((line) => line.startsWith('checkout: moving from '));
  const [, from, to] = /^checkout: moving from (\S+) to (\S+)$/.exec(move ?? '') ?? [];
  if (from === undefined || to !== branch || from === branch) return undefined;
  const started = await gitTry(top, ['rev-parse', '--verify', '--quiet', `refs/heads/${from}^{commit}`]);
  // The branch's tip read as ./push.ts reads a remote tip: its raw commit, one `git cat-file --batch`.
  const [object] = await catObjects(top, [`refs/heads/${branch}`]).catch(() => [undefined]);
  if (!started.ok || object === undefined) return undefined;
  const tip = readCommit(object);
  const checked = unchangedExport(tip);
  // On the base's tip: its one parent (unchangedExport refuses a merge, which would hide its other parents' work).
  const onBase = tip.parents[0] === started.stdout.trim();
  const at = { from, tip: object.id };
  if ('trailers' in checked && checked.trailers.environment === environment && onBase)
    return { ...at, holds: 'export' };
  const count = await gitTry(top, ['rev-list', '--count', `refs/heads/${from}..refs/heads/${branch}`]);
  const commits = Number.parseInt(count.stdout.trim(), 10);
  if (!count.ok || !Number.isInteger(commits)) return undefined;
  return { ...at, holds: commits === 0 ? 'nothing' : commits };
}
