/**
 * The engine API contract (contracts/arcade-engine/engine-api-responses.schema.json, written from
 * the engine's published OpenAPI document): what it accepts strictly (the stand-in) and
 * tolerantly (live engines), that every tightening of the published document is marked as ours,
 * and that every answer the loopback engine gives matches it, checked here independently of the
 * stand-in's own guard (contractAnswers), which is proven too: an answer off the contract is never
 * sent and is kept for the stand-in's close() to report.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkEngineAnswer, ENGINE_API_CONTRACT, type EngineAnswer } from '../../src/contracts/engine-api.js';
import {
  contractAnswers,
  startArcadeStandIn,
  type ArcadeStandIn,
  type ArcadeStandInOptions,
} from '../../src/loopback/arcade-platform.js';

type Rec = Record<string, unknown>;

const tool = (authorization?: Rec): Rec => ({
  fully_qualified_name: 'GoogleDocs.CreateDocumentFromText@1.0.0',
  qualified_name: 'GoogleDocs.CreateDocumentFromText',
  name: 'CreateDocumentFromText',
  toolkit: { name: 'GoogleDocs', version: '1.0.0' },
  input: { parameters: [{ name: 'title', required: true, value_schema: { val_type: 'string' } }] },
  requirements: authorization ? { met: false, authorization } : { met: true },
});

describe('the engine API contract', () => {
  it('accepts the documented answers, strictly', () => {
    const valid: [EngineAnswer, unknown][] = [
      ['HealthResponse', { healthy: true }],
      ['HealthResponse', { healthy: false, reason: 'database unreachable' }],
      [
        'EngineConfigResponse',
        {
          dashboard: { coordinatorUri: 'https://c.dev', authority: 'a', clientId: 'b', redirectUri: 'r' },
          directors: [{ id: 'default', enabled: true, maxTools: 64 }],
          oauth2: { callback_url_template: 'x' },
        },
      ],
      [
        'ToolDefinition',
        tool({
          id: 'g',
          provider_id: 'google',
          provider_type: 'oauth2',
          status: 'active',
          token_status: 'pending',
          status_reason: 'consent',
          oauth2: { scopes: ['a'] },
        }),
      ],
      ['ToolDefinition', tool()],
      ['Error', { name: 'not_found', message: 'tool X not found' }],
    ];
    for (const [answer, body] of valid) expect(checkEngineAnswer(answer, body, 'strict'), answer).toEqual({ ok: true });
  });

  it('requires the fields the probes read, closes objects, and names the field of each mistake', () => {
    const problems = (answer: EngineAnswer, body: unknown, mode: 'strict' | 'tolerant' = 'strict') => {
      const c = checkEngineAnswer(answer, body, mode);
      return c.ok ? [] : c.problems;
    };
    // The published document requires nothing here: {} would pass it.
    expect(problems('HealthResponse', {})).toEqual([expect.stringMatching(/^healthy: /)]);
    expect(problems('EngineConfigResponse', { dashboard: {} })).toEqual([
      expect.stringMatching(/^dashboard\.coordinatorUri: /),
    ]);
    expect(problems('ToolDefinition', tool({ provider_id: 'google' }))).toEqual([
      expect.stringMatching(/^requirements\.authorization\.token_status: /),
    ]);
    expect(problems('ToolDefinition', tool({ token_status: 'expired' }))).toEqual([
      expect.stringMatching(/^requirements\.authorization\.token_status: Invalid option/),
    ]);
    // The field the stand-in used to invent for /v1/config is not in the published document.
    expect(
      problems('EngineConfigResponse', {
        dashboard: { coordinatorUri: 'https://c.dev' },
        servers: { timeout_max_seconds: 30 },
      }),
    ).toEqual([expect.stringMatching(/Unrecognized key: "servers"/)]);
    // Tolerant (live engines): added fields pass, required ones are still required.
    expect(
      problems(
        'EngineConfigResponse',
        { dashboard: { coordinatorUri: 'https://c.dev', theme: 'x' }, servers: {} },
        'tolerant',
      ),
    ).toEqual([]);
    expect(problems('HealthResponse', { status: 'ok' }, 'tolerant')).toEqual([expect.stringMatching(/^healthy: /)]);
  });

  it('marks every tightening of the published document as ours', () => {
    const doc = JSON.parse(readFileSync(ENGINE_API_CONTRACT, 'utf8')) as {
      description: string;
      definitions: Record<string, Rec>;
    };
    expect(doc.description).toContain(
      'ArcadeAI/docs public/data/swagger.json at commit 09f683b0f2f473f2a5621d23ca88848a3a9b67f0',
    );
    for (const [name, definition] of Object.entries(doc.definitions)) {
      // Every definition is a closed object and says which published definition it comes from.
      expect(definition.additionalProperties, name).toBe(false);
      expect(String(definition.description), name).toMatch(/[Pp]ublished as schemas\.|GET \//);
      expect(String(definition['x-arcade-stack']), name).toMatch(/^ours: /);
    }
    // The 503 reason of /v1/health is not in the published HealthSchema at all.
    expect(String(((doc.definitions.HealthResponse!.properties as Rec).reason as Rec)['x-arcade-stack'])).toMatch(
      /^ours: not in the published HealthSchema/,
    );
  });
});

describe('the loopback engine answers within the contract', () => {
  let arcade: ArcadeStandIn | undefined;
  afterEach(async () => {
    await arcade?.close();
    arcade = undefined;
  });

  async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${arcade!.apiUrl}${path}`, { headers });
    return { status: res.status, body: await res.json() };
  }

  const modes: [string, ArcadeStandInOptions][] = [
    ['healthy', {}],
    ['unhealthy', { unhealthy: 'redis down' }],
    ['wrong coordinator', { wrongCoordinatorUri: true }],
    ['token pending', { oauthStatus: 'pending' }],
  ];
  for (const [mode, options] of modes) {
    it(`every API answer matches its definition strictly (${mode})`, async () => {
      arcade = await startArcadeStandIn(options);
      const key = { authorization: arcade.apiKey };
      const seen: [EngineAnswer, { status: number; body: unknown }][] = [
        ['HealthResponse', await get('/v1/health')],
        ['EngineConfigResponse', await get('/v1/config')],
        ['ToolDefinition', await get(`/v1/tools/${encodeURIComponent(arcade.targets.oauth.tool)}?user_id=user-a`, key)],
        ['ToolDefinition', await get('/v1/tools/Slack.SendMessage?user_id=user-a', key)],
        ['Error', await get('/v1/tools/Nope.Nothing', key)],
        ['Error', await get('/v1/tools/Slack.SendMessage')],
        ['Error', await get('/v1/unknown')],
      ];
      expect(seen.map(([, a]) => a.status)).toEqual([options.unhealthy ? 503 : 200, 200, 200, 200, 404, 401, 404]);
      for (const [answer, { body }] of seen)
        expect(checkEngineAnswer(answer, body, 'strict'), `${answer} ${JSON.stringify(body)}`).toEqual({ ok: true });
    });
  }

  it("an answer off the contract is never sent, and is kept for the stand-in's close() to report", async () => {
    const { answer, violations } = contractAnswers();
    const server = createServer((_req, res) =>
      answer(res, 200, 'EngineConfigResponse', { dashboard: { coordinatorUri: 'https://c.dev' }, servers: {} }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/config`);
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({
        name: 'stand-in contract violation',
        message: expect.stringContaining('Unrecognized key: "servers"'),
      });
      expect(violations).toEqual([expect.stringMatching(/^EngineConfigResponse \(HTTP 200\): .*"servers"/)]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
