/**
 * How the gateway probes name what went wrong: one classification of the errors the HTTP, MCP
 * and Arcade clients throw, and a one-line cause for a person. The messages are what a server
 * said: callers pass them through the run's redactor (`ctx.redact`) before `describeFailure`
 * escapes and shortens them (../redact.ts, src/core/printable.ts).
 *
 * Pure: no I/O. The classification is what the evaluators branch on, so they stay testable on
 * fixtures without a network.
 */
import { printableLine } from '../../core/printable.js';

/** What a failed request amounted to. */
export type FailureKind =
  /** The server answered with an HTTP status the client treats as an error (4xx/5xx). */
  | { readonly kind: 'http'; readonly status: number; readonly message: string }
  /** The server answered with a JSON-RPC error (MCP). */
  | { readonly kind: 'jsonrpc'; readonly code: number; readonly message: string }
  /** The MCP client refused for lack of authorization (401 without an auth provider). */
  | { readonly kind: 'unauthorized'; readonly message: string }
  /** No answer in time (the probe's deadline or a request timeout). */
  | { readonly kind: 'timeout'; readonly message: string }
  /** No HTTP answer at all: refused, reset, closed, DNS, TLS. */
  | { readonly kind: 'network'; readonly message: string };

const MCP_REQUEST_TIMEOUT = -32001;
const MCP_CONNECTION_CLOSED = -32000;

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : (JSON.stringify(err) ?? String(err));
}

/** The innermost cause's message (`fetch failed` → `connect ECONNREFUSED 127.0.0.1:1`). */
function causeChain(err: unknown): string {
  const parts: string[] = [];
  let node: unknown = err;
  for (let depth = 0; node !== undefined && node !== null && depth < 5; depth += 1) {
    const msg = messageOf(node);
    const code = typeof node === 'object' && 'code' in node && typeof node.code === 'string' ? node.code : undefined;
    const text = code && !msg.includes(code) ? `${msg} (${code})` : msg;
    if (text && !parts.includes(text)) parts.push(text);
    node = typeof node === 'object' && 'cause' in node ? (node as { cause?: unknown }).cause : undefined;
  }
  return parts.join(': ');
}

/** Classifies anything a fetch, the MCP SDK client or the Arcade client threw. */
export function classifyError(err: unknown): FailureKind {
  const message = causeChain(err);
  if (typeof err === 'object' && err !== null) {
    const e = err as { name?: unknown; code?: unknown; status?: unknown; constructor?: { name?: string } };
    const ctor = e.constructor?.name ?? '';
    if (
      e.name === 'AbortError' ||
      e.name === 'TimeoutError' ||
      ctor === 'APIConnectionTimeoutError' ||
      ctor === 'APIUserAbortError' ||
      /timed? ?out/i.test(String(e.name))
    ) {
      return { kind: 'timeout', message };
    }
    if (ctor === 'UnauthorizedError') return { kind: 'unauthorized', message };
    if (ctor === 'StreamableHTTPError' && typeof e.code === 'number' && e.code >= 100) {
      return { kind: 'http', status: e.code, message };
    }
    if (typeof e.status === 'number' && e.status >= 100) return { kind: 'http', status: e.status, message };
    if (ctor === 'McpError' && typeof e.code === 'number') {
      if (e.code === MCP_REQUEST_TIMEOUT) return { kind: 'timeout', message };
      if (e.code === MCP_CONNECTION_CLOSED) return { kind: 'network', message };
      return { kind: 'jsonrpc', code: e.code, message };
    }
  }
  if (/aborted|timed? ?out/i.test(message)) return { kind: 'timeout', message };
  return { kind: 'network', message };
}

/** One line naming the cause: `HTTP 502: …`, `timeout: …`, `connection: ECONNREFUSED …`. */
export function describeFailure(failure: FailureKind): string {
  // The server's or the network's words, made safe for a terminal and cut (src/core/printable.ts).
  const text = printableLine(failure.message, 200);
  switch (failure.kind) {
    case 'http':
      return `HTTP ${failure.status}: ${text}`;
    case 'jsonrpc':
      return `JSON-RPC error ${failure.code}: ${text}`;
    case 'unauthorized':
      return `unauthorized: ${text}`;
    case 'timeout':
      return `timeout: ${text}`;
    case 'network':
      return `no answer: ${text}`;
  }
}

/** An observation: the value seen, or why nothing was seen. */
export type Observed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly failure: FailureKind };

/** Awaits `work` and turns a throw into a classified failure. */
export async function observe<T>(work: () => Promise<T>): Promise<Observed<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (err) {
    return { ok: false, failure: classifyError(err) };
  }
}
