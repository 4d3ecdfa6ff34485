/**
 * The edit distance behind every "did you mean": a swap of two adjacent characters is one typo.
 */
import { describe, expect, it } from 'vitest';
import { editDistance, likelyTypoOf } from '../../src/core/edit-distance.js';

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and adjacent swaps as one edit each, ignoring case', () => {
    expect(editDistance('out', 'out')).toBe(0);
    expect(editDistance('outt', 'out')).toBe(1);
    expect(editDistance('ot', 'out')).toBe(1);
    expect(editDistance('oxt', 'out')).toBe(1);
    expect(editDistance('hepl', 'help')).toBe(1);
    expect(editDistance('hepl', 'repo')).toBe(2);
    expect(editDistance('ValuesFrm', 'valuesfrom')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('likelyTypoOf', () => {
  it('picks the closest candidate within the typo limit, or none', () => {
    expect(likelyTypoOf('hepl', ['repo', 'help'])).toBe('help');
    expect(likelyTypoOf('relaseName', ['releaseName', 'interval'])).toBe('releaseName');
    expect(likelyTypoOf('zzz', ['out', 'env'])).toBeUndefined();
  });
});
