/**
 * Canary API keys and the leak check the redaction tests share: does any run of 8 consecutive
 * characters of the key, or of any form a server could echo it in, appear in a text?
 *
 * The forms are derived here independently of src/core/redact.ts (which the tests check):
 * the base64 characters that belong to the key alone are found by encoding it between two
 * different prefixes and suffixes and keeping the positions where both encodings agree.
 */
import { randomBytes } from 'node:crypto';

/** How many consecutive characters of a key count as a leak (the issue: "not even 8"). */
export const LEAK = 8;

/**
 * A random key shaped like an Arcade key, with characters that change under URL and JSON
 * escaping and under base64 (`/`, `+`, `=`, `"`... are not in it: see `awkwardKey`).
 */
export function canaryKey(): string {
  return `arc_canary${randomBytes(24).toString('base64url')}`;
}

/** A key with characters every escaping changes (`/ + = " \ & < '`), for the pure-function tests. */
export function awkwardKey(): string {
  const r = randomBytes(18).toString('base64');
  return `k/${r.slice(0, 8)}+"${r.slice(8, 16)}\\&<'=${r.slice(16)}`;
}

/** A key whose base64 is dense in `+` and `/` (base64url: `-` and `_`): the two alphabets share no run of 8. */
export function denseKey(): string {
  return [...randomBytes(16).toString('hex')].map((c, i) => `${c}${i % 2 ? '?' : '~'}`).join('');
}

/** The characters of `encode(key)` that do not depend on what surrounds the key, per alignment. */
function ownCharacters(key: string, encoding: 'base64' | 'base64url'): string[] {
  const cores: string[] = [];
  for (let before = 0; before < 3; before++) {
    const a = Buffer.concat([Buffer.alloc(before, 0x00), Buffer.from(key), Buffer.alloc(2, 0x00)]).toString(encoding);
    const b = Buffer.concat([Buffer.alloc(before, 0xff), Buffer.from(key), Buffer.alloc(2, 0xff)]).toString(encoding);
    let run = '';
    for (let i = 0; i < a.length; i++) {
      if (a[i] === b[i] && a[i] !== '=')
        run += a[i]; // padding says nothing about the key
      else if (run) {
        cores.push(run);
        run = '';
      }
    }
    if (run) cores.push(run);
  }
  return cores;
}

/** Every form of `key` a server might echo: as is, lower/upper case, URL, JSON, base64(url). */
export function echoedForms(key: string): string[] {
  return [
    key,
    key.toLowerCase(),
    key.toUpperCase(),
    encodeURIComponent(key),
    JSON.stringify(key).slice(1, -1),
    ...ownCharacters(key, 'base64'),
    ...ownCharacters(key, 'base64url'),
  ];
}

/** The first run of LEAK characters of `key` or of one of its forms found in `text` (case-insensitive), or undefined. */
export function findLeak(text: string, key: string): string | undefined {
  const windows = leakWindows(key);
  // One pass over the text, looking each of its runs up (a search of the whole text per window cost
  // about 0.25 s of CPU in redaction-e2e's large outputs); then the first window in the forms' order.
  const haystack = text.toLowerCase();
  const seen = new Set<string>();
  for (let i = 0; i + LEAK <= haystack.length; i++) {
    const run = haystack.slice(i, i + LEAK);
    if (windows.lowered.has(run)) seen.add(run);
  }
  return windows.ordered.find((w) => seen.has(w.toLowerCase()));
}

let lastWindows: { key: string; ordered: string[]; lowered: Set<string> } | undefined;

/** Every run of LEAK characters of every form of `key`, in the forms' order, and lower-cased (kept for the last key). */
function leakWindows(key: string): { ordered: string[]; lowered: Set<string> } {
  if (lastWindows?.key !== key) {
    const ordered = echoedForms(key).flatMap((form) =>
      Array.from({ length: Math.max(0, form.length - LEAK + 1) }, (_, i) => form.slice(i, i + LEAK)),
    );
    lastWindows = { key, ordered, lowered: new Set(ordered.map((w) => w.toLowerCase())) };
  }
  return lastWindows;
}

/** Base64 of `text` (standard or url alphabet), the way an Authorization header or a log would carry it. */
export function b64(text: string, encoding: 'base64' | 'base64url' = 'base64'): string {
  return Buffer.from(text).toString(encoding);
}
