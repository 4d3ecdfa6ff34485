/** Text as one line of at most `max` characters (whitespace runs collapsed, `…` when cut): for details and evidence. */
export function oneLine(text: string, max = 160): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
