/**
 * Pushes an export commit as a branch of the GitOps repository, without ever overwriting work
 * that is not the tool's own.
 *
 * The token (GITOPS_TOKEN) reaches git only through git's environment: `GIT_CONFIG_COUNT` /
 * `GIT_CONFIG_KEY_<n>` / `GIT_CONFIG_VALUE_<n>` (git 2.31+) set `http.<remote URL>.extraHeader`
 * to `Authorization: Basic ...` for this one git process. Why this and not the alternatives:
 * - not in the remote URL or `git -c` arguments: a command line is visible to every user in the
 *   process list, and zx's verbose mode echoes it;
 * - not in `.git/config` (what actions/checkout's persist-credentials does): it would outlive
 *   the run in the checkout;
 * - not an askpass helper: git hands credentials obtained by askpass to `credential approve`,
 *   so a configured credential helper (`store`) would write the token to disk; an extra header
 *   never goes through the credential machinery;
 * - scoped to the remote's URL (`http.<url>.*`), so a redirect to another host never gets it.
 * A process's environment is readable only by its own user and root (/proc/<pid>/environ).
 *
 * Basic credentials, as each forge's git endpoint accepts a token: GitHub `x-access-token:<token>`
 * (actions/checkout `src/git-auth-helper.ts`), Gitea/Forgejo `<token>:x-oauth-basic` (the
 * token as user name: `services/auth/basic.go` takes a user name as the token when the password
 * is empty or `x-oauth-basic`, in every version read; a token given as password is checked
 * against the user name in older versions).
 *
 * What is replaced: a remote branch that does not exist, or whose tip is an export commit this
 * tool wrote for the same environment and nobody changed: not a merge, its tree and its message the
 * ones its trailers name (./trailers.ts unchangedExport). The push carries
 * `--force-with-lease=<branch>:<that tip>` (or `:` for "must not exist"), so a branch that
 * changes between the check and the push is refused by the server-side comparison too.
 */
import { createRedactor } from '../core/redact.js';
import { userinfoSecrets, withoutUserinfo, withoutUserinfoIn } from '../core/userinfo.js';
import { printableCut } from '../core/printable.js';
import { ConfigurationError, Interrupted, interruptedBy } from '../core/command-error.js';
import { catObjects, GitError, type GitResult, gitTry } from '../core/git.js';
import { ExportRefused } from './refused.js';
import { type ForgeType, LOOPBACK, PLAIN_HTTP } from './forge-settings.js';
import { readCommit, unchangedExport } from './trailers.js';

interface PushInput {
  /** The GitOps checkout's root. */
  readonly top: string;
  /** @default 'origin' */
  readonly remote?: string;
  /** The remote's URL as `git remote get-url` printed it, when the caller already asked (else asked here). */
  readonly url?: string;
  readonly branch: string;
  /** The export commit to push. */
  readonly commit: string;
  /** The environment the commit exports (the remote tip must be of the same one). */
  readonly env: string;
  /** The forge token; absent: git uses its own configuration (ssh keys, credential helpers). */
  readonly token?: string;
  /** How the token is presented (required with a token). */
  readonly forgeType?: ForgeType;
  /** GITOPS_ALLOW_PLAIN_HTTP=1: a token push to a plain-http remote off loopback is let through. @default false */
  readonly allowPlainHttp?: boolean;
  /**
   * Aborted (reason: the signal name) by SIGINT/SIGTERM: the running git (ls-remote, cat-file,
   * fetch, push) is killed at once (SIGKILL) and pushExport throws Interrupted. In the checkout
   * they write no lock file such a kill would leave, but for one instant: a push the remote took
   * then updates `refs/remotes/<remote>/<branch>` under `<that ref>.lock`; left behind, it stops
   * only later updates of that one ref, and git names the file to remove. @default never aborted
   */
  readonly signal?: AbortSignal;
}

export interface PushResult {
  /** The remote URL, without any user information. */
  readonly url: string;
  readonly branch: string;
  /** The commit the remote branch holds now. */
  readonly head: string;
  /** `created`: a new branch; `updated`: the tool's earlier export replaced; `unchanged`: already the same content. */
  readonly action: 'created' | 'updated' | 'unchanged';
  /** The tip that was replaced (updated), or kept (unchanged). */
  readonly previous?: string;
}

/** The Basic credentials each forge's git endpoint accepts for a token. */
function basicCredentials(type: ForgeType, token: string): string {
  const pair = type === 'github' ? `x-access-token:${token}` : `${token}:x-oauth-basic`;
  return Buffer.from(pair, 'utf8').toString('base64');
}

