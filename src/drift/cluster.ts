/**
 * Read-only access to live objects through @kubernetes/client-node's generic object API: read
 * one object, list objects of a kind by label. Every call has a timeout; network errors,
 * timeouts, 429 and 5xx are retried a bounded number of times with backoff; nothing else is (a
 * failing exec credential plugin runs once: ../kube/credentials.ts). Nothing is written.
 * Every answer is bounded (../kube/bounded-client.ts): a redirect is refused, never followed (the
 * kubeconfig's credentials would go with it), an answer over 64 MiB is refused and its connection
 * closed, a 2xx answer the client cannot parse or that is not what was asked (its Content-Type: text
 * such as a proxy's HTML login page, or not JSON under JSON's type; a JSON answer that is not an
 * object) is refused; none is retried. The client's own messages are printed printably (they may quote the
 * server's bytes).
 */
import type { KubernetesObjectApi } from '@kubernetes/client-node';
import { loadKubeConfig, type KubeConfigOptions } from '../kube/kubeconfig.js';
import { PagingError } from '../core/all-pages.js';
import { CommandError } from '../core/command-error.js';
import { withoutUserinfoOf } from '../core/redact.js';
import { maskedLine } from '../core/known-tokens.js';
import { apiMessage, apiStatus } from '../kube/api-error.js';
import { CredentialError } from '../kube/credentials.js';
import { boundedConfiguration } from '../kube/bounded-client.js';
import { objectAnswer, refusedAnswer } from '../kube/refused-answer.js';
import { RetriesExhausted, retryTransient, Transient } from '../core/retry.js';
import { listEveryPage } from '../kube/list.js';
import { type DiscoveryCache, sharedDiscoveryObjectApi } from '../kube/object-api.js';
import { toWire } from '../kube/wire.js';

export interface ClusterOptions extends KubeConfigOptions {
  /** Per call. @default 10000 */
  readonly timeoutMs?: number;
  /** Attempts in all. @default 3 */
  readonly attempts?: number;
  /** First retry delay, doubled each time. @default 500 */
  readonly backoffMs?: number;
}

/** The cluster could not be read (exit 1: drift unknown, never assumed clean). */
export class ClusterError extends CommandError {}

/** The object (or kind) does not exist on the server. */
export class NotFound extends Error {}

export interface ObjectHeader {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

export interface LiveCluster {
  /** The cluster's server as drift's output shows it: without userinfo (`user:password@`). */
  readonly server: string;
  /** The live object, or undefined when it does not exist. Throws NotFound when the kind is not served. */
  read(header: ObjectHeader): Promise<Record<string, unknown> | undefined>;
  list(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    labelSelector: string,
  ): Promise<Record<string, unknown>[]>;
}

/**
 * The API server's status and message, else the error's own message (the client's may quote the
 * server's bytes, and node-fetch's quotes the request's URL: without its userinfo), printable.
 */
function describe(err: unknown, urls: readonly (string | undefined)[]): string {
  const message = apiMessage(err);
  return message !== undefined
    ? `${apiStatus(err)} ${withoutUserinfoOf(urls, message)}`
    : maskedLine((err as Error).message, 500, (t) => withoutUserinfoOf(urls, t));
}

/**
 * Whether an error with no HTTP status is the network's (node-fetch's FetchError of a socket, a
 * timeout; an abort), which another attempt may not have. Anything else with no status, such as a
 * failing credential plugin or a bug, is not retried (it was, taken for the network, until session 15).
 */
function networkFailure(err: unknown): boolean {
  const { name, type } = (err ?? {}) as { name?: unknown; type?: unknown };
  return name === 'AbortError' || (name === 'FetchError' && type !== 'max-size' && type !== 'invalid-json');
}

/** Loads the kubeconfig (refusing the client's silent localhost:8080 fallback) and connects. */
export async function connect(options: ClusterOptions = {}): Promise<LiveCluster> {
  // urls: whose userinfo the client sends (the server's, the proxy's), redacted from the server's words.
  const {
    kc,
    requestServer,
    server,
    userinfoUrls: urls,
  } = await loadKubeConfig(options, '; drift never assumes a cluster');
  // API discovery answers are shared by every attempt's API (one discovery per group).
  const discovery: DiscoveryCache = {};
  // Over the bounded HTTP layer (../kube/bounded-client.ts), its requests cancelled by `signal`.
  const apiFor = async (signal: AbortSignal): Promise<KubernetesObjectApi> =>
    sharedDiscoveryObjectApi(kc, await boundedConfiguration(kc, requestServer, { signal }), discovery);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const attempts = Math.max(1, options.attempts ?? 3);
  const backoffMs = options.backoffMs ?? 500;

  // Each attempt on an API bound to its signal: at the deadline its request is closed, not left open.
  async function call<T>(what: string, fn: (api: KubernetesObjectApi) => Promise<T>): Promise<T> {
    try {
      return await retryTransient({ timeoutMs, attempts, backoffMs }, async (signal) => {
        try {
          return await fn(await apiFor(signal));
        } catch (err) {
          // A redirect, an answer over the cap or one unreadable: another attempt would get the same (../kube/bounded-client.ts).
          if (refusedAnswer(err)) throw new ClusterError(`${what}: ${err.message}`);
          // The kubeconfig's credentials failed (an exec plugin's stderr): never run again (../kube/credentials.ts).
          if (err instanceof CredentialError) throw new ClusterError(`${what}: ${err.reason}`);
          const status = apiStatus(err);
          if (status === 404) throw new NotFound(describe(err, urls));
          if (/Unrecognized API version and kind/i.test((err as Error).message))
            throw new NotFound((err as Error).message);
          const reason = describe(err, urls);
          if (status === undefined ? networkFailure(err) : status === 429 || status >= 500) throw new Transient(reason);
          // No status and not the network (a bug's TypeError, ...): the same again, not retried.
          if (status === undefined) throw new ClusterError(`${what}: ${reason}`);
          throw new ClusterError(
            `${what}: ${reason}${status === 401 || status === 403 ? ' (fix: check the kubeconfig user can get/list these objects)' : ''}`,
          );
        }
      });
    } catch (err) {
      if (!(err instanceof RetriesExhausted)) throw err;
      throw new ClusterError(`${what}: ${err.message} (after ${err.attempts} attempts)`);
    }
  }

  return {
    server,
    async read(h) {
      const spec = {
        apiVersion: h.apiVersion,
        kind: h.kind,
        metadata: { name: h.name, ...(h.namespace ? { namespace: h.namespace } : {}) },
      };
      try {
        return toWire(
          await call(`read ${h.kind} ${h.namespace ?? ''}/${h.name}`, async (api) =>
            objectAnswer(await api.read(spec)),
          ),
        ) as Record<string, unknown>;
      } catch (err) {
        if (err instanceof NotFound && !/Unrecognized API version/i.test(err.message)) return undefined;
        throw err;
      }
    },
    async list(apiVersion, kind, namespace, labelSelector) {
      const what = `list ${kind} in ${namespace ?? 'all namespaces'}`;
      try {
        return await listEveryPage({ apiVersion, kind, namespace, labelSelector }, what, call);
      } catch (err) {
        // A list that cannot be read whole (a repeated token, no end) is the cluster's failure, not a bug.
        throw err instanceof PagingError ? new ClusterError(err.message) : err;
      }
    },
  };
}
