/**
 * Reads CustomResourceDefinitions from a cluster (read-only: GET of the list, page by page) for
 * `npm run crds -- --from-cluster`. Fails closed: without a real kubeconfig it refuses instead of
 * falling back to the client's default of localhost:8080.
 *
 * The API server's answers are input like a CRD file (docs/quality-gate.md "Where the CRD schemas
 * come from"), read through the client configuration drift and the probes read with
 * (../kube/bounded-client.ts) and client-node's CustomObjectsApi: no redirect followed (the
 * credentials would go with it), every answer's body bounded, the connection closed at the
 * deadline. CustomObjectsApi hands the list back as the server's JSON, parsed and not remodelled
 * (ApiextensionsV1Api's model classes rename schema keys such as `x-kubernetes-*` and `$ref`, and
 * the schemas must reach the validator as the server wrote them). Besides:
 * - each answer is looked at before the client parses it (`checkAnswer`): an error answer is told
 *   by its HTTP status and the API server's `Status` message, else the start of its body,
 *   printable and cut (../kube/api-error.ts `errorAnswerText`; the client's 401 carries no body);
 *   a 2xx answer whose `Content-Type` is not JSON's (`application/<CSI>2J/x+json` among them,
 *   quoted printably), whose body is not JSON or not an object, is refused by the bounded layer,
 *   as for drift and the probes;
 * - the list is read in pages of PAGE_LIMIT (`limit`/`continue`, as kubectl lists): one CRD is at
 *   most about 1.5 MiB (etcd's default request limit, which the API server stores CRDs under), so a
 *   page fits the 64 MiB an answer (../kube/bounded-client.ts MAX_ANSWER_BYTES); all pages
 *   together are refused past MAX_TOTAL_BYTES of JSON, counted as each answer is read (the parsed
 *   schemas are kept until the cache is written: about six times that in memory) and past
 *   MAX_PAGES pages (../core/all-pages.ts: a list cut short is never used);
 * - a `continue` token the list was already asked with is refused at once (../core/all-pages.ts,
 *   for every paged list): a server, or a proxy dropping the query's `continue`, that answers it
 *   again would page forever, and MAX_PAGES alone stopped that only after 500 pages of 20 s
 *   deadlines each (about 2.8 hours); its fix, and MAX_PAGES's, offers the CRDs from files too
 *   (FROM_FILES_FIX), as the command's other refusals of the whole list do;
 * - the whole listing has one deadline, LIST_TIMEOUT_MS, besides each page's (AbortSignal.any of
 *   both, ../core/retry.ts withDeadline): a list that answers every page in time but never ends
 *   (new tokens each time) is stopped by it, whatever MAX_PAGES allows;
 * - the answer must be a CustomResourceDefinitionList whose items are objects; a real API server
 *   writes no `apiVersion`/`kind` on a list's items (kubernetes/kubernetes#63676), so each is read
 *   as the apiextensions.k8s.io/v1 CustomResourceDefinition the list holds (before this, every CRD
 *   of a real cluster was skipped: "no CustomResourceDefinition with a served version found");
 * - names are checked as in a file (./crd-names.ts), and whatever the server wrote that reaches a
 *   message is quoted by JSON.stringify and then `printableLine` (JSON.stringify leaves the C1
 *   controls as they are), and the client's own errors are printed by `printableLine`: no escape
 *   sequence reaches the terminal.
 */
import type { CachedSchema } from './crd-cache.js';
import { CrdError, schemasOfCrd } from './crd-cache.js';
import { allPages } from '../core/all-pages.js';
import { describeBytes } from '../core/capped-body.js';
import { isRecord } from '../core/is-record.js';
import { maskedLine } from '../core/known-tokens.js';
import { withDeadline } from '../core/retry.js';
import { printableLine } from '../core/printable.js';
import { withoutUserinfoOf } from '../core/redact.js';
import { errorAnswerText } from '../kube/api-error.js';
import { type BoundedAnswer, boundedConfiguration } from '../kube/bounded-client.js';
import { RefusedAnswerError, SERVER_FIX } from '../kube/refused-answer.js';
import { CredentialError } from '../kube/credentials.js';
import { loadKubeConfig, type KubeConfigOptions } from '../kube/kubeconfig.js';

