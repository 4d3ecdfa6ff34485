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
 * A free text (a client's error message, such as node-fetch's `request to http://admin:<password>@host/api
 * failed`) with every URL's userinfo left out as withoutUserinfo leaves it out; in a text the
 * authority also ends at a blank.
 */
export function withoutUserinfoIn(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/?#\s]*@/gi, '$1');
}
