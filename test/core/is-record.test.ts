import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isRecord } from '../../src/core/is-record.js';

describe('isRecord: a map of a JSON or YAML tree', () => {
  it('is true for a parsed map, false for a list, null and scalars', () => {
    const tree: unknown = parse('a: {b: 1}\nl: [1]\nn: null\ns: x\n');
    expect(isRecord(tree)).toBe(true);
    const { a, l, n, s } = tree as Record<string, unknown>;
    expect([isRecord(a), isRecord(l), isRecord(n), isRecord(s), isRecord(undefined), isRecord(1)]).toEqual([
      true,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});
