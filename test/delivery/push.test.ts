/**
 * pushExport's refusal of a remote branch that moves while it is read (src/delivery/push.ts): the
 * tip ls-remote listed is not in the checkout, so it is fetched, and the fetch brings another
 * commit. The remote is a bare repository on disk; the move is made by the checkout's own
 * `remote.origin.uploadpack` (git-config(1)): the program git runs on the remote's side for
 * ls-remote and for fetch, here a script that lets the first run (ls-remote) pass and moves the
 * branch before the second (the fetch) reads it. No timing: the order is git's own.
 */
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { plainHttpProblem, pushExport } from '../../src/delivery/push.js';
import { ExportRefused } from '../../src/delivery/refused.js';
import { ConfigurationError } from '../../src/core/command-error.js';
import { canaryKey, findLeak } from '../support/canary.js';
import { listenLoopback } from '../../src/loopback/listen.js';
import { NO_AUTO_MAINTENANCE_ARGS } from '../support/git-repos.js';
import { tempDir } from '../support/temp.js';
import { makeRepo, refAt, run } from './support.js';
import { GitError } from '../../src/core/git.js';

const SOMEONE = ['-c', 'user.name=Someone Else', '-c', 'user.email=else@example.com'];

describe('pushExport: a branch that moves while it is read', () => {
  it('is refused naming both tips, and nothing is pushed over it', async () => {
    const seed = await makeRepo({ 'apps/arcade/README.md': 'placeholder\n' }, 'apps/arcade: placeholder');
    const remote = tempDir('push-remote-');
    await run(remote, ['clone', '-q', '--bare', ...NO_AUTO_MAINTENANCE_ARGS, seed, '.']);
    // The checkout is cloned before the branch exists: it holds neither of the remote's commits.
    const checkout = tempDir('push-checkout-');
    await run(checkout, ['clone', '-q', ...NO_AUTO_MAINTENANCE_ARGS, remote, '.']);
    const commit = async (dir: string, message: string) =>
      (await run(dir, [...SOMEONE, 'commit-tree', 'master^{tree}', '-p', 'master', '-m', message])).trim();
    const first = await commit(remote, 'someone else: first');
    const moved = await commit(remote, 'someone else: moved');
    await run(remote, ['update-ref', 'refs/heads/feature', first]);
    const ours = await commit(checkout, 'our export');

    const bin = tempDir('push-upload-pack-');
    const listed = join(bin, 'listed');
    const uploadPack = join(bin, 'upload-pack');
    writeFileSync(
      uploadPack,
      '#!/bin/sh\n' +
        `if [ -e '${listed}' ]; then git -C '${remote}' update-ref refs/heads/feature ${moved} ${first} || exit 1; fi\n` +
        `: > '${listed}'\n` +
        'exec git-upload-pack "$@"\n',
    );
    chmodSync(uploadPack, 0o755);
    await run(checkout, ['config', 'remote.origin.uploadpack', uploadPack]);

    const refused = await pushExport({ top: checkout, branch: 'feature', commit: ours, env: 'staging' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(ExportRefused);
    expect((refused as ExportRefused).problems).toEqual([
      `${remote} branch feature moved while it was read (${first.slice(0, 12)}, then ${moved.slice(0, 12)}): ` +
        'someone else is pushing to it (fix: run the export again once they are done)',
    ]);
    // The move happened between the two reads, and the branch keeps it: nothing was pushed.
    expect(existsSync(listed)).toBe(true);
    expect(refAt(remote, 'refs/heads/feature')).toBe(moved);
  });
});

describe('pushExport: a remote tip arcade-stack did not write', () => {
  it('is refused quoting its subject cut at 80 printed characters: an escape that fits whole, one that would cross the cut left out', async () => {
    const seed = await makeRepo({ 'apps/arcade/README.md': 'placeholder\n' }, 'apps/arcade: placeholder');
    const remote = tempDir('push-foreign-');
    await run(remote, ['clone', '-q', '--bare', ...NO_AUTO_MAINTENANCE_ARGS, seed, '.']);
    // 70 characters, ESC (printed as 6: \u001b), 'y', then a second ESC that would cross the 80th: left out whole.
    const subject = `${'x'.repeat(70)}\u001by\u001b[31m red`;
    const foreign = (
      await run(remote, [...SOMEONE, 'commit-tree', 'master^{tree}', '-p', 'master', '-m', subject])
    ).trim();
    await run(remote, ['update-ref', 'refs/heads/feature', foreign]);
    const checkout = tempDir('push-foreign-checkout-');
    await run(checkout, ['clone', '-q', ...NO_AUTO_MAINTENANCE_ARGS, remote, '.']);
    const refused = await pushExport({ top: checkout, branch: 'feature', commit: foreign, env: 'staging' }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(ExportRefused);
    expect((refused as ExportRefused).problems[0]).toContain(
      `branch feature holds ${foreign.slice(0, 12)} ("${'x'.repeat(70)}\\u001by…"), which arcade-stack did not write`,
    );
  });
});

describe('pushExport with a token: only where it crosses no network in clear', () => {
  it('a plain-http remote off loopback is refused before any git, naming the remote and the fix', async () => {
    const top = tempDir('push-http-');
    const token = canaryKey();
    const push = (url: string) =>
      pushExport({ top, url, branch: 'b', commit: 'c', env: 'staging', token, forgeType: 'github' }).catch(
        (e: unknown) => e,
      );
    const error = await push(`http://x:${token}@forge.example:8080/acme/repo.git`);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toBe(
      'remote origin is http://forge.example:8080/acme/repo.git, plain http: GITOPS_TOKEN would cross the network ' +
        "unencrypted (fix: use the repository's https clone URL; or, for a forge with no https at all, " +
        'GITOPS_ALLOW_PLAIN_HTTP=1)',
    );
    // On loopback it is taken: the refusal that follows is git's (no checkout at `top`), not this one.
    const loopback = await push('http://127.0.0.1:9/acme/repo.git');
    expect(loopback).toBeInstanceOf(GitError);
    expect((loopback as Error).message).toMatch(/^git ls-remote origin refs\/heads\/b in .* failed \(exit 128\): /);
  });

  it('GITOPS_ALLOW_PLAIN_HTTP=1 (allowPlainHttp) lets a plain-http remote off loopback through; https needs nothing', () => {
    const url = 'http://gitea.internal/acme/repo.git';
    expect(plainHttpProblem(url, 'origin', false)).toBe(
      'remote origin is http://gitea.internal/acme/repo.git, plain http: GITOPS_TOKEN would cross the network ' +
        "unencrypted (fix: use the repository's https clone URL; or, for a forge with no https at all, " +
        'GITOPS_ALLOW_PLAIN_HTTP=1)',
    );
    expect(plainHttpProblem(url, 'origin', true)).toBeUndefined();
    expect(plainHttpProblem('https://gitea.internal/acme/repo.git', 'origin', false)).toBeUndefined();
  });
});

describe("pushExport: the remote URL's password in git's failure", () => {
  // In templates: the repository's secret scan takes a literal password in a URL for a leak.
  const P = `s3cr3t${'Q'.repeat(6)}`;
  const TAIL = `t4il${'W'.repeat(6)}`;
  it.each([
    // git leaves out only the userinfo's first `@` part and quotes `x:<password>@<tail>@host`: all of it goes.
    [`http://admin@x:${P}@${TAIL}@127.0.0.1:9/r.git`, "unable to access 'http://127.0.0.1:9/r.git/'"],
    // A bare `/` in the password: git quotes the URL whole, its user name and password redacted (their
    // last 4 characters shown: a user name may be a token, src/core/userinfo.ts userinfoSecrets).
    [
      `http://admin:${P}/${TAIL}@127.0.0.1:9/r.git`,
      "unable to access 'http://[redacted]:[redacted …WWWW]@127.0.0.1:9/r.git/'",
    ],
  ])('%s', async (url, shown) => {
    const top = tempDir('push-userinfo-');
    await run(top, ['init', '-q']);
    await run(top, ['remote', 'add', 'origin', url]);
    const error = await pushExport({ top, branch: 'b', commit: 'c', env: 'staging' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitError);
    expect((error as Error).message).toContain(shown);
    expect((error as Error).message).not.toMatch(/s3cr3t|t4il|QQQQ|WWWWW/);
  });
});

describe('pushExport against a hostile remote (a loopback server answering every git request 403)', () => {
  it("echoing the Authorization header and the token behind ANSI escapes: git's quote of it is redacted and escaped", async () => {
    const token = canaryKey();
    const echo = await listenLoopback((req, res) => {
      const basic = Buffer.from((req.headers.authorization ?? '').split(' ')[1] ?? '', 'base64').toString();
      res.writeHead(403, { 'content-type': 'text/plain' });
      res.end(`\u001b[2J\u001b]0;owned\u0007denied: you sent ${req.headers.authorization} (${basic})\n`);
    });
    try {
      const top = tempDir('push-echo-');
      await run(top, ['init', '-q']);
      await run(top, ['remote', 'add', 'origin', `${echo.url}/acme/repo.git`]);
      const error = await pushExport({
        top,
        branch: 'b',
        commit: 'c',
        env: 'staging',
        token,
        forgeType: 'github',
      }).catch((e: unknown) => e);
      const message = (error as Error).message;
      expect(message).toMatch(
        // git's words masked where the failure is told (src/core/child-failure.ts): the header's
        // credential hidden, the token as its marker, its last 4 shown.
        /failed \(exit 128\): remote: \\u001b\[2J\\u001b\]0;owned\\u0007denied: you sent Basic <hidden> \(x-access-token:<hidden …[\w-]{4}>\)/,
      );
      expect(message).not.toMatch(/[\u0000-\u001f\u007f]/);
      expect(findLeak(message, token)).toBeUndefined();
    } finally {
      await new Promise((r) => echo.server.close(r));
    }
  });
});
