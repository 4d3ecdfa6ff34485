/**
 * One GET of a Kubernetes API URL whose answer is bounded, for a command that reads a cluster it
 * does not control the answers of (`npm run crds -- --from-cluster`, src/check/crd-cluster.ts).
 * The credentials are the kubeconfig's, applied by @kubernetes/client-node itself
 * (`KubeConfig.applySecurityAuthentication`: a token or basic auth in the headers, client
 * certificates, CA, proxy and TLS options in the agent, exec and OIDC plugins run), so this reads
 * the cluster kubectl's rules chose (./kubeconfig.ts) exactly as the client would; only the HTTP
 * exchange is node's own, because the client's default (node-fetch 2, as client-node calls it)
 * applies none of these bounds (drift and the probes get them through the client's generated APIs
 * instead, with node-fetch's own options: ./bounded-client.ts):
 *
 * - a redirect (3xx) is refused, never followed: node-fetch follows it and keeps the
 *   `Authorization` header for the same host name on any port (and for its subdomains), so an
 *   answer `302 Location: http://<same host>:<other port>/...` sent the bearer token to whatever
 *   listens there; and an answer from elsewhere would be taken for the API server's;
 * - the body is read up to `maxBodyBytes` (a `Content-Length` over it fails before any byte), then
 *   the connection is closed: an endless body grew the client's memory ~100 MiB a second, past
 *   the command's deadline, which did not cancel the request;
 * - `signal` (the caller's deadline) closes the connection, so a stalled answer does not keep the
 *   process alive after the command has failed;
 * - an error answer is told by its HTTP status and the API server's own `Status` message (else the
 *   start of its body), printable (../core/printable.ts `printableLine`: no escape sequence from
 *   the server reaches the terminal) and cut, instead of the client's dump of body and headers.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { BodyOverCapError } from '../core/capped-body.js';
import { printableLine } from '../core/printable.js';

/**
 * An answer this reader (or ./bounded-client.ts) refuses; `code` is its HTTP status when it is an
 * error answer or a redirect.
 */
export class KubeGetError extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
    this.name = 'KubeGetError';
  }
}

/**
 * The refusal of a redirect (3xx), naming where it points: never followed, since the kubeconfig's
 * credentials would go with it (also ./bounded-client.ts).
 */
export function redirectRefused(status: number, location: string | null | undefined): KubeGetError {
  const to = location ? ` to ${printableLine(location, 200)}` : '';
  return new KubeGetError(
    `the API server answered HTTP ${status}, a redirect${to}: not followed, since the kubeconfig's credentials ` +
      "would go with it (fix: point the kubeconfig's server at the API server's own address)",
    status,
  );
}

export interface BoundedGet {
  /** The parsed JSON of a 2xx answer. */
  readonly value: unknown;
  /** The body's size in bytes. */
  readonly bytes: number;
}

const NOT_THE_API = 'not the Kubernetes API, or a broken or hostile server';

/** The API server's `Status` message of an error answer, else the start of its text. */
function errorMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown } | null;
    if (typeof parsed?.message === 'string' && parsed.message !== '') return printableLine(parsed.message, 300);
  } catch {
    // not JSON: its start is quoted
  }
  return text.trim() === '' ? '(no message)' : printableLine(text, 300);
}

/** Reads the body of `res` up to `maxBytes`; rejects with BodyOverCapError past it (and closes it). */
function readWithin(res: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(res.headers['content-length']);
    if (Number.isSafeInteger(declared) && declared > maxBytes) {
      res.destroy();
      reject(new BodyOverCapError(maxBytes, declared));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > maxBytes) {
        res.destroy();
        reject(new BodyOverCapError(maxBytes));
      } else chunks.push(chunk);
    });
    res.on('end', () => resolve(Buffer.concat(chunks)));
    res.on('error', reject);
    res.on('close', () => reject(new Error('the connection closed before the answer ended')));
  });
}

/** GETs `url` with the kubeconfig's credentials; resolves with the JSON of a 2xx answer, else rejects (above). */
export async function boundedGetJson(
  kc: KubeConfig,
  url: string,
  options: { readonly signal: AbortSignal; readonly maxBodyBytes: number },
): Promise<BoundedGet> {
  const { HttpMethod, RequestContext } = await import('@kubernetes/client-node');
  const context = new RequestContext(url, HttpMethod.GET);
  await kc.applySecurityAuthentication(context);
  const agent = context.getAgent();
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = send(url, {
      method: 'GET',
      headers: { ...context.getHeaders(), accept: 'application/json' },
      signal: options.signal,
      ...(agent ? { agent } : {}),
    });
    req.on('response', resolve);
    req.on('error', reject);
    req.end();
  });
  const status = res.statusCode ?? 0;
  if (status >= 300 && status < 400) {
    res.destroy();
    throw redirectRefused(status, res.headers.location);
  }
  const body = await readWithin(res, options.maxBodyBytes);
  const text = body.toString('utf8');
  if (status < 200 || status >= 300) throw new KubeGetError(`HTTP ${status}: ${errorMessage(text)}`, status);
  try {
    return { value: JSON.parse(text), bytes: body.byteLength };
  } catch {
    throw new KubeGetError(
      `the answer is not JSON (it starts ${JSON.stringify(printableLine(text, 60))}): ${NOT_THE_API}`,
    );
  }
}
