/**
 * The gateway probes' pure evaluators on captured fixtures: every branch a real answer can take.
 */
import { APIConnectionError, NotFoundError } from '@arcadeai/arcadejs';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { evaluateBadKey, judgeBadKey } from '../../../src/probes/gateway/bad-key.js';
import { combineChecks, joinUrl } from '../../../src/probes/gateway/checks.js';
import { evaluateConfig, evaluateHealth, evaluateHost, sameUri } from '../../../src/probes/gateway/endpoints.js';
import { classifyError, describeFailure, type FailureKind } from '../../../src/probes/gateway/errors.js';
import { evaluateExecProof, type ExecObservation } from '../../../src/probes/gateway/exec-proof.js';
import type { HttpObservation } from '../../../src/probes/gateway/http.js';
import { evaluateLatency, percentile, summarize } from '../../../src/probes/gateway/latency.js';
import { arcadeToolName, evaluateTokenStatus } from '../../../src/probes/gateway/oauth.js';
import { identityOf, numberOf } from '../../../src/probes/gateway/tool-answer.js';
import { compareSets, evaluateToolsList } from '../../../src/probes/gateway/tools-list.js';
import { judgeUnknownTool } from '../../../src/probes/gateway/unknown-tool.js';

const answer = (status: number, body: string, contentType = 'application/json'): HttpObservation => ({
  ok: true,
  answer: { status, body, contentType },
});
const failed = (failure: FailureKind) => ({ ok: false as const, failure });
/** An answer whose body was cut at `cutAt` bytes (http.ts httpGet), its start a valid JSON value. */
const cutAnswer = (body: string, cutAt: number): HttpObservation => ({
  ok: true,
  answer: { status: 200, body, contentType: 'application/json', cutAt },
});
const ok = <T>(value: T) => ({ ok: true as const, value });

