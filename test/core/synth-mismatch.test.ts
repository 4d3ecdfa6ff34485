/**
 * The comparison of an environment folder with a fresh synthesis (src/core/synth-mismatch.ts): the
 * first line that differs, a file cut short or grown at its end included (no line of the shorter
 * one differs: the first line past its end does).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mismatchText, synthMismatches } from '../../src/core/synth-mismatch.js';
import { tempDir } from '../support/temp.js';

const EXPECTED = 'a: 1\nb: 2\nc: 3\n';

function differsAt(onDisk: string): (number | undefined)[] {
  const folder = tempDir('arcade-synth-mismatch-');
  writeFileSync(join(folder, 'x.yaml'), onDisk);
  return synthMismatches(folder, [{ path: 'x.yaml', content: EXPECTED }]).map((m) => m.line);
}

describe('synthMismatches: the first line that differs', () => {
  it('names the line edited, or the first past the end of the shorter text', () => {
    expect(differsAt(EXPECTED)).toEqual([]);
    expect(differsAt('a: 1\nb: 5\nc: 3\n')).toEqual([2]);
    expect(differsAt('a: 1\nb: 2\n')).toEqual([3]); // cut short at a line's end
    expect(differsAt('a: 1\nb: 2\nc: 3')).toEqual([4]); // its last newline gone
    expect(differsAt('a: 1\nb: 2\nc: 3\nd: 4\n')).toEqual([4]); // grown
    expect(differsAt('')).toEqual([1]);
  });

  it('says it in words, with the folder missing and files that are not synth', () => {
    const folder = tempDir('arcade-synth-mismatch-');
    writeFileSync(join(folder, 'extra.yaml'), 'x: 1\n');
    expect(synthMismatches(folder, [{ path: 'x.yaml', content: EXPECTED }]).map(mismatchText)).toEqual([
      'extra.yaml is not a file synth writes (synth replaces the folder as a whole)',
      'x.yaml is missing',
    ]);
    expect(synthMismatches(join(folder, 'none'), [{ path: 'x.yaml', content: EXPECTED }]).map(mismatchText)).toEqual([
      'the folder is missing',
    ]);
  });
});
