/**
 * A thin MCP client over Streamable HTTP (the official SDK), as the Arcade gateway expects it:
 * `Authorization: Bearer <key>` and `Arcade-User-ID: <user>` on every request.
 *
 * Every request is bounded by a timeout and, when given, the caller's AbortSignal; the session is
 * always terminated (best effort, bounded) and the client closed, also when the caller throws.
 * `openMcpSession` returns a session that outlives one caller (shared through `McpSessionPool`);
 * `withMcpSession` opens, runs one function and closes. Every client shares one JSON-schema
 * validator (one Ajv instance, compiled schemas cached by content) instead of one per session.
 * The SDK is imported lazily so that loading the probe list stays cheap.
 */
import type {
  jsonSchemaValidator,
  JsonSchemaType,
  JsonSchemaValidator,
} from '@modelcontextprotocol/sdk/validation/types.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { allPages } from '../../core/all-pages.js';
import { settleWithin } from '../../core/retry.js';

export interface McpSessionOptions {
  readonly url: string;
  /** Sent as `Authorization: Bearer <apiKey>`; omitted when undefined. */
  readonly apiKey?: string;
  /** Sent as `Arcade-User-ID`; omitted when undefined. */
  readonly user?: string;
  /** Closes the session (ending every pending request) when aborted. */
  readonly signal: AbortSignal;
  /** Per-request timeout (the connect included). */
  readonly timeoutMs: number;
}

/** Bounds of one request made through a session. */
export interface McpCallOptions {
  /** @default the session's timeoutMs */
  readonly timeoutMs?: number;
  /** The caller's signal: aborts this request only (a shared session stays open). @default none */
  readonly signal?: AbortSignal;
}

export interface McpSession {
  readonly sessionId: string | undefined;
  /** Every tool name (all pages of `tools/list`). */
  listToolNames(options?: McpCallOptions): Promise<string[]>;
  /** `tools/call`; an error result (`isError`) is returned, a JSON-RPC/HTTP error thrown. */
  callTool(name: string, args: Record<string, unknown>, options?: McpCallOptions): Promise<CallToolResult>;
}

export interface OpenMcpSession extends McpSession {
  /**
   * Terminates the session (a bounded DELETE; skipped when `quick`) and closes the client.
   * Idempotent; never throws.
   */
  close(options?: { readonly quick?: boolean }): Promise<void>;
}

const TERMINATE_BOUND_MS = 1_000;
const MAX_PAGES = 50;

type Sdk = readonly [
  typeof import('@modelcontextprotocol/sdk/client/index.js'),
  typeof import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
  typeof import('@modelcontextprotocol/sdk/types.js'),
  typeof import('@modelcontextprotocol/sdk/validation/ajv'),
];
let sdk: Promise<Sdk> | undefined;
/** The SDK modules, imported once. */
function loadSdk(): Promise<Sdk> {
  sdk ??= Promise.all([
    import('@modelcontextprotocol/sdk/client/index.js'),
    import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
    import('@modelcontextprotocol/sdk/types.js'),
    import('@modelcontextprotocol/sdk/validation/ajv'),
  ]);
  return sdk;
}

/**
 * One validator for every client of the process: the SDK's Ajv provider (one Ajv instance with
 * its formats), with compiled validators cached by the schema's JSON, so the same tool output
 * schema seen in many sessions is compiled once.
 */
class SharedSchemaValidator implements jsonSchemaValidator {
  private readonly compiled = new Map<string, JsonSchemaValidator<unknown>>();
  constructor(private readonly inner: jsonSchemaValidator) {}
  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    const key = JSON.stringify(schema);
    let found = this.compiled.get(key);
    if (!found) {
      found = this.inner.getValidator<unknown>(schema);
      this.compiled.set(key, found);
    }
    return found as JsonSchemaValidator<T>;
  }
}
let validator: SharedSchemaValidator | undefined;

