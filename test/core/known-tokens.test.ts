/**
 * Well-known API keys and tokens found by their shape alone (src/core/known-tokens.ts), and every
 * redactor hiding them (src/core/redact.ts). Each token is built from a template (a prefix, then
 * characters made here), so the repository's own secret scan, secretlint with the same shapes, does
 * not take this source for a leak.
 */
import { describe, expect, it } from 'vitest';
import { hideKnownTokens } from '../../src/core/known-tokens.js';
import { createRedactor, NO_SECRETS } from '../../src/core/redact.js';
import { hideTokenShapes } from '../../src/core/token-shapes.js';

/** `n` characters of an alphabet, ending in `WXYZ` (the last 4 an API key may show). */
const run = (n: number, alphabet = 'aB3dE5gH7j') =>
  `${alphabet.repeat(Math.ceil(n / alphabet.length)).slice(0, n - 4)}WXYZ`;
const UPPER = 'A2C4E6G8IJ';

const API_KEYS: [string, string][] = [
  ['GitHub classic (ghp_)', `${'ghp'}_${run(36)}`],
  ['GitHub OAuth (gho_)', `${'gho'}_${run(36)}`],
  ['GitHub user-to-server (ghu_)', `${'ghu'}_${run(36)}`],
  ['GitHub server-to-server (ghs_)', `${'ghs'}_${run(36)}`],
  ['GitHub refresh (ghr_)', `${'ghr'}_${run(36)}`],
  ['GitHub fine-grained (github_pat_)', `${'github_pat'}_${run(82)}`],
  ['GitLab (glpat-)', `${'glpat'}-${run(20)}`],
  ['GitLab routable (glpat-...)', `${'glpat'}-${run(27)}.01.${run(9)}`],
  ['Arcade (arc_)', `${'arc'}_${run(40)}`],
  ['AWS access key id (AKIA)', `${'AKIA'}${run(16, UPPER)}`],
  ['AWS temporary key id (ASIA)', `${'ASIA'}${run(16, UPPER)}`],
  ['Slack bot (xoxb-)', `${'xoxb'}-1234567890-${run(12)}-${run(24)}`],
  ['npm (npm_)', `${'npm'}_${run(36)}`],
  ['Anthropic (sk-ant-api03-)', `${'sk-ant-api03'}-${run(93)}AA`],
];

const TOKENS: [string, string][] = [
  ['a JWT', `${'eyJ'}hbGciOiJSUzI1NiJ9.${'eyJ'}zdWIiOiJ4In0.${run(43)}`],
  ["Google's access token (ya29.)", `${'ya29'}.${run(60)}`],
  ['an EKS token (k8s-aws-v1.)', `${'k8s-aws-v1'}.${run(80)}`],
];

describe('hideKnownTokens: a bare API key or token, with no key in front', () => {
  it.each(API_KEYS)('%s: hidden, its last 4 characters shown', (_name, key) => {
    const last = key.slice(-4);
    expect(hideKnownTokens(`remote: push refused: ${key} has no write scope`)).toBe(
      `remote: push refused: [redacted …${last}] has no write scope`,
    );
    // In JSON, after an ANSI colour code, at the start and at the end of the text.
    expect(hideKnownTokens(`{"token":"${key}","n":1}`)).toBe(`{"token":"[redacted …${last}]","n":1}`);
    expect(hideKnownTokens(`\u001b[31m${key}`)).toBe(`\u001b[31m[redacted …${last}]`);
    expect(hideTokenShapes(`${key}`)).toBe(`<hidden …${last}>`);
  });

  it.each(TOKENS)('%s: hidden whole', (_name, token) => {
    expect(hideKnownTokens(`answer: ${token}.`)).toBe('answer: [redacted].');
    expect(hideTokenShapes(`answer: ${token} `)).toBe('answer: <hidden> ');
  });

  it('ordinary words and names stay: a prefix without its length, or inside a longer word', () => {
    const texts = [
      'arc_agi, arc_canary, ghp_short, glpat-short, sk-ant-api03-short, npm_install, AKIAshort, xoxb-',
      `the variable my${'ghp'}_${run(36)} is a longer word`,
      'eyJ alone, eyJhbGciOiJub25lIn0 with no dots',
      'https://docs.arcade.dev/en/get-started/setup/api-keys.md',
    ];
    for (const text of texts) expect(hideKnownTokens(text)).toBe(text);
  });
});

describe('every redactor hides them, one without secrets too, after its own secrets', () => {
  it("NO_SECRETS, and a redactor's secret marker kept", () => {
    const [, key] = API_KEYS[0]!;
    expect(NO_SECRETS.text(`bad credentials: ${key}`)).toBe('bad credentials: [redacted …WXYZ]');
    expect(NO_SECRETS.deep({ errors: [{ message: key }] })).toEqual({ errors: [{ message: '[redacted …WXYZ]' }] });
    const secret = 'a-run-secret-of-its-own-1234';
    expect(createRedactor([secret]).text(`${secret} and ${key}`)).toBe('[redacted …1234] and [redacted …WXYZ]');
    expect(NO_SECRETS.text('nothing to hide here')).toBe('nothing to hide here');
  });
});
