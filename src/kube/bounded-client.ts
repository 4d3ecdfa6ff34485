/**
 * The one @kubernetes/client-node configuration every command reads a cluster with: drift
 * (src/drift/cluster.ts), the probes (src/probes/kube.ts) and `crds --from-cluster`
 * (src/check/crd-cluster.ts). The client's own generated APIs and credentials (the kubeconfig as
 * `authMethods`, applied by the client to every request: token or basic auth in the headers;
 * client certificates, CA, proxy and TLS options in the agent; exec and OIDC plugins), the server
 * the kubeconfig names, and an HTTP layer that bounds the answers (docs/quality-gate.md, "Where
 * the CRD schemas come from").
 *
 * The HTTP layer is client-node 1.4's own default (`IsomorphicFetchHttpLibrary`, node-fetch 2:
 * method, body, headers, signal and agent from the request, the answer's headers and body handed
 * back as it does), with two node-fetch options that default did not set, and what follows them:
 *
 * - `redirect: 'manual'`: a 3xx is an error naming where it points, never followed. node-fetch
 *   follows it and keeps the `Authorization` header for the same host name on any port (and for
 *   its subdomains), so `302 Location: http://<same host>:<other port>/...` sent the bearer token
 *   to whatever listens there, and its answer was taken for the API server's;
 * - `size: MAX_ANSWER_BYTES`: an answer over it is an error naming the cap (a `Content-Length`
 *   over it fails before any byte is read) and the connection is closed. node-fetch alone rejects
 *   at the cap but keeps reading (and dropping) an endless body for as long as the server sends
 *   it, so the request is aborted here; without `size`, an endless body grew the process's memory
 *   by about 100 MiB a second, without end.
 *
 * `signal` cancels every request made with the configuration and closes its connection (a stalled
 * answer does not keep the process alive after the command failed). `onAnswer` is told of every
 * answer read whole, before the client parses it, and may refuse it: crds --from-cluster counts
 * the bytes of all its pages against its own budget there and tells an error answer by its status
 * and the API server's `Status` message, where the client's `ApiException` of a 401 carries no
 * body at all.
 *
 * MAX_ANSWER_BYTES is 64 MiB, crd-cluster's per answer too: the largest answer drift or a probe
 * asks for is a list page of 500 objects (./list.ts PAGE_SIZE), and 64 MiB leaves 128 KiB an object
 * on average, where a Deployment, a Pod (managedFields included) or a Service is a few KiB to
 * about 20 KiB. Drift lists only objects labelled as this stack's, a probe a namespace's workloads,
 * pods, services and monitors. A page of 500 objects near etcd's 1.5 MiB each would pass it; no
 * list these commands make holds those, and an answer that large is refused, not read. A pod's log
 * over the probe's window may pass it: `logWindowMinutes` may be up to 1440, and at debug level an
 * engine can log more than 64 MiB in 10 minutes. Such a log is refused too (BodyOverCapError), and
 * the probe names the pod, the window and the fix, a shorter window (src/probes/kube.ts). No
 * `limitBytes` is asked for: it would cut the window's end off silently.
 *
 * A 2xx answer whose `Content-Type` is not JSON (`JSON_TYPE`) is refused too, after `onAnswer`,
 * except text where text was asked for: a pod's log (`POD_LOG_PATH`, the only text any command
 * reads). client-node parses by the type: it throws on a type it does not know (`The mediaType
 * <type> is not supported`, quoting the server's bytes raw: `application/\x9b2J/x+json` wrote a CSI
 * to the terminal) or on none, and that error, with no status, was taken for a network failure
 * and retried; and it hands any `text/*` body back as a plain string, so an SSO or proxy login
 * page (`200 text/html`) answering a read of a Deployment was drift's live object (a false
 * "drifted" at path "") and a probe's. Every request of client-node 1.4 sends the same `Accept`
 * (JSON first, then any type at q=0.8; the log's too), so the path tells what was asked. The
 * type is checked as `JSON_TYPE` says (RFC 6838's name characters), stricter than the client. Every
 * 2xx answer of JSON's type is parsed here (`unreadableBody`), as the client will parse it, the
 * log's too: a body that is not JSON (an HTML page under `application/json`, a cut-off `{"a":`) is
 * refused naming its start printably, once, where the client's JSON.parse error quoted it raw and
 * drift and crds --from-cluster each told that error apart; so is JSON nested too deep (./json-depth.ts). Every Kubernetes JSON answer is an
 * object (discovery's too), so where text was not asked for, JSON that is not an object (null, an
 * array, a string, a number) is refused too: client-node reads `data.apiVersion` first and threw a
 * TypeError on `null`, with no status, which drift took for a network failure and retried. The parse costs
 * about 9 ms a MiB, once more than the client's (docs/quality-gate.md). As a second guard, drift's and the
 * probes' reads and list pages (and their items) take only an object (`objectAnswer`), refused the same way.
 *
 * Every refusal (./refused-answer.ts `refusedAnswer`: a RefusedAnswerError, or ../core/capped-body.ts's BodyOverCapError) is not
 * transient: drift does not retry it, as another attempt would get the same answer (and send the same credentials).
 */
