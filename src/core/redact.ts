/**
 * Redaction of secrets (ARCADE_API_KEY in the probes, the forge token in delivery) from everything printed or written.
 *
 * One redactor is built once per run from the secrets (`createRedactor`) and applied twice:
 * - where text enters a result, before anything can shorten it: the runner hands it to every
 *   probe (`ProbeContext.redact`), which applies it to what a server answered before an
 *   evaluator quotes an excerpt of it, and the runner redacts every result again;
 * - at every sink: the terminal streams and each report file (`redactedWriter`,
 *   `report-files.ts`), on the report data before it is rendered (escaped, wrapped) and on the
 *   rendered text.
 * A shortened key is therefore never what the redactor sees, and a form the first pass missed
 * still meets the second.
 *
 * What is recognized, for each secret:
 * - its forms: as is; URL-encoded; JSON-escaped (also with `\/`); XML/HTML-escaped; base64 and
 *   base64url in all three alignments (a key inside `Bearer <key>` or `user:<key>` before
 *   encoding shifts its bits: only the characters that depend on the key's bytes alone are
 *   used, `base64Cores`); matched in any letter case (so upper/lower-case copies too);
 * - any run of {@link FRAGMENT} (8) or more consecutive characters of the secret or of any of
 *   its forms: a key cut short, or split across lines, is still found.
 *
 * Why 8: a key is long random text (Arcade keys are some 40 characters). A run of 8 characters
 * of it (about 40 bits of a random key) does not occur in ordinary text by chance, while the
 * 4 last characters are what the brief allows to show (`…abcd`). A key shorter than 8 characters
 * is only matched whole (forms of 4+ characters). The price of the rule is over-redaction, never
 * a leak: a key that is not random (say `password-password`) also hides those words elsewhere.
 *
 * Every redacted run becomes `[redacted …abcd]` (the secret's last 4 characters), or `[redacted]`
 * for a secret shorter than SHOWN_END_FROM (12) characters: the last 4 of a short key are most of it
 * (`abcd` showed the key `abcd` whole), `secretEnd` below.
 *
 * Every redactor, one with no secret too, also hides the well-known API keys and tokens it was not
 * told of, by their shape alone (./known-tokens.ts: a bare `ghp_...`, `glpat-...`, `arc_...`, `AKIA...`,
 * `xox...`, a JWT), after the secrets: `[redacted …abcd]` for an API key, `[redacted]` for a JWT or an
 * access token (since session 16; before, a bare secret with no key in front was printed whole).
 */
import { hideKnownTokens } from './known-tokens.js';
import { userinfoSecrets, withoutUserinfoIn } from './userinfo.js';

/** Runs of this many consecutive characters of a secret (or of one of its forms) are redacted. */
export const FRAGMENT = 8;
/** A secret's last 4 characters are shown (`…abcd`) only when it has at least this many. */
export const SHOWN_END_FROM = 12;

/** `…abcd`, the last 4 characters of `secret`, or '' when it is shorter than SHOWN_END_FROM. */
export function secretEnd(secret: string): string {
  return secret.length >= SHOWN_END_FROM ? `…${secret.slice(-4)}` : '';
}

/** Secrets (and forms) shorter than this are not redacted: they would eat ordinary text. */
const MIN_SECRET = 4;

/** Applies the run's secrets to text and to JSON-like values. */
export interface Redactor {
  /** `text` with every form and every fragment of the secrets replaced by `[redacted …abcd]`. */
  text(text: string): string;
  /** Every string (values and object keys) redacted, recursively through arrays and plain objects. */
  deep<T>(value: T): T;
  /** How many secrets it knows (0: it hides only the well-known token shapes). */
  readonly secrets: number;
}

/** Lower-cases ASCII letters only, so that indices in the result are indices in the input. */
function fold(text: string): string {
  return text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

function xmlEscape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/**
 * The base64 characters that depend only on `secret`'s bytes, whatever precedes or follows it,
 * for each of the three alignments (0, 1 or 2 bytes before it modulo 3).
 */
export function base64Cores(secret: string, alphabet: 'base64' | 'base64url' = 'base64'): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const cores: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString(alphabet);
    // Character j covers bits [6j, 6j + 6): keep those within the secret's bits [8·offset, 8·(offset + n)).
    const first = Math.ceil((8 * offset) / 6);
    const end = Math.floor((8 * (offset + bytes.length)) / 6);
    if (end > first) cores.push(encoded.slice(first, end));
  }
  return cores;
}