/**
 * git's environment for an authenticated call to `url`: the inherited GIT_CONFIG_* entries kept,
 * then the extra header for this URL reset (an empty value clears earlier ones) and set.
 */
function authEnvironment(
  url: string,
  token: string,
  type: ForgeType,
  inherited: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const count = Number.parseInt(inherited.GIT_CONFIG_COUNT ?? '0', 10) || 0;
  const key = `http.${withoutUserinfo(url)}.extraHeader`;
  const env: Record<string, string> = {};
  const entries: [string, string][] = [
    [key, ''],
    [key, `Authorization: Basic ${basicCredentials(type, token)}`],
  ];
  entries.forEach(([k, v], i) => {
    env[`GIT_CONFIG_KEY_${count + i}`] = k;
    env[`GIT_CONFIG_VALUE_${count + i}`] = v;
  });
  env.GIT_CONFIG_COUNT = String(count + entries.length);
  return env;
}

/** `git remote get-url <remote>`, or a ConfigurationError naming the fix. */
export async function remoteUrl(top: string, remote: string): Promise<string> {
  const run = await gitTry(top, ['remote', 'get-url', remote]);
  if (!run.ok)
    throw new ConfigurationError(
      `the GitOps checkout ${top} has no remote '${remote}' (fix: pass --remote <name>, or git remote add ${remote} <url> there)`,
    );
  return run.stdout.trim();
}

/**
 * The refusal of a token push to a plain-http remote off loopback (the token would cross the
 * network readable), or undefined: on loopback, over https, or with GITOPS_ALLOW_PLAIN_HTTP=1
 * (`allowPlainHttp`, ./forge-settings.ts plainHttpAllowed; the script warns each run).
 */
