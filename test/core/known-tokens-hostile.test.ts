/**
 * Session 16's review: a megabyte of text shaped to make the token patterns backtrack (a prefix
 * repeated: a match could start at each repeat and scan to the end) is masked in linear time. Before
 * the mend `xoxb-` repeated 160 KB took 25 s in hideKnownTokens and `token.` repeated 20 KB did not
 * end in 120 s in hideTokenShapes. No wall-clock assertion: the test's timeout is the hang guard
 * (measured times: docs/benchmarks.md).
 */
import { describe, expect, it } from 'vitest';
import { hideKnownTokens } from '../../src/core/known-tokens.js';
import { NO_SECRETS, withoutUserinfoOf } from '../../src/core/redact.js';
import { hideTokenShapes } from '../../src/core/token-shapes.js';

const MB = 1 << 20;
const SHAPES = ['xoxb-', 'eyJ-', 'eyJ.', 'ghp_', 'glpat-', 'arc_', 'AIza', 'ya29.', 'token.', 'xoxe-1-', 'a'];

/** A GitHub key after the hostile megabyte (built from parts: the repository's secret scan reads this file). */
const KEY = `${'ghp'}_${'aB3dE5gH7j'.repeat(4).slice(0, 32)}WXYZ`;

describe('a megabyte of a repeated prefix', () => {
  it.each(SHAPES)('%s: every mask completes, and still hides a key planted after it', (shape) => {
    const text = `${shape.repeat(Math.ceil(MB / shape.length))} ${KEY}`;
    for (const mask of [hideKnownTokens, hideTokenShapes, NO_SECRETS.text, (t: string) => withoutUserinfoOf([], t)]) {
      const masked = mask(text);
      expect(masked).toMatch(new RegExp(`…${KEY.slice(-4)}[\\]>]$`)); // an API key keeps its last 4 (the brief's …abcd)
      expect(masked).not.toContain(KEY);
    }
  });
});
