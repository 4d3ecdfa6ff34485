/**
 * The depth scan of src/kube/json-depth.ts on its own, for what the 5-million-level bodies of
 * test/kube/text-answers.test.ts never reach: brackets inside strings, escapes, multibyte UTF-8 and
 * a byte order mark. Checked by mutation (session 15): without the string tracking, the four cases
 * within their limit that hold brackets in a string fail; without the skip of the byte after a
 * backslash, the escaped quote's; a scan that takes a quote after a backslash for an escaped one
 * (no skip), the escaped backslash's. The cases over their limit show the scan still counts there.
 */
import { describe, expect, it } from 'vitest';
import { nestedDeeperThan } from '../../src/kube/json-depth.js';

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('nestedDeeperThan', () => {
  const cases: [string, Uint8Array, number, boolean][] = [
    // Without the backslash skip, \" ends the string and [[[ count: 4 levels.
    ['brackets and an escaped quote inside a string', utf8('{"s":"]]]\\"[[["}'), 1, false],
    // Without the string tracking, 2000 levels.
    ['2000 [ inside a string', utf8(`{"s":"${'['.repeat(2000)}"}`), 1, false],
    // An escaped backslash before the closing quote: the string ends there, and [[ count (a scan that took
    // every \" for an escaped quote stays in the string: 1 level). Without the string tracking, 2000 levels.
    ['\\\\ before a closing quote, then nesting', utf8(`{"s":"${'['.repeat(2000)}\\\\","a":[[1]]}`), 2, true],
    [
      '\\\\ before a closing quote, then nesting within the limit',
      utf8(`{"s":"${'['.repeat(2000)}\\\\","a":[[1]]}`),
      3,
      false,
    ],
    // Multibyte UTF-8 (no byte below 0x80 inside a character) in keys and values, brackets between.
    ['multibyte UTF-8 around brackets in strings', utf8(`{"é€":"日[本${'['.repeat(2000)}ü","a":[[1]]}`), 3, false],
    [
      'multibyte UTF-8 around brackets in strings, nested over the limit',
      utf8(`{"é€":"日[本${'['.repeat(2000)}ü","a":[[1]]}`),
      2,
      true,
    ],
    // A byte order mark is no bracket; the quote after it opens a string as any does.
    ['a byte order mark, then a string of brackets', utf8(`\uFEFF"${'['.repeat(2000)}"`), 1, false],
    ['a byte order mark, then nesting over the limit', utf8('\uFEFF[[1]]'), 1, true],
  ];
  it.each(cases)('%s', (_name, body, max, deeper) => {
    expect(nestedDeeperThan(body, max)).toBe(deeper);
  });
});