/** A signal for one request: aborted with `signal`, without leaving a listener on it afterwards. */
function requestSignal(signal: AbortSignal | undefined): { signal?: AbortSignal; done(): void } {
  if (!signal) return { done: () => undefined };
  // The SDK adds an abort listener per request and never removes it: give it a signal of its own.
  const controller = new AbortController();
  if (signal.aborted) controller.abort(signal.reason);
  const onAbort = (): void => controller.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  return { signal: controller.signal, done: () => signal.removeEventListener('abort', onAbort) };
}

/** Opens a session (initialize). Throws what the client threw; the caller must `close()` it. */
export async function openMcpSession(options: McpSessionOptions): Promise<OpenMcpSession> {
  const [{ Client }, { StreamableHTTPClientTransport }, { CallToolResultSchema }, { AjvJsonSchemaValidator }] =
    await loadSdk();
  options.signal.throwIfAborted();
  validator ??= new SharedSchemaValidator(new AjvJsonSchemaValidator());
  const headers: Record<string, string> = {};
  if (options.apiKey !== undefined) headers.Authorization = `Bearer ${options.apiKey}`;
  if (options.user !== undefined) headers['Arcade-User-ID'] = options.user;
  const transport = new StreamableHTTPClientTransport(new URL(options.url), { requestInit: { headers } });
  const client = new Client({ name: 'arcade-stack-probes', version: '1.0.0' }, { jsonSchemaValidator: validator });
  // One listener per session on the owner's signal closes the client, which ends every pending request.
  const onAbort = (): void => {
    void client.close().catch(() => undefined);
  };
  options.signal.addEventListener('abort', onAbort, { once: true });
  const bounded = async <T>(
    call: McpCallOptions | undefined,
    fn: (opts: { timeout: number; maxTotalTimeout: number; signal?: AbortSignal }) => Promise<T>,
  ): Promise<T> => {
    const timeout = call?.timeoutMs ?? options.timeoutMs;
    const linked = requestSignal(call?.signal);
    try {
      linked.signal?.throwIfAborted();
      return await fn({ timeout, maxTotalTimeout: timeout, ...(linked.signal ? { signal: linked.signal } : {}) });
    } finally {
      linked.done();
    }
  };
  let closing: Promise<void> | undefined;
  const close = (quick: boolean): Promise<void> => {
    closing ??= (async () => {
      options.signal.removeEventListener('abort', onAbort);
      if (!quick && transport.sessionId && !options.signal.aborted) {
        await settleWithin(TERMINATE_BOUND_MS, transport.terminateSession());
      }
      await client.close().catch(() => undefined);
    })();
    return closing;
  };
  try {
    await client.connect(transport, { timeout: options.timeoutMs, maxTotalTimeout: options.timeoutMs });
  } catch (err) {
    await close(true);
    throw err;
  }
  return {
    get sessionId() {
      return transport.sessionId;
    },
    async listToolNames(call) {
      const tools = await allPages(
        'tools/list',
        async (cursor) => {
          const result = await bounded(call, (opts) => client.listTools(cursor === undefined ? {} : { cursor }, opts));
          return { items: result.tools, next: result.nextCursor };
        },
        MAX_PAGES,
      );
      return tools.map((t) => t.name);
    },
    async callTool(name, args, call) {
      const result = await bounded(call, (opts) =>
        client.callTool({ name, arguments: args }, CallToolResultSchema, opts),
      );
      return result as CallToolResult;
    },
    close: (closeOptions) => close(closeOptions?.quick === true),
  };
}

/** Opens a session, runs `fn`, and closes it whatever happens. Throws what the client threw. */
export async function withMcpSession<T>(
  options: McpSessionOptions,
  fn: (session: McpSession) => Promise<T>,
): Promise<T> {
  const session = await openMcpSession(options);
  try {
    return await fn(session);
  } finally {
    await session.close();
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
