/**
 * Fetches the sealed-secrets controller's public certificate the way kubeseal does: through the
 * API server's service proxy, `GET /api/v1/namespaces/<ns>/services/<name>:http/proxy/v1/cert.pem`.
 *
 * `@kubernetes/client-node` loads the kubeconfig and applies its TLS settings, proxy and
 * credentials (tokens, client certificates, exec plugins). The request itself is a plain GET on
 * that exact path: the generated `connectGetNamespacedServiceProxyWithPath` would percent-encode
 * the `/` of the path and refuses the controller's `application/x-pem-file` answer. Read-only;
 * every attempt has a timeout; transient failures (network, timeout, 5xx) are retried a bounded
 * number of times with backoff; a 4xx or a 2xx answer of more than 1 MiB is not (an error answer
 * of more than 1 MiB is judged by its status and the first 1 MiB of its body).
 */
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ConfigurationError } from '../core/command-error.js';
import { CertificateFetchError } from './errors.js';
import { credentialRefusal } from '../kube/credential-refusal.js';
import { loadKubeConfig, type KubeConfigOptions } from '../kube/kubeconfig.js';
import { withoutUserinfoOf } from '../core/redact.js';
import { maskedLine } from '../core/known-tokens.js';
import { withoutUserinfo } from '../core/userinfo.js';
import { RetriesExhausted, retryTransient, Transient } from '../core/retry.js';

export interface FetchCertificateOptions extends KubeConfigOptions {
  /** The controller's Service (sealed-secrets names it after the controller). */
  readonly name: string;
  readonly namespace: string;
  /** Timeout of one attempt, in milliseconds. @default 10000 */
  readonly timeoutMs?: number;
  /** Attempts in all (1 = no retry). @default 3 */
  readonly attempts?: number;
  /** Wait before the first retry, doubled for each further one, in milliseconds. @default 500 */
  readonly backoffMs?: number;
}

/** The service-proxy path kubeseal fetches (Service port named `http`, as the controller's chart names it). */
export function certificateProxyPath(namespace: string, name: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/services/${encodeURIComponent(name)}:http/proxy/v1/cert.pem`;
}

const MAX_BODY_BYTES = 1024 * 1024;
const FIX = 'or pass --cert <file> with the certificate from `kubeseal --fetch-cert`';

interface Answer {
  readonly status: number;
  readonly body: string;
}

async function clientFor(options: FetchCertificateOptions) {
  const { kc, requestServer, userinfoUrls } = await loadKubeConfig(options, `, ${FIX}`);
  const request: RequestOptions = {};
  try {
    await kc.applyToHTTPSOptions(request);
  } catch (err) {
    // The kubeconfig's words for what went wrong (an exec plugin's stderr masked, escaped, cut):
    // credentialRefusal, as every other kube client's; a plain http:// server without
    // insecure-skip-tls-verify is the kubeconfig's own entry: bad input (exit 2).
    const refusal = `${credentialRefusal(kc, err)}, ${FIX}`;
    if ((err as Error).message?.startsWith('HTTP protocol is not allowed')) throw new ConfigurationError(refusal);
    throw new CertificateFetchError(refusal);
  }
  return { server: requestServer.replace(/\/+$/, ''), userinfoUrls, request };
}

/** One GET, cancelled by `signal` (the attempt's deadline: retryTransient reports the timeout). */
function get(url: URL, base: RequestOptions, signal: AbortSignal): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      url,
      {
        method: 'GET',
        agent: base.agent,
        auth: base.auth,
        headers: { ...base.headers, Accept: 'application/x-pem-file, */*' },
        signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const status = res.statusCode ?? 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_BODY_BYTES) return void chunks.push(chunk);
          req.destroy();
          // An error answer is judged by its status and the head of its body: a 5xx is retried, a
          // 4xx's refusal names the cause.
          if (status < 200 || status >= 300) return resolve({ status, body: Buffer.concat(chunks).toString('utf8') });
          // Permanent, never retried: the same controller gives the same too-large certificate again.
          reject(
            new CertificateFetchError(
              `GET ${withoutUserinfo(url.href)}: HTTP ${status}: the answer is more than 1 MiB, ` +
                `not a certificate (fix: check that secrets.controller names the sealed-secrets controller's Service, ${FIX})`,
            ),
          );
        });
        res.on('error', (err) => reject(new Transient(err.message)));
        res.on('end', () => resolve({ status, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', (err) => reject(new Transient(err.message)));
    req.end();
  });
}

function refusal(url: URL, answer: Answer, options: FetchCertificateOptions): CertificateFetchError {
  const where = `GET ${withoutUserinfo(url.href)}: HTTP ${answer.status}`;
  const service = `${options.namespace}/${options.name}`;
  switch (answer.status) {
    case 401:
    case 403:
      return new CertificateFetchError(
        `${where}: not allowed to reach Service ${service} through the API server proxy (fix: ` +
          `check with kubectl auth can-i get services/proxy -n ${options.namespace}, ${FIX})`,
      );
    case 404:
      return new CertificateFetchError(
        `${where}: no Service ${service} with a port named 'http' (fix: set ` +
          `secrets.controller.name and .namespace in the environment to the controller's Service, ` +
          `see kubectl get svc -A -l app.kubernetes.io/name=sealed-secrets, ${FIX})`,
      );
    default:
      return new CertificateFetchError(
        `${where}: unexpected answer (fix: check the sealed-secrets controller, ${FIX})`,
      );
  }
}

/** Fetches the controller's certificate PEM. Throws CertificateFetchError naming the cause and the fix. */
export async function fetchControllerCertificate(options: FetchCertificateOptions): Promise<string> {
  const { server, userinfoUrls, request } = await clientFor(options);
  const url = new URL(server + certificateProxyPath(options.namespace, options.name));
  const retry = { timeoutMs: options.timeoutMs ?? 10_000, attempts: options.attempts, backoffMs: options.backoffMs };
  try {
    return await retryTransient(retry, async (signal) => {
      const answer = await get(url, request, signal);
      if (answer.status >= 200 && answer.status < 300) return answer.body;
      if (answer.status < 500) throw refusal(url, answer, options);
      // The server's words: without the server URL's userinfo (which it may echo) and any well-known token;
      // its first 4 KB, whole tokens only (maskedLine), as only 200 characters are shown (a 1 MiB body was masked whole).
      throw new Transient(
        `HTTP ${answer.status} ${maskedLine(answer.body, 200, (t) => withoutUserinfoOf(userinfoUrls, t))}`,
      );
    });
  } catch (err) {
    if (!(err instanceof RetriesExhausted)) throw err;
    throw new CertificateFetchError(
      `GET ${withoutUserinfo(url.href)}: ${err.message} (${err.attempts} attempt(s)) (fix: check that the cluster ` +
        `is reachable and the controller is running in ${options.namespace}, ${FIX})`,
    );
  }
}
