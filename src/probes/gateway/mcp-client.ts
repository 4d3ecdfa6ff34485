/**
 * A thin MCP client over Streamable HTTP (the official SDK), as the Arcade gateway expects it:
 * `Authorization: Bearer <key>` and `Arcade-User-ID: <user>` on every request.
 *
 * Every request is bounded by the probe's AbortSignal and a timeout; the session is always
 * terminated (best effort, bounded) and the client closed, also when the caller throws.
 * The SDK is imported lazily so that loading the probe list stays cheap.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

export interface McpSessionOptions {
  readonly url: string;
  /** Sent as `Authorization: Bearer <apiKey>`; omitted when undefined. */
  readonly apiKey?: string;
  /** Sent as `Arcade-User-ID`; omitted when undefined. */
  readonly user?: string;
  readonly signal: AbortSignal;
  /** Per-request timeout. */
  readonly timeoutMs: number;
}

export interface McpSession {
  readonly sessionId: string | undefined;
  /** Every tool name (all pages of `tools/list`). */
  listToolNames(): Promise<string[]>;
  /** `tools/call`; an error result (`isError`) is returned, a JSON-RPC/HTTP error thrown. */
  callTool(name: string, args: Record<string, unknown>, timeoutMs?: number): Promise<CallToolResult>;
}

const TERMINATE_BOUND_MS = 1_000;
const MAX_PAGES = 50;

/** Opens a session, runs `fn`, and closes it whatever happens. Throws what the client threw. */
export async function withMcpSession<T>(options: McpSessionOptions, fn: (session: McpSession) => Promise<T>): Promise<T> {
  const [{ Client }, { StreamableHTTPClientTransport }, { CallToolResultSchema }] = await Promise.all([
    import('@modelcontextprotocol/sdk/client/index.js'),
    import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
    import('@modelcontextprotocol/sdk/types.js'),
  ]);
  options.signal.throwIfAborted();
  const headers: Record<string, string> = {};
  if (options.apiKey !== undefined) headers.Authorization = `Bearer ${options.apiKey}`;
  if (options.user !== undefined) headers['Arcade-User-ID'] = options.user;
  const transport = new StreamableHTTPClientTransport(new URL(options.url), { requestInit: { headers } });
  const client = new Client({ name: 'arcade-stack-probes', version: '1.0.0' });
  const onAbort = (): void => {
    void client.close().catch(() => undefined);
  };
  options.signal.addEventListener('abort', onAbort, { once: true });
  // The probe's signal is not handed to each request: the SDK never removes the abort listener it
  // adds per request. One listener per session closes the client instead, which ends every
  // pending request.
  const requestOptions = (timeoutMs = options.timeoutMs) => ({ timeout: timeoutMs, maxTotalTimeout: timeoutMs });
  let connected = false;
  try {
    await client.connect(transport, requestOptions());
    connected = true;
    const session: McpSession = {
      get sessionId() {
        return transport.sessionId;
      },
      async listToolNames() {
        const names: string[] = [];
        let cursor: string | undefined;
        for (let page = 0; page < MAX_PAGES; page += 1) {
          const result = await client.listTools(cursor === undefined ? {} : { cursor }, requestOptions());
          names.push(...result.tools.map((t) => t.name));
          cursor = result.nextCursor;
          if (!cursor) break;
        }
        return names;
      },
      async callTool(name, args, timeoutMs) {
        const result = await client.callTool({ name, arguments: args }, CallToolResultSchema, requestOptions(timeoutMs));
        return result as CallToolResult;
      },
    };
    return await fn(session);
  } finally {
    options.signal.removeEventListener('abort', onAbort);
    if (connected && transport.sessionId && !options.signal.aborted) {
      await Promise.race([
        transport.terminateSession().catch(() => undefined),
        new Promise((resolve) => setTimeout(resolve, TERMINATE_BOUND_MS).unref()),
      ]);
    }
    await client.close().catch(() => undefined);
  }
}

/** The text of a tool result: `structuredContent.result` when present, else the text items joined. */
export function resultText(result: CallToolResult): string {
  const structured = result.structuredContent as Record<string, unknown> | undefined;
  if (structured && 'result' in structured) {
    const value = structured.result;
    return typeof value === 'string' ? value : JSON.stringify(value);
  }
  return result.content
    .map((item) => (item.type === 'text' ? item.text : ''))
    .join('')
    .trim();
}
