/**
 * The text form of an unresolved value in synth output (`<unresolved: reason>`), and how readers
 * of dist/ (the quality gate) find it again. Kept apart from src/environments/unresolved.ts (and in the
 * core, which the gate, the credential checks and the environments all import) so that reading the
 * marker back does not load zod.
 */

/** How the text of every unresolved value in synth output begins. */
export const UNRESOLVED_TEXT_PREFIX = '<unresolved: ';

/** The marker synth writes in place of a value nobody has confirmed: visible, never plausible. */
export function unresolvedMarker(reason: string): string {
  return `${UNRESOLVED_TEXT_PREFIX}${reason}>`;
}

/** The reason of the marker in `text`, or undefined when `text` holds none. */
export function unresolvedReasonIn(text: string): string | undefined {
  const start = text.indexOf(UNRESOLVED_TEXT_PREFIX);
  if (start < 0) return undefined;
  const end = text.lastIndexOf('>');
  return text.slice(start + UNRESOLVED_TEXT_PREFIX.length, end > start ? end : undefined);
}
