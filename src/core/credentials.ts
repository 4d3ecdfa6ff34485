/**
 * What looks like a credential: the key names and value shapes the gate's secret scan
 * (src/check/secrets.ts) and the environment schema (passed-through chart values) both refuse.
 */
import { unresolvedReasonIn } from './unresolved-text.js';

/** Keys whose value is a credential. */
export const SECRET_KEY =
  /(pass(word|wd)?$|passphrase|secret$|^secret|token|api[-_]?key|apikey|private[-_]?key|credential|root[-_]?key|access[-_]?key|client[-_]?secret|auth$)/i;
/** Keys whose value is a password whatever it looks like (a default password is not random). */
export const PASSWORD_KEY = /(pass(word|wd)?$|passphrase)/i;
/** Placeholders that are not credentials: <...>, ${...}, $(...), {{...}}, ***. */
export const PLACEHOLDER = /^(<[^>]*>|\$\{[^}]*\}|\$\([^)]*\)|\{\{.*\}\}|\*+|x+)$/i;

/** Shannon entropy in bits per character. */
export function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/** Whether a value under a secret-like key looks like a real credential (random, not a name). */
export function looksRandom(value: string): boolean {
  if (value.length < 16 || /\s/.test(value) || PLACEHOLDER.test(value)) return false;
  if (unresolvedReasonIn(value) !== undefined) return false;
  // words (a name or reference such as arcade-engine-root-key or existingSecretName): segments of
  // lower-case or camelCase words, none longer than 20 letters; random letters rarely take that shape
  const segments = value.split(/[-._/]/);
  const word = (seg: string) =>
    seg.length <= 20 && (/^([A-Z]?[a-z]+)+$/.test(seg) || (segments.length > 1 && /^[A-Z]+$/.test(seg)));
  if (!/\d/.test(value) && segments.every(word)) return false;
  if (/^https?:\/\/[^@]*$/.test(value)) return false; // a URL without credentials
  return entropy(value) >= 3.5;
}

/**
 * Whether `value`, under the key (or env var name) `key`, is a plaintext credential: a secret-like
 * key, a value that is not empty, not a placeholder (`$(VAR)`, `${VAR}`, `<...>`) nor an
 * unresolved marker, and either under a password key (a default password is not random) or random.
 */
export function credentialUnder(key: string, value: string): boolean {
  if (!SECRET_KEY.test(key) || value === '' || PLACEHOLDER.test(value) || unresolvedReasonIn(value) !== undefined)
    return false;
  return PASSWORD_KEY.test(key) || looksRandom(value);
}
