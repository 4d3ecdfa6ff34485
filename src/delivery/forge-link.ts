/**
 * The link to a pull request or comment that the forge answers (`html_url`), printed only when it is
 * plainly the forge's own page: a hostile or broken forge (or one answering for it) could otherwise
 * print a `javascript:` link, a URL with a user name and password, a page on another host that
 * looks like the pull request, or control characters into a terminal or a CI log, where a person
 * clicks it. Shown: an http(s) URL (https when the API is: a plain-http link to an https forge is
 * a downgrade a person would not notice) with no user name or password, on the forge's own host (the API
 * URL's, or its web host: ./forge-settings.ts forgeHosts), written only with characters a terminal
 * shows (no space, no control character, none ../core/printable.ts escapes); it is printed as a
 * browser reads it (WHATWG URL `href`: a `\` read as `/`, the default port left out). Anything else
 * prints the pull request's number and a line saying why its link is not shown, never the text itself.
 */
import { printable } from '../core/printable.js';
import { type ForgeConnection, forgeHosts } from './forge-settings.js';

/** The forge's link, as it may be printed, or why it is not shown. */
export type ForgeLink = { readonly url: string } | { readonly hidden: string };

/** What `raw` (the forge's `html_url`) may be shown as, for the forge of `connection` (see above). */
export function forgeLink(raw: string, connection: Pick<ForgeConnection, 'type' | 'apiUrl'>): ForgeLink {
  if (printable(raw) !== raw || /\s/.test(raw))
    return { hidden: 'the forge gave it with spaces or characters a terminal would act on' };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { hidden: 'the forge gave something that is not a URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return { hidden: `the forge gave a ${printable(url.protocol)} URL, not an http(s) one` };
  if (url.protocol === 'http:' && new URL(connection.apiUrl).protocol === 'https:')
    return { hidden: 'the forge gave a plain http URL, where its API is https' };
  if (url.username !== '' || url.password !== '')
    return { hidden: 'the forge gave a URL with a user name or password' };
  const hosts = forgeHosts(connection);
  if (!hosts.includes(url.host))
    return { hidden: `the forge gave a URL on another host than its own (${hosts.join(' or ')})` };
  return { url: url.href };
}

/**
 * The lines that tell of `what` (`pull request #7 opened (b -> main)`): one ending `: <link>`, or
 * `what` alone and a line saying why the forge's link to `thing` is not shown.
 */
export function withLink(what: string, link: ForgeLink, thing: string): string[] {
  if ('url' in link) return [`${what}: ${link.url}`];
  return [what, `the forge's link to ${thing} is not shown: ${link.hidden}`];
}
