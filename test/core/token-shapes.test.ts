/**
 * Credential shapes in a credential command's stderr (src/core/token-shapes.ts), as real programs
 * print them (botocore's `--debug`, `kubectl -v=9`, Go's net/http errors, Azure and Google URLs),
 * hidden; ordinary gcloud, az and kubelogin error lines shown as they are.
 */
import { describe, expect, it } from 'vitest';
import { maskedTail } from '../../src/core/known-tokens.js';
import { hideTokenShapes } from '../../src/core/token-shapes.js';

// In a template: the repository's secret scan takes a literal credential for a leak.
const S = `s3cr3t${'Q'.repeat(4)}`;
const ESC = '\u001b';

describe('hideTokenShapes', () => {
  it.each([
    // botocore --debug: a Python bytes literal.
    [
      `'X-Amz-Security-Token': b'IQoJ${S}', 'X-Amz-Date': b'20261203'`,
      `'X-Amz-Security-Token': b'<hidden>', 'X-Amz-Date': b'20261203'`,
    ],
    [
      `{'Authorization': b'AWS4-HMAC-SHA256 Credential=AK/${S}, Signature=${S}', 'Host': 'sts'}`,
      `{'Authorization': b'<hidden>', 'Host': 'sts'}`,
    ],
    // An Authorization header: of a one-credential scheme the credential, of any other value all of it.
    [`Authorization: token ghp_${S}`, 'Authorization: token <hidden>'],
    [`> Proxy-Authorization: Negotiate YII${S}`, '> Proxy-Authorization: Negotiate <hidden>'],
    [`error: Bearer ${S}, retrying`, 'error: Bearer <hidden>, retrying'],
    // A URL's userinfo, a password with a bare @ too.
    [`Get "https://admin:${S}@proxy:3128/x": dial tcp`, 'Get "https://<hidden>@proxy:3128/x": dial tcp'],
    [`proxy socks5://u:${S}@x@p:1080 refused`, 'proxy socks5://<hidden>@p:1080 refused'],
    // JSON with an escaped quote in the value.
    [`{"token": "abc\\"${S}", "other": "ok"}`, '{"token": "<hidden>", "other": "ok"}'],
    // STS's XML answer.
    [
      `<SecretAccessKey>${S}</SecretAccessKey><SessionToken>${S}</SessionToken><Expiration>2026</Expiration>`,
      '<SecretAccessKey><hidden></SecretAccessKey><SessionToken><hidden></SessionToken><Expiration>2026</Expiration>',
    ],
    // An Azure SAS, an Azure connection string, a Google API key.
    [
      `https://a.blob.core.windows.net/c?sv=2020&sig=${S}&se=1`,
      'https://a.blob.core.windows.net/c?sv=2020&sig=<hidden>&se=1',
    ],
    [`AccountName=a;AccountKey=${S};EndpointSuffix=x`, 'AccountName=a;AccountKey=<hidden>;EndpointSuffix=x'],
    [`https://x.googleapis.com/v1?key=AIza${S}`, 'https://x.googleapis.com/v1?key=<hidden>'],
    [`api key AIza${S}${S}${S}${S.slice(0, 5)} refused`, 'api key <hidden> refused'],
    // Right after an ANSI colour code (`m` is a word character: `\b` does not match there).
    [`${ESC}[31mBearer ${S} ${ESC}[0mya29.${S}${S}`, `${ESC}[31mBearer <hidden> ${ESC}[0m<hidden>`],
    [`${ESC}[1;33mAuthorization: Basic ${S}`, `${ESC}[1;33mAuthorization: Basic <hidden>`],
    // Ordinary error lines stay as they are.
    ...[
      'ERROR: (gcloud.auth.print-access-token) There was a problem refreshing your current auth tokens: ' +
        'Reauthentication failed. cannot prompt during non-interactive execution.',
      'to obtain new credentials.',
      'ERROR: AADSTS700082: The refresh token has expired due to inactivity. The token was issued on 2026-01-01.',
      'Please run: az login --scope https://management.core.windows.net//.default',
      'error: get-token: authentication error: authcode-browser error: authorization code flow error: oauth2 error: access_denied',
      'error: You must be logged in to the server (Unauthorized)',
      'refresh token: expired',
    ].map((line) => [line, line]),
  ])('%s', (text, shown) => {
    expect(hideTokenShapes(text)).toBe(shown);
    expect(hideTokenShapes(text)).not.toContain('s3cr3t');
  });
});

