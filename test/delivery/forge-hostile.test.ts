/**
 * The forge client against a hostile or broken forge (a real loopback server answering as the test
 * says): a redirect is never followed (the token would go along), what the forge answers reaches
 * the terminal without control characters, and a list that is not a list is no "none found".
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForgeClient, ForgeError } from '../../src/delivery/forge.js';
import { printable } from '../../src/core/printable.js';
import { type Loopback, listenLoopback } from '../../src/loopback/listen.js';
import { canaryKey, findLeak } from '../support/canary.js';

const TOKEN = canaryKey();
/** What the forge answers next: set by each test. */
let answer: (res: ServerResponse) => void = (res) => res.end();
const seen: { server: string; method: string; headers: IncomingHttpHeaders }[] = [];
let forge: Loopback;
/** Another host a redirect points at: it must never see a request. */
let elsewhere: Loopback;
beforeAll(async () => {
  forge = await listenLoopback((req, res) => {
    seen.push({ server: 'forge', method: req.method ?? '', headers: req.headers });
    req.resume().on('end', () => answer(res));
  });
  elsewhere = await listenLoopback((req, res) => {
    seen.push({ server: 'elsewhere', method: req.method ?? '', headers: req.headers });
    res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
  });
});
afterAll(async () => {
  for (const s of [forge, elsewhere]) await new Promise((r) => s?.server.close(r));
});

/** The client of the forge, its API base at `apiPath` on it (GitHub Enterprise Server's is /api/v3). */
const client = (apiPath = '') =>
  new ForgeClient({
    type: 'github',
    apiUrl: `${forge.url}${apiPath}`,
    owner: 'acme',
    repository: 'repo',
    token: TOKEN,
    retries: 0,
  });
const json = (status: number, body: unknown) => (res: ServerResponse) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
const SEARCH = '/repos/acme/repo/pulls?state=open&head=acme%3Ab&base=master&per_page=100';
/** ESC, BEL, CR, LF, a C1 CSI and a right-to-left override: what could recolour, retitle or fake a line. */
const HOSTILE = '\u001b[2J\u001b]0;owned\u0007\r\nexport: pull request #1 opened\u009b31m\u202e';

const MOVED_FIX = "set GITOPS_REPOSITORY to its current owner/name and the checkout's remote to match";

/**
 * The error of a search the forge answers with a redirect (`status`, `location`), the client's
 * API base at `apiPath` on it; only the forge was asked (the redirect not followed).
 */
async function redirected(status: number, location: string, apiPath = ''): Promise<ForgeError> {
  seen.length = 0;
  answer = (res) => res.writeHead(status, { location }).end();
  const error = await client(apiPath)
    .findOpenPull('b', 'master')
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ForgeError);
  expect(seen.map((s) => s.server)).toEqual(['forge']);
  return error as ForgeError;
}

