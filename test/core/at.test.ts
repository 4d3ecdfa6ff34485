/** Reading a proved index without `!` (src/core/at.ts): the value, or an IndexError naming the read. */
import { describe, expect, test } from 'vitest';
import { at, ends, IndexError } from '../../src/core/at.js';

describe('at', () => {
  test('returns the item at a present index, from arrays, strings and regex matches', () => {
    expect(at(['a', 'b'], 1)).toBe('b');
    expect(at('xyz', 0)).toBe('x');
    const m = /^(\w+)=(\w*)$/.exec('key=value');
    expect(m && [at(m, 1), at(m, 2)]).toEqual(['key', 'value']);
  });

  test('throws IndexError naming what was read when the proof was wrong', () => {
    expect(() => at([1, 2], 2, 'sample')).toThrow(new IndexError('sample 2 is missing (length 2)'));
    expect(() => at([1], -1)).toThrow(IndexError);
    const optional = /^(a)?b$/.exec('b');
    expect(() => optional && at(optional, 1, 'group')).toThrow('group 1 is missing (length 2)');
  });

  test('ends: first and last, or IndexError for an empty list', () => {
    expect(ends([3, 1, 2])).toEqual({ first: 3, last: 2 });
    expect(() => ends([], 'samples')).toThrow('samples: item 0 is missing (length 0)');
  });
});
