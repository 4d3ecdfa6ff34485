/**
 * How the forge client (./forge.ts) words a forge's failed answer: the error it throws, the
 * forge's own error text, what the status means for the connection and its fix, and which
 * statuses are retried. Apart from the client so that it stays under the 300 lines of a source file.
 */
import { CommandError } from '../core/command-error.js';
import { printable } from '../core/printable.js';
import type { ForgeConnection, ForgePrefix } from './forge-settings.js';

/**
 * The forge refused or failed a request (exit 1): the message names the call, the answer and the
 * fix. `fix` is that fix alone when every further run would fail the same way until it is done
 * (401, 403, 404, an answer over the cap, a redirect, a list answered as something else), for a caller that adds its own next step (./publish.ts);
 * `status` the refusal's HTTP status.
 */
export class ForgeError extends CommandError {
  constructor(
    message: string,
    readonly fix?: string,
    readonly status?: number,
    /** A create or update (POST, PATCH) with no answer but failures: the forge may have done it all the same. */
    readonly maybeDone = false,
  ) {
    super(message);
  }
}

/**
 * The forge's own error text (`message`, GitHub's `errors[].message`), shortened, then made
 * printable (../core/printable.ts: what a forge answers is printed to a terminal and a CI log).
 */
export function forgeMessage(text: string): string {
  return printable(ownText(text));
}

function ownText(text: string): string {
  try {
    const json = JSON.parse(text) as { message?: unknown; errors?: { message?: unknown }[] };
    const parts = [
      typeof json.message === 'string' ? json.message : undefined,
      ...(Array.isArray(json.errors) ? json.errors.map((e) => (typeof e?.message === 'string' ? e.message : '')) : []),
    ].filter((p): p is string => !!p);
    if (parts.length > 0) return parts.join('; ').slice(0, 300);
  } catch {
    // not JSON: the text itself
  }
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}

/**
 * What a refusal's status means for this connection, and its fix: only for 401, 403 and 404, which
 * every further request gets the same until the settings or the token change.
 */
export function refusal(status: number, conn: ForgeConnection): { meaning: string; fix?: string } {
  const repo = `${conn.owner}/${conn.repository}`;
  const v = conn.prefix ?? 'GITOPS';
  switch (status) {
    case 401:
      return { meaning: 'the token was refused', fix: `check ${v}_TOKEN: present, not expired, issued by this forge` };
    case 403:
      return {
        meaning: `the token may not do this on ${repo}`,
        fix: `give it write access to pull requests and contents of ${repo}`,
      };
    case 404:
      return {
        meaning: `${repo} was not found at ${conn.apiUrl}, or the token cannot see it`,
        fix: `check ${v}_REPOSITORY, ${v}_API_URL and the token's access`,
      };
    case 429:
      return { meaning: 'the forge limits the rate of requests' };
    default:
      return { meaning: status >= 500 ? 'the forge failed' : 'the forge refused the request' };
  }
}

/** A status another attempt may well not get (busy, failing): a GET or PATCH is retried on it. */
export const RETRYABLE = (status: number) => status === 429 || status >= 500;

/**
 * A redirect the client answered (never followed: the token would go along), told with its fix.
 * Under the API base (`apiBase`: the same scheme, host and port, its path inside the base's; GitHub
 * answers 301/307 to /repositories/<id>/... for a renamed or transferred repository, Gitea too):
 * the repository moved, and its name is the fix. From plain http to https on the API's host: the
 * forge wants https, the API URL's scheme is the fix. Anywhere else (another host, or the API's
 * host outside the API, such as a login page `/login?return_to=...`): the API URL may name a front
 * page rather than the API. `location` cut before it is escaped.
 */
export function redirectAnswer(
  location: string | null,
  url: string,
  apiBase: string,
  prefix: ForgePrefix = 'GITOPS',
): { text: string; fix: string } {
  const to = printable((location ?? 'nowhere named').slice(0, 300));
  const why = 'not followed: the token would go along';
  let target: URL | undefined;
  let api: URL | undefined;
  try {
    target = location === null ? undefined : new URL(location, url);
    api = new URL(apiBase);
  } catch {
    // not a URL: another place
  }
  const basePath = api?.pathname.replace(/\/+$/, '') ?? '';
  const sameOrigin = target !== undefined && api !== undefined && target.origin === api.origin;
  if (sameOrigin && (target?.pathname === basePath || target?.pathname.startsWith(`${basePath}/`)))
    return {
      text: `a redirect to ${to} (${why}; the repository may have moved or been renamed)`,
      fix: `set ${prefix}_REPOSITORY to its current owner/name and the checkout's remote to match`,
    };
  if (target && api?.protocol === 'http:' && target.protocol === 'https:' && target.hostname === api.hostname)
    return {
      text: `a redirect to ${to} (${why}; the forge answers on https)`,
      fix: `set ${prefix}_API_URL to ${printable(`https://${target.host}${basePath}`)}${prefix === 'GITOPS' ? `, then unset ${prefix}_ALLOW_PLAIN_HTTP` : ''}`,
    };
  return {
    text: `a redirect to ${to} (${why})`,
    fix: `set ${prefix}_API_URL to the forge's API base itself, if ${to} is it`,
  };
}