export function plainHttpProblem(rawUrl: string, remote: string, allowPlainHttp: boolean): string | undefined {
  const host = /^http:\/\/([^/?#]*@)?(\[[^\]]*\]|[^/:?#]*)/i.exec(rawUrl)?.[2]?.toLowerCase();
  if (host === undefined || LOOPBACK.has(host) || allowPlainHttp) return undefined;
  return (
    `remote ${remote} is ${withoutUserinfo(rawUrl)}, plain http: GITOPS_TOKEN would cross the network unencrypted ` +
    `(fix: use the repository's https clone URL; or, for a forge with no https at all, ${PLAIN_HTTP}=1)`
  );
}

/** Pushes `commit` to `branch` (see the module comment for what may be replaced). */
export async function pushExport(input: PushInput): Promise<PushResult> {
  const remote = input.remote ?? 'origin';
  const rawUrl = input.url ?? (await remoteUrl(input.top, remote));
  // The remote URL's user name and password are secrets too (a token may be either): git quotes the
  // URL with only its first `@` part left out, and a remote may echo them in its own words.
  const redactor = createRedactor([input.token, ...userinfoSecrets(rawUrl)]);
  // What the remote says (git's `remote:` lines, a commit subject) with no user:password@ (to the
  // last `@` before a `/`, `?`, `#` or space: `admin:pa@ss@host`), no token and no control
  // character: a hostile remote's ANSI escapes would reach the terminal. `max` cuts the redacted
  // text at that many printed characters, never through an escape (printableCut).
  const clean = (text: string, max = Number.POSITIVE_INFINITY) =>
    printableCut(redactor.text(withoutUserinfoIn(text)), max);
  const fail = (run: GitResult) => new GitError(clean(run.failure));

  const url = withoutUserinfo(rawUrl);
  let auth: Record<string, string> = {};
  if (input.token !== undefined) {
    if (!/^https?:\/\//i.test(rawUrl))
      throw new ConfigurationError(
        `remote ${remote} is ${url}, not an http(s) URL: GITOPS_TOKEN is sent as an HTTP header only (fix: ` +
          `use the repository's https clone URL, or unset GITOPS_TOKEN and let git use its ssh key)`,
      );
    const plain = plainHttpProblem(rawUrl, remote, input.allowPlainHttp ?? false);
    if (plain) throw new ConfigurationError(plain);
    if (input.forgeType === undefined) throw new Error('pushExport: a token needs the forge type');
    auth = authEnvironment(rawUrl, input.token, input.forgeType);
  }
  const ref = `refs/heads/${input.branch}`;
  // A git the interrupt killed (input.signal) is no answer: Interrupted, saying what the remote holds.
  const { signal } = input;
  const stopped = (doing: string, remoteHolds: string): Interrupted | undefined => {
    if (!signal?.aborted) return undefined;
    const by = interruptedBy(signal);
    return new Interrupted(by, `interrupted by ${by} while ${doing} ${url} branch ${input.branch}: ${remoteHolds}`);
  };
  const whileReading = () => stopped('reading', 'nothing was pushed');
  // Every git that talks to the remote: its credentials and the interrupt.
  const toRemote = { timeoutMs: 60_000, env: auth, ...(signal ? { signal } : {}) };

  const listed = await gitTry(input.top, ['ls-remote', remote, ref], toRemote);
  if (!listed.ok) throw whileReading() ?? fail(listed);
  const tip = listed.stdout
    .split('\n')
    .map((line) => line.split('\t'))
    .find(([, name]) => name === ref)?.[0];

  if (tip !== undefined) {
    // The remote tip's and the export's tree, parents and message (./trailers.ts readCommit),
    // read by one `git cat-file --batch`. A checkout that already holds the tip's commit (a full
    // clone, a fetch since it was pushed) needs no fetch: an object id names one content. One
    // that does not (a single-branch or shallow clone, as CI checks out) fetches it first.
    const catAborting = (names: string[]) =>
      catObjects(input.top, names, signal ? { signal } : {}).catch((err: unknown) => {
        throw whileReading() ?? err;
      });
    const [present, ours] = await catAborting([tip, input.commit]);
    let theirs = present;
    if (theirs === undefined) {
      // --refmap= (empty): the fetch updates no remote-tracking ref (it writes the objects and
      // FETCH_HEAD), so it holds no ref's lock file that a kill by an interrupt would leave behind.
      const fetched = await gitTry(input.top, ['fetch', '--quiet', '--no-tags', '--refmap=', remote, ref], {
        ...toRemote,
        timeoutMs: 120_000,
      });
      if (!fetched.ok) throw whileReading() ?? fail(fetched);
      // FETCH_HEAD must be the tip ls-remote listed: its id, and its content when it is.
      const [head] = await catAborting(['FETCH_HEAD']);
      const fetchHead = head?.id ?? '';
      if (fetchHead !== tip)
        throw new ExportRefused([
          `${url} branch ${input.branch} moved while it was read (${tip.slice(0, 12)}, then ` +
            `${fetchHead.slice(0, 12)}): someone else is pushing to it (fix: run the export again once they are ` +
            `done)`,
        ]);
      theirs = head;
    }
    const tipCommit = readCommit(theirs);
    const ourCommit = readCommit(ours);
    const checked = unchangedExport(tipCommit);
    const subject = tipCommit.message.trim().split('\n')[0] ?? '';
    if ('changed' in checked) {
      throw new ExportRefused([
        `${url} branch ${input.branch} holds ${tip.slice(0, 12)} ("${clean(subject, 80)}"), which ` +
          `arcade-stack did not write or which was changed after it was pushed (${checked.changed}): it is not ` +
          'replaced (fix: review that work; move it into the stack or delete the remote branch, or pass --branch ' +
          '<new name>)',
      ]);
    }
    const { environment } = checked.trailers;
    if (environment !== input.env) {
      throw new ExportRefused([
        `${url} branch ${input.branch} holds an export of environment '${environment}', not '${input.env}' (fix: pass --branch <new name>)`,
      ]);
    }
    if (tipCommit.tree === ourCommit.tree && tipCommit.parents[0] === ourCommit.parents[0])
      return { url, branch: input.branch, head: tip, action: 'unchanged', previous: tip };
  }

  const lease = `--force-with-lease=${ref}:${tip ?? ''}`;
  const pushed = await gitTry(input.top, ['push', '--porcelain', lease, remote, `${input.commit}:${ref}`], {
    ...toRemote,
    timeoutMs: 120_000,
  });
  if (!pushed.ok) {
    // Killing a push midway is safe for the remote: it updates the branch in one step, after it
    // received everything, or not at all.
    const interrupted = stopped(
      'pushing to',
      `it holds what it held before or this export, never a part of one (a push updates a branch at once or not at ` +
        `all); the next run finds its own export there and leaves it, or pushes it`,
    );
    if (interrupted) throw interrupted;
    const text = `${pushed.stdout}\n${pushed.stderr}`;
    if (/stale info|\[rejected\]|fetch first|non-fast-forward/.test(text))
      throw new ExportRefused([
        `${url} branch ${input.branch} changed after it was checked (the push's lease on ` +
          `${tip ? tip.slice(0, 12) : '"no branch"'} failed): nothing was overwritten (fix: run the export ` +
          `again; it re-checks who wrote the branch)`,
      ]);
    throw fail(pushed);
  }
  return tip === undefined
    ? { url, branch: input.branch, head: input.commit, action: 'created' }
    : { url, branch: input.branch, head: input.commit, action: 'updated', previous: tip };
}
