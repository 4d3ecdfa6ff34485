/**
 * Credential shapes in a credential command's stderr (src/core/token-shapes.ts), as real programs
 * print them (botocore's `--debug`, `kubectl -v=9`, Go's net/http errors, Azure and Google URLs),
 * hidden; ordinary gcloud, az and kubelogin error lines shown as they are.
 */
import { describe, expect, it } from 'vitest';
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
    // An Authorization header of any scheme: its whole value.
    [`Authorization: token ghp_${S}`, 'Authorization: <hidden>'],
    [`> Proxy-Authorization: Negotiate YII${S}`, '> Proxy-Authorization: <hidden>'],
    [`error: Bearer ${S}, retrying`, 'error: Bearer <hidden> retrying'],
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
    [`api key AIza${S} refused`, 'api key <hidden> refused'],
    // Right after an ANSI colour code (`m` is a word character: `\b` does not match there).
    [`${ESC}[31mBearer ${S} ${ESC}[0mya29.${S}`, `${ESC}[31mBearer <hidden> ${ESC}[0m<hidden>`],
    [`${ESC}[1;33mAuthorization: Basic ${S}`, `${ESC}[1;33mAuthorization: <hidden>`],
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
