/**
 * `export --push --pull-request` end to end on loopback: a real git remote (bare repositories
 * behind `git http-backend`, Basic auth, test/support/git-http.ts) and a forge API stand-in
 * (test/support/forge.ts) that answers as GitHub or Gitea document it.
 *
 * One git server for the file; every run works in a fresh clone, as a CI job does.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportEnvironment, type ExportSource } from '../../src/delivery/export.js';
import type { ForgeConnection } from '../../src/delivery/forge.js';
import { forgeFromEnvironment } from '../../src/delivery/forge-settings.js';
import {
  CheckoutLeftBehind,
  exportAndPublish,
  publishLines,
  publishPullRequest,
  type PublishResult,
  PullRequestNotOpened,
} from '../../src/delivery/publish.js';
import { pushExport } from '../../src/delivery/push.js';
import { ExportRefused } from '../../src/delivery/refused.js';
import { parseTrailers } from '../../src/delivery/trailers.js';
import type { Clock } from '../../src/core/clock.js';
import { ConfigurationError, Interrupted } from '../../src/core/command-error.js';
import { canaryKey, findLeak } from '../support/canary.js';
import { runBounded } from '../support/run-bounded.js';
import { type ForgeStandIn, startForge } from '../support/forge.js';
import { type GitHttpServer, startGitHttpServer } from '../support/git-http.js';
import { NO_AUTO_MAINTENANCE_ARGS } from '../support/git-repos.js';
import { reportInFlightOnFailure, step } from '../support/in-flight.js';
import { tempDir } from '../support/temp.js';
import { virtualClock } from '../support/virtual-clock.js';
import { KUBECTL } from '../support/kubectl.js';
import { KUBECTL_SKIP } from './gitops-fixture.js';
import {
  countGit,
  fakeCommit,
  makeRepo,
  plantExport,
  refAt,
  run,
  sourceOf,
  stagingEnvironment,
  subcommands,
} from './support.js';

if (!KUBECTL) console.log(`[publish] skipped: ${KUBECTL_SKIP}`);

// A test that fails (a timeout included) also names what it was waiting on: the step, each
// request the loopback git remote and forge were serving, the worker's running processes.
reportInFlightOnFailure();

const TOKEN = canaryKey();
/** The committer of the changes someone else makes to an export commit. */
const SOMEONE = ['-c', 'user.name=Someone Else', '-c', 'user.email=else@example.com'];
const REPOSITORY = 'acme/k8s-backstage-v2';
let git: GitHttpServer;
/** One synthesis for the file; each test gives it its own source commit. */
let synthesized: ExportSource | undefined;
const newSource = (): ExportSource => {
  synthesized ??= sourceOf(stagingEnvironment('bundled'));
  return { ...synthesized, sourceCommit: fakeCommit() };
};

beforeAll(async () => {
  // What each forge's git endpoint accepts for a token (src/delivery/push.ts).
  git = await startGitHttpServer(
    (user, password) =>
      (user === 'x-access-token' && password === TOKEN) || (user === TOKEN && password === 'x-oauth-basic'),
  );
});
afterAll(() => git?.close());

/**
 * A bare GitOps repository on the server. master holds apps/arcade/ with a placeholder (a first
 * export: the prune preview needs kubectl), or with `earlier`, an export of the same environment
 * one value apart (nothing leaves the folder, so the export runs without kubectl too).
 */
async function seedRemote(repository: string, earlier?: ExportSource): Promise<string> {
  const seed = await makeRepo(
    { 'apps/arcade/README.md': 'Arcade, exported by arcade-stack\n' },
    'apps/arcade: placeholder',
  );
  if (earlier) await plantExport(seed, earlier);
  return await git.createRepository(repository, seed);
}

/** An earlier export of `source`'s environment: its release one interval apart. */
function earlierOf(source: ExportSource): ExportSource {
  const files = source.files.map((f) =>
    f.path === 'release.yaml' ? { ...f, content: f.content.replace('interval: 10m', 'interval: 5m') } : f,
  );
  expect(files).not.toEqual(source.files);
  return { ...source, files, sourceCommit: fakeCommit() };
}

/** Export options that build nothing with kubectl (the tests about pushing need no prune preview). */
const NO_KUBECTL = { kubectl: join(tempDir('no-kubectl-'), 'kubectl') };

/**
 * A fresh checkout of the remote (cloned from the folder, its origin the HTTP URL; committer CI),
 * as CI has. The origin's URL is changed in the clone's .git/config, as `git remote set-url` would
 * (without a second process).
 */
async function checkout(repository: string): Promise<string> {
  const dir = tempDir('gitops-clone-');
  const ci = ['-c', 'user.name=CI', '-c', 'user.email=ci@example.com', ...NO_AUTO_MAINTENANCE_ARGS];
  await run(dir, ['clone', '-q', ...ci, git.path(repository), '.']);
  const config = join(dir, '.git', 'config');
  const text = readFileSync(config, 'utf8');
  const url = `\turl = ${git.path(repository)}\n`;
  if (!text.includes(url)) throw new Error(`checkout: no "${url.trim()}" in ${config}`);
  writeFileSync(config, text.replace(url, `\turl = ${git.url(repository)}\n`));
  return dir;
}

/**
 * Someone else's commit on the remote's `branch`, written into the bare repository by one `git
 * fast-import` (not through the server), the committer Someone Else, the time now: on the branch's
 * tip, or on `on.parent` with the tree `on.tree`; `files` added or changed. A clone, a commit and
 * a push did the same in about eight processes.
 */
async function pushForeign(
  repository: string,
  branch: string,
  files: Record<string, string>,
  message: string,
  on?: { parent: string; tree: string },
): Promise<void> {
  const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
  const stream = [
    `commit refs/heads/${branch}\n`,
    'committer Someone Else <else@example.com> now\n',
    data(message),
    on ? `from ${on.parent}\nM 040000 ${on.tree} ""\n` : `from refs/heads/${branch}^0\n`,
    ...Object.entries(files).map(([path, content]) => `M 100644 inline ${path}\n${data(content)}`),
    '\n',
  ].join('');
  // --force: a commit `on` another parent replaces the tip, as `git push --force` would.
  const force = on ? ['--force'] : [];
  const args = ['--git-dir', git.path(repository), 'fast-import', '--quiet', '--date-format=now', ...force];
  await runBounded(process.cwd(), 'git', args, `git ${args.join(' ')}`, stream);
}

/** The remote's `branch` tip, from the bare repository's ref files (./support.ts refAt); throws when there is no such branch. */
function remoteTip(repository: string, branch: string): string {
  const tip = refAt(git.path(repository), `refs/heads/${branch}`);
  if (tip === undefined) throw new Error(`the remote ${repository} has no branch ${branch}`);
  return tip;
}

function branchExists(repository: string) {
  return (branch: string) => {
    try {
      remoteTip(repository, branch);
      return true;
    } catch {
      return false;
    }
  };
}

function connection(forge: ForgeStandIn, type: 'github' | 'gitea', repository = REPOSITORY): ForgeConnection {
  // Read as the script reads it: from the GITOPS_* variables.
  return forgeFromEnvironment('GITOPS', {
    GITOPS_FORGE: type,
    GITOPS_API_URL: forge.apiUrl,
    GITOPS_REPOSITORY: repository,
    GITOPS_TOKEN: TOKEN,
  });
}

/** One CI run: a fresh checkout, the export, the push and the pull request; the printed lines kept. */
async function publishRun(
  repository: string,
  source: ExportSource,
  pullRequest: ForgeConnection,
  kubectl: { kubectl?: string } = {},
): Promise<{ dir: string; result: PublishResult; printed: string }> {
  const dir = await checkout(repository);
  const result = await step(`exportAndPublish in ${dir} (remote ${repository})`, () =>
    exportAndPublish(source, { repo: dir, ...kubectl }, { push: true, pullRequest }),
  );
  const printed = [result.export.summary, result.export.message, ...publishLines(result)].join('\n');
  return { dir, result, printed };
}

/** Every text a run could show or leave behind must hold no 8 characters of the token in any form. */
function expectNoToken(dir: string, ...texts: string[]): void {
  for (const text of [...texts, readFileSync(join(dir, '.git', 'config'), 'utf8')])
    expect(findLeak(text, TOKEN)).toBeUndefined();
}

/**
 * What a failure after the push adds to its message: the branch pushed (`tip`), its pull request
 * not opened (after an interrupt: maybe not, a request may have reached the forge), the checkout
 * put back, and the fix: a refusal's own `fix` first, then the same export again.
 */
function afterPush(
  repository: string,
  branch: string,
  tip: string,
  how: { interrupted?: boolean; maybeDone?: boolean; fix?: string } = {},
): string {
  return (
    `; ${git.url(repository)} branch ${branch} holds this export (${tip.slice(0, 12)}), but its pull request ` +
    `${how.interrupted || how.maybeDone ? 'may not have been' : 'was not'} opened or updated; the checkout is back on master, ` +
    `without the export's local branch (fix: ${how.fix ? `${how.fix}; then ` : ''}run the same export again: it ` +
    'finds the branch pushed and unchanged, and opens or updates the pull request)'
  );
}