import type { Configuration, KubeConfig, RequestContext, ResponseContext } from '@kubernetes/client-node';
import type { Response } from 'node-fetch';
import { BodyOverCapError } from '../core/capped-body.js';
import { printableLine } from '../core/printable.js';
import { kubeCredentials } from './credentials.js';
import { MAX_JSON_DEPTH, nestedDeeperThan } from './json-depth.js';
import { NOT_THE_API, notObject, RefusedAnswerError, SERVER_FIX } from './refused-answer.js';

/** The most read from one answer (above), a page of crds --from-cluster's list too. */
export const MAX_ANSWER_BYTES = 64 * 1024 * 1024;

/**
 * JSON's media type as the API server answers it: `application/json`, `application/<name>+json` (RFC
 * 6839's suffix, after the last `+`; RFC 6838's name characters). client-node 1.4 parses more as JSON
 * (any `+` part `json`: `application/x+json+y`, `application/json+x`, `application/+json`; and
 * `application/json/x`): types no API server sends and RFC 6839 does not call JSON, refused naming them
 * (docs/quality-gate.md; the boundary: test/kube/text-answers.test.ts).
 */
const JSON_TYPE = /^application\/(?:[\w.!#$&^-]+\+)?json\s*(?:;|$)/i;
/** A media type client-node hands back as text (a pod's log is text/plain). */
const TEXT_TYPE = /^text\/[\w.!#$&^+-]+\s*(?:;|$)/i;
/** A pod's log (`readNamespacedPodLog`), at the end of the URL's path (the server may have a path of its own). */
const POD_LOG_PATH = /\/api\/v1\/namespaces\/[^/]+\/pods\/[^/]+\/log$/;

type Fetch = typeof import('node-fetch').default;

/** An answer read whole, as `onAnswer` is told of it. */
export interface BoundedAnswer {
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The whole body (at most MAX_ANSWER_BYTES). */
  readonly body: Buffer;
}

export interface BoundedClientOptions {
  /** Cancels every request made with the configuration (a probe's attempt, a drift attempt). @default none */
  readonly signal?: AbortSignal | undefined;
  /**
   * Told of every answer read whole, before the client parses it; what it throws is the request's
   * error (the connection is closed). @default none
   */
  readonly onAnswer?: ((answer: BoundedAnswer) => void) | undefined;
}

/** The refusal of a redirect (3xx), naming where it points: never followed, since the kubeconfig's credentials would go with it. */
function redirectRefused(status: number, location: string | null): RefusedAnswerError {
  const to = location ? ` to ${printableLine(location, 200)}` : '';
  return new RefusedAnswerError(
    `the API server answered HTTP ${status}, a redirect${to}: not followed, since the kubeconfig's credentials ` +
      "would go with it (fix: point the kubeconfig's server at the API server's own address)",
    status,
  );
}

/**
 * The refusal of a 2xx answer that is not what was asked for (above): its Content-Type, printable.
 * Text passes only where `textAsked` (a pod's log).
 */
function unreadableType(status: number, type: string | undefined, textAsked: boolean): RefusedAnswerError | undefined {
  if (status < 200 || status >= 300) return undefined;
  if (type !== undefined && (JSON_TYPE.test(type) || (textAsked && TEXT_TYPE.test(type)))) return undefined;
  const named =
    type === undefined
      ? 'no Content-Type'
      : `Content-Type ${printableLine(JSON.stringify(type), 80)}, ${textAsked ? 'neither JSON nor text' : 'not JSON'}`;
  return new RefusedAnswerError(
    `the API server answered HTTP ${status} with ${named}: ${NOT_THE_API}, or a proxy's login page (${SERVER_FIX})`,
    status,
  );
}

/**
 * The refusal of a 2xx answer's body that client-node would parse as JSON (above) but that is not
 * JSON, quoting its start printably, or, where an object is due, JSON that is not an object; else
 * undefined.
 */
function unreadableBody(
  status: number,
  type: string,
  body: Buffer,
  objectDue: boolean,
): RefusedAnswerError | undefined {
  // Before the parse: JSON.parse does not recurse, but what reads its value does (./json-depth.ts).
  if (nestedDeeperThan(body, MAX_JSON_DEPTH))
    return new RefusedAnswerError(
      `the API server answered HTTP ${status} with JSON nested deeper than ${MAX_JSON_DEPTH} levels: ${NOT_THE_API} ` +
        `(${SERVER_FIX})`,
      status,
    );
  const text = body.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const what =
      text.trim() === ''
        ? 'an empty body'
        : `a body that is not JSON (it starts ${printableLine(JSON.stringify(text.slice(0, 200)), 60)})`;
    return new RefusedAnswerError(
      `the API server answered HTTP ${status} with Content-Type ${printableLine(JSON.stringify(type), 80)} but ${what}: ` +
        `${NOT_THE_API}, or a proxy's login page (${SERVER_FIX})`,
      status,
    );
  }
  return objectDue ? notObject(value) : undefined;
}

/** The body of `resp` whole, or a refusal when it is over the cap (the caller closes the connection). */
async function bodyWithin(resp: Response, maxBytes: number): Promise<Buffer> {
  const length = resp.headers.get('content-length');
  const declared = length === null ? Number.NaN : Number(length);
  if (Number.isSafeInteger(declared) && declared > maxBytes) throw new BodyOverCapError(maxBytes, declared);
  try {
    return await resp.buffer();
  } catch (err) {
    if ((err as { type?: unknown }).type === 'max-size') throw new BodyOverCapError(maxBytes);
    throw err;
  }
}

/** IsomorphicFetchHttpLibrary's `send`, bounded (above). */
async function send(
  fetch: Fetch,
  ResponseContextClass: typeof ResponseContext,
  request: RequestContext,
  onAnswer: BoundedClientOptions['onAnswer'],
): Promise<ResponseContext> {
  // Closes the connection of an answer refused here (node-fetch's abort destroys its socket).
  const stop = new AbortController();
  const given = request.getSignal();
  const resp = await fetch(request.getUrl(), {
    method: request.getHttpMethod().toString(),
    body: request.getBody(),
    headers: request.getHeaders(),
    signal: given ? AbortSignal.any([given as AbortSignal, stop.signal]) : stop.signal,
    agent: request.getAgent(),
    redirect: 'manual',
    size: MAX_ANSWER_BYTES,
  });
  try {
    if (resp.status >= 300 && resp.status < 400) throw redirectRefused(resp.status, resp.headers.get('location'));
    const body = await bodyWithin(resp, MAX_ANSWER_BYTES);
    const headers: Record<string, string> = {};
    resp.headers.forEach((value, name) => {
      headers[name] = value;
    });
    onAnswer?.({ status: resp.status, headers, body });
    const textAsked = POD_LOG_PATH.test(new URL(request.getUrl()).pathname);
    const type = headers['content-type'];
    const unreadable = unreadableType(resp.status, type, textAsked);
    if (unreadable) throw unreadable;
    // Every 2xx answer of JSON's type is parsed by the client: a body that is not JSON is refused here.
    if (resp.status >= 200 && resp.status < 300 && type !== undefined && JSON_TYPE.test(type)) {
      const refused = unreadableBody(resp.status, type, body, !textAsked);
      if (refused) throw refused;
    }
    return new ResponseContextClass(resp.status, headers, {
      text: () => Promise.resolve(body.toString('utf8')),
      binary: () => Promise.resolve(body),
    });
  } catch (err) {
    // node-fetch's abort emits an error on a body nobody reads (a redirect's): heard here, not thrown.
    resp.body.on('error', () => undefined);
    stop.abort();
    throw err;
  }
}

/**
 * A client configuration for the kubeconfig's `server` whose every request is bounded (above) and,
 * with `signal`, cancelled when it aborts.
 */
export async function boundedConfiguration(
  kc: KubeConfig,
  server: string,
  options: BoundedClientOptions = {},
): Promise<Configuration> {
  const client = await import('@kubernetes/client-node');
  const { default: fetch } = await import('node-fetch');
  const { signal, onAnswer } = options;
  return client.createConfiguration({
    // Paths are appended to it: `https://host//` (client-node strips one trailing slash) asked for `//apis/...`.
    baseServer: new client.ServerConfiguration(server.replace(/\/+$/, ''), {}),
    // The kubeconfig's credentials, queued until applied once, never applied again after a failure (./credentials.ts).
    authMethods: { default: kubeCredentials(kc, signal) },
    httpApi: client.wrapHttpLibrary({ send: (request) => send(fetch, client.ResponseContext, request, onAnswer) }),
    ...(signal
      ? {
          promiseMiddleware: [
            {
              pre: (ctx: RequestContext) => {
                ctx.setSignal(signal as Parameters<typeof ctx.setSignal>[0]);
                return Promise.resolve(ctx);
              },
              post: (res: ResponseContext) => Promise.resolve(res),
            },
          ],
        }
      : {}),
  });
}
