/**
 * Following a paged list (Kubernetes `continue` tokens, MCP `nextCursor`) to its end.
 *
 * A list cut short is a list that lies: an extra tool or a stray workload on a later page would
 * go unseen and a check would pass. So the page limit (a guard against a server that never stops
 * paging) ends in an error, never in a partial list.
 */

export interface Page<T> {
  readonly items: readonly T[];
  /** The token or cursor of the next page; absent or empty on the last page. */
  readonly next?: string | undefined;
}

/** Every item of every page, in order; throws when pages remain after `maxPages`. */
export async function allPages<T>(
  what: string,
  fetchPage: (token: string | undefined) => Promise<Page<T>>,
  maxPages: number,
): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const res = await fetchPage(token);
    items.push(...res.items);
    token = res.next || undefined;
    if (!token) return items;
  }
  throw new Error(
    `${what}: still more pages after ${maxPages} (${items.length} items read); refusing a list cut short`,
  );
}
