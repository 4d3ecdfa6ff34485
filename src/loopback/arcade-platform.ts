/**
 * A loopback stand-in of the self-hosted Arcade platform, for probe tests and `npm run probe -- --demo`.
 *
 *     const arcade = await startArcadeStandIn({ users: ['user-a', 'user-b'] });
 *     try { ...probe arcade.apiUrl, arcade.gateways, with arcade.apiKey... } finally { await arcade.close(); }
 *
 * What it serves (each component on its own 127.0.0.1 port):
 * - API host (`apiUrl`): `GET /v1/health` (200 `{"healthy":true}`), `GET /v1/config`
 *   (`{dashboard:{coordinatorUri,...}, directors, oauth2:{callback_url_template}}`),
 *   `GET /v1/tools/<name>?user_id=` (what `@arcadeai/arcadejs` `tools.get` calls;
 *   `requirements.authorization.token_status`), every one checked before it is sent against the
 *   engine API contract, strictly (`contracts/arcade-engine/engine-api-responses.schema.json`,
 *   written from the engine's published OpenAPI document): an answer off the contract is not
 *   sent (500 instead) and `close()` rejects naming it, so the stand-in cannot drift from the
 *   vendor's API. Only the deliberate faults below answer off the contract. And MCP gateways at `/mcp/<slug>` built
 *   with the SDK's `McpServer` + `StreamableHTTPServerTransport`: `Authorization: Bearer <key>`
 *   checked (401 otherwise), `Arcade-User-ID` required (400 otherwise) and read per request,
 *   sessions kept by `Mcp-Session-Id`, catalogue tools plus the reference toolkit's
 *   `<Toolkit>_Echo`, `<Toolkit>_Add`, `<Toolkit>_Whoami` (Whoami returns the header's user id).
 * - `referenceServerUrl`: a separate MCP server (`/mcp`, no auth) serving `Echo`, `Add`,
 *   `Whoami` directly: the baseline for the gateway latency overhead.
 * - `coordinatorUrl`, `dashboardUrl`, `experienceUrl`: plain servers answering 200.
 *
 * Options (all optional):
 * - `apiKey`: the key the gateways accept. @default generated at run time (random)
 * - `users`: user ids (a number n gives `user-1..user-n`). @default ['user-a', 'user-b']
 * - `gateways`: specs `{slug, tools?, referenceToolkit?}` or a count n (n gateways with the
 *   default catalogue). @default one `zeb-gateway-test` with 7 catalogue tools + ArcadeEvalRef
 * - `oauthTool`: the tool `tools.get` knows. @default 'GoogleDocs.CreateDocumentFromText'
 * - `oauthStatus`: its token status for every user: 'completed'|'pending'|'not_started'|'failed'.
 *   @default 'completed'
 * Faults (each breaks the one thing a probe exists to catch):
 * - `unhealthy`: /v1/health answers 503 `{"healthy":false,"reason":...}` (a string is the reason).
 * - `malformedHealth`: /v1/health answers 200 with an HTML page.
 * - `wrongCoordinatorUri`: /v1/config names another coordinator.
 * - `wrongIdentity`: Whoami on the gateways returns a fixed other user.
 * - `missingTool`: each gateway drops its first catalogue tool from tools/list.
 * - `extraTool`: each gateway lists one unexpected tool (`Extra_UnexpectedTool`).
 * - `extraToolForUser`: only this user id sees the unexpected tool (users' lists differ).
 * - `unknownToolHangs`: a tools/call of a tool not on the gateway never answers.
 * - `unknownTool5xx`: a tools/call of a tool not on the gateway answers HTTP 500.
 * - `acceptsAnyKey`: the gateways and tools API serve any key (or none).
 * - `slowMs`: delay before every gateway request (not the reference server).
 * - `gatewayHangs`: every gateway request (MCP) stays unanswered until `close()`: only the
 *   client's own timeout can end it, on any machine however fast or slow.
 * - `onGatewayMessage(method, user)`: called for each JSON-RPC message a gateway receives, before
 *   it answers (after `slowMs`): a test acts at a known point of a probe's run (e.g. aborts a
 *   probe once its first tools/call arrived) instead of after a guessed time.
 * - `deadHost`: this component ('api'|'coordinator'|'dashboard'|'experience'|'reference') answers
 *   every request with 502, or (with `deadHostMode: 'connection-closed'`) drops the connection.
 *
 * `gateways` in the result carry the full expected tools/list (catalogue + reference tools, as
 * the healthy stand-in serves it), so `targets` is directly usable as probe targets.
 *
 * Over 300 lines because it is one stand-in: the options and faults above, their types, and
 * startArcadeStandIn, whose request handlers share one run's state (users, gateways, sessions,
 * contract violations). Each MCP endpoint is built by mcp-endpoint.ts.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkEngineAnswer, type EngineAnswer } from '../contracts/engine-api.js';
import { listenLoopback, type Loopback } from './listen.js';
import { header, mcpEndpoint, REFERENCE_TOOLS, sendJson } from './mcp-endpoint.js';

export type StandInComponent = 'api' | 'coordinator' | 'dashboard' | 'experience' | 'reference';
export type OAuthTokenStatus = 'completed' | 'pending' | 'not_started' | 'failed';

export interface StandInGatewaySpec {
  readonly slug: string;
  /** Catalogue tools (MCP names). @default the 7 tools of the baseline gateway */
  readonly tools?: readonly string[];
  /** Toolkit whose Echo/Add/Whoami the gateway also serves; `null` for none. @default 'ArcadeEvalRef' */
  readonly referenceToolkit?: string | null;
}

