/**
 * Session 16's review of src/core/known-tokens.ts: a token right after an escape (a JSON `\n`, `\t`,
 * `\u0007`, a JSON-escaped ANSI colour code, a URL-encoded `=` or blank) is hidden, in a redactor's
 * result (whose clean check reads its JSON text, where a newline is `\` `n`) and in every report
 * rendered from it; the shapes added (JWE, GitLab's other tokens, Anthropic's admin and OAuth tokens,
 * Slack's refresh tokens and webhooks) are hidden, and the shapes narrowed (`AIza`, `ya29.`, `arc_`)
 * leave names alone. Tokens are built from templates (the repository's secret scan reads this file).
 */
import { describe, expect, it } from 'vitest';
import { hideKnownTokens, maskedHead } from '../../src/core/known-tokens.js';
import { createRedactor, NO_SECRETS } from '../../src/core/redact.js';
import { toJson, toJunit, toMarkdown } from '../../src/probes/report.js';
import type { ProbeReport } from '../../src/probes/types.js';

/** `n` characters of a mixed alphabet, ending in `WXYZ`. */
const run = (n: number, alphabet = 'aB3dE5gH7j') =>
  `${alphabet.repeat(Math.ceil(n / alphabet.length)).slice(0, n - 4)}WXYZ`;
const github = `${'ghp'}_${run(36)}`;

describe('a token right after an escape', () => {
  it.each([
    ['a JSON newline', String.raw`denied:\n`],
    ['a JSON tab', String.raw`key:\t`],
    ['a JSON control character', String.raw`\u0007`],
    ['a JSON-escaped ANSI colour code', String.raw`\u001b[31m`],
    ['a URL-encoded =', 'token%3D'],
    ['a URL-encoded blank', 'Bearer%20'],
  ])('%s: hidden', (_name, before) => {
    expect(hideKnownTokens(`${before}${github} end`)).toBe(`${before}[redacted …WXYZ] end`);
  });

  it("a redactor's deep (its clean check reads the JSON text) and the reports rendered from it", () => {
    expect(NO_SECRETS.deep({ m: `line\n${github}` })).toEqual({ m: 'line\n[redacted …WXYZ]' });
    const r = createRedactor([`${'arc'}_runkeyrunkeyrunkey1234`]);
    const result = r.deep({
      id: 'x',
      category: 'gateway',
      title: 't',
      status: 'fail',
      detail: 'tool call failed',
      durationMs: 1,
      attempts: 1,
      evidence: { body: `upstream said:\n${github}` },
    });
    const report = r.deep({
      environment: 'e',
      startedAt: 'now',
      durationMs: 1,
      summary: { passed: 0, failed: 1, errors: 0, skipped: 0, knownGaps: 0 },
      results: [result],
    }) as unknown as ProbeReport;
    for (const render of [toJson, toJunit, toMarkdown]) {
      const out = r.text(render(report));
      expect(out).not.toContain(github);
      expect(out).not.toContain(github.slice(4, 20));
    }
  });
});

describe('the shapes added and narrowed', () => {
  it.each([
    ['a JWE (five parts)', `${'eyJ'}hbGciOiJSU0EtT0FFUCJ9.${run(40)}.${run(16)}.${run(60)}.${run(22)}`],
    ['a JWE with no encrypted key (dir)', `${'eyJ'}hbGciOiJkaXIifQ..${run(16)}.${run(60)}.${run(22)}`],
    ['a Slack webhook', `https://hooks.slack.com/services/T0${'ABC12345'}/B0${'DEF67890'}/${run(24)}`],
  ])('%s: hidden whole', (_name, token) => {
    const shown = hideKnownTokens(`posted to ${token} ok`);
    expect(shown).not.toContain(run(16));
    expect(shown).toMatch(/\[redacted\] ok$/);
  });

  it.each([
    ['GitLab runner (glrt-)', `${'glrt'}-${run(20)}`],
    ['GitLab CI build (glcbt-)', `${'glcbt'}-64_${run(20)}`],
    ['GitLab deploy (gldt-)', `${'gldt'}-${run(20)}`],
    ['GitLab OAuth secret (gloas-)', `${'gloas'}-${run(64)}`],
    ['Anthropic admin (sk-ant-admin01-)', `${'sk-ant-admin01'}-${run(93)}AA`],
    ['Anthropic OAuth (sk-ant-oat01-)', `${'sk-ant-oat01'}-${run(93)}AA`],
    ['Slack refresh (xoxe-1-)', `${'xoxe'}-1-${run(140)}`],
    ['Slack rotated (xoxe.xoxp-1-)', `${'xoxe.xoxp'}-1-${run(140)}`],
    ['Arcade (arc_, digits)', `${'arc'}_${run(40)}`],
  ])('%s: hidden, its last 4 shown', (_name, key) => {
    expect(hideKnownTokens(`refused: ${key}.`)).toBe(`refused: [redacted …${key.slice(-4)}].`);
  });

  it('names stay: AIza without its 35, a short ya29., arc_ in one letter case without a digit', () => {
    const texts = [
      `${'AIza'}${run(34)} and ${'AIza'}${run(36)}`,
      `${'ya29'}.short_name`,
      `${'arc'}_gateway_worker_pool_primary, ${'ARC'}_FEATURE_FLAG_DEFAULTS_ON`,
    ];
    for (const text of texts) expect(hideKnownTokens(text)).toBe(text);
    expect(hideKnownTokens(`${'AIza'}${run(35)}`)).toBe('[redacted]');
  });
});

