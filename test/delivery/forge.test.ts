/**
 * The forge client against the loopback stand-in: errors name the call and the fix and never
 * carry the token, even when the forge echoes it; bodies are capped to what GitHub accepts.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { describeBytes } from '../../src/core/capped-body.js';
import { Interrupted } from '../../src/core/command-error.js';
import { BODY_LIMIT, capBody, TRUNCATED_LINE } from '../../src/delivery/forge-api.js';
import { ForgeClient, ForgeError, MAX_ANSWER_BYTES } from '../../src/delivery/forge.js';
import { canaryKey, findLeak } from '../support/canary.js';
import { startEndlessBody } from '../support/endless-body.js';
import { type ForgeStandIn, startForge } from '../support/forge.js';
import { virtualClock } from '../support/virtual-clock.js';
import { SETTLE } from '../support/deadlines.js';

const TOKEN = canaryKey();
let forge: ForgeStandIn;
beforeAll(async () => {
  forge = await startForge({ type: 'github', repository: 'acme/repo', token: TOKEN, echoAuthorization: true });
});
afterAll(() => forge?.close());

/** The search for the open pull request from `b` into master, as the client sends it. */
const SEARCH = '/repos/acme/repo/pulls?state=open&head=acme%3Ab&base=master&per_page=100';

const client = (token = TOKEN) =>
  new ForgeClient({ type: 'github', apiUrl: forge.apiUrl, owner: 'acme', repository: 'repo', token });

describe('ForgeClient (GitHub stand-in)', () => {
  it('a forge that echoes the Authorization header: the error names the call and the fix, not the token', async () => {
    const error = await client()
      .updatePull(4242, { title: 't', body: 'b' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForgeError);
    const message = (error as Error).message;
    expect(message).toMatch(/PATCH \/repos\/acme\/repo\/pulls\/4242: HTTP 404/);
    expect(message).toMatch(/fix: check GITOPS_REPOSITORY/);
    expect(message).toContain('you sent Authorization: Bearer [redacted');
    expect(findLeak(message, TOKEN)).toBeUndefined();
  });

  it('a refused token: 401 with the fix, the wrong token not shown', async () => {
    const wrong = canaryKey();
    const error = await client(wrong)
      .findOpenPull('b', 'master')
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/HTTP 401: Bad credentials .*fix: check GITOPS_TOKEN/);
    expect(findLeak((error as Error).message, wrong)).toBeUndefined();
  });

  it('an endless answer is a ForgeError naming the cap, read no further and not retried', async () => {
    const endless = await startEndlessBody();
    try {
      const error = await new ForgeClient({
        type: 'github',
        apiUrl: endless.url,
        owner: 'acme',
        repository: 'repo',
        token: TOKEN,
      })
        .findOpenPull('b', 'master')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ForgeError);
      expect((error as Error).message).toMatch(
        new RegExp(
          `^GET /repos/acme/repo/pulls\\S*: HTTP 200, the answer's body is larger than ${describeBytes(MAX_ANSWER_BYTES)}, ` +
            ".* \\(fix: check GITOPS_API_URL names the forge's API\\)$",
        ),
      );
      expect(endless.paths).toHaveLength(1);
      await vi.waitFor(() => expect(endless.hungUp()).toBe(1), SETTLE);
    } finally {
      await endless.close();
    }
  });

  it('an interrupt before the first request: Interrupted (143) saying so, and nothing reaches the forge', async () => {
    const interrupt = new AbortController();
    interrupt.abort('SIGTERM');
    const before = forge.requests.length;
    const conn = { type: 'github', apiUrl: forge.apiUrl, owner: 'acme', repository: 'repo', token: TOKEN } as const;
    const error = await new ForgeClient(conn, interrupt.signal).findOpenPull('b', 'master').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Interrupted);
    expect((error as Interrupted).exitCode).toBe(143);
    expect((error as Error).message).toBe(`interrupted by SIGTERM before GET ${SEARCH} at ${forge.apiUrl}`);
    expect(forge.requests).toHaveLength(before);
  });

  it('caps a body over 65536 characters with the truncation line, which the forge then accepts', async () => {
    const block = `\`\`\`diff\n${'+ a changed line of the semantic diff\n'.repeat(3000)}\`\`\`\n`;
    const capped = capBody(block);
    expect(block.length).toBeGreaterThan(BODY_LIMIT);
    expect(capped.length).toBeLessThanOrEqual(BODY_LIMIT);
    expect(capped).toContain(TRUNCATED_LINE);
    // The cut never leaves a code block open (the truncation line would be read as code).
    expect(capped.split('\n').filter((l) => l.startsWith('```')).length % 2).toBe(0);
    expect(capBody('short')).toBe('short');
    const created = await client().createPull({ head: 'h', base: 'master', title: 't', body: block });
    expect(forge.pulls.find((p) => p.number === created?.number)?.body).toBe(capped);
  });
});

