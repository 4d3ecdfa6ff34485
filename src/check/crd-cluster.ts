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
import { boundedGetJson } from '../kube/bounded-get.js';
import { loadKubeConfig, type KubeConfigOptions } from '../kube/kubeconfig.js';

/** CRDs asked for per page. */
const PAGE_LIMIT = 40;
/** The most read from one answer: PAGE_LIMIT CRDs of 1.5 MiB, with room. */
const MAX_ANSWER_BYTES = 64 * 1024 * 1024;
/** The most read from all answers together. */
const MAX_TOTAL_BYTES = 256 * 1024 * 1024;
/** Pages before the list is refused as never-ending (20 000 CRDs). */
const MAX_PAGES = 500;

const API_VERSION = 'apiextensions.k8s.io/v1';
const WRONG_SHAPE_FIX = "fix: point the kubeconfig's server at the cluster's API server";

export interface ClusterCrdOptions extends KubeConfigOptions {
  /** Timeout of each page's request. @default 20000 */
  readonly timeoutMs?: number;
}

export interface ClusterCrds {
  readonly server: string;
  readonly schemas: readonly CachedSchema[];
}

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
    throw shape(`kind is ${value.kind === undefined ? 'missing' : JSON.stringify(value.kind).slice(0, 80)}`);
  if (!Array.isArray(value.items)) throw shape('items is not a list');
  const next = isRecord(value.metadata) ? value.metadata.continue : undefined;
  if (next !== undefined && typeof next !== 'string') throw shape('metadata.continue is not a string');
  const items = value.items.map((item: unknown, index) => {
    if (!isRecord(item)) throw shape(`items[${index}] is not an object`);
    if (item.kind !== undefined && item.kind !== 'CustomResourceDefinition')
      throw shape(`items[${index}].kind is ${JSON.stringify(item.kind).slice(0, 80)}`);
    return { ...item, apiVersion: item.apiVersion ?? API_VERSION, kind: 'CustomResourceDefinition' };
  });
  return { items, next: next || undefined };
}

/** Lists every CRD of the cluster and returns the schemas of their served versions. */
export async function readClusterCrds(options: ClusterCrdOptions = {}): Promise<ClusterCrds> {
  const { kc, server } = await loadKubeConfig(options, ', or use --from <dir|file>');
  const timeoutMs = options.timeoutMs ?? 20_000;
  const list = `${server.replace(/\/+$/, '')}/apis/${API_VERSION}/customresourcedefinitions?limit=${PAGE_LIMIT}`;
  const source = `cluster ${server}`;
  let bytes = 0;
  let pages = 0;
  try {
    const crds = await allPages(
      'the list of CustomResourceDefinitions',
      async (token) => {
        const url = token ? `${list}&continue=${encodeURIComponent(token)}` : list;
        const answer = await withDeadline(timeoutMs, (signal) =>
          boundedGetJson(kc, url, { signal, maxBodyBytes: MAX_ANSWER_BYTES }),
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
    const code = (err as { code?: unknown }).code;
    const hint =
      code === 401 || code === 403 ? ' (fix: the kubeconfig user needs list on customresourcedefinitions)' : '';
    throw new CrdError(`listing CustomResourceDefinitions on ${server} failed: ${(err as Error).message}${hint}`);
  }
}