describe("session 16's second review", () => {
  it.each([
    ['after an identifier part', 'TOKEN_', ''],
    ['in Markdown emphasis', '_', '_'],
    ['after an option name', '--token-', ' end'],
  ])('a fixed-length key %s: hidden', (_name, before, after) => {
    expect(hideKnownTokens(`${before}${github}${after}`)).toBe(`${before}[redacted …WXYZ]${after}`);
  });

  it("a Slack app token's 64-character last part: hidden", () => {
    const app = `${'xapp'}-1-A05QLSZFB5L-5836953999030-${'0123456789abcdef'.repeat(4)}`;
    expect(hideKnownTokens(`token ${app} end`)).toBe('token [redacted …cdef] end');
  });

  it('an arc_ name in capitals with no digit is a name, not a key', () => {
    for (const name of [`${'arc'}_FEATURE_FLAG_DEFAULTS_ON`, `${'arc'}_ABCDEFGHIJKLMNOPQRSTUVWX`])
      expect(hideKnownTokens(`flag ${name} set`)).toBe(`flag ${name} set`);
  });

  it('maskedHead: a token cut at the limit is dropped, never shown in part; whitespace is one space first', () => {
    const cut = `${'x '.repeat(10)}${github}`;
    expect(maskedHead(cut, 30)).toBe('x x x x x x x x x x ');
    expect(maskedHead(`a\n\n  b ${github}`, 1000)).toBe(`a b ${github}`);
    // The whitespace before a token no longer pushes the cut into what is shown.
    expect(hideKnownTokens(maskedHead(`<html>\n${' '.repeat(4059)}${github}`, 4096))).toBe('<html> [redacted …WXYZ]');
  });
});

describe("session 17: GitLab's other prefixes, and a token after more escapes", () => {
  // GitLab's token prefixes (src/core/known-tokens.ts cites the sources); the length each is issued with.
  it.each([
    ['feed (glft-)', `${'glft'}-${run(20)}`],
    ['incoming mail (glimt-)', `${'glimt'}-${run(25)}`],
    ['cluster agent (glagent-)', `${'glagent'}-${run(50)}`],
    ['SCIM (glsoat-)', `${'glsoat'}-${run(20)}`],
    ['feature flags client (glffct-)', `${'glffct'}-${run(20)}`],
    ['runner, routable (glrtr-)', `${'glrtr'}-${run(27)}.01.${run(9)}`],
    ['workspace (glwt-)', `${'glwt'}-${run(20)}`],
    ['runner registration (GR1348941)', `${'GR1348941'}${run(20)}`],
  ])('GitLab %s: hidden, its last 4 shown', (_name, key) => {
    expect(hideKnownTokens(`refused: ${key}.`)).toBe(`refused: [redacted …${key.slice(-4)}].`);
  });

  const gitlab = `${'glpat'}-${run(20)}`;
  it.each([
    ['a double URL-encoded =', 'token%253D'],
    ['a C hex escape of =, written out', String.raw`token\x3d`],
    ['a raw ANSI erase-line code', '\x1b[2K'],
    ['a raw ANSI code with a private parameter', '\x1b[?25l'],
    ['an OSC title ended by BEL, written out', String.raw`\x1b]0;title\x07`],
    ['an ANSI colour code whose ESC is written \\x1b', String.raw`\x1b[31m`],
    ['an ANSI colour code whose ESC is written \\033', String.raw`\033[31m`],
    ['an erase-line code whose ESC is written \\u001b', String.raw`\u001b[2K`],
    ['ESC written out as \\x1b', String.raw`\x1b`],
    ['ESC written out as \\033', String.raw`\033`],
  ])('a token right after %s: hidden', (_name, before) => {
    expect(hideKnownTokens(`${before}${github} end`)).toBe(`${before}[redacted …WXYZ] end`);
    expect(hideKnownTokens(`${before}${gitlab} end`)).toBe(`${before}[redacted …WXYZ] end`);
  });
});
