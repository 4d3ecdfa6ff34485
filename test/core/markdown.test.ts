/**
 * The one Markdown escaper (src/core/markdown.ts): text from outside renders as text, code spans and
 * fences never closed early. Its users are tested with their own files: the pull-request comment
 * (test/delivery/comment.test.ts) and the semantic diff (test/review/diff.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { codeFence, codeSpan, markdownText } from '../../src/core/markdown.js';
import { expectInert, HOSTILE } from '../support/markdown-text.js';

describe('markdownText', () => {
  it('one line, printable, HTML as entities and Markdown punctuation escaped', () => {
    expect(markdownText('a <b>&</b>\n[x](y) *z* | w')).toBe('a &lt;b&gt;&amp;&lt;/b&gt; \\[x\\]\\(y\\) \\*z\\* \\| w');
    expect(markdownText('\u001b]8;;\u0007')).toBe('\\\\u001b\\]8;;\\\\u0007');
    expectInert(markdownText(HOSTILE));
  });
});

describe('codeSpan and codeFence', () => {
  it('a fence longer than any backtick run inside, padded when the text starts or ends with one', () => {
    expect(codeSpan('a')).toBe('`a`');
    expect(codeSpan('a``b')).toBe('```a``b```');
    expect(codeSpan('`a')).toBe('`` `a ``');
    expect(codeSpan('a|b', { inTable: true })).toBe('`a\\|b`');
    expect(codeSpan('a\u202eb')).toBe('`a\\u202eb`');
    expect(codeFence('no backticks')).toBe('```');
    expect(codeFence('x ```` y')).toBe('`````');
  });
});