describe('ForgeClient retries (GitHub stand-in answering 503, a virtual clock)', () => {
  it('a GET is retried after 1 s, then 2 s; a POST never (a retried create could open two)', async () => {
    let failures = 2;
    const seen: string[] = [];
    const flaky = await startForge({
      type: 'github',
      repository: 'acme/repo',
      token: TOKEN,
      fault: ({ method }) => {
        seen.push(method);
        return failures-- > 0 ? 503 : undefined;
      },
    });
    try {
      const clock = virtualClock();
      const flakyClient = new ForgeClient({
        type: 'github',
        apiUrl: flaky.apiUrl,
        owner: 'acme',
        repository: 'repo',
        token: TOKEN,
        clock,
      });
      expect(await flakyClient.findOpenPull('b', 'master')).toBeUndefined();
      expect(seen).toEqual(['GET', 'GET', 'GET']);
      expect(clock.sleeps).toEqual([1000, 2000]);
      failures = 1;
      const error = await flakyClient
        .createPull({ head: 'h', base: 'master', title: 't', body: 'b' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ForgeError);
      // The forge that failed is named, and a create with no answer but failures may have been done.
      expect((error as Error).message).toBe(
        `POST /repos/acme/repo/pulls: ${flaky.apiUrl} answered HTTP 503: a failure the test asked for (HTTP 503) ` +
          '(the forge failed) (after 1 attempt(s))',
      );
      expect((error as ForgeError).maybeDone).toBe(true);
      expect(seen).toEqual(['GET', 'GET', 'GET', 'POST']);
      expect(clock.sleeps).toEqual([1000, 2000]);
      expect(flaky.pulls).toHaveLength(0);
    } finally {
      await flaky.close();
    }
  });
});

describe('ForgeClient timeouts (a GitHub stand-in that never answers, a virtual clock)', () => {
  it('every attempt timed out: the ForgeError names the call, the forge it waited for and the attempts', async () => {
    const silent = await startForge({ type: 'github', repository: 'acme/repo', token: TOKEN, fault: () => 'hang' });
    try {
      const clock = virtualClock();
      const error = await new ForgeClient({
        type: 'github',
        apiUrl: silent.apiUrl,
        owner: 'acme',
        repository: 'repo',
        token: TOKEN,
        timeoutMs: 100,
        clock,
      })
        .findOpenPull('b', 'master')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ForgeError);
      expect((error as Error).message).toBe(
        `GET ${SEARCH}: no answer from ${silent.apiUrl} (timed out after 0.1s) (after 3 attempt(s))`,
      );
      expect((error as ForgeError).maybeDone).toBe(false);
      expect(clock.sleeps).toEqual([1000, 2000]);
      // Each attempt's request was given up (the stand-in records a hung request when the client goes away).
      await vi.waitFor(
        () => expect(silent.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['GET 0', 'GET 0', 'GET 0']),
        SETTLE,
      );
    } finally {
      await silent.close();
    }
  });
});