describe('ForgeClient against a hostile forge', () => {
  it('a redirect to another host is not followed: nothing reaches it, the error names where and the fix', async () => {
    const error = await redirected(302, `${elsewhere.url}/steal`);
    expect(error.message).toBe(
      `GET ${SEARCH}: HTTP 302, a redirect to ${elsewhere.url}/steal (not followed: the token would go along) ` +
        `(fix: set GITOPS_API_URL to the forge's API base itself, if ${elsewhere.url}/steal is it)`,
    );
  });

  it('a redirect on the same host (a moved or renamed repository): the fix names GITOPS_REPOSITORY, not the API URL', async () => {
    // As GitHub answers for a renamed or transferred repository: the same host, /repositories/<id>/...
    const moved = `${forge.url}/repositories/42/pulls`;
    const error = await redirected(301, moved);
    expect(error.message).toBe(
      `GET ${SEARCH}: HTTP 301, a redirect to ${moved} (not followed: the token would go along; the repository ` +
        `may have moved or been renamed) (fix: ${MOVED_FIX})`,
    );
    expect(error.fix).toBe(MOVED_FIX);
  });

  it('a redirect under an API base with a path (GitHub Enterprise Server /api/v3): the repository moved', async () => {
    expect((await redirected(307, `${forge.url}/api/v3/repositories/42/pulls`, '/api/v3')).fix).toBe(MOVED_FIX);
  });

  it("a redirect on the API's host outside the API (a login page): the API URL's fix, not a moved repository", async () => {
    const login = '/login?return_to=%2Fapi%2Fv3%2Frepos%2Facme%2Frepo%2Fpulls';
    const error = await redirected(302, login, '/api/v3');
    expect(error.message).toBe(
      `GET ${SEARCH}: HTTP 302, a redirect to ${login} (not followed: the token would go along) ` +
        `(fix: set GITOPS_API_URL to the forge's API base itself, if ${login} is it)`,
    );
  });

  it('a redirect from plain http to https on the same host: the fix is the https API URL, then no plain-http opt-in', async () => {
    // As a forge behind a TLS front answers plain http: the same host and path, https on its own port.
    const secure = `https://127.0.0.1/api/v3${SEARCH}`;
    const error = await redirected(301, secure, '/api/v3');
    const fix = 'set GITOPS_API_URL to https://127.0.0.1/api/v3, then unset GITOPS_ALLOW_PLAIN_HTTP';
    expect(error.message).toBe(
      `GET ${SEARCH}: HTTP 301, a redirect to ${secure} (not followed: the token would go along; the forge ` +
        `answers on https) (fix: ${fix})`,
    );
    expect(error.fix).toBe(fix);
  });

  it("a redirect's target is cut at 300 printed characters: an escape that fits kept whole, one crossing the cut left out", async () => {
    // U+0085 (NEL, a C1 control; a header value may carry it) is printed as 6 characters, `\u0085`.
    const head = `${forge.url}/${'a'.repeat(289 - forge.url.length)}`;
    const location = `${head}\u0085b\u0085tail`;
    answer = (res) => res.writeHead(302, { location }).end();
    const error = await client()
      .findOpenPull('b', 'master')
      .catch((e: unknown) => e);
    // 290 + 6 + 1 printed, then the second escape does not fit before the mark: left out whole.
    const to = `${head}\\u0085b…`;
    expect(head).toHaveLength(290);
    expect((error as Error).message).toContain(`a redirect to ${to} (not followed`);
    expect((error as Error).message).toContain(
      `(fix: set GITOPS_API_URL to the forge's API base itself, if ${to} is it)`,
    );
  });

  it('a path-less API base: only the request with its repository named another way is "moved"; other pages get the API URL fix', async () => {
    // The request was GET /repos/acme/repo/pulls: GitHub's form of a moved repository, or its new name.
    for (const moved of ['/repositories/42/pulls', '/repos/acme/renamed/pulls', '/repos/other/repo/pulls?page=2'])
      expect((await redirected(301, `${forge.url}${moved}`)).fix).toBe(MOVED_FIX);
    // Every path is "under" / : a login page, the repository's web page, another call of the API.
    for (const page of [
      '/login?return_to=%2Frepos%2Facme%2Frepo%2Fpulls',
      '/acme/repo',
      '/repositories/42/issues',
      '/',
    ]) {
      const error = await redirected(302, page);
      const fix = `set GITOPS_API_URL to the forge's API base itself, if ${page} is it`;
      expect(error.message).toBe(
        `GET ${SEARCH}: HTTP 302, a redirect to ${page} (not followed: the token would go along) (fix: ${fix})`,
      );
      expect(error.fix).toBe(fix);
    }
  });

  it('a create answered 201 with a body that is not a pull request: maybeDone (the forge opened it)', async () => {
    answer = json(201, { number: 'seven', html_url: 'https://forge.example/pr/7' });
    const error = await client()
      .createPull({ head: 'b', base: 'master', title: 't', body: 'b' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForgeError);
    expect((error as Error).message).toBe(
      'POST /repos/acme/repo/pulls: the answer is not a pull request (number: Invalid input: expected number, received string)',
    );
    expect((error as ForgeError).maybeDone).toBe(true);
    // A search answered 200 with such a body did nothing: not maybeDone.
    answer = (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('not json');
    const search = await client()
      .findOpenPull('b', 'master')
      .catch((e: unknown) => e);
    expect((search as Error).message).toBe(`GET ${SEARCH}: HTTP 200 with a body that is not JSON`);
    expect((search as ForgeError).maybeDone).toBe(false);
  });

  it('a create answered with a redirect may have been done (303 See Other points at its result); a search so answered was not', async () => {
    seen.length = 0;
    answer = (res) => res.writeHead(303, { location: `${forge.url}/repos/acme/repo/pulls/7` }).end();
    const create = await client()
      .createPull({ head: 'b', base: 'master', title: 't', body: 'b' })
      .catch((e: unknown) => e);
    expect(create).toBeInstanceOf(ForgeError);
    expect((create as ForgeError).maybeDone).toBe(true);
    expect(seen.map((s) => `${s.server} ${s.method}`)).toEqual(['forge POST']);
    expect((await redirected(303, `${forge.url}/repos/acme/repo/pulls/7`)).maybeDone).toBe(false);
  });

  it("a pull request's branches with control characters are printed escaped; its html_url is not shown", async () => {
    answer = json(201, {
      number: 7,
      title: 't',
      body: 'b',
      state: 'open',
      html_url: `https://forge.example/pr/7${HOSTILE}`,
      head: { ref: `b${HOSTILE}` },
      base: { ref: 'master' },
    });
    const pull = await client().createPull({ head: 'b', base: 'master', title: 't', body: 'b' });
    // Neither printable nor on the forge's host (test/delivery/forge-link.test.ts): only why is said.
    expect(pull?.link).toEqual({ hidden: 'the forge gave it with spaces or characters a terminal would act on' });
    expect(pull?.head).toBe(`b${printable(HOSTILE)}`);
  });

  it("the forge's error text with control characters is quoted escaped, and the token not at all", async () => {
    answer = json(422, { message: `Validation Failed${HOSTILE}`, errors: [{ message: `you sent ${TOKEN}` }] });
    const error = await client()
      .createPull({ head: 'b', base: 'master', title: 't', body: 'b' })
      .catch((e: unknown) => e);
    const message = (error as Error).message;
    expect(message).toMatch(/^POST \/repos\/acme\/repo\/pulls: HTTP 422: Validation Failed\\u001b\[2J\\u001b/);
    expect(message).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(findLeak(message, TOKEN)).toBeUndefined();
  });

  it("the forge's error text is cut at 300 printed characters, never inside an escape; a text that is not JSON on one line", async () => {
    // 295 characters, then ESC: printed as 6 (\u001b), it would cross the cut: left out whole, with the rest.
    const text = `${'m'.repeat(295)}\u001b[2Jtail`;
    answer = json(422, { message: text });
    const pull = { head: 'b', base: 'master', title: 't', body: 'b' };
    const error = await client()
      .createPull(pull)
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      `POST /repos/acme/repo/pulls: HTTP 422: ${'m'.repeat(295)}… (the forge refused the request)`,
    );
    // Not JSON: its whitespace, line ends included, one space; what acts on a terminal escaped.
    answer = (res) => res.writeHead(422).end(`  bad\r\n\tgateway\u001b[2J\n${'z'.repeat(300)}`);
    const plain = await client()
      .createPull(pull)
      .catch((e: unknown) => e);
    // 11 + 6 + 3 + 1 printed before the z's, then as many as fit in 300 with the mark.
    const cut = `bad gateway\\u001b[2J ${'z'.repeat(278)}…`;
    expect(cut).toHaveLength(300);
    expect((plain as Error).message).toBe(
      `POST /repos/acme/repo/pulls: HTTP 422: ${cut} (the forge refused the request)`,
    );
  });

  it('a list answered as an object is a ForgeError, never "no pull request open" (which would open a second)', async () => {
    seen.length = 0;
    answer = json(200, { message: 'ok' });
    const error = await client()
      .findOpenPull('b', 'master')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForgeError);
    expect((error as Error).message).toBe(
      `GET /repos/acme/repo/pulls: the answer is not a list (object) (fix: check GITOPS_API_URL names the forge's API)`,
    );
    expect(seen.map((s) => s.method)).toEqual(['GET']);
  });
});