/** Every textual form of a secret the redactor looks for (before letter case is folded). */
export function secretForms(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const forms = [
    secret,
    encodeURIComponent(secret),
    json,
    json.replace(/\//g, '\\/'),
    xmlEscape(secret),
    xmlEscape(secret)
      .replace(/&apos;/g, '&#39;')
      .replace(/&quot;/g, '&#34;'),
    ...base64Cores(secret, 'base64'),
    ...base64Cores(secret, 'base64url'),
  ];
  return [...new Set(forms)];
}

interface Compiled {
  readonly marker: string;
  /** Folded windows of FRAGMENT characters of every form at least that long. */
  readonly windows: ReadonlySet<string>;
  /** Rolling hashes of `windows` (a cheap first test before a window is compared as text). */
  readonly hashes: ReadonlySet<number>;
  /** Folded whole forms shorter than FRAGMENT (a short key). */
  readonly shortForms: readonly string[];
}

/** ASCII upper case folded to lower case, on a UTF-16 code unit. */
const foldCode = (c: number) => (c >= 65 && c <= 90 ? c + 32 : c);
const BASE = 31;
/** BASE^(FRAGMENT-1) modulo 2^32, to drop the character leaving the window. */
const TOP = Array.from({ length: FRAGMENT - 1 }).reduce<number>((h) => Math.imul(h, BASE), 1);

/** The rolling hash of text[start, start + FRAGMENT), folded. */
function hashAt(text: string, start: number): number {
  let h = 0;
  for (let i = start; i < start + FRAGMENT; i++) h = (Math.imul(h, BASE) + foldCode(text.charCodeAt(i))) | 0;
  return h;
}

function compile(secret: string): Compiled {
  const windows = new Set<string>();
  const hashes = new Set<number>();
  const shortForms: string[] = [];
  for (const form of secretForms(secret).map(fold)) {
    if (form.length >= FRAGMENT) {
      for (let i = 0; i + FRAGMENT <= form.length; i++) {
        windows.add(form.slice(i, i + FRAGMENT));
        hashes.add(hashAt(form, i));
      }
    } else if (form.length >= MIN_SECRET) {
      shortForms.push(form);
    }
  }
  const end = secretEnd(secret);
  return { marker: end ? `[redacted ${end}]` : '[redacted]', windows, hashes, shortForms };
}

/** Half-open ranges of `text` to redact for one secret, merged where they overlap or touch. */
function ranges(text: string, secret: Compiled): [number, number][] {
  const found: [number, number][] = [];
  if (secret.windows.size > 0 && text.length >= FRAGMENT) {
    let h = hashAt(text, 0);
    for (let i = 0; ; i++) {
      if (secret.hashes.has(h) && secret.windows.has(fold(text.slice(i, i + FRAGMENT)))) found.push([i, i + FRAGMENT]);
      if (i + FRAGMENT >= text.length) break;
      h =
        (Math.imul(h - Math.imul(foldCode(text.charCodeAt(i)), TOP), BASE) + foldCode(text.charCodeAt(i + FRAGMENT))) |
        0;
    }
  }
  if (secret.shortForms.length > 0) {
    const folded = fold(text);
    for (const form of secret.shortForms) {
      for (let i = folded.indexOf(form); i !== -1; i = folded.indexOf(form, i + 1)) found.push([i, i + form.length]);
    }
  }
  if (found.length === 0) return found;
  found.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [start, end] of found) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

function redactText(text: string, compiled: readonly Compiled[]): string {
  let out = text;
  for (const secret of compiled) {
    const found = ranges(out, secret);
    if (found.length === 0) continue;
    let result = '';
    let at = 0;
    for (const [start, end] of found) {
      result += out.slice(at, start) + secret.marker;
      at = end;
    }
    out = result + out.slice(at);
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A redactor for these secrets (undefined, empty and shorter-than-4 entries are ignored). */
export function createRedactor(secrets: readonly (string | undefined)[]): Redactor {
  const compiled = [
    ...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET)),
  ].map(compile);
  // Nothing shorter than the shortest window or short form can hold a secret: most strings of a result.
  const shortest = Math.min(
    ...compiled.flatMap((c) => [...(c.windows.size > 0 ? [FRAGMENT] : []), ...c.shortForms.map((f) => f.length)]),
  );
  const text = (value: string) =>
    hideKnownTokens(compiled.length === 0 || value.length < shortest ? value : redactText(value, compiled));
  const deep = (value: unknown): unknown => {
    if (typeof value === 'string') return text(value);
    if (Array.isArray(value)) return value.map(deep);
    if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [text(k), deep(v)]));
    return value; // numbers, booleans, null; class instances are not results (JSON would drop them)
  };
  /**
   * Whether `value` holds nothing to redact, judged on its JSON text in one pass (the common case,
   * and ten times faster than visiting every string). JSON escaping is one of the forms, so a
   * secret inside a string is found in its JSON text too; a hit, even a window spanning two
   * strings, sends the value through `deep`, which decides string by string.
   */
  const clean = (value: unknown): boolean => {
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch {
      return false; // not JSON (a BigInt, a cycle): visit it
    }
    return json === undefined || text(json) === json;
  };
  return {
    text,
    deep: <T>(value: T): T => (clean(value) ? value : (deep(value) as T)),
    secrets: compiled.length,
  };
}

/** A redactor that knows no secret (it hides only the well-known token shapes). */
export const NO_SECRETS: Redactor = createRedactor([]);

/**
 * A text a client or a server wrote while talking to `urls` (a kubeconfig cluster's server and
 * proxy-url): every URL's userinfo left out (./userinfo.ts withoutUserinfoIn), and the user names and
 * passwords of `urls` redacted wherever else they stand (the client sends them as Basic credentials,
 * and a server or a proxy may echo the user name it was given), with the well-known token shapes, for
 * the commands that have no run's redactor (drift, crds --from-cluster, seal, the probes' kube reader
 * before the run's redactor sees it).
 */
export function withoutUserinfoOf(urls: readonly (string | undefined)[], text: string): string {
  return createRedactor(urls.flatMap(userinfoSecrets)).text(withoutUserinfoIn(text));
}

/** A text stream whose every write is redacted first (what it reports about the terminal is passed through). */
export interface TextStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
  readonly rows?: number;
}

/** `stream`, with every write passed through `redactor` (the terminal sinks of the probe CLI). */
export function redactedWriter<S extends TextStream>(stream: S, redactor: Redactor): TextStream {
  return {
    write: (text: string) => stream.write(redactor.text(text)),
    get isTTY() {
      return stream.isTTY;
    },
    get columns() {
      return stream.columns;
    },
    get rows() {
      return stream.rows;
    },
  };
}
