/**
 * allPages follows a paged list to its end, and refuses to return a list cut short.
 */
import { describe, expect, it } from 'vitest';
import { allPages } from '../../src/core/all-pages.js';

/** A server with `total` items served `size` per page, recording the tokens it was asked for. */
function pagedServer(total: number, size: number) {
  const asked: (string | undefined)[] = [];
  const fetchPage = async (token: string | undefined) => {
    asked.push(token);
    const start = token ? Number(token) : 0;
    const items = Array.from({ length: Math.min(size, total - start) }, (_, i) => start + i);
    return { items, next: start + size < total ? String(start + size) : undefined };
  };
  return { asked, fetchPage };
}

describe('allPages', () => {
  it('reads every page in order, passing each continue token', async () => {
    const server = pagedServer(7, 3);
    expect(await allPages('list', server.fetchPage, 10)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(server.asked).toEqual([undefined, '3', '6']);
  });

  it('treats an empty token as the last page', async () => {
    expect(await allPages('list', async () => ({ items: ['a'], next: '' }), 5)).toEqual(['a']);
  });

  it('throws instead of returning a list cut short when pages remain after the limit', async () => {
    const server = pagedServer(10, 2);
    await expect(allPages('list Pods in arcade', server.fetchPage, 3)).rejects.toThrow(
      /list Pods in arcade: still more pages after 3 \(6 items read\)/,
    );
  });
});
