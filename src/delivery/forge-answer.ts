/**
 * How the forge client (./forge.ts) words a forge's failed answer: the error it throws, the
 * forge's own error text, what the status means for the connection and its fix, and which
 * statuses are retried. Apart from the client so that it stays under the 300 lines of a source file.
 */
import { CommandError } from '../core/command-error.js';
import { printable, printableCut, printableLine } from '../core/printable.js';
import type { ForgeConnection, ForgePrefix } from './forge-settings.js';

/** What a ForgeError carries besides its message (each absent unless the case sets it). */
interface ForgeErrorDetails {
  /**
   * The fix alone, when every further run would fail the same way until it is done (401, 403, 404,
   * an answer over the cap, a redirect, a list answered as something else), for a caller that adds
   * its own next step (./publish.ts).
   */
  readonly fix?: string | undefined;
  /** The refusal's HTTP status. */
  readonly status?: number | undefined;
  /**
   * A create or update (POST, PATCH) with no answer but failures, or answered with a redirect (a 303
   * See Other points at what it made): the forge may have done it all the same. @default false
   */
  readonly maybeDone?: boolean;
}

/** The forge refused or failed a request (exit 1): the message names the call, the answer and the fix. */
export class ForgeError extends CommandError {
  readonly fix: string | undefined;
  readonly status: number | undefined;
  readonly maybeDone: boolean;
  constructor(message: string, { fix, status, maybeDone = false }: ForgeErrorDetails = {}) {
    super(message);
    this.fix = fix;
    this.status = status;
    this.maybeDone = maybeDone;
  }
}

/**
 * The forge's own error text (`message`, GitHub's `errors[].message`; else the answer itself, on
 * one line), printable and at most 300 characters (../core/printable.ts printableCut: what a forge
 * answers is printed to a terminal and a CI log, and a cut never splits an escape).
 */
export function forgeMessage(text: string): string {
  try {
    const json = JSON.parse(text) as { message?: unknown; errors?: { message?: unknown }[] };
    const parts = [
      typeof json.message === 'string' ? json.message : undefined,
      ...(Array.isArray(json.errors) ? json.errors.map((e) => (typeof e?.message === 'string' ? e.message : '')) : []),
    ].filter((p): p is string => !!p);
    if (parts.length > 0) return printableCut(parts.join('; '), 300);
  } catch {
    // not JSON: the text itself
  }
  return printableLine(text, 300);
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

/** A path to one repository's resource: `/repos/<owner>/<name>` or `/repositories/<id>` (GitHub's form for a moved one), then the rest. */
const REPOSITORY_PATH = /^\/(?:repos\/[^/]+\/[^/]+|repositories\/\d+)(\/.*)?$/;

/** Whether the path `to` asks for what the path `from` asked, its repository named either way (REPOSITORY_PATH). */
function sameResource(to: string, from: string): boolean {
  const asked = REPOSITORY_PATH.exec(from);
  const answered = REPOSITORY_PATH.exec(to);
  return asked !== null && answered !== null && asked[1] === answered[1];
}

/**
 * A redirect the client answered (never followed: the token would go along), told with its fix.
 * Under the API base (`apiBase`: the same scheme, host and port, its path inside the base's; GitHub
 * answers 301/307 to /repositories/<id>/... for a renamed or transferred repository, Gitea too):
 * the repository moved, and its name is the fix. An API base with no path (`https://api.github.com`)
 * holds every path of its host, so there only the request's own path with its repository named
 * either way (sameResource) is "moved". From plain http to https on the API's host: the forge wants
 * https, the API URL's scheme is the fix. Anywhere else (another host, or the API's host outside
 * the API, such as a login page `/login?return_to=...`): the API URL may name a front page rather
 * than the API. `location` cut as it is escaped, never inside an escape (printableCut).
 */
export function redirectAnswer(
  location: string | null,
  url: string,
  apiBase: string,
  prefix: ForgePrefix = 'GITOPS',
): { text: string; fix: string } {
  const to = printableCut(location ?? 'nowhere named', 300);
  const why = 'not followed: the token would go along';
  let target: URL | undefined;
  let api: URL | undefined;
  let asked = '';
  try {
    target = location === null ? undefined : new URL(location, url);
    api = new URL(apiBase);
    asked = new URL(url).pathname;
  } catch {
    // not a URL: another place
  }
  const basePath = api?.pathname.replace(/\/+$/, '') ?? '';
  const sameOrigin = target !== undefined && api !== undefined && target.origin === api.origin;
  const path = target?.pathname ?? '';
  const underApi = basePath === '' ? sameResource(path, asked) : path === basePath || path.startsWith(`${basePath}/`);
  if (sameOrigin && underApi)
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
