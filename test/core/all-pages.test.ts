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

describe('allPages refuses a server that repeats itself', () => {
  /** Pages by the token they were asked with ('' for the first): their next token. */
  const server = (next: Record<string, string>) => {
    const asked: string[] = [];
    const fetchPage = async (token: string | undefined) => {
      asked.push(token ?? '');
      return { items: [token ?? ''], next: next[token ?? ''] };
    };
    return { asked, fetchPage };
  };
  const cases: [string, Record<string, string>, number, number][] = [
    ['the same token again', { '': 'a1', a1: 'a1' }, 2, 2],
    ['the first token again (a proxy that drops it)', { '': 'a1', a1: 'a2', a2: 'a1' }, 3, 2],
  ];
  for (const [what, next, page, again] of cases) {
    it(`at once, naming the list, the page and the token: ${what}`, async () => {
      const s = server(next);
      await expect(allPages('list Pods in arcade', s.fetchPage, 100)).rejects.toThrow(
        `list Pods in arcade: page ${page} names the next page "a1", the token page ${again} was asked with: the ` +
          'server repeats itself and would page forever (fix: a broken server, or a proxy in front of it that drops ' +
          'the token: read the server directly, or have it mended)',
      );
      expect(s.asked).toHaveLength(page);
    });
  }

  it('quotes a token printably and briefly', async () => {
    const token = `\u001b[2J${'t'.repeat(200)}`;
    const err = (await allPages('tools/list', async () => ({ items: [1], next: token }), 10).catch(
      (e: unknown) => e,
    )) as Error;
    expect(err.message).toMatch(/^tools\/list: page 2 names the next page "\\u001b\[2Jt+…", the token page 2/);
  });

  it('takes tokens that only look alike as different', async () => {
    const s = server({ '': 'a', a: 'A', A: 'a ' });
    expect(await allPages('list', s.fetchPage, 10)).toEqual(['', 'a', 'A', 'a ']);
  });
});
