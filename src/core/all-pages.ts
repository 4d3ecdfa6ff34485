/**
 * Following a paged list (Kubernetes `continue` tokens, MCP `nextCursor`) to its end.
 *
 * A list cut short is a list that lies: an extra tool or a stray workload on a later page would
 * go unseen and a check would pass. So the page limit (a guard against a server that never stops
 * paging) ends in an error, never in a partial list.
 *
 * A token (or cursor) this listing already asked with is refused on the page that names it: the
 * server repeats itself (the same token again, or a proxy that drops the token and answers the
 * first page's each time) and would page forever; the page limit alone stopped it only after
 * every page's request and deadline (drift: 100 pages of three attempts each). The first page is
 * asked without a token, so a server that names no token is never taken for one that repeats.
 */
import { printableLine } from './printable.js';

/** A list that cannot be read whole: the server repeats a token, or pages past the limit. */
export class PagingError extends Error {
  override name = 'PagingError';
}

export interface Page<T> {
  readonly items: readonly T[];
  /** The token or cursor of the next page; absent or empty on the last page. */
  readonly next?: string | undefined;
}

/**
 * Every item of every page, in order; throws when a page names a token already asked with, and
 * when pages remain after `maxPages`. `otherwise`: a fix of the caller's that needs no list at all
 * (crds --from-cluster: the CRDs from files), offered after the server's own.
 */
export async function allPages<T>(
  what: string,
  fetchPage: (token: string | undefined) => Promise<Page<T>>,
  maxPages: number,
  otherwise?: string,
): Promise<T[]> {
  const items: T[] = [];
  /** Each token sent, and the page (from 1) it asked for. */
  const asked = new Map<string, number>();
  let token: string | undefined;
  for (let page = 1; page <= maxPages; page++) {
    if (token) asked.set(token, page);
    const res = await fetchPage(token);
    items.push(...res.items);
    token = res.next || undefined;
    if (!token) return items;
    const again = asked.get(token);
    if (again !== undefined)
      throw new PagingError(
        `${what}: page ${page} names the next page "${printableLine(token, 80)}", the token page ${again} was ` +
          'asked with: the server repeats itself and would page forever (fix: a broken server, or a proxy in front ' +
          `of it that drops the token: read the server directly, or have it mended${otherwise ? `; or ${otherwise}` : ''})`,
      );
  }
  throw new PagingError(
    `${what}: still more pages after ${maxPages} (${items.length} items read); refusing a list cut short` +
      (otherwise ? ` (fix: ${otherwise})` : ''),
  );
}
