/**
 * A push remote whose userinfo holds a token (`http://<token>@host/...`, as GitHub takes a token
 * for the user name; `http://<token>:x-oauth-basic@host/...`, as Gitea does): the real export --push
 * (the stack's script, from a committed copy of the stack) against a loopback git remote
 * (test/support/git-http.ts) that refuses the push in its own words, echoing the user name it was
 * given. The token must reach no line the export prints: neither in the URL (left out) nor in the
 * remote's `remote:` lines (the user name is one of the push's redacted secrets, src/core/userinfo.ts
 * userinfoSecrets).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthEnvironment } from '../../src/synth.js';
import { FIXTURE_ENVIRONMENTS, fixtureEnvironment } from '../synth/helpers.js';
import { findLeak } from '../support/canary.js';
import { type GitHttpServer, startGitHttpServer } from '../support/git-http.js';
import { spawnScript } from '../support/spawn-script.js';
import { tempDir } from '../support/temp.js';
import { committedStack } from './committed-stack.js';
import { makeRepo, run } from './support.js';

// No known token shape (src/core/token-shapes.ts would hide an `arc_` or `ghp_` one by its shape alone):
// only the redactor, told the URL's userinfo, can hide this one.
const token = randomBytes(24).toString('hex');
let git: GitHttpServer;

beforeAll(async () => {
  // Any user name is let in; the one that is the token is refused, quoted whole, as a forge's error page might.
  git = await startGitHttpServer(() => true, {
    refuse: (user) =>
      user === token ? `user ${user} may not write to acme/repo (token ${user} has no push scope)\n` : undefined,
  });
});
afterAll(() => git.close());

/** dist/ for the fixture's staging environment. */
function distDir(): string {
  const dir = tempDir('push-userinfo-dist-');
  for (const f of synthEnvironment(fixtureEnvironment('staging')).files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.content);
  }
  return dir;
}

describe('export --push to a remote whose userinfo is a token, which the remote echoes in its refusal', () => {
  for (const userinfo of [token, `${token}:x-oauth-basic`])
    it(`${userinfo === token ? 'http://<token>@' : 'http://<token>:x-oauth-basic@'}: refused (exit 1), the token redacted`, async () => {
      const stack = await committedStack();
      const target = await makeRepo({ 'apps/arcade/README.md': 'x\n' });
      const repository = `acme/repo-${userinfo === token ? 'user' : 'pair'}`;
      await git.createRepository(repository, target);
      const remote = git.url(repository).replace('http://', `http://${userinfo}@`);
      await run(target, ['remote', 'add', 'origin', remote]);
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GITOPS_')));
      const args = ['--repo', target, '--env', 'staging', '--environments', FIXTURE_ENVIRONMENTS];
      const push = await spawnScript(
        join(stack.root, 'scripts', 'export.ts'),
        [...args, '--dist', distDir(), '--allow-unresolved', '--push'],
        { cwd: stack.root, env: { ...env, GIT_TERMINAL_PROMPT: '0' } },
      );
      const printed = `${push.stdout}${push.stderr}`;
      // The remote was asked with the token as the user name, and refused it in words quoting it.
      expect(
        git.credentials.some((c) => c.startsWith(`${token}:`)),
        printed,
      ).toBe(true);
      expect(push.status, printed).toBe(1);
      expect(printed).toMatch(
        /remote: user \[redacted ….{4}\] may not write to acme\/repo \(token \[redacted ….{4}\] has no push scope\)/,
      );
      expect(printed).toContain(git.url(repository));
      expect(findLeak(printed, token)).toBeUndefined();
    });
});