export interface ArcadeStandInOptions {
  readonly apiKey?: string;
  readonly users?: readonly string[] | number;
  readonly gateways?: readonly StandInGatewaySpec[] | number;
  readonly oauthTool?: string;
  readonly oauthStatus?: OAuthTokenStatus;
  readonly unhealthy?: boolean | string;
  readonly malformedHealth?: boolean;
  readonly wrongCoordinatorUri?: boolean;
  readonly wrongIdentity?: boolean;
  readonly missingTool?: boolean;
  readonly extraTool?: boolean;
  readonly extraToolForUser?: string;
  readonly unknownToolHangs?: boolean;
  readonly unknownTool5xx?: boolean;
  readonly acceptsAnyKey?: boolean;
  readonly slowMs?: number;
  readonly gatewayHangs?: boolean;
  readonly onGatewayMessage?: (method: string, user: string) => void;
  readonly deadHost?: StandInComponent;
  /** @default 'bad-gateway' */
  readonly deadHostMode?: 'bad-gateway' | 'connection-closed';
}

export interface StandInGateway {
  readonly slug: string;
  /** The exact tools/list the healthy stand-in serves (catalogue + reference tools). */
  readonly tools: readonly string[];
  readonly referenceToolkit?: string;
  /** `<apiUrl>/mcp/<slug>` */
  readonly url: string;
}

/** The target fields the stand-in answers for (a fragment of the probe Targets input). */
export interface StandInTargets {
  readonly urls: {
    readonly api: string;
    readonly coordinator: string;
    readonly dashboard: string;
    readonly experience: string;
  };
  readonly expectedCoordinatorUri: string;
  readonly users: string[];
  readonly gateways: { slug: string; tools: string[]; referenceToolkit?: string }[];
  readonly referenceServerUrl: string;
  readonly oauth: { readonly tool: string; readonly user: string };
}

export interface ArcadeStandIn {
  readonly apiUrl: string;
  readonly coordinatorUrl: string;
  readonly dashboardUrl: string;
  readonly experienceUrl: string;
  /** The reference MCP server's endpoint (`…/mcp`). */
  readonly referenceServerUrl: string;
  /** The key the gateways accept (generated at run time unless given). */
  readonly apiKey: string;
  readonly users: readonly string[];
  readonly gateways: readonly StandInGateway[];
  /** The coordinator URI a healthy /v1/config reports (= coordinatorUrl). */
  readonly expectedCoordinatorUri: string;
  readonly targets: StandInTargets;
  /** Requests seen per component (for tests asserting "no OAuth flow started", etc.). */
  readonly requests: readonly {
    readonly component: StandInComponent;
    readonly method: string;
    readonly path: string;
  }[];
  close(): Promise<void>;
}

