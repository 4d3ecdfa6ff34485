/**
 * Redaction of secrets (the API key) from anything a probe returns: the gateway probes redact
 * their own outcomes, and the runner redacts every result again before it is reported, as the
 * last line of defence behind evaluators that never echo a secret.
 */

/** Replaces every occurrence of each secret (4+ characters) with `[redacted …last4]`. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    out = out.split(secret).join(`[redacted …${secret.slice(-4)}]`);
  }
  return out;
}

/** Redacts secrets anywhere in a JSON-serializable value (strings, keys, nested). */
export function redactDeep<T>(value: T, secrets: readonly (string | undefined)[]): T {
  if (!secrets.some((s) => s && s.length >= 4)) return value;
  return JSON.parse(redact(JSON.stringify(value) ?? 'null', secrets.map((s) => (s ? JSON.stringify(s).slice(1, -1) : s)))) as T;
}
