import { describe, expect, test } from 'vitest';
import { parsePath, valueAt } from '../../src/core/values-path.js';

describe('valueAt', () => {
  const tree = { spec: { values: { 'a.b': [{ name: 'x' }, { name: 'y' }] }, zero: 0, empty: null } };

  test('follows keys and list indexes, dots inside keys included', () => {
    expect(valueAt(tree, parsePath('spec.values.a\\.b[1].name'))).toBe('y');
    expect(valueAt(tree, ['spec', 'zero'])).toBe(0);
    expect(valueAt(tree, [])).toBe(tree);
  });

  test('is undefined past a missing key, a scalar or null', () => {
    expect(valueAt(tree, ['spec', 'missing', 'deeper'])).toBeUndefined();
    expect(valueAt(tree, ['spec', 'zero', 'deeper'])).toBeUndefined();
    expect(valueAt(tree, ['spec', 'empty', 'deeper'])).toBeUndefined();
    expect(valueAt(tree, parsePath('spec.values.a\\.b[2].name'))).toBeUndefined();
  });
});
