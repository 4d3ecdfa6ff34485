/**
 * What looks like a credential: the key names and value shapes the gate's secret scan
 * (src/check/secrets.ts) and the environment schema (passed-through chart values) both refuse.
 */
import { unresolvedReasonIn } from './unresolved-text.js';

/** Keys whose value is a credential. */
export const SECRET_KEY =
  /(pass(word|wd)?$|passphrase|secret$|^secret|token|api[-_]?key|apikey|private[-_]?key|credential|root[-_]?key|access[-_]?key|client[-_]?secret|auth$)/i;
/** Keys whose value is a password whatever it looks like (a default password is not random). */
const PASSWORD_KEY = /(pass(word|wd)?$|passphrase)/i;
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

/**
 * Values that are a switch, not a password: `ALLOW_EMPTY_PASSWORD=yes` (Bitnami's images) names a
 * password yet holds a flag.
 */
const FLAG = /^(yes|no|true|false|on|off|0|1)$/i;
/** A key naming an identifier (`API_KEY_ID`, `clientId`, `key-id`): a UUID under it is not a secret. */
const IDENTIFIER_KEY = /([-_.]id|[a-z]Id)$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether a value under a secret-like key (`key`, when known) looks like a real credential (random,
 * not a name, not a UUID under an identifier key such as `API_KEY_ID`).
 */
export function looksRandom(value: string, key?: string): boolean {
  if (value.length < 16 || /\s/.test(value) || PLACEHOLDER.test(value)) return false;
  if (unresolvedReasonIn(value) !== undefined) return false;
  if (key !== undefined && IDENTIFIER_KEY.test(key) && UUID.test(value)) return false;
  // words (a name, path or reference such as arcade-engine-root-key, existingSecretName,
  // /var/secrets/google/key.json, /oauth2/v2.0/token or arcade-db-v2-credentials): segments between
  // - . _ / of lower-case or camelCase words, none longer than 20 letters, a word may end in up to two
  // digits (v2, oauth2) and a segment may be a number of up to 4 digits (0, 2026); random letters and
  // digits rarely take that shape. An empty segment (a path's leading /) is no segment.
  const segments = value.split(/[-._/]/).filter(Boolean);
  const word = (seg: string) =>
    seg.length <= 20 &&
    (/^([A-Z]?[a-z]+)+\d{0,2}$/.test(seg) || (segments.length > 1 && /^([A-Z]+|\d{1,4})$/.test(seg)));
  if (segments.some((seg) => /[a-z]{2}/i.test(seg)) && segments.every(word)) return false;
  if (/^https?:\/\/[^@]*$/.test(value)) return false; // a URL without credentials
  return entropy(value) >= 3.5;
}

/**
 * Whether `value`, under the key (or env var name) `key`, is a plaintext credential: a secret-like
 * key, a value that is not empty, not a placeholder (`$(VAR)`, `${VAR}`, `<...>`) nor an
 * unresolved marker, and either under a password key (a default password is not random; a flag such
 * as `yes` or `true` is no password) or random.
 */
export function credentialUnder(key: string, value: string): boolean {
  if (!SECRET_KEY.test(key) || value === '' || PLACEHOLDER.test(value) || unresolvedReasonIn(value) !== undefined)
    return false;
  return (PASSWORD_KEY.test(key) && !FLAG.test(value)) || looksRandom(value, key);
}
