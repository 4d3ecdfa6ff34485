import { printableCut } from './printable.js';

/**
 * Text from outside the stack (a server's answer or error message, a redirect's target, a tool's
 * result, a pod's log line) as one line, safe to print, for details and evidence: whitespace runs,
 * line ends included, collapsed to a space and the ends trimmed, then what would act on a terminal
 * (an ANSI escape sequence's ESC, a bell, a bidi override) shown as its `\uXXXX` escape
 * (./printable.ts), at most `max` characters with `…` when cut, never inside an escape.
 */
export function printableLine(text: string, max = 160): string {
  return printableCut(text.replace(/\s+/g, ' ').trim(), max);
}