describe('endpoints', () => {
  it('health and config: an answer cut at the read cap is an error naming it, never parsed as whole', () => {
    // "reached", never "larger than": a body of exactly the cap is cut too (src/core/capped-body.ts).
    const overCap = "HTTP 200: the answer's body reached 64 KiB, the most read from it (nothing past it is waited for)";
    expect(evaluateHealth(cutAnswer('{"healthy":true}', 65_536))).toMatchObject({ status: 'error' });
    expect(evaluateHealth(cutAnswer('{"healthy":true}', 65_536)).detail).toContain(overCap);
    const config = JSON.stringify({ dashboard: { authority: 'x', clientId: 'y', coordinatorUri: 'https://c.dev' } });
    expect(evaluateConfig(answer(200, config), 'https://c.dev').status).toBe('pass');
    expect(evaluateConfig(cutAnswer(config, 65_536), 'https://c.dev').detail).toContain(overCap);
  });

  it("health and config: the engine's own text is quoted with what acts on a terminal escaped", () => {
    const hostile = '\u001b[2K\u001b[32mPASS\r\u202e';
    const shown = '\\u001b[2K\\u001b[32mPASS\\u000d\\u202e';
    expect(evaluateHealth(answer(503, JSON.stringify({ healthy: false, reason: hostile }))).detail).toBe(
      `engine unhealthy (503): ${shown}`,
    );
    // printableLine: the CR is whitespace, made a space with the line's other whitespace.
    expect(evaluateConfig(answer(500, `oops ${hostile}`), 'https://c.dev').detail).toBe(
      'HTTP 500: "oops \\u001b[2K\\u001b[32mPASS \\u202e"',
    );
  });

  it('health: 200 healthy passes, 503 fails with the reason, anything else is malformed', () => {
    expect(evaluateHealth(answer(200, '{"healthy":true}')).status).toBe('pass');
    expect(evaluateHealth(answer(503, '{"healthy":false,"reason":"redis down"}'))).toMatchObject({
      status: 'fail',
      detail: 'engine unhealthy (503): redis down',
    });
    expect(evaluateHealth(answer(503, '{"healthy":false}')).detail).toContain('(no reason given)');
    expect(evaluateHealth(answer(200, '<html>OK</html>', 'text/html'))).toMatchObject({
      status: 'error',
      detail: expect.stringMatching(/^malformed response \(HTTP 200\).*<html>OK<\/html>/),
    });
    expect(evaluateHealth(answer(200, '{"healthy":"yes"}')).status).toBe('error');
    expect(evaluateHealth(answer(200, '{"healthy":false}')).status).toBe('fail');
    expect(evaluateHealth(answer(500, '{"healthy":true}')).status).toBe('error');
    expect(evaluateHealth(failed({ kind: 'network', message: 'connect ECONNREFUSED' }))).toMatchObject({
      status: 'error',
      detail: 'no answer: connect ECONNREFUSED',
    });
  });

  it('health: parsed through the engine API contract; a newer engine may add fields, a wrong type is named', () => {
    expect(evaluateHealth(answer(200, '{"healthy":true,"version":"2.1.0"}')).status).toBe('pass');
    expect(evaluateHealth(answer(503, '{"healthy":false,"reason":42}'))).toMatchObject({
      status: 'error',
      detail: expect.stringMatching(
        new RegExp(
          /^HTTP 503: the answer does not match the engine API contract/.source +
            / \(contracts\/arcade-engine\/engine-api-responses\.schema\.json, HealthResponse\):/.source +
            / reason: .*expected string/.source,
        ),
      ),
    });
  });

  it('config: dashboard.coordinatorUri must equal the expected URI', () => {
    const body = (uri: string) =>
      JSON.stringify({ dashboard: { authority: 'x', clientId: 'y', coordinatorUri: uri }, oauth2: {} });
    expect(
      evaluateConfig(answer(200, body('https://coordinator.arcade.st.dev/')), 'https://Coordinator.arcade.st.dev')
        .status,
    ).toBe('pass');
    expect(evaluateConfig(answer(200, body('https://other.dev')), 'https://coordinator.arcade.st.dev')).toMatchObject({
      status: 'fail',
      detail: 'coordinator URI is https://other.dev, expected https://coordinator.arcade.st.dev',
    });
    // The contract requires dashboard.coordinatorUri: without it the probe cannot judge (error), naming the field.
    expect(evaluateConfig(answer(200, '{"servers":{}}'), 'https://c.dev')).toMatchObject({
      status: 'error',
      detail: expect.stringMatching(/EngineConfigResponse\): dashboard: .*\(top-level keys: servers\)$/),
    });
    expect(evaluateConfig(answer(200, '{"dashboard":{"clientId":"x"}}'), 'https://c.dev').detail).toMatch(
      /dashboard\.coordinatorUri: /,
    );
    // Fields a newer engine adds do not matter.
    expect(
      evaluateConfig(
        answer(200, JSON.stringify({ dashboard: { coordinatorUri: 'https://c.dev', theme: 'dark' }, servers: {} })),
        'https://c.dev',
      ).status,
    ).toBe('pass');
    expect(evaluateConfig(answer(200, 'not json'), 'https://c.dev').status).toBe('error');
    expect(evaluateConfig(answer(401, '{"error":"unauthorized"}'), 'https://c.dev')).toMatchObject({
      status: 'error',
      detail: expect.stringMatching(/^HTTP 401/),
    });
  });

  it('hosts: any answer below 500 is up; 5xx and no answer are errors', () => {
    expect(evaluateHost('dashboard', answer(302, '')).status).toBe('pass');
    expect(evaluateHost('dashboard', answer(401, '')).status).toBe('pass');
    expect(evaluateHost('dashboard', answer(503, ''))).toMatchObject({
      status: 'error',
      detail: 'server error HTTP 503',
    });
    expect(evaluateHost('dashboard', failed({ kind: 'timeout', message: 'no answer within 5 ms' })).status).toBe(
      'error',
    );
  });

  it('compares URIs without trailing slash or host case', () => {
    expect(sameUri('https://A.dev/x/', 'https://a.dev/x')).toBe(true);
    expect(sameUri('https://a.dev', 'http://a.dev')).toBe(false);
    expect(joinUrl('https://a.dev/', '/v1/health')).toBe('https://a.dev/v1/health');
  });
});

