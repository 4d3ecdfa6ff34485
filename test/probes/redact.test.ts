/**
 * The redactor as a pure function: every form of the key (case, URL, JSON, XML, base64 and
 * base64url in all three alignments, inside `Bearer …` and `user:…`), any run of 8 or more of its
 * characters (cut keys, overlapping fragments), nothing of ordinary text, and idempotence.
 * The leak check (test/support/canary.ts) derives the forms on its own.
 */
import { describe, expect, it } from 'vitest';
import { base64Cores, createRedactor, FRAGMENT, NO_SECRETS, redactedWriter } from '../../src/core/redact.js';
import { awkwardKey, b64, canaryKey, denseKey, echoedForms, findLeak } from '../support/canary.js';
import { keyLabel } from '../../src/probes/types.js';

const marker = (key: string) => `[redacted …${key.slice(-4)}]`;

describe('redactor: forms of the key', () => {
  for (const [name, make] of [
    ['an Arcade-like key', canaryKey],
    ['a key with characters every escaping changes', awkwardKey],
    ['a key whose base64 differs from its base64url every few characters', denseKey],
  ] as const) {
    it(`${name}: as is, upper/lower/mixed case, URL-encoded, JSON-escaped, XML-escaped`, () => {
      const key = make();
      const r = createRedactor([key]);
      const mixed = [...key].map((c, i) => (i % 2 ? c.toUpperCase() : c.toLowerCase())).join('');
      const xml = key.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/'/g, '&apos;').replace(/"/g, '&quot;');
      for (const form of [
        key,
        key.toUpperCase(),
        key.toLowerCase(),
        mixed,
        encodeURIComponent(key),
        JSON.stringify(key),
        JSON.stringify(key).replace(/\//g, '\\/'),
        xml,
      ]) {
        const out = r.text(`before ${form} after`);
        expect(out, form).toContain(marker(key));
        expect(findLeak(out, key), form).toBeUndefined();
        expect(out.startsWith('before ') && out.endsWith(' after'), out).toBe(true);
      }
    });

    it(`${name}: base64 and base64url in all three alignments, inside Bearer, user:key and MIME lines`, () => {
      const key = make();
      const r = createRedactor([key]);
      const wrapped = [
        key,
        `Bearer ${key}`,
        `user:${key}`,
        `x${key}`,
        `xy${key}`,
        `${key}z`,
        `Authorization: Bearer ${key}\n`,
      ];
      for (const plain of wrapped) {
        for (const encoding of ['base64', 'base64url'] as const) {
          const encoded = b64(plain, encoding);
          const out = r.text(`header: Basic ${encoded};`);
          expect(findLeak(out, key), `${encoding}(${plain})`).toBeUndefined();
          expect(out).toContain(marker(key));
          // Split across 76-character lines, as MIME does: each line's share is still found.
          const mime = encoded.replace(/(.{76})/g, '$1\n');
          expect(findLeak(r.text(mime), key), `MIME ${encoding}(${plain})`).toBeUndefined();
        }
      }
    });
  }

  it("the tests' leak check finds 8 characters of every form, in any case, and nothing shorter", () => {
    const key = canaryKey();
    for (const form of echoedForms(key)) {
      const run = form.slice(-8);
      expect(findLeak(`before ${run.toUpperCase()} after`, key)?.toLowerCase(), form).toBe(run.toLowerCase());
      expect(findLeak(`before ${run.slice(1)} after ${run.slice(0, 7)}`, key), form).toBeUndefined();
    }
    expect(findLeak(`${key.slice(3, 11)} and ${key.slice(20, 28)}`, key)).toBe(key.slice(3, 11));
    expect(findLeak('', key)).toBeUndefined();
  });

  it('base64 cores are the characters that depend on the key alone (checked against the independent derivation)', () => {
    const key = canaryKey();
    const independent = echoedForms(key).slice(5);
    expect([...base64Cores(key, 'base64'), ...base64Cores(key, 'base64url')]).toEqual(independent);
    for (let before = 0; before < 3; before++) {
      const core = base64Cores(key)[before]!;
      expect(b64(`${'ab'.slice(0, before)}${key}!?`)).toContain(core);
    }
  });
});

describe('redactor: fragments of 8 or more characters', () => {
  it('every window of 8 characters of the key is redacted; 7 are left (the documented threshold)', () => {
    const key = canaryKey();
    const r = createRedactor([key]);
    expect(FRAGMENT).toBe(8);
    for (let i = 0; i + FRAGMENT <= key.length; i++) {
      const window = key.slice(i, i + FRAGMENT);
      expect(r.text(`x ${window} y`)).toBe(`x ${marker(key)} y`);
    }
    const seven = key.slice(10, 17);
    expect(r.text(`x ${seven} y`)).toBe(`x ${seven} y`);
  });

  it('a key cut short (as an excerpt would) is still redacted, from either end', () => {
    const key = canaryKey();
    const r = createRedactor([key]);
    for (let n = FRAGMENT; n < key.length; n++) {
      expect(findLeak(r.text(`got "${key.slice(0, n)}…"`), key)).toBeUndefined();
      expect(findLeak(r.text(`…${key.slice(-n)}"`), key)).toBeUndefined();
      expect(findLeak(r.text(`…${b64(`Bearer ${key}`).slice(0, n + 10)}…`), key)).toBeUndefined();
    }
  });

  it('overlapping and adjacent fragments merge into one redaction, with nothing of the key between', () => {
    const key = canaryKey();
    const r = createRedactor([key]);
    const overlapping = `${key.slice(0, 14)}${key.slice(8, 30)}`;
    expect(r.text(`<${overlapping}>`)).toBe(`<${marker(key)}>`);
    const adjacent = `${key.slice(0, 10)}${key.slice(20, 30)}${key.toUpperCase()}`;
    expect(r.text(`<${adjacent}>`)).toBe(`<${marker(key)}>`);
    expect(r.text(`${key}${key}`)).toBe(marker(key));
    expect(r.text(`${key} ${key}`)).toBe(`${marker(key)} ${marker(key)}`);
  });

  it('a key shorter than 8 is matched whole only; shorter than 4 not at all', () => {
    expect(createRedactor(['abc123']).text('x abc123 ABC123 abc12')).toBe('x [redacted] [redacted] abc12');
    expect(createRedactor(['abc']).text('abc')).toBe('abc');
  });

  it('shows the last 4 characters of a secret of 12 or more only: of a shorter one they are most of it', () => {
    const short = ['ab', 'cd', 'ef', 'gh', 'ij', 'k'].join(''); // 11 characters
    const long = `${short}L`; // 12
    expect(createRedactor([['ab', 'cd'].join('')]).text('x abcd')).toBe('x [redacted]');
    expect(createRedactor([short]).text(`x ${short}`)).toBe('x [redacted]');
    expect(createRedactor([long]).text(`x ${long}`)).toBe('x [redacted …ijkL]');
    expect(keyLabel(['ab', 'cd'].join(''))).toBe('ARCADE_API_KEY (set)');
    expect(keyLabel(short)).toBe('ARCADE_API_KEY (set)');
    expect(keyLabel(long)).toBe('ARCADE_API_KEY …ijkL');
  });
});

describe('redactor: what it leaves alone', () => {
  it('ordinary text, URLs, JSON and probe details are unchanged', () => {
    const r = createRedactor([canaryKey(), canaryKey()]);
    const texts = [
      'engine healthy, coordinator URI as expected, coordinator/dashboard/experience answer',
      '100 Echo calls: p50 12.9 ms p95 34.6 ms p99 36.3 ms, overhead 7 ms over direct p95 27.6 ms (budget 1500 ms)',
      'GET https://api.arcade.st.dev/v1/config: HTTP 502 Bad Gateway <html><body>upstream connect error</body></html>',
      JSON.stringify({
        gateway: 'zeb-gateway-test',
        tools: ['Slack_SendMessage', 'GoogleDocs_CreateDocumentFromText'],
        arcade_canary: true,
      }),
      'Authorization: Bearer [redacted …abcd]; user:arc_ and the words canary, arcade, arc_can',
    ];
    for (const text of texts) expect(r.text(text)).toBe(text);
  });

  it('is idempotent, and a redactor without secrets hides only the well-known token shapes', () => {
    const key = canaryKey();
    const r = createRedactor([key, undefined, '']);
    expect(r.secrets).toBe(1);
    const once = r.text(`a ${key} b ${b64(`u:${key}`)} c ${key.slice(3, 20)}`);
    expect(r.text(once)).toBe(once);
    // An Arcade key's shape (`arc_` and 20 or more characters, src/core/known-tokens.ts): hidden by it alone.
    expect(NO_SECRETS.text(key)).toBe(`[redacted …${key.slice(-4)}]`);
    expect(NO_SECRETS.text(`a ${key.slice(0, 20)} b`)).toBe(`a ${key.slice(0, 20)} b`);
    expect(createRedactor([undefined]).secrets).toBe(0);
  });
});

describe('redactor: values and streams', () => {
  it('deep: strings and object keys at any depth; numbers, booleans and null kept', () => {
    const key = canaryKey();
    const r = createRedactor([key]);
    const value = {
      a: [{ b: `x${key}y`, n: 1, t: true, z: null }],
      [key.slice(2, 20)]: 'k',
      nested: { deeper: [[key.toLowerCase()]] },
    };
    const out = r.deep(value);
    expect(findLeak(JSON.stringify(out), key)).toBeUndefined();
    expect(out.a[0]).toMatchObject({ n: 1, t: true, z: null });
    expect(Object.keys(out)).toContain(marker(key));
    expect(value.a[0]!.b).toContain(key); // the input is not mutated
  });

  it('deep: a key with quotes and backslashes inside a string (JSON-escaped when judged as a whole) is found', () => {
    const key = awkwardKey();
    const r = createRedactor([key]);
    const out = r.deep({
      said: [`before ${key.slice(1, 15)} after`, { upper: key.toUpperCase() }],
      clean: 'nothing here',
    });
    expect(findLeak(JSON.stringify(out), key)).toBeUndefined();
    expect(findLeak(out.said[0] as string, key)).toBeUndefined();
    expect(out.clean).toBe('nothing here');
    const untouched = { a: ['plain', { b: 1 }] };
    expect(r.deep(untouched)).toBe(untouched); // nothing to redact: the same value, not a copy
  });

  it('redactedWriter redacts every write and passes the terminal size through', () => {
    const key = canaryKey();
    let written = '';
    const stream = { write: (s: string) => (written += s), isTTY: true, columns: 80, rows: 24 };
    const out = redactedWriter(stream, createRedactor([key]));
    out.write(`a ${key.slice(0, 12)}`);
    out.write(` ${b64(key)}\n`);
    expect(findLeak(written, key)).toBeUndefined();
    expect(written).toBe(`a ${marker(key)} ${marker(key)}\n`); // a 42-character key: its base64 has no padding
    expect({ isTTY: out.isTTY, columns: out.columns, rows: out.rows }).toEqual({ isTTY: true, columns: 80, rows: 24 });
  });
});
