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
