/**
 * The one way outside text is made safe for a terminal (src/core/printable.ts): which code points
 * are escaped (each one listed, and the neighbours of each range shown as they are), and cuts that
 * never split an escape or a surrogate pair, from either end.
 */
import { describe, expect, it } from 'vitest';
import { printable, printableCut, printableLine, unicodeEscape } from '../../src/core/printable.js';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const hex = (n: number) => `\\u${n.toString(16).padStart(4, '0')}`;

/** Every code point that acts on a terminal, as the module's comment lists them. */
const ACTING = [
  ...range(0x00, 0x1f),
  ...range(0x7f, 0x9f),
  0x061c,
  0x200e,
  0x200f,
  0x2028,
  0x2029,
  ...range(0x202a, 0x202e),
  ...range(0x2066, 0x2069),
];

describe('printable: what acts on a terminal, written as \\uXXXX', () => {
  it('escapes each code point that acts on a terminal, tab, CR and LF included', () => {
    for (const n of ACTING) expect(printable(`a${String.fromCodePoint(n)}b`)).toBe(`a${hex(n)}b`);
    expect(printable('\u001b[31mred\u001b[0m\r\n\tx')).toBe('\\u001b[31mred\\u001b[0m\\u000d\\u000a\\u0009x');
  });

  it("shows everything else as it is: each range's neighbours, letters of any script, emoji", () => {
    const neighbours = [0x20, 0x7e, 0xa0, 0x061b, 0x061d, 0x200d, 0x2010, 0x2027, 0x202f, 0x2065, 0x206a];
    for (const n of neighbours) expect(printable(String.fromCodePoint(n))).toBe(String.fromCodePoint(n));
    const letters = 'équipe Ωμέγα 日本語 עברית العربية 😀 \\u001b';
    expect(printable(letters)).toBe(letters);
  });

  it('unicodeEscape writes each UTF-16 code unit, as JSON does', () => {
    expect(unicodeEscape('\u001b😀')).toBe('\\u001b\\ud83d\\ude00');
    expect(JSON.parse(`"${unicodeEscape('\u202e😀')}"`)).toBe('\u202e😀');
  });
});

describe('printableCut: at most max characters, never inside an escape', () => {
  const text = 'ab\u001bcd\u202eé😀f';
  const pieces = ['a', 'b', '\\u001b', 'c', 'd', '\\u202e', 'é', '😀', 'f'];
  const whole = pieces.join('');

  it('is printable(text) when that fits', () => {
    expect(printableCut(text, whole.length)).toBe(whole);
    expect(printableCut(text, 100, { keep: 'end' })).toBe(whole);
  });

  it('keeps the most whole pieces that fit with the mark, from the start or the end', () => {
    for (let max = 1; max < whole.length; max++) {
      const start = printableCut(text, max);
      const end = printableCut(text, max, { keep: 'end', mark: '...' });
      expect(start.length).toBeLessThanOrEqual(max);
      expect(end.length).toBeLessThanOrEqual(Math.max(max, 3));
      // The longest run of whole pieces that fits, and nothing else.
      let n = 0;
      while (n < pieces.length && pieces.slice(0, n + 1).join('').length <= max - 1) n++;
      expect(start).toBe(`${pieces.slice(0, n).join('')}…`);
      let m = 0;
      while (m < pieces.length && pieces.slice(-(m + 1)).join('').length <= max - 3) m++;
      expect(end).toBe(`...${m === 0 ? '' : pieces.slice(-m).join('')}`);
    }
    expect(printableCut(text, 6)).toBe('ab…');
    expect(printableCut(text, 9)).toBe('ab\\u001b…');
    expect(printableCut(text, 6, { keep: 'end', mark: '...' })).toBe('...😀f');
    expect(printableCut(text, 5, { keep: 'end', mark: '...' })).toBe('...f');
  });

  it('gives a mark made from the left-out text what was left out, raw, and does not count it in max', () => {
    const told = (leftOut: string) => `[${printable(leftOut)}]`;
    expect(printableCut(text, 9, { mark: told })).toBe('ab\\u001bc[d\\u202eé😀f]');
    expect(printableCut(text, 3, { keep: 'end', mark: told })).toBe('[ab\\u001bcd\\u202eé]😀f');
    // A surrogate pair is left out whole, never half.
    expect(printableCut(text, 1, { keep: 'end', mark: (leftOut) => `${[...leftOut].length} left|` })).toBe('8 left|f');
    expect(printableCut(text, whole.length, { mark: told })).toBe(whole);
  });
});

describe('printableLine: one line, escaped, cut at a piece', () => {
  it('turns line ends into spaces, escapes the rest and cuts after whole escapes', () => {
    expect(printableLine('  one\r\ntwo\u2028three \u001b[2K\u0007 ')).toBe('one two three \\u001b[2K\\u0007');
    expect(printableLine('x\u001b\u001b\u001b', 10)).toBe('x\\u001b…');
    expect(printableLine('abcdef', 4)).toBe('abc…');
  });
});