describe('tools-list', () => {
  const expected = ['A_One', 'A_Two', 'B_Three'];
  it('reports missing and extra tools per user and whether users differ', () => {
    expect(compareSets(expected, ['A_One', 'X_Extra', 'A_One'])).toEqual({
      missing: ['A_Two', 'B_Three'],
      extra: ['X_Extra'],
    });
    const result = evaluateToolsList([
      {
        gateway: 'gw',
        expected,
        perUser: [
          { user: 'u1', tools: ok(expected) },
          { user: 'u2', tools: ok([...expected, 'X_Extra']) },
        ],
      },
    ]);
    expect(result.status).toBe('fail');
    expect(result.detail).toBe(
      'gw as u2: unexpected X_Extra; gw users: users see different lists (u2 vs u1: +X_Extra)',
    );
    expect(result.evidence.gateways).toEqual([
      {
        gateway: 'gw',
        expected: 3,
        sameForAllUsers: false,
        users: { u1: { count: 3, missing: [], extra: [] }, u2: { count: 4, missing: [], extra: ['X_Extra'] } },
      },
    ]);
  });

  it('an empty list fails (a healthy server can serve 0 tools)', () => {
    const result = evaluateToolsList([{ gateway: 'gw', expected, perUser: [{ user: 'u1', tools: ok([]) }] }]);
    expect(result).toMatchObject({ status: 'fail', detail: expect.stringContaining('serves 0 tools (expected 3)') });
  });

  it('a wrong list outranks an unreachable one; unreachable alone is an error; same lists pass', () => {
    const down = failed({ kind: 'http', status: 502, message: 'Bad Gateway' });
    const mixed = evaluateToolsList([
      {
        gateway: 'gw',
        expected,
        perUser: [
          { user: 'u1', tools: down },
          { user: 'u2', tools: ok(['A_One']) },
        ],
      },
    ]);
    expect(mixed.status).toBe('fail');
    expect(mixed.detail).toContain('also could not check: gw as u1: HTTP 502');
    expect(evaluateToolsList([{ gateway: 'gw', expected, perUser: [{ user: 'u1', tools: down }] }]).status).toBe(
      'error',
    );
    expect(
      evaluateToolsList([
        {
          gateway: 'gw',
          expected,
          perUser: [
            { user: 'u1', tools: ok([...expected].reverse()) },
            { user: 'u2', tools: ok(expected) },
          ],
        },
      ]).status,
    ).toBe('pass');
    expect(evaluateToolsList([]).status).toBe('error');
  });
});

describe('exec-proof', () => {
  const base = (over: Partial<ExecObservation>): ExecObservation => ({
    gateway: 'gw',
    toolkit: 'Ref',
    user: 'alice@example.com',
    whoami: ok({ isError: false, text: 'alice@example.com' }),
    echo: { nonce: 'probe-n1', answer: ok({ isError: false, text: 'probe-n1' }) },
    add: { a: 2, b: 3, answer: ok({ isError: false, text: '5' }) },
    ...over,
  });
  it('passes on the caller, the nonce and the sum, in the shapes a tool may answer', () => {
    expect(evaluateExecProof([base({})]).status).toBe('pass');
    expect(identityOf('"alice@example.com"')).toBe('alice@example.com');
    expect(identityOf('{"user_id":"alice@example.com"}')).toBe('alice@example.com');
    expect(numberOf('{"result": 5}')).toBe(5);
    expect(numberOf('5.0')).toBe(5);
    expect(numberOf('five')).toBeUndefined();
  });
  it('fails on another identity, a stale echo, a wrong sum or an error result', () => {
    expect(evaluateExecProof([base({ whoami: ok({ isError: false, text: 'bob' }) })]).detail).toContain(
      'Ref_Whoami: returned "bob", not alice@example.com',
    );
    expect(evaluateExecProof([base({ whoami: ok({ isError: false, text: 'alice@example.com.evil' }) })]).status).toBe(
      'fail',
    );
    expect(
      evaluateExecProof([base({ echo: { nonce: 'probe-n2', answer: ok({ isError: false, text: 'probe-n1' }) } })])
        .detail,
    ).toContain('did not return the nonce');
    expect(
      evaluateExecProof([base({ add: { a: 2, b: 3, answer: ok({ isError: false, text: '6' }) } })]).detail,
    ).toContain('2 + 3 returned "6", expected 5');
    expect(evaluateExecProof([base({ whoami: ok({ isError: true, text: 'Tool not found' }) })]).detail).toContain(
      'error result: Tool not found',
    );
  });
  it('a session that cannot open is an error', () => {
    expect(
      evaluateExecProof([
        { gateway: 'gw', toolkit: 'Ref', user: 'u', session: { kind: 'http', status: 401, message: 'x' } },
      ]),
    ).toMatchObject({ status: 'error', detail: 'gw as u: session: HTTP 401: x' });
  });
});

