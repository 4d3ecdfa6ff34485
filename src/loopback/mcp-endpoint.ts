/**
 * One MCP endpoint of the Arcade stand-in (arcade-platform.ts): a gateway at `/mcp/<slug>` or the
 * reference server at `/mcp`, built with the MCP SDK's `McpServer` + `StreamableHTTPServerTransport`.
 * Sessions kept by `Mcp-Session-Id`, the credentials and `Arcade-User-ID` checked per request, the
 * tools a user sees, and the faults a probe exists to catch (wrong identity, an unknown tool that
 * hangs or answers 5xx, slowness, a gateway that never answers).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

export const REFERENCE_TOOLS = ['Echo', 'Add', 'Whoami'] as const;
export const OTHER_USER = 'someone-else@stand-in.invalid';

export interface McpEndpointOptions {
  /** Checks the request's credentials; undefined = no auth. */
  readonly authorize?: (req: IncomingMessage) => boolean;
  readonly requireUser: boolean;
  /** The tools listed for a user. */
  readonly toolsFor: (user: string) => readonly string[];
  /** Prefix of the reference tools (`ArcadeEvalRef_`), '' for bare names, undefined for none. */
  readonly referencePrefix: string | undefined;
  readonly wrongIdentity: boolean;
  readonly unknownTool?: 'hang' | '5xx';
  readonly slowMs: number;
  /** Sends a refusal (401/400) of the endpoint: the engine API's `Error` shape on a gateway. @default plain JSON */
  readonly refuse?: (
    res: ServerResponse,
    status: number,
    body: { name: string; message: string },
    headers?: Record<string, string>,
  ) => void;
  /** Every request is held unanswered until close. @default false */
  readonly hangs?: boolean;
  /** Told each JSON-RPC message's method before it is answered. @default none */
  readonly onMessage?: (method: string, user: string) => void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function isToolsCall(message: unknown): message is { method: 'tools/call'; params: { name: string } } {
  if (typeof message !== 'object' || message === null) return false;
  const m = message as { method?: unknown; params?: { name?: unknown } };
  return m.method === 'tools/call' && typeof m.params?.name === 'string';
}

/** One MCP endpoint (a gateway or the reference server): sessions, auth, user header, tools. */
export function mcpEndpoint(opts: McpEndpointOptions) {
  const refuse = opts.refuse ?? ((res, status, body, headers) => sendJson(res, status, body, headers));
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const hanging = new Set<ServerResponse>();

  /** A session's server: registers exactly the tools its user sees (gateway-wide unless a fault says otherwise). */
  function buildServer(visible: ReadonlySet<string>): McpServer {
    const server = new McpServer({ name: 'arcade-stand-in', version: '0.0.0' });
    const userOf = (extra: { requestInfo?: { headers: Record<string, string | string[] | undefined> } }): string => {
      const value = extra.requestInfo?.headers['arcade-user-id'];
      return (Array.isArray(value) ? value[0] : value) ?? '';
    };
    const prefix = opts.referencePrefix;
    const reference = new Set(prefix === undefined ? [] : REFERENCE_TOOLS.map((t) => `${prefix}${t}`));
    for (const name of visible) {
      if (reference.has(name)) continue;
      server.registerTool(name, { description: `${name} (stand-in catalogue tool)` }, () => ({
        content: [{ type: 'text', text: 'ok (stand-in)' }],
      }));
    }
    if (prefix !== undefined) {
      server.registerTool(
        `${prefix}Echo`,
        { description: 'Returns the message', inputSchema: { message: z.string() } },
        ({ message }) => ({
          content: [{ type: 'text', text: message }],
        }),
      );
      server.registerTool(
        `${prefix}Add`,
        { description: 'Adds two integers', inputSchema: { a: z.number(), b: z.number() } },
        ({ a, b }) => ({
          content: [{ type: 'text', text: String(a + b) }],
        }),
      );
      server.registerTool(`${prefix}Whoami`, { description: 'Returns the calling user id' }, (extra) => ({
        content: [{ type: 'text', text: opts.wrongIdentity ? OTHER_USER : userOf(extra) }],
      }));
    }
    return server;
  }

  /** Holds `res` unanswered until the client gives up or the stand-in closes. */
  function hang(res: ServerResponse): void {
    hanging.add(res);
    res.on('close', () => hanging.delete(res));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (opts.hangs) return hang(res);
    if (opts.slowMs > 0) await sleep(opts.slowMs);
    if (opts.authorize && !opts.authorize(req)) {
      refuse(
        res,
        401,
        { name: 'unauthorized', message: 'invalid or missing API key' },
        { 'www-authenticate': 'Bearer' },
      );
      return;
    }
    const user = header(req, 'arcade-user-id');
    if (opts.requireUser && !user) {
      refuse(res, 400, { name: 'bad_request', message: 'Arcade-User-ID header is required' });
      return;
    }
    const raw = req.method === 'POST' ? await readBody(req) : '';
    let body: unknown;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        sendJson(res, 400, { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error' }, id: null });
        return;
      }
    }
    const visible = new Set(opts.toolsFor(user ?? ''));
    const messages = Array.isArray(body) ? body : [body];
    for (const m of messages) {
      const method = (m as { method?: unknown } | undefined)?.method;
      if (typeof method === 'string') opts.onMessage?.(method, user ?? '');
    }
    const unknownCall = messages.find((m) => isToolsCall(m) && !visible.has(m.params.name));
    if (unknownCall && opts.unknownTool === 'hang') return hang(res);
    if (unknownCall && opts.unknownTool === '5xx') {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal server error');
      return;
    }

    const sessionId = header(req, 'mcp-session-id');
    let transport: StreamableHTTPServerTransport | undefined;
    if (sessionId) {
      transport = sessions.get(sessionId);
      if (!transport) {
        sendJson(res, 404, { jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null });
        return;
      }
    } else {
      const created = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          sessions.set(id, created);
        },
      });
      created.onclose = () => {
        if (created.sessionId) sessions.delete(created.sessionId);
      };
      await buildServer(visible).connect(created);
      transport = created;
    }
    await transport.handleRequest(req, res, body);
  }

  async function close(): Promise<void> {
    for (const res of hanging) res.destroy();
    await Promise.all([...sessions.values()].map((t) => t.close().catch(() => undefined)));
    sessions.clear();
  }

  return { handle, close, sessionCount: () => sessions.size };
}
