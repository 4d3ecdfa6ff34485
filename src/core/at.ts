/**
 * Reading an index the code has proved is there (a loop bound, a length checked above, a regex
 * group that always takes part in a match), under `noUncheckedIndexedAccess`, without `!`: if the
 * proof is ever wrong, the read throws an IndexError naming what was read, where `!` would let an
 * `undefined` run on into some later, unrelated failure. A value that can really be absent is read
 * with `?.`/`??` and handled, never with this.
 */

/** A read the code proved in range found nothing: a bug, named. */
export class IndexError extends RangeError {
  override name = 'IndexError';
}

/** `items[index]`, which the caller proved is present; throws IndexError naming `what` otherwise. */
export function at<T>(items: ArrayLike<T | undefined>, index: number, what = 'item'): T {
  const item = items[index];
  if (item === undefined) throw new IndexError(`${what} ${index} is missing (length ${items.length})`);
  return item;
}

/** The first and last of a list the caller proved non-empty; throws IndexError otherwise. */
export function ends<T>(items: readonly T[], what = 'list'): { first: T; last: T } {
  return { first: at(items, 0, `${what}: item`), last: at(items, items.length - 1, `${what}: item`) };
}