describe('unknown-tool', () => {
  const o = { gateway: 'gw', tool: 'Nope_X', waitMs: 1000 };
  it('a clean MCP error passes; a hang, 5xx, a dropped connection or a success fail', () => {
    expect(
      judgeUnknownTool({ ...o, answer: ok({ isError: true, text: 'MCP error -32602: Tool Nope_X not found' }) }).status,
    ).toBe('pass');
    expect(
      judgeUnknownTool({ ...o, answer: failed({ kind: 'jsonrpc', code: -32602, message: 'not found' }) }).status,
    ).toBe('pass');
    expect(judgeUnknownTool({ ...o, answer: failed({ kind: 'timeout', message: 'Request timed out' }) })).toMatchObject(
      { status: 'fail', detail: 'no answer within 1000 ms: the gateway hangs on an unknown tool' },
    );
    expect(judgeUnknownTool({ ...o, answer: failed({ kind: 'http', status: 500, message: 'boom' }) }).status).toBe(
      'fail',
    );
    expect(judgeUnknownTool({ ...o, answer: failed({ kind: 'network', message: 'other side closed' }) }).status).toBe(
      'fail',
    );
    expect(judgeUnknownTool({ ...o, answer: ok({ isError: false, text: 'done' }) }).status).toBe('fail');
    expect(judgeUnknownTool({ ...o, session: { kind: 'network', message: 'ECONNREFUSED' } }).status).toBe('error');
  });
});

describe('rejects-bad-key', () => {
  const o = { gateway: 'gw', credential: 'a random wrong key' };
  it('401/403/MCP auth errors pass, a tool list fails, anything else is no proof', () => {
    expect(judgeBadKey({ ...o, listed: failed({ kind: 'http', status: 401, message: '' }) }).status).toBe('pass');
    expect(judgeBadKey({ ...o, listed: failed({ kind: 'http', status: 403, message: '' }) }).status).toBe('pass');
    expect(judgeBadKey({ ...o, listed: failed({ kind: 'unauthorized', message: 'No auth provider' }) }).status).toBe(
      'pass',
    );
    expect(
      judgeBadKey({ ...o, listed: failed({ kind: 'jsonrpc', code: -32001, message: 'Unauthorized: invalid API key' }) })
        .status,
    ).toBe('pass');
    expect(judgeBadKey({ ...o, listed: ok(['A', 'B']) })).toMatchObject({
      status: 'fail',
      detail: 'served a tool list (2 tools) to a request with a random wrong key',
    });
    expect(judgeBadKey({ ...o, listed: failed({ kind: 'http', status: 404, message: 'no gateway' }) })).toMatchObject({
      status: 'error',
      detail: 'not a refusal: HTTP 404: no gateway',
    });
    expect(judgeBadKey({ ...o, listed: failed({ kind: 'jsonrpc', code: -32603, message: 'internal' }) }).status).toBe(
      'error',
    );
    expect(
      evaluateBadKey([
        { ...o, listed: ok([]) },
        { ...o, credential: 'no key', listed: failed({ kind: 'http', status: 401, message: '' }) },
      ]).status,
    ).toBe('fail');
  });
});

describe('oauth.token-status', () => {
  const tool = (token_status?: string, status_reason?: string) =>
    ok({
      requirements: {
        authorization: {
          provider_id: 'google',
          status: 'active',
          ...(token_status ? { token_status } : {}),
          ...(status_reason ? { status_reason } : {}),
        },
      },
    });
  it('completed passes, pending/not_started are known gaps, failed fails', () => {
    expect(evaluateTokenStatus('G.T', 'u', tool('completed')).status).toBe('pass');
    expect(evaluateTokenStatus('G.T', 'u', tool('pending', 'awaiting consent'))).toMatchObject({
      status: 'known-gap',
      detail: expect.stringMatching(/^token pending for u on G\.T: awaiting consent \(known gap/),
    });
    expect(evaluateTokenStatus('G.T', 'u', tool('not_started')).status).toBe('known-gap');
    expect(evaluateTokenStatus('G.T', 'u', tool('failed')).status).toBe('fail');
  });
  it('no requirement, no status, 404 and refused keys are named', () => {
    expect(evaluateTokenStatus('G.T', 'u', ok({ requirements: { met: true } })).detail).toContain(
      'declares no authorization requirement',
    );
    expect(evaluateTokenStatus('G.T', 'u', tool(undefined))).toMatchObject({
      status: 'error',
      detail: expect.stringMatching(/ToolRequirements\): authorization\.token_status: /),
    });
    expect(evaluateTokenStatus('G.T', 'u', tool('expired')).detail).toMatch(
      /authorization\.token_status: Invalid option/,
    );
    expect(evaluateTokenStatus('G.T', 'u', failed({ kind: 'http', status: 404, message: '' })).status).toBe('fail');
    expect(evaluateTokenStatus('G.T', 'u', failed({ kind: 'http', status: 401, message: '' })).detail).toContain(
      'check ARCADE_API_KEY',
    );
    expect(arcadeToolName('GoogleDocs_CreateDocumentFromText')).toBe('GoogleDocs.CreateDocumentFromText');
    expect(arcadeToolName('GoogleDocs.CreateDocumentFromText')).toBe('GoogleDocs.CreateDocumentFromText');
  });
});

