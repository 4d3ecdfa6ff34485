import { expect } from 'vitest';

/**
 * What of a Markdown document renders as Markdown: the document without its fenced code blocks
 * and inline code spans (CommonMark: a block closes at a fence at least as long as its opening; a
 * span at a run of exactly as many backticks). A test asserts that hostile text shows no live
 * Markdown or HTML (`<`, `](`, `**`) in what is left.
 */
export function outsideCode(markdown: string): string {
  const kept: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split('\n')) {
    const opening = /^ {0,3}(`{3,})/.exec(line)?.[1];
    if (fence === undefined && opening !== undefined) fence = opening;
    else if (fence !== undefined) {
      if (opening !== undefined && opening.length >= fence.length && line.trim() === opening) fence = undefined;
    } else kept.push(line.replace(/(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, ''));
  }
  return kept.join('\n');
}

/** Text from outside that would render as live Markdown or HTML (a link, an image, a closed <details>, a column), and an ESC. */
export const HOSTILE =
  'x | col2 | </details> <img src=x onerror=alert(1)> [link](http://evil) **bold** _em_ `code` \u001b[2J';

/** What of HOSTILE must not be left outside code spans and blocks. */
const LIVE = ['<img', '</details>', '](', '**bold**', '_em_', '| col2 |', '\u001b'];

/** `markdown` shows HOSTILE as text: none of LIVE outside its code. */
export function expectInert(markdown: string): void {
  const shown = outsideCode(markdown);
  for (const live of LIVE) expect(shown).not.toContain(live);
}
