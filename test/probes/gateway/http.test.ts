/**
 * The engine REST checks' GET (src/probes/gateway/http.ts) against an endless loopback answer: the
 * body is cut at the cap and says so (`cutAt`), and the /v1/health evaluator calls it an error
 * naming the cap instead of parsing the cut start; an answer of exactly the cap that then stalls
 * is cut at once, and the error says it reached the cap (not that it was larger).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateHealth } from '../../../src/probes/gateway/endpoints.js';
import { type HttpAnswer, httpGet } from '../../../src/probes/gateway/http.js';
import { type EndlessBody, startEndlessBody } from '../../support/endless-body.js';

/** httpGet with a 4 KiB cap: the answer, after checking it came. */
async function get4KiB(url: string): Promise<HttpAnswer> {
  const observation = await httpGet(url, { signal: AbortSignal.timeout(60_000), timeoutMs: 60_000, maxBytes: 4096 });
  if (!observation.ok) throw new Error(`no answer: ${observation.failure.message}`);
  return observation.answer;
}

describe('httpGet on an endless answer, and on one of exactly the cap that then stalls', () => {
  let endless: EndlessBody;
  let stalled: EndlessBody;
  beforeAll(async () => {
    [endless, stalled] = await Promise.all([startEndlessBody(), startEndlessBody({ stallAfter: 4096 })]);
  });
  afterAll(async () => {
    await Promise.all([endless?.close(), stalled?.close()]);
  });

  it('cuts the body at the cap, marks it cut, and the evaluator refuses to parse it', async () => {
    const answer = await get4KiB(endless.url);
    expect(answer.cutAt).toBe(4096);
    expect(Buffer.byteLength(answer.body)).toBe(4096);
    expect(evaluateHealth({ ok: true, answer })).toMatchObject({
      status: 'error',
      detail: expect.stringContaining("HTTP 200: the answer's body reached 4 KiB, the most read from it"),
    });
  });

  it('returns at the cap without waiting for the end, and the error says the body reached it, not more', async () => {
    const answer = await get4KiB(stalled.url);
    expect(answer.cutAt).toBe(4096);
    expect(answer.body).toBe('x'.repeat(4096));
    // Nothing past the cap was read, so nothing may say the body was larger.
    expect(evaluateHealth({ ok: true, answer })).toEqual({
      name: '/v1/health',
      status: 'error',
      detail:
        "HTTP 200: the answer's body reached 4 KiB, the most read from it (nothing past it is waited for): " +
        'not the API asked for, or a broken or hostile server',
    });
  });
});