/** CRDs asked for per page. */
const PAGE_LIMIT = 40;
/** The most read from all answers together. */
const MAX_TOTAL_BYTES = 256 * 1024 * 1024;
/** Pages before the list is refused as never-ending (20 000 CRDs). */
const MAX_PAGES = 500;
/**
 * The whole listing's deadline: MAX_TOTAL_BYTES at 1 MiB/s (a slow VPN) is about 260 s, so any list
 * the byte bound lets through is read in time over such a link; a real cluster's list (1 000 CRDs,
 * as Crossplane's provider families install, is 25 pages of a few MiB) takes seconds. A server
 * that keeps paging is stopped here instead of after MAX_PAGES pages of up to 20 s each.
 */
const LIST_TIMEOUT_MS = 300_000;

const GROUP = 'apiextensions.k8s.io';
const API_VERSION = `${GROUP}/v1`;
const FROM_FILES_FIX = 'give the CRDs with --from <dir|file> instead (kubectl get crd -o yaml > crds.yaml)';

export interface ClusterCrdOptions extends KubeConfigOptions {
  /** Timeout of each page's request. @default 20000 */
  readonly timeoutMs?: number;
  /** Timeout of the whole listing, every page together. @default 300000 (LIST_TIMEOUT_MS) */
  readonly listTimeoutMs?: number;
  /** The most read from all answers together, in bytes. @default 268435456 (MAX_TOTAL_BYTES, 256 MiB) */
  readonly maxTotalBytes?: number;
}

export interface ClusterCrds {
  readonly server: string;
  readonly schemas: readonly CachedSchema[];
}

/** A 401: the server did not take the credentials as anyone (authentication, not permission). */
const UNAUTHENTICATED =
  " (fix: the API server did not accept the kubeconfig's credentials (an expired token or client " +
  'certificate, or those of another cluster): renew them, by logging in again or fetching the kubeconfig anew)';
/** A 403: the credentials were accepted, the user lacks the permission. */
const FORBIDDEN =
  ' (fix: the kubeconfig user needs list on customresourcedefinitions.apiextensions.k8s.io: ' +
  '`kubectl auth can-i list customresourcedefinitions.apiextensions.k8s.io` tells)';

/**
 * Refuses an error answer by its status and the API server's `Status` message, where client-node
 * would throw its ApiException dump (or, for a 401, no body at all). A 2xx answer that is not of
 * JSON's type, not JSON or not an object is refused by the bounded layer (../kube/bounded-client.ts).
 */
function checkAnswer({ status, body }: BoundedAnswer): void {
  if (status < 200 || status >= 300)
    throw new RefusedAnswerError(`HTTP ${status}: ${errorAnswerText(body.toString('utf8'))}`, status);
}

/** The CRDs of one page of the list, each with its apiVersion and kind, and the next page's token. */
function crdPage(
  value: unknown,
  source: string,
  page: number,
): { items: Record<string, unknown>[]; next: string | undefined } {
  const shape = (what: string) =>
    new CrdError(`${source}: page ${page} of the list: ${what}: not a CustomResourceDefinitionList (${SERVER_FIX})`);
  // A second guard: the bounded layer refuses a 2xx JSON answer that is not an object first.
  if (!isRecord(value)) throw shape(`the answer is ${Array.isArray(value) ? 'a list' : typeof value}, not an object`);
  if (value.kind !== 'CustomResourceDefinitionList')
    throw shape(
      `kind is ${value.kind === undefined ? 'missing' : printableLine(JSON.stringify(value.kind) ?? '', 80)}`,
    );
  if (!Array.isArray(value.items)) throw shape('items is not a list');
  const next = isRecord(value.metadata) ? value.metadata.continue : undefined;
  if (next !== undefined && typeof next !== 'string') throw shape('metadata.continue is not a string');
  const items = value.items.map((item: unknown, index) => {
    if (!isRecord(item)) throw shape(`items[${index}] is not an object`);
    if (item.kind !== undefined && item.kind !== 'CustomResourceDefinition')
      throw shape(`items[${index}].kind is ${printableLine(JSON.stringify(item.kind) ?? '', 80)}`);
    return { ...item, apiVersion: item.apiVersion ?? API_VERSION, kind: 'CustomResourceDefinition' };
  });
  return { items, next: next || undefined };
}

