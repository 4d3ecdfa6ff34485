/**
 * The probes' read-only Kubernetes access (KubeReader) over @kubernetes/client-node 1.4.
 *
 * Configuration by kubectl's rules, the one kubeconfig policy of every command (`loadKubeConfig`,
 * src/kube/kubeconfig.ts): KUBECONFIG, else ~/.kube/config, else the in-cluster service account.
 * Anything else is a configuration error: the client's silent fallback to `http://localhost:8080`
 * is refused, so a probe never reads a cluster nobody named; the run's header and its reports name
 * the source, the context and the server.
 *
 * Only GET requests are made: read, list and pod logs. Each reader is bound to one probe
 * attempt's AbortSignal, which cancels the HTTP request at the probe's timeout. Every answer is
 * bounded (src/kube/bounded-client.ts, drift's configuration too): a redirect is refused, never
 * followed (the kubeconfig's credentials would go with it), an answer over 64 MiB is refused and
 * its connection closed, and an answer that is not what was asked (text but for a pod's log, such as
 * a proxy's HTML login page; JSON that is not an object) is refused.
 */
import type { Configuration, KubernetesObjectApi } from '@kubernetes/client-node';
import { apiMessage, apiStatus } from '../kube/api-error.js';
import { CredentialError } from '../kube/credentials.js';
import { boundedConfiguration } from '../kube/bounded-client.js';
import { objectAnswer, refusedAnswer } from '../kube/refused-answer.js';
import { loadKubeConfig } from '../kube/kubeconfig.js';
import { BodyOverCapError, describeBytes } from '../core/capped-body.js';
import { maskedLine } from '../core/known-tokens.js';
import { withoutUserinfoOf } from '../core/redact.js';
import { rejectionOnAbort } from '../core/retry.js';
import { listEveryPage } from '../kube/list.js';
import { type DiscoveryCache, sharedDiscoveryObjectApi } from '../kube/object-api.js';
import { toWire } from '../kube/wire.js';
import type { KubeReader } from './types.js';

/** A Kubernetes API call failed (the probe reports `error` with this message). */
export class KubeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeError';
  }
}

/** A loaded, validated kubeconfig. */
export interface KubeAccess {
  /** The cluster's server as a report shows it: without userinfo (`user:password@`). */
  readonly server: string;
  /** The kubeconfig context read from. */
  readonly context: string;
  /** Where the configuration came from (for the header line; never credentials). */
  readonly source: string;
  /** A reader whose requests are cancelled by `signal`. */
  reader(signal: AbortSignal): Promise<KubeReader>;
}

/**
 * Loads the Kubernetes configuration from the run's environment by kubectl's rules
 * (src/kube/kubeconfig.ts). Throws KubeConfigError naming the fix otherwise.
 */
export async function loadKubeAccess(env: Readonly<Record<string, string | undefined>>): Promise<KubeAccess> {
  const client = await import('@kubernetes/client-node');
  const { kc, requestServer, server, userinfoUrls, context, source } = await loadKubeConfig({ env });
  // API discovery answers are shared by every reader of this run (one discovery per group).
  const discovery: DiscoveryCache = {};
  return {
    server,
    context,
    source,
    reader: async (signal) => {
      const config = await boundedConfiguration(kc, requestServer, { signal });
      const objects = await sharedDiscoveryObjectApi(kc, config, discovery);
      return makeReader(client, config, objects, { server, urls: userinfoUrls }, signal);
    },
  };
}

type Client = typeof import('@kubernetes/client-node');

/**
 * The API server's message from an ApiException, else the first line of the error's own (it may quote
 * the server's bytes), printable; the userinfo of `urls` (server, proxy-url), and any well-known token, in neither.
 */
function messageOf(err: unknown, urls: readonly (string | undefined)[]): string {
  // node-fetch's message quotes the request's URL: without its userinfo.
  const api = apiMessage(err);
  if (api !== undefined) return withoutUserinfoOf(urls, api);
  return maskedLine((err as Error).message.split('\n')[0] ?? String(err), 500, (t) => withoutUserinfoOf(urls, t));
}

/** What a probe says of a log over the cap read over a window of `sinceSeconds` (logWindowMinutes * 60). */
function logOverCap(what: string, sinceSeconds: number, maxBytes: number): string {
  const window = sinceSeconds % 60 === 0 ? `${sinceSeconds / 60} min` : `${sinceSeconds} s`;
  return (
    `${what}: its last ${window} is larger than ${describeBytes(maxBytes)}, the most read from one answer ` +
    `(fix: lower logWindowMinutes for this target, so that a window's log stays under ${describeBytes(maxBytes)})`
  );
}

function makeReader(
  client: Client,
  config: Configuration,
  objects: KubernetesObjectApi,
  /** The server as shown; its URL whole and the proxy-url's (for their userinfo's sake: messageOf redacts it). */
  { server, urls }: { server: string; urls: readonly (string | undefined)[] },
  signal: AbortSignal,
): KubeReader {
  const core = new client.CoreV1Api(config);
  const aborted = rejectionOnAbort(signal);
  async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await Promise.race([fn(), aborted]);
    } catch (err) {
      if (signal.aborted && err === signal.reason) {
        const reason = err instanceof Error ? err.message : String(err ?? 'timeout');
        throw new KubeError(`request aborted: ${reason}`);
      }
      if (err instanceof KubeError) throw err;
      // A redirect or an answer over the cap (../kube/bounded-client.ts): its own message says it all.
      if (refusedAnswer(err)) throw new KubeError(`${what}: ${err.message}`);
      // The kubeconfig's credentials failed: not tried again this run (../kube/credentials.ts).
      if (err instanceof CredentialError) throw new KubeError(`${what}: ${err.reason}`);
      const code = apiStatus(err);
      const msg = messageOf(err, urls);
      if (/Unrecognized API version and kind/i.test(msg))
        throw new KubeError(`${what}: the kind is not served by the cluster (CRD not installed?)`);
      const fix =
        code === 401 || code === 403 ? ' (fix: give the kubeconfig user get/list on these objects and pods/log)' : '';
      throw new KubeError(`${what}: ${code ? `HTTP ${code} ` : ''}${msg}${fix}`);
    }
  }
  const isNotFound = (err: unknown) => err instanceof KubeError && /HTTP 404/.test(err.message);

  return {
    server,
    async get(apiVersion, kind, namespace, name) {
      try {
        // toWire inside the call: whatever it throws is named as the get's failure.
        return await call(`get ${kind} ${namespace}/${name}`, async () => {
          const obj = objectAnswer(await objects.read({ apiVersion, kind, metadata: { name, namespace } }));
          return toWire(obj) as Record<string, unknown>;
        });
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    list(apiVersion, kind, namespace, labelSelector) {
      const what = `list ${kind} in ${namespace}${labelSelector ? ` (${labelSelector})` : ''}`;
      return listEveryPage({ apiVersion, kind, namespace, labelSelector }, what, (w, request) =>
        call(w, () => request(objects)),
      );
    },
    async log(namespace, pod, container, sinceSeconds, options) {
      const what = `log of pod ${namespace}/${pod}`;
      try {
        const text = await call(what, () =>
          core
            .readNamespacedPodLog({ name: pod, namespace, container, sinceSeconds, timestamps: options?.timestamps })
            .catch((err: unknown) => {
              // Refused at the cap (no limitBytes: it would cut the window's end off, unsaid).
              if (err instanceof BodyOverCapError) throw new KubeError(logOverCap(what, sinceSeconds, err.maxBytes));
              throw err;
            }),
        );
        return typeof text === 'string' ? text : String(text ?? '');
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
  };
}