describe('latency', () => {
  const samples = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100 ms
  it('nearest-rank percentiles; p99 only from 100 calls', () => {
    expect([percentile(samples, 50), percentile(samples, 95), percentile(samples, 99)]).toEqual([50, 95, 99]);
    expect(percentile([7], 95)).toBe(7);
    expect(summarize(samples)).toEqual({ calls: 100, p50: 50, p95: 95, p99: 99, max: 100 });
    expect(summarize(samples.slice(0, 99))).not.toHaveProperty('p99');
  });
  it('fails above the p95 budget, reports the overhead, separates wrong answers from no answers', () => {
    const base = { gateway: 'gw', budgetMs: 100, gatewayMs: samples, wrongAnswers: 0, transportErrors: 0 };
    const passed = evaluateLatency({ ...base, directMs: samples.map((s) => s / 2) });
    expect(passed.status).toBe('pass');
    expect(passed.evidence).toMatchObject({ overheadP95Ms: 47.5, throughGateway: { p99: 99 } });
    expect(evaluateLatency({ ...base, budgetMs: 90 }).detail).toMatch(/^p95 95 ms is over the 90 ms budget/);
    expect(evaluateLatency({ ...base, wrongAnswers: 1, failureSample: 'nonce not echoed' }).status).toBe('fail');
    expect(evaluateLatency({ ...base, transportErrors: 1 }).status).toBe('error');
    expect(evaluateLatency({ ...base, gatewayMs: [], transportErrors: 3 }).status).toBe('error');
  });
});

describe('errors', () => {
  it('classifies what the SDK, the Arcade client and fetch throw', () => {
    expect(classifyError(new StreamableHTTPError(401, 'Error POSTing to endpoint: unauthorized'))).toMatchObject({
      kind: 'http',
      status: 401,
    });
    expect(classifyError(new UnauthorizedError())).toMatchObject({ kind: 'unauthorized' });
    expect(classifyError(new McpError(-32602, 'Tool X not found'))).toMatchObject({ kind: 'jsonrpc', code: -32602 });
    expect(classifyError(new McpError(-32001, 'Request timed out'))).toMatchObject({ kind: 'timeout' });
    expect(classifyError(new NotFoundError(404, { message: 'nope' }, undefined, new Headers()))).toMatchObject({
      kind: 'http',
      status: 404,
    });
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    expect(describeFailure(classifyError(new APIConnectionError({ cause: refused })))).toBe(
      'no answer: Connection error.: connect ECONNREFUSED 127.0.0.1:9',
    );
    // What the server said, made printable: its escape sequences cannot act on the terminal.
    expect(describeFailure(classifyError(new McpError(-32602, 'bad \u001b[2K\u001b[32mPASS\r\u202e')))).toBe(
      String.raw`JSON-RPC error -32602: MCP error -32602: bad \u001b[2K\u001b[32mPASS \u202e`,
    );
    expect(classifyError(new TypeError('fetch failed', { cause: refused }))).toEqual({
      kind: 'network',
      message: 'fetch failed: connect ECONNREFUSED 127.0.0.1:9',
    });
    expect(classifyError(new DOMException('This operation was aborted', 'AbortError')).kind).toBe('timeout');
  });
  it('no checks is never a pass', () => {
    expect(combineChecks([], 'all good').status).toBe('error');
  });
});
