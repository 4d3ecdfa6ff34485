/**
 * What a failed @kubernetes/client-node call says: the HTTP status and the API server's own
 * message. Client-node 1.x throws an `ApiException` whose `code` is the status and whose `body`
 * is the server's `Status` object as a JSON string; a network error or a timeout has neither.
 * Used by the probes' Kubernetes reader (src/probes/kube.ts) and drift (src/drift/cluster.ts);
 * `crds --from-cluster` (src/check/crd-cluster.ts) tells an error answer by its body
 * (`errorAnswerText`), as the client's ApiException of a 401 carries none.
 */
import { printableLine } from '../core/printable.js';

/** The HTTP status of an ApiException, or undefined (no HTTP answer). */
export function apiStatus(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** The `message` of the API server's `Status` in an answer's text, or undefined when it carries none. */
function statusMessage(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { message?: unknown } | null;
    // The server's words (an admission webhook's own text among them), made safe for a terminal.
    return typeof parsed?.message === 'string' && parsed.message !== ''
      ? printableLine(parsed.message, 300)
      : undefined;
  } catch {
    return undefined; // not JSON
  }
}

/** The `message` of the API server's `Status` body, or undefined when the body carries none. */
export function apiMessage(err: unknown): string | undefined {
  const body = (err as { body?: unknown } | null)?.body;
  return typeof body === 'string' ? statusMessage(body) : undefined;
}

/** What an error answer's body says: the API server's `Status` message, else the start of its text, printable. */
export function errorAnswerText(text: string): string {
  return statusMessage(text) ?? (text.trim() === '' ? '(no message)' : printableLine(text, 300));
}