/** The checkout is back on master, without the export's local branch. */
async function expectPutBack(dir: string, branch: string): Promise<void> {
  expect((await run(dir, ['rev-parse', '--abbrev-ref', 'HEAD'])).trim()).toBe('master');
  expect(refAt(join(dir, '.git'), `refs/heads/${branch}`)).toBeUndefined();
}

/**
 * A remote holding an earlier export of a new source's environment (no prune preview needed), a
 * checkout of it, and a GitHub stand-in for it that fails as `fault` says (test/support/forge.ts).
 */
async function afterPushSetup(repository: string, fault: Parameters<typeof startForge>[0]['fault']) {
  const source = newSource();
  await seedRemote(repository, earlierOf(source));
  const forge = await startForge({
    type: 'github',
    repository,
    token: TOKEN,
    branchExists: branchExists(repository),
    echoAuthorization: true,
    fault,
  });
  const branch = `arcade-stack/staging-${source.sourceCommit.slice(0, 12)}`;
  return { source, forge, branch, dir: await checkout(repository) };
}

/**
 * An afterPushSetup whose forge answers `status` to every `method` request until `stop()`, its
 * export failing after the push (failsAfterPush), then `check` of what it said; the forge closed after.
 */
async function failingUntilStopped(
  repository: string,
  method: 'GET' | 'POST',
  status: number,
  check: (
    run: Awaited<ReturnType<typeof afterPushSetup>> & {
      pr: ForgeConnection;
      message: string;
      tip: string;
      stop: () => void;
    },
  ) => Promise<void>,
): Promise<void> {
  let failing = true;
  const setup = await afterPushSetup(repository, (request) =>
    failing && request.method === method ? status : undefined,
  );
  try {
    const pr = connection(setup.forge, 'github', repository);
    const { message, tip } = await failsAfterPush(setup, repository, pr);
    const stop = () => {
      failing = false;
    };
    await check({ ...setup, pr, message, tip, stop });
  } finally {
    await setup.forge.close();
  }
}

/**
 * The export of an afterPushSetup, its pull request through `pr`, failing after the push: a
 * PullRequestNotOpened (exit 1), no pull request, the checkout put back, no token in the message.
 * Its message, and the commit the remote branch holds.
 */
async function failsAfterPush(
  { source, forge, branch, dir }: Awaited<ReturnType<typeof afterPushSetup>>,
  repository: string,
  pr: ForgeConnection,
): Promise<{ message: string; tip: string }> {
  const error = await exportAndPublish(source, { repo: dir, ...NO_KUBECTL }, { push: true, pullRequest: pr }).catch(
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PullRequestNotOpened);
  expect((error as PullRequestNotOpened).exitCode).toBe(1);
  const message = (error as Error).message;
  expect(forge.pulls).toHaveLength(0);
  await expectPutBack(dir, branch);
  expectNoToken(dir, message);
  return { message, tip: remoteTip(repository, branch) };
}

/** The same export again after a failure after the push: nothing pushed (the branch holds `tip`), the one pull request opened. */
function expectOpenedAgain(again: PublishResult, forge: ForgeStandIn, branch: string, tip: string): void {
  expect(again.push).toMatchObject({ action: 'unchanged', head: tip });
  expect(again.pullRequest?.action).toBe('opened');
  expect(forge.pulls).toMatchObject([{ head: branch, base: 'master', state: 'open' }]);
}

/**
 * One source commit published run after run, as CI would: each test is the next run (a fresh
 * checkout, the export, the push, the pull request), in order, on the same remote and forge. One
 * test per run, not one for the whole story: each run starts about sixty processes (git, its HTTP
 * helpers, the remote's http-backend), and on a starved machine a test of five runs in a row
 * crossed vitest's 120 s (seen twice; the failure's in-flight report showed a push progressing,
 * not a hang). A run whose predecessor failed stops at once, naming it.
 */
describe.skipIf(!KUBECTL)(
  'export --push --pull-request (GitHub API stand-in, git http-backend remote), run after run',
  () => {
    const repository = REPOSITORY;
    let forge: ForgeStandIn;
    let pr: ForgeConnection;
    let source: ExportSource;
    let branch: string;
    const runs: Partial<Record<'first' | 'second', Awaited<ReturnType<typeof publishRun>>>> = {};
    /** The result of an earlier run of this story (it failed if it is missing). */
    const earlier = (name: keyof typeof runs) => {
      const found = runs[name];
      if (!found) throw new Error(`the ${name} run did not complete (its own test failed): this one builds on it`);
      return found;
    };
    const pull = () => {
      const found = forge.pulls[0];
      if (!found) throw new Error('no pull request: the first run did not open one (its own test failed)');
      return found;
    };

    beforeAll(async () => {
      await seedRemote(repository);
      forge = await startForge({ type: 'github', repository, token: TOKEN, branchExists: branchExists(repository) });
      pr = connection(forge, 'github');
      source = newSource();
      branch = `arcade-stack/staging-${source.sourceCommit.slice(0, 12)}`;
    });
    afterAll(() => forge?.close());

    it('1. the first run: a new branch, one pull request carrying the export commit message, the token only where the remote takes it', async () => {
      const first = await publishRun(repository, source, pr);
      expect(first.result.push).toMatchObject({ action: 'created', branch });
      expect(remoteTip(repository, branch)).toBe(first.result.export.commit);
      expect(first.result.pullRequest?.action).toBe('opened');
      expect(forge.pulls).toHaveLength(1);
      expect(pull()).toMatchObject({ head: branch, base: 'master', state: 'open' });
      expect(pull().title).toBe(first.result.export.message.split('\n')[0]);
      // The semantic diff, the source commit and the environment are in the body; the trailers are not.
      expect(pull().body).toContain(`Source commit: ${source.sourceCommit}`);
      expect(pull().body).toMatch(/HelmRelease arcade-staging\/arcade/);
      expect(pull().body).not.toContain('Arcade-Stack-Tree');
      expect(first.printed).toContain(`pull request #${pull().number} opened (${branch} -> master)`);
      // The token reached the remote in the form GitHub's git endpoint takes, and only there.
      expect(git.credentials.filter((c) => c !== '')).toContain(`x-access-token:${TOKEN}`);
      expectNoToken(first.dir, first.printed);
      runs.first = first;
    });

    it('2. master moved by an empty commit, the description edited: the same tree on another parent replaces its branch, the PR updated', async () => {
      const first = earlier('first');
      await pushForeign(repository, 'master', {}, 'an empty commit on master');
      const master = remoteTip(repository, 'master');
      pull().body = 'edited by hand';
      const second = await publishRun(repository, source, pr);
      expect(second.result.push).toMatchObject({ action: 'updated', previous: first.result.export.commit });
      expect(remoteTip(repository, branch)).toBe(second.result.export.commit);
      expect(await run(second.dir, ['rev-parse', 'HEAD^'])).toBe(`${master}\n`);
      expect(await run(second.dir, ['rev-parse', 'HEAD^{tree}'])).toBe(
        await run(first.dir, ['rev-parse', 'HEAD^{tree}']),
      );
      expect(forge.pulls).toHaveLength(1);
      expect(second.result.pullRequest).toMatchObject({ action: 'updated', pull: { number: pull().number } });
      expect(pull().body).toContain(`Source commit: ${source.sourceCommit}`);
      expectNoToken(second.dir, second.printed);
      runs.second = second;
    });

    it('3. nothing changed since: nothing pushed, nothing written to the forge', async () => {
      const second = earlier('second');
      const writes = forge.requests.filter((r) => r.method !== 'GET').length;
      const third = await publishRun(repository, source, pr);
      expect(third.result.push?.action).toBe('unchanged');
      // The fresh clone holds the remote tip's commit: read from it, nothing fetched.
      expect(existsSync(join(third.dir, '.git', 'FETCH_HEAD'))).toBe(false);
      expect(third.result.pullRequest?.action).toBe('unchanged');
      expect(forge.requests.filter((r) => r.method !== 'GET')).toHaveLength(writes);
      expect(remoteTip(repository, branch)).toBe(second.result.export.commit);
    });

    it('4. someone pushed a commit onto the branch: refused, their work kept, the checkout back on master', async () => {
      earlier('second');
      await pushForeign(repository, branch, { 'apps/arcade/NOTES.md': 'a reviewer note\n' }, 'a reviewer fix');
      const theirs = remoteTip(repository, branch);
      const dir = await checkout(repository);
      const error = await step(`exportAndPublish in ${dir} (a branch someone else changed)`, () =>
        exportAndPublish(source, { repo: dir }, { push: true, pullRequest: pr }),
      ).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ExportRefused);
      expect((error as Error).message).toMatch(/arcade-stack did not write or which was changed after it was pushed/);
      expect((error as Error).message).toMatch(/fix:/);
      expect(remoteTip(repository, branch)).toBe(theirs);
      expect((await run(dir, ['rev-parse', '--abbrev-ref', 'HEAD'])).trim()).toBe('master');
      expect(await run(dir, ['branch', '--list', branch])).toBe('');
      expect(forge.pulls).toHaveLength(1);
      expectNoToken(dir, (error as Error).message);
    });
  },
);