/** Lists every CRD of the cluster and returns the schemas of their served versions. */
export async function readClusterCrds(options: ClusterCrdOptions = {}): Promise<ClusterCrds> {
  // Requests go to the URL whole (requestServer); messages, the cache's sources and the result show
  // `server`, which is without userinfo.
  const { kc, requestServer, server, userinfoUrls } = await loadKubeConfig(options, ', or use --from <dir|file>');
  const timeoutMs = options.timeoutMs ?? 20_000;
  const listTimeoutMs = options.listTimeoutMs ?? LIST_TIMEOUT_MS;
  const maxTotalBytes = options.maxTotalBytes ?? MAX_TOTAL_BYTES;
  const { CustomObjectsApi } = await import('@kubernetes/client-node');
  const source = `cluster ${server}`;
  let bytes = 0;
  let pages = 0;
  const whole = AbortSignal.timeout(listTimeoutMs);
  try {
    const crds = await allPages(
      'the list of CustomResourceDefinitions',
      async (token) => {
        const onAnswer = (answer: BoundedAnswer) => {
          checkAnswer(answer);
          bytes += answer.body.byteLength;
          if (bytes > maxTotalBytes)
            throw new CrdError(
              `the CustomResourceDefinitions of ${server} are more than ${describeBytes(maxTotalBytes)} of JSON, ` +
                'the most read from a cluster (fix: vendor the CRDs the stack uses, or give them with --from <dir|file>)',
            );
        };
        const value: unknown = await withDeadline(
          timeoutMs,
          async (signal) =>
            new CustomObjectsApi(
              await boundedConfiguration(kc, requestServer, { signal, onAnswer }),
            ).listClusterCustomObject({
              group: GROUP,
              version: 'v1',
              plural: 'customresourcedefinitions',
              limit: PAGE_LIMIT,
              ...(token ? { _continue: token } : {}),
            }),
          whole,
        );
        pages += 1;
        return crdPage(value, source, pages);
      },
      MAX_PAGES,
      FROM_FILES_FIX,
    );
    const schemas = crds.flatMap((crd, index) => schemasOfCrd(crd, source, `item ${index + 1} of the list`));
    return { server, schemas };
  } catch (err) {
    if (err instanceof CrdError) throw err;
    // A failing exec credential plugin's stderr, printable, with the fix (../kube/credentials.ts).
    if (err instanceof CredentialError)
      throw new CrdError(`listing CustomResourceDefinitions on ${server} failed: ${err.reason}`);
    if (whole.aborted && err === whole.reason)
      throw new CrdError(
        `listing CustomResourceDefinitions on ${server} failed: the whole list was not read within ` +
          `${listTimeoutMs / 1000}s, the most given to it (pages read: ${pages}): a link slower than 1 MiB/s, ` +
          `or a server that keeps paging (fix: ${FROM_FILES_FIX})`,
      );
    const code = (err as { code?: unknown }).code;
    const hint = code === 401 ? UNAUTHENTICATED : code === 403 ? FORBIDDEN : '';
    // The client's own errors (a network failure's: node-fetch's message): printable, one line. Every
    // answer's refusal and a credential plugin's failure are already in this stack's words. node-fetch's
    // message quotes the request's URL: without its userinfo (maskedLine: the one chain of such messages).
    const words = maskedLine((err as Error).message, 500, (t) => withoutUserinfoOf(userinfoUrls, t));
    throw new CrdError(`listing CustomResourceDefinitions on ${server} failed: ${words}${hint}`);
  }
}
