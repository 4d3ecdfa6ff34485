/**
 * Reads CustomResourceDefinitions from a cluster (read-only: GET of the list, page by page) for
 * `npm run crds -- --from-cluster`. Fails closed: without a real kubeconfig it refuses instead of
 * falling back to the client's default of localhost:8080.
 *
 * The API server's answers are input like a CRD file (docs/quality-gate.md "Where the CRD schemas
 * come from"), read through ../kube/bounded-get.ts: no redirect followed (the credentials would go
 * with it), every answer's body bounded, the connection closed at the deadline. Besides:
 * - the list is read in pages of PAGE_LIMIT (`limit`/`continue`, as kubectl lists): one CRD is at
 *   most about 1.5 MiB (etcd's default request limit, which the API server stores CRDs under), so a
 *   page fits MAX_ANSWER_BYTES; all pages together are refused past MAX_TOTAL_BYTES of JSON (the
 *   parsed schemas are kept until the cache is written: about six times that in memory) and past
 *   MAX_PAGES pages (../core/all-pages.ts: a list cut short is never used);
 * - a `continue` token the list was already asked with is refused at once (../core/all-pages.ts,
 *   for every paged list): a server, or a proxy dropping the query's `continue`, that answers it
 *   again would page forever, and MAX_PAGES alone stopped that only after 500 pages of 20 s
 *   deadlines each (about 2.8 hours);
 * - the whole listing has one deadline, LIST_TIMEOUT_MS, besides each page's (AbortSignal.any of
 *   both, ../core/retry.ts withDeadline): a list that answers every page in time but never ends
 *   (new tokens each time) is stopped by it, whatever MAX_PAGES allows;
 * - the answer must be a CustomResourceDefinitionList whose items are objects; a real API server
 *   writes no `apiVersion`/`kind` on a list's items (kubernetes/kubernetes#63676), so each is read
 *   as the apiextensions.k8s.io/v1 CustomResourceDefinition the list holds (before this, every CRD
 *   of a real cluster was skipped: "no CustomResourceDefinition with a served version found");
 * - names are checked as in a file (./crd-names.ts), and whatever the server wrote that reaches a
 *   message is quoted by JSON.stringify or `printableLine`: no escape sequence reaches the terminal.
 */
import type { CachedSchema } from './crd-cache.js';
import { CrdError, schemasOfCrd } from './crd-cache.js';
import { allPages } from '../core/all-pages.js';
import { describeBytes } from '../core/capped-body.js';
import { isRecord } from '../core/is-record.js';
import { withDeadline } from '../core/retry.js';
import { printableLine } from '../core/printable.js';
import { MAX_ANSWER_BYTES } from '../kube/bounded-client.js';
import { boundedGetJson } from '../kube/bounded-get.js';
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

const API_VERSION = 'apiextensions.k8s.io/v1';
const WRONG_SHAPE_FIX = "fix: point the kubeconfig's server at the cluster's API server";
const FROM_FILES_FIX = 'give the CRDs with --from <dir|file> instead (kubectl get crd -o yaml > crds.yaml)';

export interface ClusterCrdOptions extends KubeConfigOptions {
  /** Timeout of each page's request. @default 20000 */
  readonly timeoutMs?: number;
  /** Timeout of the whole listing, every page together. @default 300000 (LIST_TIMEOUT_MS) */
  readonly listTimeoutMs?: number;
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

/** The CRDs of one page of the list, each with its apiVersion and kind, and the next page's token. */
function crdPage(
  value: unknown,
  source: string,
  page: number,
): { items: Record<string, unknown>[]; next: string | undefined } {
  const shape = (what: string) =>
    new CrdError(
      `${source}: page ${page} of the list: ${what}: not a CustomResourceDefinitionList (${WRONG_SHAPE_FIX})`,
    );
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
  const { kc, server } = await loadKubeConfig(options, ', or use --from <dir|file>');
  const timeoutMs = options.timeoutMs ?? 20_000;
  const listTimeoutMs = options.listTimeoutMs ?? LIST_TIMEOUT_MS;
  const list = `${server.replace(/\/+$/, '')}/apis/${API_VERSION}/customresourcedefinitions?limit=${PAGE_LIMIT}`;
  const source = `cluster ${server}`;
  let bytes = 0;
  let pages = 0;
  const whole = AbortSignal.timeout(listTimeoutMs);
  try {
    const crds = await allPages(
      'the list of CustomResourceDefinitions',
      async (token) => {
        const url = token ? `${list}&continue=${encodeURIComponent(token)}` : list;
        const answer = await withDeadline(
          timeoutMs,
          (signal) => boundedGetJson(kc, url, { signal, maxBodyBytes: MAX_ANSWER_BYTES }),
          whole,
        );
        bytes += answer.bytes;
        if (bytes > MAX_TOTAL_BYTES)
          throw new CrdError(
            `the CustomResourceDefinitions of ${server} are more than ${describeBytes(MAX_TOTAL_BYTES)} of JSON, ` +
              'the most read from a cluster (fix: vendor the CRDs the stack uses, or give them with --from <dir|file>)',
          );
        pages += 1;
        return crdPage(answer.value, source, pages);
      },
      MAX_PAGES,
    );
    const schemas = crds.flatMap((crd, index) => schemasOfCrd(crd, source, `item ${index + 1} of the list`));
    return { server, schemas };
  } catch (err) {
    if (err instanceof CrdError) throw err;
    if (whole.aborted && err === whole.reason)
      throw new CrdError(
        `listing CustomResourceDefinitions on ${server} failed: the whole list was not read within ` +
          `${listTimeoutMs / 1000}s, the most given to it (pages read: ${pages}): a link slower than 1 MiB/s, ` +
          `or a server that keeps paging (fix: ${FROM_FILES_FIX})`,
      );
    const code = (err as { code?: unknown }).code;
    const hint = code === 401 ? UNAUTHENTICATED : code === 403 ? FORBIDDEN : '';
    throw new CrdError(`listing CustomResourceDefinitions on ${server} failed: ${(err as Error).message}${hint}`);
  }
}
