/**
 * Quantities against apimachinery's own tables (kubernetes/kubernetes
 * staging/src/k8s.io/apimachinery/pkg/api/resource/quantity_test.go): what the API server
 * answers for what was written, and exact comparison.
 */
import { describe, expect, it } from 'vitest';
import { canonicalQuantity, canonicalResourceQuantity, parseQuantity, sameQuantity } from '../../src/core/quantity.js';

describe('canonical quantities (apimachinery Quantity.String())', () => {
  it('matches TestQuantityParseEmit', () => {
    const table: [string, string][] = [
      ['1Ki', '1Ki'],
      ['1Mi', '1Mi'],
      ['1Gi', '1Gi'],
      ['1024Mi', '1Gi'],
      ['1000M', '1G'],
      ['.001Ki', '1024m'],
      ['.000001Ki', '1024u'],
      ['.000000001Ki', '1024n'],
      ['.000000000001Ki', '2n'],
    ];
    for (const [input, canonical] of table) {
      expect(canonicalQuantity(input), input).toBe(canonical);
      expect(canonicalQuantity(`-${input}`), `-${input}`).toBe(`-${canonical}`);
    }
  });

  it('matches the alternate spellings of TestQuantityString', () => {
    const table: [string, string][] = [
      ['1024Mi', '1Gi'],
      ['307200Ki', '300Mi'],
      ['1025024Mi', '1001Gi'],
      ['1024Gi', '1Ti'],
      ['5000m', '5'],
      ['0.5', '500m'],
      ['1000M', '1G'],
      ['0.001T', '1G'],
      ['1000u', '1m'],
      ['1.08', '1080m'],
      ['1080000000n', '1080m'],
      ['1000E', '1e21'],
      ['5000E', '5e21'],
      ['.001e12', '1e9'],
      ['0.001e0', '1e-3'],
      ['1000e-12', '1e-9'],
      ['00', '0'],
    ];
    for (const [alternate, canonical] of table) expect(canonicalQuantity(alternate), alternate).toBe(canonical);
  });

  it('keeps the canonical spellings of TestQuantityString as they are', () => {
    for (const s of [
      '1Gi',
      '300Mi',
      '6Ki',
      '1001Gi',
      '1Ti',
      '5',
      '500m',
      '1G',
      '1m',
      '80m',
      '1080m',
      '300M',
      '1T',
      '1E',
      '3k',
      '1025',
      '0',
      '1e9',
      '1e-3',
      '80e-3',
      '300e6',
      '3e3',
      '1n',
      '80n',
      '1080n',
      '1u',
      '1080u',
    ]) {
      expect(canonicalQuantity(s), s).toBe(s);
    }
  });

  it('writes what the stack renders the way the server returns it', () => {
    expect(canonicalQuantity('1000m')).toBe('1');
    expect(canonicalQuantity('2000m')).toBe('2');
    expect(canonicalQuantity('1500m')).toBe('1500m');
    expect(canonicalQuantity('512Mi')).toBe('512Mi');
    expect(canonicalQuantity('0.5Gi')).toBe('512Mi');
    expect(canonicalQuantity('1536Mi')).toBe('1536Mi');
  });

  it('rounds resource quantities up to milli units (SetDefaults_ResourceList)', () => {
    expect(canonicalResourceQuantity('0.5m')).toBe('1m');
    expect(canonicalResourceQuantity('100u')).toBe('1m');
    expect(canonicalResourceQuantity('1000m')).toBe('1');
    expect(canonicalQuantity('100u')).toBe('100u');
  });

  it('refuses what TestQuantityParse calls invalid', () => {
    for (const bad of [
      '1.1.M',
      '1+1.0M',
      '0.1mi',
      '0.1am',
      'aoeu',
      '.5i',
      '1i',
      '-3.01i',
      '-3.01e-',
      '1e4294967297',
      ' 1',
      '1 ',
      '',
      '.',
    ]) {
      expect(parseQuantity(bad), JSON.stringify(bad)).toBeUndefined();
    }
  });
});

describe('sameQuantity', () => {
  it('compares by value, exactly', () => {
    expect(sameQuantity('1000m', '1')).toBe(true);
    expect(sameQuantity('1', 1)).toBe(true);
    expect(sameQuantity('1Gi', '1024Mi')).toBe(true);
    expect(sameQuantity('1k', '1000')).toBe(true);
    expect(sameQuantity('0.1', '100m')).toBe(true);
    expect(sameQuantity('500m', '1')).toBe(false);
    expect(sameQuantity('1G', '1Gi')).toBe(false);
    expect(sameQuantity('1000000001n', '1')).toBe(false);
  });

  it('is never true for a value that is not a quantity', () => {
    expect(sameQuantity('lots', 'lots')).toBe(false);
    expect(sameQuantity(undefined, '1')).toBe(false);
  });
});