/**
 * The refusal of a checkout on the export's own branch name holding `commits` commits master lacks
 * (never a "branch -D"): `shown` is how the fix's commands write the checkout's path.
 */
const holdsWorkOf = (top: string, branch: string, commits: number, shown = top) =>
  `${top} is on ${branch}, the export's own branch name, but it holds ${commits} commit(s) that master does not, ` +
  `not only this export's unchanged commit on its tip (a commit on top of an export commit, an export commit ` +
  `amended, another environment's export, work by hand): deleting the branch could lose them (fix: review that work with ` +
  `git -C ${shown} log master..${branch}, then keep it or remove it, or pass --branch <new name>; the export ` +
  `starts from the branch the checkout is on: git -C ${shown} checkout master)`;

describe('export --push --pull-request, no prune preview needed (an earlier export one value apart)', () => {
  it('refuses an export commit that was amended (its tree no longer the one its trailer names)', async () => {
    const repository = 'acme/amended';
    const source = newSource();
    await seedRemote(repository, earlierOf(source));
    const forge = await startForge({ type: 'github', repository, token: TOKEN });
    try {
      // The git processes of a run (only a git on PATH is counted: the server's git-http-backend
      // and git's helpers are not): the checkout, publish's checks with the remote's URL asked
      // once (its root, whether the export's branch exists and its status handed to the export,
      // which asks none of them again), the rest of the export's 11 (git-processes.test.ts), then
      // ls-remote and, the branch new, push.
      const counted = countGit();
      const pr = connection(forge, 'github', repository);
      const first = await publishRun(repository, source, pr, NO_KUBECTL).finally(counted.stop);
      expect(subcommands(counted.runs())).toEqual([
        'clone',
        ...['rev-parse', 'status', 'remote'],
        ...[
          'check-ignore',
          'ls-files',
          'var',
          'config',
          'log',
          'checkout',
          'add',
          'write-tree',
          'commit-tree',
          'update-ref',
          'cat-file',
        ],
        ...['ls-remote', 'push'],
      ]);
      const branch = first.result.export.branch!;
      expect(counted.runs()[1]).toEqual([
        'rev-parse',
        '--show-toplevel',
        '--verify',
        '--quiet',
        `refs/heads/${branch}`,
      ]);
      // Run again in that checkout (still on the export's branch): refused before any push.
      const before = git.credentials.length;
      const rerun = await exportAndPublish(
        source,
        { repo: first.dir, ...NO_KUBECTL },
        { push: true, pullRequest: pr },
      ).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(rerun).toBeInstanceOf(ExportRefused);
      // On the branch the first run left checked out: the fix goes back to master, never --branch <new name>.
      expect((rerun as Error).message).toContain(
        `${first.dir} is on the export's own branch ${branch}, left there by an earlier run of it (one that finished, `,
      );
      expect((rerun as Error).message).toContain(
        `(fix: git -C ${first.dir} checkout master && git -C ${first.dir} update-ref -d refs/heads/${branch} ` +
          `${first.result.export.commit}, then run the same export again)`,
      );
      expect(git.credentials.length).toBe(before);
      // Cloned before the amend is pushed: the push fetches the remote tip it does not hold.
      const ci = await checkout(repository);
      const fetchHead = join(ci, '.git', 'FETCH_HEAD');
      // Amend keeps the message (and its trailers) and the parent, but not the tree: a file added.
      const logged = await run(git.path(repository), ['log', '-1', '--format=%P%x00%B', first.result.export.commit!]);
      const [parent = '', exported = ''] = logged.split('\0');
      const trailers = parseTrailers(exported);
      expect(trailers).toBeDefined();
      const on = { parent, tree: trailers!.tree };
      await pushForeign(repository, branch, { 'apps/arcade/extra.yaml': 'kind: ConfigMap\n' }, exported, on);
      const amended = remoteTip(repository, branch);

      expect(existsSync(fetchHead)).toBe(false);
      // The next run's push of the same export (what exportAndPublish runs after its export):
      // whether the branch may be replaced is decided there alone; run 4 of the story above
      // proves a refused push end to end (the checkout back on its branch, no local branch left).
      const again = await pushExport({
        top: ci,
        branch,
        commit: first.result.export.commit!,
        env: source.env,
        token: TOKEN,
        forgeType: 'github',
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(again).toBeInstanceOf(ExportRefused);
      expect((again as Error).message).toMatch(/its tree is not the one its Arcade-Stack-Tree trailer names/);
      expect(readFileSync(fetchHead, 'utf8')).toMatch(new RegExp(`^${amended}\t`));
      expect(remoteTip(repository, branch)).toBe(amended);
    } finally {
      await forge.close();
    }
  });

  it('an export commit whose message alone was amended (trailers kept) is not replaced; one amended with --no-edit is still its own', async () => {
    const repository = 'acme/message-amended';
    const { source, forge, branch } = await afterPushSetup(repository, undefined);
    try {
      const pr = connection(forge, 'github', repository);
      const first = await publishRun(repository, source, pr, NO_KUBECTL);
      expect(first.result.push).toMatchObject({ action: 'created', branch });
      // Someone's clone of the branch, their amends pushed over it (straight to the bare repository).
      const person = tempDir('message-amend-');
      await run(person, ['clone', '-q', '-b', branch, ...NO_AUTO_MAINTENANCE_ARGS, git.path(repository), '.']);
      const amend = async (args: string[]) => {
        await run(person, [...SOMEONE, 'commit', '-q', '--amend', ...args]);
        await run(person, ['push', '-q', '-f', 'origin', branch]);
        return remoteTip(repository, branch);
      };
      const noEdit = await amend(['--no-edit']);
      expect(noEdit).not.toBe(first.result.export.commit);
      const again = await publishRun(repository, source, pr, NO_KUBECTL);
      expect(again.result.push).toMatchObject({ action: 'unchanged', head: noEdit });
      // A reviewer's context added below the subject, every trailer kept as it was.
      const [subject = '', ...rest] = (await run(person, ['log', '-1', '--format=%B'])).split('\n');
      const amended = await amend(['-m', [subject, '', 'Context: wanted for the 2.4 rollout.', ...rest].join('\n')]);
      const dir = await checkout(repository);
      const refused = await exportAndPublish(
        source,
        { repo: dir, ...NO_KUBECTL },
        { push: true, pullRequest: pr },
      ).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ExportRefused);
      const words = (refused as Error).message;
      expect(words).toContain(
        `${git.url(repository)} branch ${branch} holds ${amended.slice(0, 12)} ("arcade-stack: export`,
      );
      expect(words).toContain(
        'which arcade-stack did not write or which was changed after it was pushed (its message is not the one its ' +
          'Arcade-Stack-Message-Sha256 trailer names: amended after the export): it is not replaced (fix: review that ' +
          'work; move it into the stack or delete the remote branch, or pass --branch <new name>)',
      );
      expect(remoteTip(repository, branch)).toBe(amended);
      await expectPutBack(dir, branch);
      expect(forge.pulls).toHaveLength(1);
    } finally {
      await forge.close();
    }
  });

  it('finds its open pull request among more than a page of others and updates it instead of opening a second', async () => {
    const repository = 'acme/gitea-gitops';
    const source = newSource();
    await seedRemote(repository, earlierOf(source));
    const forge = await startForge({ type: 'gitea', repository, token: TOKEN, branchExists: branchExists(repository) });
    try {
      const pr = connection(forge, 'gitea', repository);
      const first = await publishRun(repository, source, pr, NO_KUBECTL);
      expect(first.result.pullRequest?.action).toBe('opened');
      expect(git.credentials).toContain(`${TOKEN}:x-oauth-basic`);
      // 60 more open pull requests: Gitea has no head filter and pages by 50.
      for (let i = 0; i < 60; i++)
        forge.pulls.push({
          number: 100 + i,
          title: `other ${i}`,
          body: '',
          head: `other-${i}`,
          base: 'master',
          state: 'open',
          headRepository: repository,
        });
      // Ours now comes last, on the second page.
      forge.pulls.push(forge.pulls.shift()!);
      const mine = forge.pulls.at(-1)!;
      mine.title = 'renamed by hand';
      // The next run's pull request, as exportAndPublish makes it after its push (publishPullRequest,
      // from the same commit message): which pull request is ours is the forge API's paging alone,
      // and the run before proved the git side of Gitea end to end.
      const message = first.result.export.message;
      const again = await publishPullRequest(pr, { head: mine.head, base: 'master', message });
      expect(again).toMatchObject({ action: 'updated', pull: { number: mine.number } });
      expect(mine.title).toBe(message.split('\n')[0]);
      expect(forge.pulls.filter((p) => p.head === mine.head)).toHaveLength(1);
      expect(forge.requests.some((r) => r.path.includes('page=2'))).toBe(true);
      expect(forge.requests.every((r) => r.authorization === '' || r.authorization === `token ${TOKEN}`)).toBe(true);
      expectNoToken(first.dir, first.printed, ...publishLines({ export: first.result.export, pullRequest: again }));
    } finally {
      await forge.close();
    }
  });
});

describe('export --push --pull-request: the forge failing after the push', () => {
  it('every search answered 502: the branch pushed, no pull request; the same export again (a fresh checkout) opens it', async () => {
    let failing = true;
    const repository = 'acme/forge-fails';
    const setup = await afterPushSetup(repository, ({ method }) => (failing && method === 'GET' ? 502 : undefined));
    const { source, forge, branch } = setup;
    try {
      // The retries' waits on a virtual clock: counted, not waited for.
      const clock = virtualClock();
      const pr = { ...connection(forge, 'github', repository), clock };
      const { message, tip } = await failsAfterPush(setup, repository, pr);
      // The forge echoed the token in each answer: redacted (findLeak below).
      expect(message).toMatch(
        new RegExp(
          String.raw`^GET /repos/acme/forge-fails/pulls\?\S+: ${forge.apiUrl} answered HTTP 502: a failure the test asked for `,
        ),
      );
      expect(message).toMatch(
        /\(HTTP 502\) \(you sent Authorization: Bearer \[redacted \S+\) \(the forge failed\) \(after 3 attempt\(s\)\); /,
      );
      expect(message.slice(message.indexOf('; '))).toBe(afterPush(repository, branch, tip));
      expect(clock.sleeps).toEqual([1000, 2000]);
      failing = false;
      const again = await publishRun(repository, source, pr, NO_KUBECTL);
      expectOpenedAgain(again.result, forge, branch, tip);
      expectNoToken(again.dir, again.printed);
    } finally {
      await forge.close();
    }
  });

  it('the create answered 503: its pull request "may not have been" opened (the forge may have done it); the same export again opens the one', () =>
    failingUntilStopped(
      'acme/create-fails',
      'POST',
      503,
      async ({ source, forge, branch, dir, pr, message, tip, stop }) => {
        expect(message).toMatch(
          new RegExp(String.raw`^POST /repos/acme/create-fails/pulls: ${forge.apiUrl} answered HTTP 503: a failure `),
        );
        expect(message).toMatch(/\(the forge failed\) \(after 1 attempt\(s\)\); /);
        expect(message.slice(message.indexOf('; '))).toBe(
          afterPush('acme/create-fails', branch, tip, { maybeDone: true }),
        );
        expect(forge.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['GET 200', 'POST 503']);
        stop();
        const again = await exportAndPublish(source, { repo: dir, ...NO_KUBECTL }, { push: true, pullRequest: pr });
        expectOpenedAgain(again, forge, branch, tip);
      },
    ));

  it("a search refused with 403 (every run gets it until the token may): the token's fix, then the same export again, which opens it", () =>
    failingUntilStopped(
      'acme/forge-refuses',
      'GET',
      403,
      async ({ source, forge, branch, dir, pr, message, tip, stop }) => {
        const fix = 'give it write access to pull requests and contents of acme/forge-refuses';
        expect(message).toMatch(
          /^GET \/repos\/acme\/forge-refuses\/pulls\?\S+: HTTP 403: a failure the test asked for /,
        );
        expect(message).toMatch(
          new RegExp(
            String.raw`\(HTTP 403\) \(you sent Authorization: Bearer \[redacted \S+\) \(the token may not do this on ` +
              String.raw`acme/forge-refuses \(fix: give it write access to pull requests and contents of acme/forge-refuses\)\); `,
          ),
        );
        expect(message.slice(message.indexOf('; '))).toBe(afterPush('acme/forge-refuses', branch, tip, { fix }));
        // Refused at once: one request, not retried.
        expect(forge.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['GET 403']);
        // The fix as the message orders it: the token's access, then the same export again.
        stop();
        const again = await exportAndPublish(source, { repo: dir, ...NO_KUBECTL }, { push: true, pullRequest: pr });
        expectOpenedAgain(again, forge, branch, tip);
      },
    ));
});

describe('export --push: settings and refusals before any work', () => {
  it('names every missing or malformed GITOPS_* variable', () => {
    let error: unknown;
    try {
      forgeFromEnvironment('GITOPS', {
        GITOPS_FORGE: 'gitlab',
        // A URL carrying credentials (built here so the repository's secret scan sees none).
        GITOPS_API_URL: Object.assign(new URL('https://forge.example/api'), { username: 'u', password: 'p' }).href,
        GITOPS_REPOSITORY: 'k8s',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const message = (error as Error).message;
    for (const name of ['GITOPS_FORGE', 'GITOPS_API_URL', 'GITOPS_REPOSITORY', 'GITOPS_TOKEN'])
      expect(message).toContain(name);
    expect(message).toMatch(/fix:/);
  });

  it('refuses an API URL in plain http off loopback, one with a query, and a token with a line end, the token not shown', () => {
    const refused = (apiUrl: string, token: string) => {
      try {
        forgeFromEnvironment('GITOPS', {
          GITOPS_FORGE: 'github',
          GITOPS_API_URL: apiUrl,
          GITOPS_REPOSITORY: 'acme/repo',
          GITOPS_TOKEN: token,
        });
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigurationError);
        expect(findLeak((e as Error).message, token.trim())).toBeUndefined();
        return (e as Error).message;
      }
      return 'accepted';
    };
    const fix = '(fix: https://api.github.com, https://<ghes-host>/api/v3 or https://<gitea-host>/api/v1)';
    expect(refused('http://forge.example/api/v3', TOKEN)).toBe(
      `GITOPS_API_URL is http://forge.example: the token would cross the network unencrypted; only https is ` +
        `taken (http on loopback alone) ${fix.slice(0, -1)}; or, for a forge with no https at all, GITOPS_ALLOW_PLAIN_HTTP=1)`,
    );
    expect(refused('https://forge.example/api/v3?page=1', TOKEN)).toBe(
      `GITOPS_API_URL has a query or fragment, inside which the client's /repos/... paths would land ${fix}`,
    );
    expect(refused('https://forge.example/api/v3', `${TOKEN}\n`)).toBe(
      'GITOPS_TOKEN holds a space, a line end or a control character, which no forge token does; git would send ' +
        'it as is and be refused (fix: store the token without a line end or spaces)',
    );
    expect(refused('http://127.0.0.1:9/api/v1', TOKEN)).toBe('accepted');
    expect(refused('https://forge.example/api/v3/', TOKEN)).toBe('accepted');
  });

  it('GITOPS_ALLOW_PLAIN_HTTP: exactly 1 lets a plain-http API URL off loopback through; any other value is refused', () => {
    const settings = (allow: string | undefined) => {
      try {
        return forgeFromEnvironment('GITOPS', {
          GITOPS_FORGE: 'gitea',
          GITOPS_API_URL: 'http://gitea.internal/api/v1',
          GITOPS_REPOSITORY: 'acme/repo',
          GITOPS_TOKEN: TOKEN,
          ...(allow === undefined ? {} : { GITOPS_ALLOW_PLAIN_HTTP: allow }),
        });
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigurationError);
        expect(findLeak((e as Error).message, TOKEN)).toBeUndefined();
        return (e as Error).message;
      }
    };
    expect(settings('1')).toMatchObject({ apiUrl: 'http://gitea.internal/api/v1', owner: 'acme', repository: 'repo' });
    const refusal =
      'GITOPS_API_URL is http://gitea.internal: the token would cross the network unencrypted; only https is taken ' +
      '(http on loopback alone) (fix: https://api.github.com, https://<ghes-host>/api/v3 or ' +
      'https://<gitea-host>/api/v1; or, for a forge with no https at all, GITOPS_ALLOW_PLAIN_HTTP=1)';
    expect(settings(undefined)).toBe(refusal);
    expect(settings('true')).toBe(
      'GITOPS_ALLOW_PLAIN_HTTP is "true", not 1 (fix: set it to 1 to let a plain-http forge through, or unset it); ' +
        refusal,
    );
  });

  it('a checkout an earlier run left on the export branch: the fix puts it back (never --branch <new name>); --branch = the base refused', async () => {
    const repository = 'acme/left-on-branch';
    await seedRemote(repository);
    const source = newSource();
    const dir = await checkout(repository);
    const branch = `arcade-stack/staging-${source.sourceCommit.slice(0, 12)}`;
    const pr = forgeFromEnvironment('GITOPS', {
      GITOPS_FORGE: 'github',
      GITOPS_API_URL: 'http://127.0.0.1:9/',
      GITOPS_REPOSITORY: repository,
      GITOPS_TOKEN: TOKEN,
    });
    const onMaster = await exportAndPublish(
      source,
      { repo: dir, branch: 'master' },
      { push: true, pullRequest: pr },
    ).catch((e: unknown) => e);
    expect(onMaster).toBeInstanceOf(ConfigurationError);
    expect((onMaster as Error).message).toBe(
      `--branch master is the branch ${dir} is on, which the pull request would go into (fix: pass another ` +
        '--branch name, or leave --branch out for arcade-stack/<env>-<source commit>)',
    );
    // What a finished run, or one a second Ctrl-C ended, leaves: the checkout on the export's own branch.
    await run(dir, ['checkout', '-q', '-b', branch]);
    const left = await exportAndPublish(source, { repo: dir }, { push: true, pullRequest: pr }).catch(
      (e: unknown) => e,
    );
    expect(left).toBeInstanceOf(ExportRefused);
    // No commit on it (a run a second Ctrl-C ended before its commit): deleting it loses nothing.
    expect((left as ExportRefused).problems).toEqual([
      `${dir} is on the export's own branch ${branch}, which holds no commit that master does not (an earlier ` +
        `run a second Ctrl-C or SIGTERM ended before its commit leaves it so); --branch <new name> would push a ` +
        `second branch of the same export (fix: git -C ${dir} checkout master && git -C ${dir} update-ref -d ` +
        `refs/heads/${branch} ${(await run(dir, ['rev-parse', branch])).trim()}, ` +
        `then run the same export again)`,
    ]);
    expect((left as Error).message).not.toContain('already exists');
    expect(remoteTip(repository, 'master')).toBe((await run(dir, ['rev-parse', 'master'])).trim());
  });

  it('--branch X in a checkout a finished run with --branch X left on X: the fix puts it back (no second branch, no second PR)', async () => {
    const repository = 'acme/left-on-given-branch';
    const setup = await afterPushSetup(repository, undefined);
    const { source, forge, dir } = setup;
    try {
      const pr = connection(forge, 'github', repository);
      const options = { repo: dir, branch: 'feature/upgrade', ...NO_KUBECTL };
      const first = await exportAndPublish(source, options, { push: true, pullRequest: pr });
      expect(first.pullRequest?.action).toBe('opened');
      expect((await run(dir, ['rev-parse', '--abbrev-ref', 'HEAD'])).trim()).toBe('feature/upgrade');
      const again = await exportAndPublish(source, options, { push: true, pullRequest: pr }).catch((e: unknown) => e);
      expect(again).toBeInstanceOf(ExportRefused);
      expect((again as ExportRefused).problems).toEqual([
        `${dir} is on the export's own branch feature/upgrade, left there by an earlier run of it (one that ` +
          `finished, or one a second Ctrl-C or SIGTERM ended before it put the checkout back); --branch <new name> ` +
          `would push a second branch of the same export (fix: git -C ${dir} checkout master && git -C ${dir} update-ref ` +
          `-d refs/heads/feature/upgrade ${first.export.commit}, then run the same export again)`,
      ]);
      expect(forge.pulls).toMatchObject([{ head: 'feature/upgrade', base: 'master', state: 'open' }]);
      // The fix as given: the same export again pushes nothing new and updates nothing twice.
      await run(dir, ['checkout', '-q', 'master']);
      await run(dir, ['branch', '-q', '-D', 'feature/upgrade']);
      const fixed = await exportAndPublish(source, options, { push: true, pullRequest: pr });
      expect(fixed.push?.action).toBe('unchanged');
      expect(fixed.pullRequest?.action).toBe('unchanged');
      expect(forge.pulls).toHaveLength(1);
    } finally {
      await forge.close();
    }
  });

  it("a prepare-commit-msg hook prefixing each subject (husky's hooksPath): the export's commit stays its own", async () => {
    const repository = 'acme/husky-hooks';
    const setup = await afterPushSetup(repository, undefined);
    const { source, forge, dir, branch } = setup;
    try {
      const hooks = tempDir('husky-');
      writeFileSync(join(hooks, 'prepare-commit-msg'), `#!/bin/sh\nsed -i '1s/^/JIRA-7 /' "$1"\n`);
      chmodSync(join(hooks, 'prepare-commit-msg'), 0o755);
      await run(dir, ['config', 'core.hooksPath', hooks]);
      const pr = connection(forge, 'github', repository);
      const options = { repo: dir, ...NO_KUBECTL };
      const first = await exportAndPublish(source, options, { push: true, pullRequest: pr });
      expect(first.pullRequest?.action).toBe('opened');
      expect(first.export.commitProblem).toBeUndefined();
      const subject = (await run(dir, ['log', '-1', '--format=%s', branch])).trim();
      expect(subject).toMatch(/^arcade-stack: export /);
      // The checkout a finished run leaves on the branch: told as the export's own, put back by the fix.
      const again = await exportAndPublish(source, options, { push: true, pullRequest: pr }).catch((e: unknown) => e);
      expect(again).toBeInstanceOf(ExportRefused);
      expect((again as ExportRefused).problems).toEqual([
        `${dir} is on the export's own branch ${branch}, left there by an earlier run of it (one that ` +
          `finished, or one a second Ctrl-C or SIGTERM ended before it put the checkout back); --branch <new name> ` +
          `would push a second branch of the same export (fix: git -C ${dir} checkout master && git -C ${dir} update-ref ` +
          `-d refs/heads/${branch} ${first.export.commit}, then run the same export again)`,
      ]);
      await run(dir, ['checkout', '-q', 'master']);
      await run(dir, ['branch', '-q', '-D', branch]);
      // The hook is the checkout's own still: a person's commit there gets its prefix.
      await run(dir, [...SOMEONE, 'commit', '-q', '--allow-empty', '-m', 'by hand']);
      expect((await run(dir, ['log', '-1', '--format=%s'])).trim()).toBe('JIRA-7 by hand');
      await run(dir, ['reset', '-q', '--hard', 'HEAD^']);
      // The remote's branch is the export's own: the same export again pushes nothing and updates nothing.
      const fixed = await exportAndPublish(source, options, { push: true, pullRequest: pr });
      expect(fixed.push).toMatchObject({ action: 'unchanged', head: first.push?.head });
      expect(fixed.pullRequest?.action).toBe('unchanged');
      expect(forge.pulls).toHaveLength(1);
    } finally {
      await forge.close();
    }
  });

  it('--branch X where X is the base someone checked out (no commit on it, or a hand-made one): pass another --branch', async () => {
    const repository = 'acme/given-branch-is-base';
    await seedRemote(repository);
    const source = newSource();
    const dir = await checkout(repository);
    const pr = forgeFromEnvironment('GITOPS', {
      GITOPS_FORGE: 'github',
      GITOPS_API_URL: 'http://127.0.0.1:9/',
      GITOPS_REPOSITORY: repository,
      GITOPS_TOKEN: TOKEN,
    });
    const expected =
      `--branch feature/upgrade is the branch ${dir} is on, which the pull request would go into (fix: pass ` +
      'another --branch name, or leave --branch out for arcade-stack/<env>-<source commit>)';
    const attempt = () =>
      exportAndPublish(source, { repo: dir, branch: 'feature/upgrade' }, { push: true, pullRequest: pr }).catch(
        (e: unknown) => e,
      );
    await run(dir, ['checkout', '-q', '-b', 'feature/upgrade']);
    const bare = await attempt();
    expect(bare).toBeInstanceOf(ConfigurationError);
    expect((bare as Error).message).toBe(expected);
    await run(dir, ['commit', '-q', '--allow-empty', '-m', 'a change by hand']);
    const handMade = await attempt();
    expect(handMade).toBeInstanceOf(ConfigurationError);
    expect((handMade as Error).message).toBe(expected);
  });

  it('the default branch name holding a commit by hand on top of its export commit: never "branch -D", the work named and kept', async () => {
    const repository = 'acme/hand-commit-on-export';
    const source = newSource();
    await seedRemote(repository, earlierOf(source));
    const dir = await checkout(repository);
    const branch = `arcade-stack/staging-${source.sourceCommit.slice(0, 12)}`;
    // What `--commit` leaves (as a finished --push run does): the checkout on the export's branch, its commit on master.
    const exported = await exportEnvironment(source, { repo: dir, commit: true, ...NO_KUBECTL });
    expect(exported.branch).toBe(branch);
    const attempt = () =>
      exportAndPublish(source, { repo: dir, ...NO_KUBECTL }, { push: true }).catch((e: unknown) => e);
    const own = await attempt();
    expect((own as ExportRefused).problems).toEqual([
      `${dir} is on the export's own branch ${branch}, left there by an earlier run of it (one that finished, or ` +
        `one a second Ctrl-C or SIGTERM ended before it put the checkout back); --branch <new name> would push a ` +
        `second branch of the same export (fix: git -C ${dir} checkout master && git -C ${dir} update-ref -d refs/heads/${branch} ${exported.commit}, ` +
        `then run the same export again)`,
    ]);
    await run(dir, ['commit', '-q', '--allow-empty', '-m', 'a change by hand']);
    const hand = (await run(dir, ['rev-parse', 'HEAD'])).trim();
    const refused = await attempt();
    expect(refused).toBeInstanceOf(ExportRefused);
    expect((refused as ExportRefused).problems).toEqual([holdsWorkOf(dir, branch, 2)]);
    expect((await run(dir, ['rev-parse', 'HEAD', '--abbrev-ref', 'HEAD'])).split('\n')).toEqual([hand, branch, '']);
    expect(branchExists(repository)(branch)).toBe(false);
  });

  it('the default branch name whose base HEAD\'s reflog does not name (no reflog, or made from a detached HEAD): never "branch -D"', async () => {
    const repository = 'acme/no-base-in-reflog';
    const source = newSource();
    await seedRemote(repository, earlierOf(source));
    const branch = `arcade-stack/staging-${source.sourceCommit.slice(0, 12)}`;
    for (const forget of [
      // No reflog of HEAD at all.
      async (dir: string) => rmSync(join(dir, '.git', 'logs', 'HEAD')),
      // Its last move came from a detached HEAD: no local branch to put the checkout back on.
      async (dir: string) => {
        await run(dir, ['checkout', '-q', '--detach', 'master']);
        await run(dir, ['checkout', '-q', branch]);
      },
    ]) {
      const dir = await checkout(repository);
      // What `--commit` leaves: on the export's branch, its unchanged export commit on master's tip.
      await exportEnvironment(source, { repo: dir, commit: true, ...NO_KUBECTL });
      await forget(dir);
      const tip = (await run(dir, ['rev-parse', 'HEAD'])).trim();
      const refused = await exportAndPublish(source, { repo: dir, ...NO_KUBECTL }, { push: true }).catch(
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(ExportRefused);
      expect((refused as ExportRefused).problems).toEqual([
        `${dir} is on ${branch}, the export's own branch name, but it may hold commits that are not this export's ` +
          `(HEAD's reflog names no local branch it was made from) (a commit on top of an export commit, an export ` +
          `commit amended, another environment's export, work by hand): deleting the branch could lose them (fix: ` +
          `review that work with git -C ${dir} log <base>..${branch}, then keep it or remove it, or pass --branch ` +
          `<new name>; the export starts from the branch the checkout is on: git -C ${dir} checkout <base>, where ` +
          '<base> is the branch the pull request should go into)',
      ]);
      expect((await run(dir, ['rev-parse', 'HEAD', '--abbrev-ref', 'HEAD'])).split('\n')).toEqual([tip, branch, '']);
      expect(branchExists(repository)(branch)).toBe(false);
    }
  });

  it('the default branch name holding its export commit amended: --no-edit is still its own, a message amended never gets "branch -D"', async () => {
    const repository = 'acme/message-amended-on-branch';
    const source = newSource();
    await seedRemote(repository, earlierOf(source));
    const dir = await checkout(repository);
    const exported = await exportEnvironment(source, { repo: dir, commit: true, ...NO_KUBECTL });
    const branch = exported.branch!;
    const attempt = () =>
      exportAndPublish(source, { repo: dir, ...NO_KUBECTL }, { push: true }).catch((e: unknown) => e);
    await run(dir, [...SOMEONE, 'commit', '-q', '--amend', '--no-edit']);
    expect(((await attempt()) as ExportRefused).problems).toEqual([
      `${dir} is on the export's own branch ${branch}, left there by an earlier run of it (one that finished, or ` +
        `one a second Ctrl-C or SIGTERM ended before it put the checkout back); --branch <new name> would push a ` +
        `second branch of the same export (fix: git -C ${dir} checkout master && git -C ${dir} update-ref -d ` +
        `refs/heads/${branch} ${(await run(dir, ['rev-parse', branch])).trim()}, ` +
        `then run the same export again)`,
    ]);
    // Context added to the message, its trailers kept: deleting the branch would drop it.
    const message = await run(dir, ['log', '-1', '--format=%B']);
    const context = message.replace('\n\n', '\n\nContext: wanted for the 2.4 rollout.\n\n');
    await run(dir, [...SOMEONE, 'commit', '-q', '--amend', '-m', context]);
    const amended = (await run(dir, ['rev-parse', 'HEAD'])).trim();
    const refused = await attempt();
    expect(refused).toBeInstanceOf(ExportRefused);
    expect((refused as ExportRefused).problems).toEqual([holdsWorkOf(dir, branch, 1)]);
    expect((refused as Error).message).not.toContain('branch -D');
    expect((await run(dir, ['rev-parse', 'HEAD', '--abbrev-ref', 'HEAD'])).split('\n')).toEqual([amended, branch, '']);
  });

  it('an export commit remade as a merge (a second parent of work by hand): never "branch -D"; the fix quoted for the shell', async () => {
    const repository = 'acme/merge-on-export';
    const source = newSource();
    await seedRemote(repository, earlierOf(source));
    const cloned = await checkout(repository);
    // The checkout moved under a folder whose name holds a space: the fix's commands must paste as they are.
    const dir = join(tempDir('spaced-'), 'with space');
    mkdirSync(dir);
    renameSync(cloned, join(dir, 'ck'));
    const top = join(dir, 'ck');
    const exported = await exportEnvironment(source, { repo: top, commit: true, ...NO_KUBECTL });
    const branch = exported.branch;
    if (branch === undefined) throw new Error('the export made no branch');
    // Work by hand on a side branch, then a commit with the export's own tree and message (its
    // trailers intact) whose first parent is master's tip and whose second is that work.
    const hand = (await run(top, ['commit-tree', 'master^{tree}', '-p', 'master', '-m', 'work by hand'])).trim();
    const message = await run(top, ['log', '-1', '--format=%B', branch]);
    const merge = (
      await run(top, ['commit-tree', `${branch}^{tree}`, '-p', 'master', '-p', hand, '-m', message.trim()])
    ).trim();
    await run(top, ['reset', '-q', '--hard', merge]);
    const refused = await exportAndPublish(source, { repo: top, ...NO_KUBECTL }, { push: true }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(ExportRefused);
    const quoted = `'${top}'`;
    expect((refused as ExportRefused).problems).toEqual([holdsWorkOf(top, branch, 2, quoted)]);
    expect((await run(top, ['rev-parse', 'HEAD'])).trim()).toBe(merge);
  });

  it('--branch X left by another environment\'s export on X: not this export\'s (pass another --branch), never "branch -D"', async () => {
    const repository = 'acme/branch-of-another-environment';
    const source = newSource();
    await seedRemote(repository, earlierOf(source));
    const dir = await checkout(repository);
    const exported = await exportEnvironment(source, {
      repo: dir,
      commit: true,
      branch: 'feature/upgrade',
      ...NO_KUBECTL,
    });
    const options = { repo: dir, branch: 'feature/upgrade', ...NO_KUBECTL };
    // The same branch name given to an export of another environment (its trailer names staging).
    const other = await exportAndPublish({ ...source, env: 'staging-east' }, options, { push: true }).catch(
      (e: unknown) => e,
    );
    expect(other).toBeInstanceOf(ConfigurationError);
    expect((other as Error).message).toBe(
      `--branch feature/upgrade is the branch ${dir} is on, which the pull request would go into (fix: pass ` +
        'another --branch name, or leave --branch out for arcade-stack/<env>-<source commit>)',
    );
    // The same environment's export again: its own branch, put back.
    const same = await exportAndPublish(source, options, { push: true }).catch((e: unknown) => e);
    expect((same as Error).message).toContain(
      `git -C ${dir} checkout master && git -C ${dir} update-ref -d refs/heads/feature/upgrade ${exported.commit}`,
    );
    expect((await run(dir, ['rev-parse', 'feature/upgrade'])).trim()).toBe(exported.commit);
  });

  it('refuses a dirty source tree, a remote that is not the configured repository (the checkout untouched) and a detached checkout', async () => {
    const repository = 'acme/settings';
    await seedRemote(repository);
    const pr = forgeFromEnvironment('GITOPS', {
      GITOPS_FORGE: 'github',
      GITOPS_API_URL: 'http://127.0.0.1:9/',
      GITOPS_REPOSITORY: 'acme/another-repository',
      GITOPS_TOKEN: TOKEN,
    });
    const source = newSource();
    const dir = await checkout(repository);
    const head = await run(dir, ['rev-parse', 'HEAD']);
    const dirty = await exportAndPublish(
      { ...source, sourceDirty: true },
      { repo: dir },
      { push: true, pullRequest: pr },
    ).catch((e: unknown) => e);
    expect((dirty as Error).message).toMatch(/uncommitted changes.*fix: commit/);
    const elsewhere = await exportAndPublish(source, { repo: dir }, { push: true, pullRequest: pr }).catch(
      (e: unknown) => e,
    );
    expect(elsewhere).toBeInstanceOf(ConfigurationError);
    expect((elsewhere as Error).message).toMatch(
      /acme\/settings, but GITOPS_REPOSITORY names acme\/another-repository/,
    );
    expect(await run(dir, ['rev-parse', 'HEAD'])).toBe(head);
    expect((await run(dir, ['branch', '--format=%(refname:short)'])).trim()).toBe('master');
    // Detached: no branch to open the pull request into, refused before the remote is looked at
    // (--repo relative to the export's cwd, as the script passes it).
    await run(dir, ['checkout', '-q', '--detach']);
    const detached = await exportAndPublish(source, { repo: '.', cwd: dir }, { push: true, pullRequest: pr }).catch(
      (e: unknown) => e,
    );
    expect(detached).toBeInstanceOf(ConfigurationError);
    expect((detached as Error).message).toBe(
      '. is not on a branch (detached HEAD): a pull request needs the branch the export starts from (fix: git checkout master there)',
    );
  });

  /**
   * An export of a new source pushed from a checkout of `repository` with a token the remote refuses
   * (ls-remote fails); `prepare` runs on the checkout first. What it threw, the checkout, the branch and the token.
   */
  async function refusedPush(repository: string, prepare?: (dir: string, branch: string) => Promise<void>) {
    const source = newSource();
    await seedRemote(repository, earlierOf(source));
    const dir = await checkout(repository);
    const branch = `arcade-stack/staging-${source.sourceCommit.slice(0, 12)}`;
    await prepare?.(dir, branch);
    const wrong = canaryKey();
    const error = await exportAndPublish(
      source,
      { repo: dir, ...NO_KUBECTL },
      { push: true, token: wrong, forgeType: 'github' },
    ).catch((e: unknown) => e);
    return { error, dir, branch, wrong };
  }

  it('a refused token: the push fails naming the remote, with no fragment of the token in the message', async () => {
    const { error, dir, wrong } = await refusedPush('acme/refused');
    expect((error as Error).message).toMatch(/^git ls-remote origin refs\/heads\/\S+ in \S+ failed \(exit 128\): /);
    expect(findLeak((error as Error).message, wrong)).toBeUndefined();
    expect(findLeak(readFileSync(join(dir, '.git', 'config'), 'utf8'), wrong)).toBeUndefined();
    expect((await run(dir, ['rev-parse', '--abbrev-ref', 'HEAD'])).trim()).toBe('master');
  });

  it("a failed push whose clean-up fails too: the push's failure, the branch left and the commands that remove it", async () => {
    // Once the clean-up has put the checkout back on master, the export's branch's ref is locked (as a
    // git that crashed would leave it): its update-ref -d cannot remove it. The export's own commit runs no
    // hook, so post-checkout does it, on the clean-up's checkout; the export's own `checkout -b` does not
    // move HEAD (its old and new HEAD are the same commit) and is skipped.
    const { error, dir, branch, wrong } = await refusedPush('acme/left-behind', async (clone, exported) => {
      const hooks = tempDir('left-behind-hooks-');
      const lock = `${join(clone, '.git', 'refs', 'heads', ...exported.split('/'))}.lock`;
      writeFileSync(join(hooks, 'post-checkout'), `#!/bin/sh\n[ "$1" = "$2" ] || : > '${lock}'\n`);
      chmodSync(join(hooks, 'post-checkout'), 0o755);
      await run(clone, ['config', 'core.hooksPath', hooks]);
    });
    expect(error).toBeInstanceOf(CheckoutLeftBehind);
    expect((error as CheckoutLeftBehind).exitCode).toBe(1);
    const message = (error as Error).message;
    expect(message).toMatch(/^git ls-remote origin refs\/heads\/\S+ in \S+ failed \(exit 128\): /);
    expect(message).toContain(
      `; the checkout is back on master, but removing the export's local branch failed: git update-ref -d refs/heads/${branch} `,
    );
    expect(message).toMatch(
      new RegExp(
        `; the next export refuses while branch ${branch} exists \\(fix: git -C ${dir} update-ref -d refs/heads/${branch} [0-9a-f]{40}\\)$`,
      ),
    );
    expect((await run(dir, ['rev-parse', '--abbrev-ref', 'HEAD'])).trim()).toBe('master');
    expect((await run(dir, ['branch', '--list', branch])).trim()).toBe(branch);
    expect(findLeak(message, wrong)).toBeUndefined();
  });

  /**
   * refusedPush with a git first on the PATH that runs `before` (a shell command, given the real
   * PATH) just before the push's ls-remote, as a person would meanwhile; then the real git.
   */
  function pushBeforeLsRemote(repository: string, before: (realPath: string) => string) {
    const realPath = process.env.PATH ?? '';
    const bin = tempDir('git-before-ls-remote-');
    writeFileSync(
      join(bin, 'git'),
      `#!/bin/sh\nfor a in "$@"; do if [ "$a" = ls-remote ]; then ${before(realPath)}; break; fi; done\n` +
        `PATH='${realPath}' exec git "$@"\n`,
    );
    chmodSync(join(bin, 'git'), 0o755);
    return refusedPush(repository, async () => {
      process.env.PATH = `${bin}:${realPath}`;
    }).finally(() => {
      process.env.PATH = realPath;
    });
  }

  it("a commit someone makes on the export's branch while the push runs: the clean-up keeps the branch with it, named", async () => {
    // A git first on the PATH that, before the push's ls-remote, commits on the branch the checkout is
    // on (the export's, after its update-ref), as a person would meanwhile; then runs the real git.
    const { error, dir, branch } = await pushBeforeLsRemote(
      'acme/person-commits',
      (realPath) =>
        `PATH='${realPath}' git -c user.name=Person -c user.email=person@example.com -c commit.gpgsign=false ` +
        "commit -q --allow-empty -m 'mine, made meanwhile'",
    );
    expect(error).toBeInstanceOf(CheckoutLeftBehind);
    const tip = (await run(dir, ['log', '-1', '--format=%H%n%s%n%P', branch])).trim().split('\n');
    expect(tip[1]).toBe('mine, made meanwhile');
    const exported = tip[2]!.slice(0, 12);
    const message = (error as Error).message;
    expect(message).toMatch(
      new RegExp(
        `; the checkout is back on master, but the export's local branch ${branch} was kept: a commit made on it ` +
          `since the export's ${exported} is on it \\(git -C ${dir} log ${exported}\\.\\.${branch}\\), and the next ` +
          `export refuses while branch ${branch} exists \\(fix: keep what is yours, then git -C ${dir} branch -D ${branch}\\)$`,
      ),
    );
    expect((await run(dir, ['rev-parse', '--abbrev-ref', 'HEAD'])).trim()).toBe('master');
  });

  it("a clean-up whose checkout a person's commit blocks (.git/index.lock): the pasted fix keeps the commit they make on the branch", async () => {
    // A git first on the PATH that, before the push's ls-remote, holds .git/index.lock as a person's
    // `git commit` on the export's branch would; the clean-up's checkout then fails.
    const { error, dir, branch } = await pushBeforeLsRemote(
      'acme/person-holds-index-lock',
      () => ': > .git/index.lock',
    );
    expect(error).toBeInstanceOf(CheckoutLeftBehind);
    const exported = (await run(dir, ['rev-parse', branch])).trim();
    const message = (error as Error).message;
    const fix = `git -C ${dir} checkout master && git -C ${dir} update-ref -d refs/heads/${branch} ${exported}`;
    expect(message).toContain(`(fix: ${fix})`);
    expect(message).not.toContain('branch -D');
    // The person's commit lands on the branch; then the fix, pasted, deletes nothing of it.
    rmSync(join(dir, '.git', 'index.lock'));
    await run(dir, [...SOMEONE, 'commit', '-q', '--allow-empty', '-m', 'mine, made meanwhile']);
    const mine = (await run(dir, ['rev-parse', branch])).trim();
    const pasted = spawnSync('sh', ['-c', fix], { encoding: 'utf8' });
    expect(pasted.status).not.toBe(0);
    expect((await run(dir, ['rev-parse', branch])).trim()).toBe(mine);
  });
});

/**
 * An interrupt while git waits on the remote: the remote is a bare repository on disk whose
 * receive-pack (for the push) or upload-pack (for the fetch: its first run, ls-remote's, passes)
 * is a stand-in that answers nothing. git speaks only after the remote has, so the stand-in waits
 * on its input, which ends only when the git at its other end is gone: then it notes so and ends.
 */
describe('export --push --pull-request interrupted while git or the forge waits on an answer', () => {
  /**
   * Resolves once `done()` holds (checked every 10 ms): what a test waits for is a state, never a
   * time. With the test's `signal` (aborted when the test times out or the run is cancelled) it
   * throws instead of polling on past the test, in the worker the files share (isolate: false).
   */
  async function until(done: () => boolean, signal?: AbortSignal): Promise<void> {
    while (!done()) {
      if (signal?.aborted) throw new Error(`stopped waiting: ${String(signal.reason)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** A remote holding an earlier export of `source`'s environment, a checkout of it, and the hanging stand-in's notes. */
  async function hangingRemote(source: ExportSource, program: 'receivepack' | 'uploadpack') {
    const seed = await makeRepo({ 'apps/arcade/README.md': 'Arcade, exported by arcade-stack\n' }, 'placeholder');
    await plantExport(seed, earlierOf(source));
    const remote = tempDir('interrupt-remote-');
    await run(remote, ['clone', '-q', '--bare', ...NO_AUTO_MAINTENANCE_ARGS, seed, '.']);
    const dir = tempDir('interrupt-checkout-');
    const ci = ['-c', 'user.name=CI', '-c', 'user.email=ci@example.com', ...NO_AUTO_MAINTENANCE_ARGS];
    await run(dir, ['clone', '-q', ...ci, remote, '.']);
    const bin = tempDir('interrupt-stand-in-');
    const notes = { listed: join(bin, 'listed'), started: join(bin, 'started'), ended: join(bin, 'ended') };
    const real = program === 'receivepack' ? 'git-receive-pack' : 'git-upload-pack';
    // upload-pack serves ls-remote first: that run is served, the fetch's hangs.
    const passFirst =
      program === 'uploadpack'
        ? `if [ ! -e '${notes.listed}' ]; then : > '${notes.listed}'; exec ${real} "$@"; fi\n`
        : '';
    writeFileSync(
      join(bin, 'serve'),
      `#!/bin/sh\n${passFirst}: > '${notes.started}'\ncat > /dev/null\n: > '${notes.ended}'\n`,
    );
    chmodSync(join(bin, 'serve'), 0o755);
    await run(dir, ['config', `remote.origin.${program}`, join(bin, 'serve')]);
    return { remote, dir, notes };
  }

  /**
   * The export pushed from `dir` (and its pull request opened through `pullRequest`), interrupted
   * by SIGTERM once `started()` holds (the stand-in that hangs runs); what it threw.
   */
  async function interruptedRun(
    source: ExportSource,
    dir: string,
    started: () => boolean,
    pullRequest?: ForgeConnection,
  ): Promise<unknown> {
    const interrupt = new AbortController();
    const exported = exportAndPublish(
      source,
      { repo: dir, ...NO_KUBECTL, signal: interrupt.signal },
      { push: true, ...(pullRequest ? { pullRequest } : {}) },
    );
    const settled = exported.then(
      () => undefined,
      (e: unknown) => e,
    );
    // An export that settles first (a failure before the push) stops the wait: nothing polls on
    // after it, past the test, in the worker the files share (isolate: false).
    let over = false;
    void settled.then(() => {
      over = true;
    });
    await until(() => over || started());
    interrupt.abort('SIGTERM');
    return settled;
  }

  it('a push that hangs: exit 143 at once, the stand-in left without git, the remote and the checkout as they were', async ({
    signal,
  }) => {
    const source = newSource();
    const { remote, dir, notes } = await hangingRemote(source, 'receivepack');
    const branch = `arcade-stack/staging-${source.sourceCommit.slice(0, 12)}`;
    const error = await interruptedRun(source, dir, () => existsSync(notes.started));
    expect(error).toBeInstanceOf(Interrupted);
    expect((error as Interrupted).exitCode).toBe(143);
    expect((error as Error).message).toBe(
      `interrupted by SIGTERM while pushing to ${remote} branch ${branch}: it holds what it held before or this ` +
        'export, never a part of one (a push updates a branch at once or not at all); the next run finds its own ' +
        "export there and leaves it, or pushes it; the checkout is back on master, without the export's local branch",
    );
    // The git the stand-in served is gone (its input ended), so the stand-in ended too.
    await until(() => existsSync(notes.ended), signal);
    expect(refAt(remote, `refs/heads/${branch}`)).toBeUndefined();
    expect((await run(dir, ['rev-parse', '--abbrev-ref', 'HEAD'])).trim()).toBe('master');
    expect(refAt(join(dir, '.git'), `refs/heads/${branch}`)).toBeUndefined();
  });

  it('a fetch that hangs: exit 143 at once, nothing pushed, the remote branch kept', async ({ signal }) => {
    const source = newSource();
    const { remote, dir, notes } = await hangingRemote(source, 'uploadpack');
    const branch = `arcade-stack/staging-${source.sourceCommit.slice(0, 12)}`;
    // The branch exists on the remote, on a commit the checkout does not hold: its tip is fetched.
    const theirs = (
      await run(remote, [
        '-c',
        'user.name=Someone',
        '-c',
        'user.email=s@example.com',
        'commit-tree',
        'master^{tree}',
        '-p',
        'master',
        '-m',
        'theirs',
      ])
    ).trim();
    await run(remote, ['update-ref', `refs/heads/${branch}`, theirs]);
    const error = await interruptedRun(source, dir, () => existsSync(notes.started));
    expect(error).toBeInstanceOf(Interrupted);
    expect((error as Interrupted).exitCode).toBe(143);
    expect((error as Error).message).toBe(
      `interrupted by SIGTERM while reading ${remote} branch ${branch}: nothing was pushed; the checkout is back ` +
        "on master, without the export's local branch",
    );
    await until(() => existsSync(notes.ended), signal);
    expect(existsSync(notes.listed)).toBe(true);
    expect(refAt(remote, `refs/heads/${branch}`)).toBe(theirs);
    expect(refAt(join(dir, '.git'), `refs/heads/${branch}`)).toBeUndefined();
  });

  it('the forge never answers the search: exit 143 at once (timeout an hour), the branch pushed; the same export again opens the PR', async () => {
    let hangs = true;
    let hung: string | undefined;
    const repository = 'acme/forge-hangs';
    const { source, forge, branch, dir } = await afterPushSetup(repository, ({ method, path }) => {
      if (!hangs || method !== 'GET') return undefined;
      hung = `${method} ${path}`;
      return 'hang';
    });
    try {
      // Only the interrupt can end the wait within the test's time.
      const pr = { ...connection(forge, 'github', repository), timeoutMs: 3_600_000 };
      const error = await interruptedRun(source, dir, () => hung !== undefined, pr);
      expect(error).toBeInstanceOf(Interrupted);
      expect((error as Interrupted).exitCode).toBe(143);
      const tip = remoteTip(repository, branch);
      expect((error as Error).message).toBe(
        `interrupted by SIGTERM during ${hung} at ${forge.apiUrl}${afterPush(repository, branch, tip, { interrupted: true })}`,
      );
      expect(forge.pulls).toHaveLength(0);
      await expectPutBack(dir, branch);
      expectNoToken(dir, (error as Error).message);
      // The fix the message names.
      hangs = false;
      const again = await exportAndPublish(source, { repo: dir, ...NO_KUBECTL }, { push: true, pullRequest: pr });
      expectOpenedAgain(again, forge, branch, tip);
    } finally {
      await forge.close();
    }
  });

  it('a search answered 503, the interrupt during the wait before its retry: exit 143, no further request reaches the forge', async () => {
    const seen: string[] = [];
    const repository = 'acme/forge-busy';
    const { source, forge, branch, dir } = await afterPushSetup(repository, ({ method, path }) => {
      seen.push(`${method} ${path}`);
      return 503;
    });
    try {
      // A wait that ends only by its signal: only the interrupt can end it.
      let waiting = false;
      const sleeps: number[] = [];
      const clock: Clock = {
        now: () => 0,
        sleep: (ms, signal) => {
          sleeps.push(ms);
          waiting = true;
          return new Promise<void>((_, reject) => {
            if (signal?.aborted) reject(signal.reason);
            signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
          });
        },
        schedule: () => () => undefined,
      };
      const pr = { ...connection(forge, 'github', repository), clock };
      const error = await interruptedRun(source, dir, () => waiting, pr);
      expect(error).toBeInstanceOf(Interrupted);
      expect((error as Interrupted).exitCode).toBe(143);
      expect(seen).toHaveLength(1);
      expect(sleeps).toEqual([1000]);
      expect((error as Error).message).toBe(
        `interrupted by SIGTERM during ${seen[0]} at ${forge.apiUrl}` +
          afterPush(repository, branch, remoteTip(repository, branch), { interrupted: true }),
      );
      await expectPutBack(dir, branch);
      expectNoToken(dir, (error as Error).message);
    } finally {
      await forge.close();
    }
  });
});
