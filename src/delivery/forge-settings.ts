/**
 * Where a forge connection comes from: environment variables `<prefix>_FORGE`, `_API_URL`,
 * `_REPOSITORY` and `_TOKEN`, with the prefix GITOPS (the GitOps repository, for
 * `npm run export -- --push --pull-request`) or STACK (the stack's own repository, for
 * `npm run diff -- --post-comment`).
 *
 * Why variables and not the environment file: which forge hosts a repository is the CI's setting
 * (a forge variable per repository, docs/pipelines.md), and an environment file's unresolved
 * values block exports (`--allow-unresolved`), which an unrecorded forge must not do. Every
 * variable is checked before any work, so a missing one is a configuration error (exit 2) that
 * changes nothing. Kept free of heavy imports: `--help` reads it.
 */
import { ConfigurationError } from '../core/command-error.js';
import type { Clock } from '../core/clock.js';

/** The forges the client speaks to: `github` (github.com, GitHub Enterprise Server) or `gitea` (Gitea, Forgejo). */
const FORGE_TYPES = ['github', 'gitea'] as const;
export type ForgeType = (typeof FORGE_TYPES)[number];

export type ForgePrefix = 'GITOPS' | 'STACK';

/** Everything a forge client needs (./forge.ts). */
export interface ForgeConnection {
  readonly type: ForgeType;
  /** API base URL, e.g. https://api.github.com or https://gitea.example/api/v1. */
  readonly apiUrl: string;
  readonly owner: string;
  readonly repository: string;
  readonly token: string;
  /** The variables the connection was read from (./forge-settings.ts), for the fixes in messages. @default 'GITOPS' */
  readonly prefix?: ForgePrefix;
  /** Per-request timeout. @default 30_000 */
  readonly timeoutMs?: number;
  /** Retries of an idempotent request after the first attempt. @default 2 */
  readonly retries?: number;
  /** @default systemClock (tests inject a virtual one) */
  readonly clock?: Clock;
}

/** The variables of one forge connection: `<prefix>_FORGE`, `_API_URL`, `_REPOSITORY`, `_TOKEN`. */
function forgeVariables(prefix: ForgePrefix) {
  return {
    type: `${prefix}_FORGE`,
    apiUrl: `${prefix}_API_URL`,
    repository: `${prefix}_REPOSITORY`,
    token: `${prefix}_TOKEN`,
  } as const;
}

/** What --help lists for one prefix. */
export function forgeVariableHelp(prefix: ForgePrefix, what: string): Record<string, string> {
  const v = forgeVariables(prefix);
  return {
    [v.type]: `the forge of ${what}: github (github.com, GitHub Enterprise) or gitea (Gitea, Forgejo)`,
    [v.apiUrl]: 'its REST API base URL, e.g. https://api.github.com or https://gitea.example/api/v1',
    [v.repository]: `${what} as owner/name`,
    [v.token]: 'a token that may push branches and write pull requests there (never printed)',
  };
}

const REPOSITORY = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/;

/**
 * The forge connection the variables name, every one checked: a ConfigurationError naming each
 * missing or malformed variable and the fix. The token's value never appears in a message.
 */
export function forgeFromEnvironment(prefix: ForgePrefix, env: NodeJS.ProcessEnv = process.env): ForgeConnection {
  const v = forgeVariables(prefix);
  const problems: string[] = [];
  const type = env[v.type]?.trim() ?? '';
  if (!(FORGE_TYPES as readonly string[]).includes(type))
    problems.push(`${v.type} is ${type === '' ? 'not set' : `'${type}'`} (fix: set it to github or gitea)`);
  const apiUrl = env[v.apiUrl]?.trim() ?? '';
  const plain = prefix === 'GITOPS' ? plainHttpAllowed(env) : { allowed: false };
  if (plain.problem) problems.push(plain.problem);
  const urlProblem = apiUrlProblem(apiUrl, plain.allowed);
  if (urlProblem)
    problems.push(
      `${v.apiUrl} ${urlProblem} (fix: https://api.github.com, https://<ghes-host>/api/v3 or https://<gitea-host>/api/v1` +
        `${urlProblem.startsWith('is http:') && prefix === 'GITOPS' ? `; or, for a forge with no https at all, ${PLAIN_HTTP}=1` : ''})`,
    );
  const repository = env[v.repository]?.trim() ?? '';
  const parts = REPOSITORY.exec(repository);
  if (!parts)
    problems.push(
      `${v.repository} is ${repository === '' ? 'not set' : `'${repository}', not owner/name`} (fix: e.g. my-org/k8s-backstage-v2)`,
    );
  const token = env[v.token] ?? '';
  if (token.trim() === '')
    problems.push(`${v.token} is not set (fix: pass the forge token from the CI secret store as ${v.token})`);
  else {
    const bad = tokenProblem(v.token, token);
    if (bad) problems.push(bad);
  }
  if (problems.length > 0) throw new ConfigurationError(problems.join('; '));
  const [, owner = '', name = ''] = parts ?? [];
  return { type: type as ForgeType, apiUrl, owner, repository: name, token, prefix };
}

