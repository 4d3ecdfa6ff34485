/**
 * Listing every object of a kind through @kubernetes/client-node's generic KubernetesObjectApi,
 * following the API server's `continue` tokens to the last page: the one paged lister of the
 * stack (drift, src/drift/cluster.ts; the probes, src/probes/kube.ts).
 *
 * Each caller passes its own `call`, which wraps every page's request in that command's policy
 * and hands it the object API to make it with (drift retries transient failures with a deadline,
 * each attempt on an API bound to that attempt's signal; a probe's request is cancelled with the
 * probe's attempt), so a failure reads the same in every message of that command.
 */
import type { KubernetesObjectApi } from '@kubernetes/client-node';
import { allPages } from '../core/all-pages.js';
import { NOT_THE_API, objectAnswer, RefusedAnswerError, SERVER_FIX } from './refused-answer.js';
import { toWire } from './wire.js';

/** Objects per page: the API server's pages stay small, a namespace's worth fits in a few. */
const PAGE_SIZE = 500;
/** Pages before the list is refused as never-ending (50 000 objects): a list cut short would lie. */
const MAX_PAGES = 100;

export interface ListQuery {
  readonly apiVersion: string;
  readonly kind: string;
  /** @default every namespace */
  readonly namespace?: string | undefined;
  /** @default every object */
  readonly labelSelector?: string | undefined;
}

/** `page` when it is an object whose items are objects, else the refusal naming what is not. */
function pageAnswer<T extends { items: unknown }>(page: T): T {
  const items = objectAnswer(page).items;
  if (!Array.isArray(items))
    throw new RefusedAnswerError(`the API server's list answer has no list of items: ${NOT_THE_API} (${SERVER_FIX})`);
  for (const item of items) objectAnswer(item);
  return page;
}

/**
 * Every object the query selects, in wire form (what `kubectl get -o json` shows), each with its
 * `apiVersion` and `kind` (a list's items carry neither). `what` names the list in errors.
 */
export async function listEveryPage(
  query: ListQuery,
  what: string,
  call: <T>(what: string, request: (api: KubernetesObjectApi) => Promise<T>) => Promise<T>,
): Promise<Record<string, unknown>[]> {
  const { apiVersion, kind, namespace, labelSelector } = query;
  const items = await allPages(
    what,
    async (token) => {
      // A page that is not an object, or an item that is not one, is refused (./bounded-client.ts).
      const page = await call(what, async (api) =>
        pageAnswer(
          await api.list(
            apiVersion,
            kind,
            namespace,
            undefined,
            undefined,
            undefined,
            undefined,
            labelSelector,
            PAGE_SIZE,
            token,
          ),
        ),
      );
      return { items: page.items, next: page.metadata?._continue };
    },
    MAX_PAGES,
  );
  return items.map((item) => ({ ...(toWire(item) as Record<string, unknown>), apiVersion, kind }));
}
