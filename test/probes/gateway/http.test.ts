/**
 * The engine REST checks' GET (src/probes/gateway/http.ts) against an endless loopback answer: the
 * body is cut at the cap and says so (`cutAt`), and the /v1/health evaluator calls it an error
 * naming the cap instead of parsing the cut start.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateHealth } from '../../../src/probes/gateway/endpoints.js';
import { httpGet } from '../../../src/probes/gateway/http.js';
import { type EndlessBody, startEndlessBody } from '../../support/endless-body.js';

describe('httpGet on an endless answer', () => {
  let server: EndlessBody;
  beforeAll(async () => {
    server = await startEndlessBody();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('cuts the body at the cap, marks it cut, and the evaluator refuses to parse it', async () => {
    const observation = await httpGet(server.url, {
      signal: AbortSignal.timeout(60_000),
      timeoutMs: 60_000,
      maxBytes: 4096,
    });
    expect(observation.ok).toBe(true);
    if (!observation.ok) return;
    expect(observation.answer.cutAt).toBe(4096);
    expect(Buffer.byteLength(observation.answer.body)).toBe(4096);
    expect(evaluateHealth(observation)).toMatchObject({
      status: 'error',
      detail: expect.stringContaining("HTTP 200: the answer's body is larger than 4 KiB, the most read from it"),
    });
  });
});