export const DEFAULT_CATALOGUE: readonly string[] = [
  'Slack_SendMessage',
  'Slack_ListConversations',
  'GoogleDocs_CreateDocumentFromText',
  'GoogleDocs_GetDocumentById',
  'GoogleDocs_InsertTextAtEndOfDocument',
  'GoogleDocs_SearchDocuments',
  'Brightdata_ScrapeAsMarkdown',
];
export const EXTRA_TOOL = 'Extra_UnexpectedTool';

interface ServedGateway {
  readonly slug: string;
  readonly catalogue: readonly string[];
  readonly referenceToolkit: string | undefined;
}

/** Sends an engine API answer after checking it against the contract's definition, strictly. */
export type ContractAnswer = (
  res: ServerResponse,
  status: number,
  contract: EngineAnswer,
  body: unknown,
  headers?: Record<string, string>,
) => void;

/**
 * How the stand-in answers on the engine API: each body is checked against its definition in the
 * engine API contract, strictly, before it is sent. An answer off the contract is not sent (500
 * instead) and is kept in `violations`, which the stand-in's close() reports.
 */
export function contractAnswers(): { readonly answer: ContractAnswer; readonly violations: string[] } {
  const violations: string[] = [];
  const answer: ContractAnswer = (res, status, contract, body, headers = {}) => {
    const check = checkEngineAnswer(contract, body, 'strict');
    if (!check.ok) {
      violations.push(`${contract} (HTTP ${status}): ${check.problems.join('; ')}`);
      sendJson(res, 500, { name: 'stand-in contract violation', message: `${contract}: ${check.problems.join('; ')}` });
      return;
    }
    sendJson(res, status, body, headers);
  };
  return { answer, violations };
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

function listen(handler: Handler): Promise<Loopback> {
  // No server-side timer ends a connection (./listen.ts); close() closes every connection itself.
  return listenLoopback((req, res) => {
    Promise.resolve(handler(req, res)).catch((err: unknown) => {
      if (!res.headersSent)
        sendJson(res, 500, { error: 'stand-in failure', message: err instanceof Error ? err.message : String(err) });
      else res.destroy();
    });
  });
}

function gatewaySpecs(option: ArcadeStandInOptions['gateways']): ServedGateway[] {
  const specs: readonly StandInGatewaySpec[] =
    typeof option === 'number'
      ? Array.from({ length: option }, (_, i) => ({ slug: i === 0 ? 'zeb-gateway-test' : `stand-in-gateway-${i + 1}` }))
      : (option ?? [{ slug: 'zeb-gateway-test' }]);
  if (specs.length === 0)
    throw new Error('startArcadeStandIn: gateways must name at least one gateway (or be a count ≥ 1)');
  return specs.map((spec) => ({
    slug: spec.slug,
    catalogue: [...(spec.tools ?? DEFAULT_CATALOGUE)],
    referenceToolkit: spec.referenceToolkit === null ? undefined : (spec.referenceToolkit ?? 'ArcadeEvalRef'),
  }));
}

function referenceToolNames(toolkit: string | undefined): string[] {
  return toolkit === undefined ? [] : REFERENCE_TOOLS.map((t) => `${toolkit}_${t}`);
}

/** `GoogleDocs.CreateDocumentFromText` and `GoogleDocs_CreateDocumentFromText` name the same tool. */
const arcadeName = (name: string): string => name.replace(/_/, '.');

export async function startArcadeStandIn(options: ArcadeStandInOptions = {}): Promise<ArcadeStandIn> {
  const apiKey = options.apiKey ?? `standin-${randomBytes(18).toString('base64url')}`;
  const users =
    typeof options.users === 'number'
      ? Array.from({ length: options.users }, (_, i) => `user-${i + 1}`)
      : [...(options.users ?? ['user-a', 'user-b'])];
  const served = gatewaySpecs(options.gateways);
  const oauthTool = options.oauthTool ?? 'GoogleDocs.CreateDocumentFromText';
  const oauthStatus: OAuthTokenStatus = options.oauthStatus ?? 'completed';
  const deadMode = options.deadHostMode ?? 'bad-gateway';
  const requests: { component: StandInComponent; method: string; path: string }[] = [];
  const { answer, violations } = contractAnswers();

  const bearerOk = (req: IncomingMessage): boolean =>
    options.acceptsAnyKey === true || header(req, 'authorization') === `Bearer ${apiKey}`;
  // arcadejs sends the bare key; accept the Bearer form too.
  const apiKeyOk = (req: IncomingMessage): boolean => {
    const value = header(req, 'authorization');
    return options.acceptsAnyKey === true || value === apiKey || value === `Bearer ${apiKey}`;
  };

  /** Wraps a component's handler with request logging and the deadHost fault. */
  const component =
    (name: StandInComponent, handler: Handler): Handler =>
    (req, res) => {
      requests.push({ component: name, method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0] ?? '/' });
      if (options.deadHost === name) {
        if (deadMode === 'connection-closed') {
          req.socket.destroy();
          return;
        }
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
        return;
      }
      return handler(req, res);
    };

  const endpoints = new Map(
    served.map((gw) => {
      const expected = [...gw.catalogue, ...referenceToolNames(gw.referenceToolkit)];
      const listed = options.missingTool ? expected.filter((t) => t !== gw.catalogue[0]) : expected;
      const endpoint = mcpEndpoint({
        authorize: bearerOk,
        requireUser: true,
        toolsFor: (user) =>
          options.extraTool || (options.extraToolForUser !== undefined && user === options.extraToolForUser)
            ? [...listed, EXTRA_TOOL]
            : listed,
        referencePrefix: gw.referenceToolkit === undefined ? undefined : `${gw.referenceToolkit}_`,
        wrongIdentity: options.wrongIdentity === true,
        unknownTool: options.unknownToolHangs ? 'hang' : options.unknownTool5xx ? '5xx' : undefined,
        slowMs: options.slowMs ?? 0,
        refuse: (res, status, body, headers) => answer(res, status, 'Error', body, headers),
        hangs: options.gatewayHangs === true,
        ...(options.onGatewayMessage ? { onMessage: options.onGatewayMessage } : {}),
      });
      return [gw.slug, { gw, expected, endpoint }] as const;
    }),
  );
  const reference = mcpEndpoint({
    requireUser: false,
    toolsFor: () => [...REFERENCE_TOOLS],
    referencePrefix: '',
    wrongIdentity: false,
    slowMs: 0,
  });

  const plain =
    (title: string): Handler =>
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<html><head><title>${title}</title></head><body>${title} (stand-in)</body></html>`);
    };

  const coordinator = await listen(component('coordinator', plain('Arcade coordinator')));
  const dashboard = await listen(component('dashboard', plain('Arcade dashboard')));
  const experience = await listen(component('experience', plain('Arcade experience')));
  const coordinatorUri = options.wrongCoordinatorUri ? 'https://coordinator.wrong.invalid' : coordinator.url;

  const apiHandler: Handler = async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const path = url.pathname;
    if (req.method === 'GET' && path === '/v1/health') {
      if (options.malformedHealth) {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html><body>OK</body></html>');
      } else if (options.unhealthy) {
        const reason = typeof options.unhealthy === 'string' ? options.unhealthy : 'database unreachable (stand-in)';
        answer(res, 503, 'HealthResponse', { healthy: false, reason });
      } else {
        answer(res, 200, 'HealthResponse', { healthy: true });
      }
      return;
    }
    if (req.method === 'GET' && path === '/v1/config') {
      answer(res, 200, 'EngineConfigResponse', {
        dashboard: { authority: `${coordinator.url}/auth`, clientId: 'arcade-dashboard', coordinatorUri },
        directors: [{ id: 'default', enabled: true, maxTools: 64 }],
        oauth2: { callback_url_template: `${apiUrl}/v1/oauth/{provider}/callback` },
      });
      return;
    }
    const toolMatch = /^\/v1\/tools\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && toolMatch?.[1] && !['authorize', 'execute', 'formatted'].includes(toolMatch[1])) {
      if (!apiKeyOk(req)) {
        answer(res, 401, 'Error', { name: 'unauthorized', message: 'invalid or missing API key' });
        return;
      }
      const name = arcadeName(decodeURIComponent(toolMatch[1]));
      const known = new Set([arcadeName(oauthTool), ...served.flatMap((g) => g.catalogue.map(arcadeName))]);
      if (!known.has(name)) {
        answer(res, 404, 'Error', { name: 'not_found', message: `tool ${name} not found` });
        return;
      }
      const [toolkit = name, tool = name] = name.split('.');
      const needsAuth = name === arcadeName(oauthTool);
      answer(res, 200, 'ToolDefinition', {
        fully_qualified_name: `${name}@1.0.0`,
        qualified_name: name,
        name: tool,
        toolkit: { name: toolkit, version: '1.0.0' },
        input: { parameters: [] },
        requirements: needsAuth
          ? {
              met: oauthStatus === 'completed',
              authorization: {
                id: 'google-stand-in',
                provider_id: 'google',
                provider_type: 'oauth2',
                status: 'active',
                token_status: oauthStatus,
                ...(oauthStatus === 'completed'
                  ? {}
                  : { status_reason: `token ${oauthStatus} for ${url.searchParams.get('user_id') ?? '(no user)'}` }),
              },
            }
          : { met: true },
      });
      return;
    }
    const mcpMatch = /^\/mcp\/([^/]+)\/?$/.exec(path);
    if (mcpMatch?.[1]) {
      const entry = endpoints.get(decodeURIComponent(mcpMatch[1]));
      if (!entry) {
        answer(res, 404, 'Error', { name: 'not_found', message: `no gateway ${mcpMatch[1]}` });
        return;
      }
      await entry.endpoint.handle(req, res);
      return;
    }
    answer(res, 404, 'Error', { name: 'not_found', message: `${req.method} ${path}` });
  };
  const api = await listen(component('api', apiHandler));
  const apiUrl = api.url;
  const ref = await listen(
    component('reference', async (req, res) => {
      if (/^\/mcp\/?$/.test(new URL(req.url ?? '/', 'http://stand-in').pathname)) await reference.handle(req, res);
      else sendJson(res, 404, { error: 'not found' });
    }),
  );

  const gateways: StandInGateway[] = [...endpoints.values()].map(({ gw, expected }) => ({
    slug: gw.slug,
    tools: expected,
    ...(gw.referenceToolkit === undefined ? {} : { referenceToolkit: gw.referenceToolkit }),
    url: `${apiUrl}/mcp/${gw.slug}`,
  }));
  const referenceServerUrl = `${ref.url}/mcp`;
  const firstUser = users[0] ?? 'user-a';

  let closed = false;
  return {
    apiUrl,
    coordinatorUrl: coordinator.url,
    dashboardUrl: dashboard.url,
    experienceUrl: experience.url,
    referenceServerUrl,
    apiKey,
    users,
    gateways,
    expectedCoordinatorUri: coordinator.url,
    targets: {
      urls: { api: apiUrl, coordinator: coordinator.url, dashboard: dashboard.url, experience: experience.url },
      expectedCoordinatorUri: coordinator.url,
      users: [...users],
      gateways: gateways.map((g) => ({
        slug: g.slug,
        tools: [...g.tools],
        ...(g.referenceToolkit === undefined ? {} : { referenceToolkit: g.referenceToolkit }),
      })),
      referenceServerUrl,
      oauth: { tool: oauthTool, user: firstUser },
    },
    requests,
    async close() {
      if (closed) return;
      closed = true;
      const offContract = violations.splice(0);
      await Promise.all([...endpoints.values()].map((e) => e.endpoint.close()));
      await reference.close();
      await Promise.all(
        [api, ref, coordinator, dashboard, experience].map(
          ({ server }) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      );
      if (offContract.length > 0) {
        throw new Error(
          `the Arcade stand-in answered off the engine API contract (contracts/arcade-engine/engine-api-responses.schema.json): ${offContract.join(' | ')}`,
        );
      }
    },
  };
}
