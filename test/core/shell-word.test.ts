/** A word for a pasted command: as it is when no shell reads it specially, else single-quoted. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellWord } from '../../src/core/shell-word.js';

describe('shellWord', () => {
  it('leaves a plain path or branch name as it is', () => {
    expect(shellWord('/tmp/gitops-AbC123/ck')).toBe('/tmp/gitops-AbC123/ck');
    expect(shellWord('arcade-stack/staging-0123456789ab')).toBe('arcade-stack/staging-0123456789ab');
  });

  it("quotes anything else so that sh reads it back unchanged (a space, a ', $, a backquote, ;)", () => {
    for (const word of ['with space/ck', "it's here", '$HOME', '`id`', 'a;b', '', '*']) {
      expect(execFileSync('sh', ['-c', `printf '%s' ${shellWord(word)}`], { encoding: 'utf8' })).toBe(word);
    }
    expect(shellWord("it's")).toBe(`'it'\\''s'`);
  });
});