describe('hideTokenShapes: an Authorization header hides its credential, not the rest of the line', () => {
  it.each([
    // A header line: the credential after its scheme word; what follows it stays.
    [`> Authorization: Bearer ${S}`, '> Authorization: Bearer <hidden>'],
    [`authorization: basic ${S} (from ~/.netrc)`, 'authorization: basic <hidden> (from ~/.netrc)'],
    [`Authorization: token ${S}, then 401 Unauthorized`, 'Authorization: token <hidden>, then 401 Unauthorized'],
    [`Authorization: DPoP ${S}; retry in 5 s`, 'Authorization: DPoP <hidden>; retry in 5 s'],
    // JSON: the value's closing quote and all after it kept.
    [`{"Authorization":"Bearer ${S}","next":1}`, '{"Authorization":"Bearer <hidden>","next":1}'],
    [`{"Authorization": "Basic ${S}", "Accept": "*/*"}`, '{"Authorization": "Basic <hidden>", "Accept": "*/*"}'],
    [`"Proxy-Authorization":"Bearer ${S}","x":"y"`, '"Proxy-Authorization":"Bearer <hidden>","x":"y"'],
    // Header lists: Go's map of an http.Header, JSON's list of values, an escaped JSON inside JSON.
    [
      `map[Accept:[*/*] Authorization:[Bearer ${S}] User-Agent:[kubectl]]`,
      'map[Accept:[*/*] Authorization:[Bearer <hidden>] User-Agent:[kubectl]]',
    ],
    [`{"Authorization":["Bearer ${S}"],"Accept":["*/*"]}`, '{"Authorization":["Bearer <hidden>"],"Accept":["*/*"]}'],
    [`{\\"Authorization\\":\\"Bearer ${S}\\",\\"n\\":1}`, '{\\"Authorization\\":\\"Bearer <hidden>\\",\\"n\\":1}'],
    // A scheme whose credential is a parameter list, or no scheme word: the whole value, to its quote or bracket.
    [
      `{"Authorization":"Digest username=\\"u\\", response=\\"${S}\\"","next":1}`,
      '{"Authorization":"<hidden>","next":1}',
    ],
    [
      `map[Authorization:[AWS4-HMAC-SHA256 Credential=AK/x, Signature=${S}] Host:[sts]]`,
      'map[Authorization:[<hidden>] Host:[sts]]',
    ],
    [`Authorization: ${S}`, 'Authorization: <hidden>'],
    [`Authorization: Custom ${S} and more`, 'Authorization: <hidden>'],
  ])('%s', (text, shown) => {
    expect(hideTokenShapes(text)).toBe(shown);
    expect(hideTokenShapes(text)).not.toContain('s3cr3t');
  });
});

describe('a known key after a credential key: its marker left whole', () => {
  // The key is hidden first, as `<hidden …abcd>` (a space inside); the `X-...-Token:` and `token=`
  // shapes hid the marker's first word again, `<hidden> …abcd>`, until session 17 (git's words now pass here).
  const key = `${'ghp'}_${'aB3dE5gH7j'.repeat(4).slice(0, 32)}WXYZ`;
  it.each([
    ['an X-...-Token header', `x-access-token: ${key}`, 'x-access-token: <hidden …WXYZ>'],
    ["git's Basic credentials quoted", `(x-access-token:${key})`, '(x-access-token:<hidden …WXYZ>)'],
    ['a token= parameter', `url?token=${key}&n=1`, 'url?token=<hidden …WXYZ>&n=1'],
  ])('%s', (_name, text, shown) => {
    expect(hideTokenShapes(text)).toBe(shown);
  });
});

describe("session 17's review of the token masks", () => {
  it.each([
    ['a colourless ANSI code before Bearer', `${ESC}[2KBearer ${S}`, `${ESC}[2KBearer <hidden>`],
    ['an erase-line code before Basic', `${ESC}[KBasic ${S}`, `${ESC}[KBasic <hidden>`],
    ['an ANSI code before Authorization:', `${ESC}[2KAuthorization: ${S}`, `${ESC}[2KAuthorization: <hidden>`],
    ['an ANSI code before an X-...-Token header', `${ESC}[2KX-Vault-Token: ${S}`, `${ESC}[2KX-Vault-Token: <hidden>`],
    ['a value that only begins with the marker (token=)', `token=<hidden>${S}`, 'token=<hidden>'],
    ['a value that only begins with the marker (password=)', `password=<hidden${S}`, 'password=<hidden>'],
    ['a header value that only begins with the marker', `X-Auth-Token: <hidden_${S}`, 'X-Auth-Token: <hidden>'],
    ['an AWS XML element still hidden', `<SessionToken>${S}</SessionToken>`, '<SessionToken><hidden></SessionToken>'],
  ])('%s', (_name, text, shown) => {
    expect(hideTokenShapes(text)).toBe(shown);
  });

  it("helm's template error naming a value path is no XML element: its cause is kept", () => {
    const line =
      'Error: template: arcade/templates/secret.yaml:7:21: executing "arcade/templates/secret.yaml" at ' +
      '<.Values.auth.token>: nil pointer evaluating interface {}.token';
    expect(hideTokenShapes(line)).toBe(line);
  });
});

describe("maskedTail: a cut inside a credential's key or scheme leaves no bare value", () => {
  // The cut lands 3 characters into the key or scheme, which no shape would then recognise.
  it.each([
    ['password=', `password=${S} then more`],
    ['Authorization: Bearer', `Authorization: Bearer ${S} then more`],
    ['Bearer', `Bearer ${S} then more`],
    ['a JSON key before a value of two words', `"password": "${S} two" then more`],
  ])('%s', (_name, tail) => {
    const text = `${'x'.repeat(50)} ${tail} and a few words after it`;
    const cut = maskedTail(text, tail.length - 3 + ' and a few words after it'.length);
    expect(cut.length).toBeGreaterThan(0);
    expect(hideTokenShapes(cut)).not.toContain(S);
  });
});
