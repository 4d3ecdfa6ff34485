/** Text as one line of at most `max` characters (whitespace runs collapsed, `…` when cut): for details and evidence. */
export function oneLine(text: string, max = 160): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Code points that would act on a terminal rather than show: C0 controls but whitespace, DEL, C1, bidi controls. */
function actsOnTerminal(c: string): boolean {
  const n = c.codePointAt(0) ?? 0;
  return (
    (n < 0x20 && !/\s/.test(c)) ||
    (n >= 0x7f && n <= 0x9f) ||
    (n >= 0x202a && n <= 0x202e) ||
    (n >= 0x2066 && n <= 0x2069) ||
    n === 0x200e ||
    n === 0x200f
  );
}

/**
 * Text a server outside our control wrote (an error answer's message, a redirect's target), safe to
 * print: what would act on a terminal (an ANSI escape sequence's ESC, a bell, a bidi override) is
 * shown as its `\uXXXX` escape, then the text is one line of at most `max` characters (oneLine).
 */
export function printableLine(text: string, max = 160): string {
  const shown = [...text]
    .map((c) => (actsOnTerminal(c) ? `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}` : c))
    .join('');
  return oneLine(shown, max);
}
