/**
 * A URL as a message or a report may show it: without its userinfo (`https://admin:<password>@host`
 * is shown as `https://host`), for the GitOps remote of a push (src/delivery/push.ts) and a
 * kubeconfig cluster's server and proxy-url wherever a command or a report shows it (kube/, drift/,
 * check/crd-cluster.ts, seal/, probes/kube.ts; docs/quality-gate.md).
 * For a text that parses as a URL, the authority ends at the first `/`, `?` or `#` and its userinfo
 * is everything up to its last `@` (an `@` in a password that was not percent-encoded goes too).
 * A text that starts like a URL but does not parse (a password with a bare `#`, `?` or `/`:
 * `https://admin:<pa#ss>@host/`, whose "port" is not a number) loses everything up to the last `@`
 * before its first whitespace: the message may then show less of the host, never the password. A
 * text that is not a URL, or has no userinfo, is returned as it is.
 */
const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** The userinfo of `url` (above), without its closing `@`, or undefined when it has none. */
export function userinfoOf(url: string): string | undefined {
  const scheme = SCHEME.exec(url)?.[0];
  if (scheme === undefined) return undefined;
  const rest = url.slice(scheme.length);
  const info = URL.canParse(url) ? /^[^/?#]*@/.exec(rest) : /^\S*@/.exec(rest);
  return info?.[0].slice(0, -1);
}

/** `url` without its userinfo (above). */
export function withoutUserinfo(url: string): string {
  const info = userinfoOf(url);
  if (info === undefined) return url;
  const scheme = SCHEME.exec(url)?.[0] ?? '';
  return scheme + url.slice(scheme.length + info.length + 1);
}

/**
 * A URL's userinfo in a free text: the scheme (group 1), then everything up to the last `@` before a
 * `/`, `?`, `#` or blank (`admin:pa@ss@host`: both `@`s). Also where a word runs into the scheme
 * (`x_https://...`). For a text that does not parse as a URL withoutUserinfo may leave out more (up to
 * the last `@` before a blank); a client quotes only URLs it could request, which parse. The scheme
 * is at most 32 characters (a word running into it keeps its head, untouched either way): unbounded,
 * a match tried at every letter of a long word scanned to the word's end, quadratic on a megabyte
 * of letters (session 16's review).
 */
export const USERINFO_IN_TEXT = /([a-z][a-z0-9+.-]{0,31}:\/\/)[^/?#\s]*@/gi;

/**
 * A free text (a client's error message, such as node-fetch's `request to http://admin:<password>@host/api
 * failed`, or git's and a remote's lines) with every URL's userinfo left out (USERINFO_IN_TEXT).
 */
export function withoutUserinfoIn(text: string): string {
  return text.replace(USERINFO_IN_TEXT, '$1');
}

const decoded = (text: string) => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

/**
 * The user name and the password of `url`'s userinfo, each percent-decoded (as it is sent), for a
 * run's redactor (./redact.ts): both are secrets, as a forge takes a token for either
 * (`https://<token>@github.com/...`, `https://oauth2:<token>@gitlab...`, `https://<token>:x-oauth-basic@...`).
 * What the remote or a client echoes of them elsewhere (a failed push's stderr, an error body) is
 * then redacted too, not only the URL's userinfo. Empty when `url` has none; an empty part is left out.
 * The price is over-redaction: a user name that is a word (`admin`) is hidden wherever the run's
 * messages hold it.
 */
export function userinfoSecrets(url: string | undefined): string[] {
  const info = url === undefined ? undefined : userinfoOf(url);
  if (info === undefined) return [];
  const colon = info.indexOf(':');
  const parts = colon < 0 ? [info] : [info.slice(0, colon), info.slice(colon + 1)];
  return parts.filter((part) => part !== '').map(decoded);
}
