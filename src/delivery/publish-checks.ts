/**
 * The checks `npm run export -- --push` makes before it writes anything (./publish.ts): the
 * checkout's remote is the repository the forge settings name, and the export's branch is neither
 * the branch the checkout is on nor one an interrupted run left checked out. Apart from
 * ./publish.ts so that it stays under the 300 lines of a source file.
 */
import { ConfigurationError } from '../core/command-error.js';
import type { ForgeConnection } from './forge-settings.js';
import { gitTry } from '../core/git.js';
import { remoteUrl } from './push.js';
import { parseTrailers } from './trailers.js';
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
 * The export's branch must not be `base`, the branch the checkout is on (the pull request's
 * target). The default name, or a `--branch` whose tip is an export commit made on the branch the
 * checkout last came from ({@link exportStartedFrom}): the checkout was left on the export's own
 * branch by an earlier run of the same export (one that finished, or one a second signal ended
 * before it put the checkout back: docs/delivery.md "Interrupted"), and the fix is the docs' one,
 * never `--branch <new name>`, which would push a second branch and open a second pull request for
 * the same export. Only a `--branch` that is the real base gets "pass another --branch".
 */
export async function checkBranchIsNotBase(top: string, branch: string, base: string, given: boolean): Promise<void> {
  if (branch !== base) return;
  if (given && (await exportStartedFrom(top, branch)) === undefined)
    throw new ConfigurationError(
      `--branch ${branch} is the branch ${top} is on, which the pull request would go into (fix: pass another ` +
        `--branch name, or leave --branch out for arcade-stack/<env>-<source commit>)`,
    );
  throw new ExportRefused([
    `${top} is on the export's own branch ${branch}, left there by an earlier run of it (one that ` +
      `finished, or one a second Ctrl-C or SIGTERM ended before it put the checkout back); --branch <new name> ` +
      `would push a second branch of the same export (fix: git -C ${top} checkout <base> && git -C ${top} branch -D ${branch}, where <base> ` +
      `is the branch the export started from (git -C ${top} reflog shows "checkout: moving from <base> to ` +
      `${branch}"), then run the same export again)`,
  ]);
}

/**
 * The branch an export started from when the checkout is on `branch` because an export made it
 * (`git checkout -b <branch>`, then its commit), or undefined when `branch` is a base of its own.
 * The checkout's status names only the branch it is on, so the base is found the way the docs'
 * fix finds it: HEAD's reflog says `checkout: moving from <base> to <branch>` last, `<base>` is
 * still a local branch, and `branch`'s tip is an export commit this tool wrote and nobody changed
 * (its trailers name its own tree, ./trailers.ts) whose parent is `<base>`'s tip. A branch someone
 * checked out to start from fails the last two (a hand-made commit, or no commit on it); a
 * checkout without a reflog gives undefined (the refusal for a real base: it deletes nothing).
 */
async function exportStartedFrom(top: string, branch: string): Promise<string | undefined> {
  const log = await gitTry(top, ['log', '-g', '-n', '50', '--format=%gs', 'HEAD']);
  if (!log.ok) return undefined;
  const move = log.stdout.split('\n').find((line) => line.startsWith('checkout: moving from '));
  const [, from, to] = /^checkout: moving from (\S+) to (\S+)$/.exec(move ?? '') ?? [];
  if (from === undefined || to !== branch || from === branch) return undefined;
  const tip = await gitTry(top, ['log', '-1', '--format=%T%x00%P%x00%B', `refs/heads/${branch}`]);
  const started = await gitTry(top, ['rev-parse', '--verify', '--quiet', `refs/heads/${from}^{commit}`]);
  if (!tip.ok || !started.ok) return undefined;
  const [tree = '', parents = '', message = ''] = tip.stdout.split('\0');
  const trailers = parseTrailers(message);
  if (trailers?.tree !== tree || parents.split(' ')[0] !== started.stdout.trim()) return undefined;
  return from;
}
