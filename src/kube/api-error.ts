/**
 * What a failed @kubernetes/client-node call says: the HTTP status and the API server's own
 * message. Client-node 1.x throws an `ApiException` whose `code` is the status and whose `body`
 * is the server's `Status` object as a JSON string; a network error or a timeout has neither.
 * Used by the probes' Kubernetes reader (src/probes/kube.ts) and drift (src/drift/cluster.ts).
 */
import { printableLine } from '../core/printable.js';

/** The HTTP status of an ApiException, or undefined (no HTTP answer). */
export function apiStatus(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** The `message` of the API server's `Status` body, or undefined when the body carries none. */
export function apiMessage(err: unknown): string | undefined {
  const body = (err as { body?: unknown } | null)?.body;
  if (typeof body !== 'string') return undefined;
  try {
    const parsed = JSON.parse(body) as { message?: unknown } | null;
    // The server's words (an admission webhook's own text among them), made safe for a terminal.
    return typeof parsed?.message === 'string' && parsed.message !== ''
      ? printableLine(parsed.message, 300)
      : undefined;
  } catch {
    return undefined; // not JSON
  }
}
