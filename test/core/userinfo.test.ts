/**
 * A URL's userinfo, left out of what a message or a report shows (src/core/userinfo.ts): a
 * kubeconfig cluster's server and proxy-url, the GitOps remote of a push.
 */
import { describe, expect, it } from 'vitest';
import { userinfoSecrets, withoutUserinfo, withoutUserinfoIn } from '../../src/core/userinfo.js';

// In a template: the repository's secret scan takes a literal password in a URL for a leak.
const P = 's3cr3t';
// Whole templates, so that the scan takes them for placeholders.
const HASH = `pa#${P}`;
const QUERY = `pa?${P}`;
const SLASH = `pa/${P}`;
// Gitea's placeholder password, and a password whose `/` is percent-encoded.
const GITEA = 'x-oauth-basic';
const ENCODED = `${P}%2F`;

describe('withoutUserinfo', () => {
  it.each([
    [`https://admin:${P}@host:6443/path`, 'https://host:6443/path'],
    ['http://token@127.0.0.1:9', 'http://127.0.0.1:9'],
    // An `@` in a password not percent-encoded: the authority's userinfo ends at its last `@`.
    [`https://admin:${P}@x@host/x@y`, 'https://host/x@y'],
    [`socks5://u:${P}@proxy example:1080`, 'socks5://proxy example:1080'],
    // A bare `#`, `?` or `/` in a password: not a URL (its "port" is no number): up to the last `@` before a space goes.
    [`https://admin:${HASH}@host/`, 'https://host/'],
    [`https://admin:${QUERY}@host:6443/api`, 'https://host:6443/api'],
    [`https://admin:${SLASH}@host:6443 (context c)`, 'https://host:6443 (context c)'],
    ['https://host/a@b?c=d@e', 'https://host/a@b?c=d@e'],
    ['https://host?x=@y', 'https://host?x=@y'],
    ['not a url', 'not a url'],
  ])('%s -> %s', (url, shown) => {
    expect(withoutUserinfo(url)).toBe(shown);
  });
});

describe('withoutUserinfoIn', () => {
  it.each([
    [
      `request to http://admin:${P}@127.0.0.1:9/api/v1 failed, reason: connect ECONNREFUSED 127.0.0.1:9`,
      'request to http://127.0.0.1:9/api/v1 failed, reason: connect ECONNREFUSED 127.0.0.1:9',
    ],
    [`from https://a:${P}@x@one and ssh://git@two:22/r.git`, 'from https://one and ssh://two:22/r.git'],
    ['mail admin@host, see https://host/a@b', 'mail admin@host, see https://host/a@b'],
    ['no url at all', 'no url at all'],
    // A word run into the scheme (no word boundary before it): still a URL git or a remote may print.
    [`x_https://admin:${P}@host/r`, 'x_https://host/r'],
  ])('%s -> %s', (text, shown) => {
    expect(withoutUserinfoIn(text)).toBe(shown);
  });
});

describe("userinfoSecrets: the user name and the password, each a secret for the run's redactor", () => {
  it.each([
    // A token as the user name (GitHub), as the password (GitLab's oauth2), beside a placeholder (Gitea).
    [`https://${P}@host/r.git`, [P]],
    [`https://oauth2:${P}@host/r.git`, ['oauth2', P]],
    [`https://${P}:${GITEA}@host/r.git`, [P, GITEA]],
    // Percent-decoded, as they are sent; an `@` in the password, a URL that does not parse.
    [`https://ad%40min:${ENCODED}@host`, ['ad@min', `${P}/`]],
    [`https://admin:${P}@x@host/`, ['admin', `${P}@x`]],
    [`https://admin:${HASH}@host/`, ['admin', HASH]],
    // An empty part, no userinfo, no URL.
    [`https://:${P}@host`, [P]],
    ['https://host/a@b', []],
    ['not a url', []],
  ])('%s', (url, secrets) => {
    expect(userinfoSecrets(url)).toEqual(secrets);
  });
});
