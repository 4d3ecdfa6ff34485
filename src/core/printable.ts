/**
 * The one way text from outside the stack (a server's answer, a forge's, what a program such as
 * kubectl, helm, git or promtool wrote to stderr) is made safe to print on a terminal or into a CI
 * log: every code point that would act on the terminal rather than show is written as its
 * `\uXXXX` escape, so such text cannot erase, recolour, reorder or fake lines, or retitle the window.
 *
 * Those code points: every C0 control (U+0000-U+001F: ESC starts an ANSI escape sequence, CR goes
 * back over the line, LF fakes a line; tab too: its width is the terminal's, and every message the
 * stack prints from outside text is one line, so a tab has nothing to align), DEL and the C1
 * controls (U+007F-U+009F: U+009B is CSI on some terminals), the line and paragraph separators
 * (U+2028, U+2029), and every bidirectional mark, embedding, override and isolate (U+061C, U+200E,
 * U+200F, U+202A-U+202E, U+2066-U+2069: they reorder what follows). Everything else, letters of
 * every script included, is shown as it is. A caller that wants whitespace (tab, CR, LF) as spaces
 * collapses it before (`printableLine` below).
 *
 * A text that must be cut is cut with `printableCut`, which never splits an escape (nor a surrogate
 * pair): cutting escaped text with `slice` could leave `\u00` and a dangling `1b`.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const ACTS_ON_TERMINAL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Each UTF-16 code unit of `text` as `\uXXXX` (lower-case hex, as JSON writes one): `\u001b`, `\ud83d\ude00`. */
export function unicodeEscape(text: string): string {
  return Array.from({ length: text.length }, (_, i) => `\\u${text.charCodeAt(i).toString(16).padStart(4, '0')}`).join(
    '',
  );
}

/** `text` with every code point that acts on a terminal (see above) written as `\uXXXX`. */
export function printable(text: string): string {
  return text.replace(ACTS_ON_TERMINAL, unicodeEscape);
}

/** The code points of `text`, last first (a surrogate pair stays one). */
function* fromTheEnd(text: string): Generator<string> {
  let i = text.length;
  while (i > 0) {
    const low = text.charCodeAt(i - 1);
    const high = i > 1 ? text.charCodeAt(i - 2) : 0;
    const size = low >= 0xdc00 && low <= 0xdfff && high >= 0xd800 && high <= 0xdbff ? 2 : 1;
    yield text.slice(i - size, i);
    i -= size;
  }
}

/** How `printableCut` cuts: which end it keeps, and the mark that stands for what it left out. */
export interface Cut {
  /** `start` keeps the beginning (the mark at the end); `end` keeps the end (the mark first). @default 'start' */
  readonly keep?: 'start' | 'end';
  /**
   * The mark, counted in `max`; or made from the text left out (`printableCapped`: how many
   * characters), added beyond `max`, which then counts only what is kept. @default '…'
   */
  readonly mark?: string | ((leftOut: string) => string);
}

/**
 * `printable(text)` when it is at most `max` characters; else as many whole code points of it as fit
 * in `max` with the mark (escaped as `printable` does: an escape is kept whole or left out, never
 * split), from the start or the end of `text`.
 */
export function printableCut(text: string, max: number, { keep = 'start', mark = '…' }: Cut = {}): string {
  const whole = printable(text);
  if (whole.length <= max) return whole;
  const kept: string[] = [];
  let room = typeof mark === 'string' ? max - mark.length : max;
  let used = 0;
  for (const c of keep === 'start' ? text : fromTheEnd(text)) {
    const shown = printable(c);
    if (shown.length > room) break;
    kept.push(shown);
    room -= shown.length;
    used += c.length;
  }
  const leftOut = keep === 'start' ? text.slice(used) : text.slice(0, text.length - used);
  const shownMark = typeof mark === 'string' ? mark : mark(leftOut);
  return keep === 'start' ? `${kept.join('')}${shownMark}` : `${shownMark}${kept.reverse().join('')}`;
}

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

/**
 * Text a person wrote into an environment file (an unresolved value's reason, which synth lists
 * and the gate reports from dist/) for a terminal: `printable`, and when longer than `max`
 * characters as shown, its first whole code points that fit followed by ` (… N more characters)`,
 * N counting the code points left out: a 200 kB reason is one readable line, not a screenful.
 */
export function printableCapped(text: string, max = 300): string {
  return printableCut(text, max, { mark: (leftOut) => ` (… ${[...leftOut].length} more characters)` });
}