/**
 * What is wrong with a token's value (set, not blank), or undefined: a space, a line end or a
 * control character, which no forge token holds (a secret pasted with its newline). Checked for
 * `--push` alone too (scripts/export.ts): git would send it as is. The value is never quoted.
 */
export function tokenProblem(variable: string, token: string): string | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (!/[\s\u0000-\u001f\u007f]/.test(token)) return undefined;
  return (
    `${variable} holds a space, a line end or a control character, which no forge token does; git would send it ` +
    `as is and be refused (fix: store the token without a line end or spaces)`
  );
}

/** The opt-in for a forge with no https (docs/delivery.md "Plain http"): exactly `1`. */
export const PLAIN_HTTP = 'GITOPS_ALLOW_PLAIN_HTTP';

/**
 * Whether GITOPS_ALLOW_PLAIN_HTTP lets a plain-http API URL and a token push to a plain-http remote
 * through (the token then crosses the network readable; the script warns each run): exactly `1`.
 * Any other value is a problem naming the fix, never read as yes or no.
 */
export function plainHttpAllowed(env: NodeJS.ProcessEnv): { allowed: boolean; problem?: string } {
  const value = env[PLAIN_HTTP];
  if (value === undefined || value === '') return { allowed: false };
  if (value === '1') return { allowed: true };
  return {
    allowed: false,
    problem: `${PLAIN_HTTP} is ${JSON.stringify(value)}, not 1 (fix: set it to 1 to let a plain-http forge through, or unset it)`,
  };
}

/** Hosts an `http:` API URL may name: the token then crosses no network (the tests' stand-ins). */
export const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * What is wrong with an API base URL, or undefined: https (http only on loopback, or anywhere with
 * GITOPS_ALLOW_PLAIN_HTTP=1: the token would cross the network readable), no credentials (the token is the credential), no query or fragment
 * (the client appends `/repos/...` to it, which would land inside them).
 */
function apiUrlProblem(apiUrl: string, allowPlainHttp: boolean): string | undefined {
  if (apiUrl === '') return 'is not set';
  let u: URL;
  try {
    u = new URL(apiUrl);
  } catch {
    return 'is not a URL';
  }
  if (u.protocol === 'http:' && !LOOPBACK.has(u.hostname) && !allowPlainHttp)
    return `is http://${u.host}: the token would cross the network unencrypted; only https is taken (http on loopback alone)`;
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return `is a ${u.protocol} URL, not https`;
  if (u.username !== '' || u.password !== '')
    return 'holds credentials (user:password@): the token goes in a header alone';
  if (u.search !== '' || u.hash !== '' || apiUrl.endsWith('?') || apiUrl.endsWith('#'))
    return `has a query or fragment, inside which the client's /repos/... paths would land`;
  return undefined;
}

/**
 * The hosts (with their port, as URL `host`) a forge's own pages are on, where the link to a pull
 * request may point (./forge-link.ts): the API URL's, and for GitHub that host without its leading
 * `api.` (api.github.com serves github.com's pages, GitHub Enterprise Cloud's api.<name>.ghe.com
 * <name>.ghe.com's). GitHub Enterprise Server (`/api/v3`) and Gitea (`/api/v1`) serve both on one host.
 */
export function forgeHosts({ type, apiUrl }: Pick<ForgeConnection, 'type' | 'apiUrl'>): string[] {
  const { host } = new URL(apiUrl);
  return type === 'github' && host.startsWith('api.') ? [host, host.slice('api.'.length)] : [host];
}
