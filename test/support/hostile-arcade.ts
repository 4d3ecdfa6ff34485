/**
 * A hostile Arcade platform on loopback: every answer echoes the API key back, in every form a
 * server or proxy could (the Authorization header as received, the key as is, upper and lower
 * case, URL-encoded, JSON-escaped, base64 of `Bearer <key>` and base64url of `user:<key>` in
 * other alignments), in 5xx bodies, in response headers, in MCP tool results, in JSON-RPC error
 * messages and in tool names. Each body starts with the key placed where an 80-character excerpt
 * would cut it (`'x' × 74` then the key): a probe that shortened before redacting would print its
 * first characters.
 *
 * Serves, on one port: `/mcp/<gateway>` and `/ref/mcp` (a real MCP server built with the SDK's
 * low-level `Server` and its Streamable HTTP transport, stateless), `/v1/*` (500; JSON for
 * `/v1/tools`, text elsewhere), and the other
 * hosts' roots (`/coordinator`, `/dashboard`, `/experience`: 502) and `/mimir/*` (500).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { listenLoopback } from '../../src/loopback/listen.js';
import { b64 } from './canary.js';

/** The offset at which an 80-character excerpt (79 kept and `…`) cuts into the key after 5 characters. */
export const CUT_PAD = 'x'.repeat(74);

export interface HostileArcade {
  readonly url: string;
  /** Requests seen, `METHOD /path`. */
  readonly requests: string[];
  close(): Promise<void>;
}

/** The key in every form, after the Authorization header as received. */
export function echo(key: string, authorization: string | undefined): string {
  return [
    `${CUT_PAD}${key} is the key you sent`,
    `authorization: ${authorization ?? '(none)'}`,
    `upper ${key.toUpperCase()} lower ${key.toLowerCase()}`,
    `url ${encodeURIComponent(key)} json ${JSON.stringify({ key })}`,
    `basic ${b64(`user:${key}`, 'base64url')} bearer64 ${b64(`Bearer ${key}`)} shifted ${b64(`x${key}`)} ${b64(`xy${key}`, 'base64url')}`,
  ].join('\n');
}

function echoHeaders(key: string, authorization: string | undefined): Record<string, string> {
  return {
    'x-echo-authorization': authorization ?? 'none',
    'www-authenticate': `Bearer realm="arcade", error="invalid_token", error_description="${key}"`,
    'x-debug-key': b64(`Bearer ${key}`),
  };
}

function mcpServer(key: string, authorization: string | undefined): Server {
  const server = new Server({ name: 'hostile-arcade', version: '0.0.0' }, { capabilities: { tools: {} } });
  const text = echo(key, authorization);
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: ['ArcadeEvalRef_Whoami', 'ArcadeEvalRef_Echo', 'ArcadeEvalRef_Add', `Leak_${key}`, `Leak_${b64(key)}`].map(
      (name) => ({
        name,
        description: text,
        inputSchema: { type: 'object' as const },
      }),
    ),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const name = request.params.name;
    if (name.endsWith('_Whoami')) return { isError: true, content: [{ type: 'text' as const, text }] };
    if (name.endsWith('_Add')) return { content: [{ type: 'text' as const, text }] };
    if (name.endsWith('_Echo')) throw new McpError(ErrorCode.InternalError, text);
    throw new McpError(ErrorCode.InvalidParams, `unknown tool ${name}: ${text}`);
  });
  return server;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  return raw ? (JSON.parse(raw) as unknown) : undefined;
}

export async function startHostileArcade(key: string): Promise<HostileArcade> {
  const requests: string[] = [];
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    requests.push(`${req.method} ${path}`);
    const authorization = req.headers.authorization;
    for (const [name, value] of Object.entries(echoHeaders(key, authorization))) res.setHeader(name, value);
    if (path.startsWith('/mcp/') || path === '/ref/mcp') {
      if (req.method !== 'POST') {
        res.writeHead(405, { 'content-type': 'text/plain' }).end(echo(key, authorization));
        return;
      }
      const body = await readBody(req);
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      res.on('close', () => void transport.close());
      await mcpServer(key, authorization).connect(transport);
      await transport.handleRequest(req, res, body);
      return;
    }
    const status = path.startsWith('/v1/') || path.startsWith('/mimir') ? 500 : 502;
    // Text bodies start with the pad, so an excerpt of the body alone is cut 5 characters into the key.
    const json = path.startsWith('/v1/tools');
    res.writeHead(status, { 'content-type': json ? 'application/json' : 'text/plain' });
    res.end(
      json ? JSON.stringify({ error: echo(key, authorization), name: 'upstream_error' }) : echo(key, authorization),
    );
  };
  const { server, url } = await listenLoopback((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent)
        res
          .writeHead(500, { 'content-type': 'text/plain' })
          .end(`${echo(key, req.headers.authorization)}\n${String(err)}`);
      else res.destroy();
    });
  });
  return {
    url,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
