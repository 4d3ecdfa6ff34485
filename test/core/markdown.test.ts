/**
 * Text from outside in the stack's Markdown (src/core/markdown.ts): the pull-request comment's gate
 * findings (an unresolved value's reason quoting `<tenant>`), the semantic diff's keys, paths and
 * values, render as text: outside code spans and code blocks no `<`, `](` or `**` from them, no
 * extra table column, no code span closed early.
 */
import { describe, expect, it } from 'vitest';
import { codeFence, codeSpan, markdownText } from '../../src/core/markdown.js';
import { commentMarkdown, type GateJson } from '../../src/delivery/comment.js';
import { renderMarkdown } from '../../src/review/render.js';
import { outsideCode } from '../support/markdown-text.js';

const HOSTILE = 'x | col2 | </details> <img src=x onerror=alert(1)> [link](http://evil) **bold** _em_ `code` \u001b[2J';
const LIVE = ['<img', '</details>', '](', '**bold**', '_em_', '| col2 |', '\u001b'];

function expectInert(markdown: string): void {
  const shown = outsideCode(markdown);
  for (const live of LIVE) expect(shown).not.toContain(live);
}

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

describe('the pull-request comment and the semantic diff', () => {
  it("a gate finding's message and fix (an unresolved reason) render as text", () => {
    const gate: GateJson = {
      passed: false,
      findings: [
        {
          severity: 'error',
          rule: 'unresolved`value',
          file: 'dist/<env>/x.yaml',
          message: `oidc.issuer unresolved: https://login.microsoftonline.com/<tenant>/v2.0 ${HOSTILE}`,
          fix: `set it ${HOSTILE}`,
        },
      ],
      excepted: [],
    };
    const comment = commentMarkdown({ diffMarkdown: '', gate });
    expect(comment).toContain('https://login.microsoftonline.com/&lt;tenant&gt;/v2.0');
    expect(comment).toContain('``unresolved`value``');
    expectInert(comment.replace(/^<!--.*-->$/m, ''));
    expect(outsideCode(comment)).not.toContain('<tenant>');
  });

  it("an object's key, file, field path, summary and values render as text, the table keeps 3 columns", () => {
    const markdown = renderMarkdown({
      added: [{ key: HOSTILE, kind: 'ConfigMap', name: 'a', file: HOSTILE }],
      removed: [],
      changed: [
        {
          key: `ConfigMap/${HOSTILE}`,
          kind: 'ConfigMap',
          name: 'b',
          file: HOSTILE,
          fields: [
            { path: `data.${HOSTILE}`, before: HOSTILE, after: 'b`|`c' },
            { path: 'data.y', before: 1, after: 2, summary: HOSTILE },
          ],
        },
      ],
    });
    expectInert(markdown);
    const rows = markdown.split('\n').filter((l) => l.startsWith('| `'));
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row.split(/(?<!\\)\|/).length).toBe(5);
  });
});
