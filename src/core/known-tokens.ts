/**
 * Well-known API keys and tokens, found by their shape alone, with no key in front: a bare
 * `ghp_...` in a remote's error, a JWT in a server's answer. ./redact.ts hides the secrets a run
 * knows (ARCADE_API_KEY, the forge token, a URL's userinfo); these are the ones it never saw, so every
 * redactor also hides them (createRedactor: the probes' terminal lines and reports, the forge's and a
 * push's messages, the kube commands' client errors through withoutUserinfoOf), and so does a
 * credential command's stderr (./token-shapes.ts).
 *
 * The shapes are secretlint's (`@secretlint/secretlint-rule-preset-recommend` 11.7.1, already a
 * dependency for the repository's own secret scan; its rules in `module/index-*.js`):
 * secretlint-rule-github (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_` and 36 characters; `github_pat_` and
 * 82), secretlint-rule-aws (`AKIA`, `ASIA` and the other access key id prefixes, 16 more),
 * secretlint-rule-slack (`xoxb-`, `xoxp-`, `xapp-`, ...), secretlint-rule-npm (`npm_`),
 * secretlint-rule-openai (`sk-...T3BlbkFJ...`) and secretlint-rule-anthropic (`sk-ant-api0N-...AA`).
 * Not in that preset:
 * - GitLab's personal, project and group access tokens, `glpat-` and 20 or more characters (GitLab
 *   made the prefix the default: gitlab-org/gitlab#342327; `glpat-[A-Za-z0-9_-]{20,}` is the pattern
 *   other scanners took from it, sirwart/ripsecrets#62), and its newer routable ones that carry
 *   `.`-separated parts after that;
 * - Arcade API keys, `arc_` and 20 or more characters: @arcadeai/arcadejs 2.4.1 names no prefix
 *   (no `arc_` in node_modules/@arcadeai), nor do docs.arcade.dev's API-key pages; public
 *   repositories' example files write `ARCADE_API_KEY=arc_...` (found in the search library's code
 *   corpus), and this repository's test keys have that shape (test/support/canary.ts);
 * - kept from ./token-shapes.ts: a JWT (`eyJ...` `.` `...` `.` `...`), Google's access tokens
 *   (`ya29.`) and API keys (`AIza`), EKS tokens (`k8s-aws-v1.`).
 *
 * An API key is shown by its last 4 characters at most (the brief's `…abcd`), so a key found by its
 * prefix becomes `[redacted …abcd]`, as the redactor's own; a JWT or an access token, whose last
 * characters belong to a signature, `[redacted]`. The marker has no `<`, `>`, `&` or quote: the
 * redactor also runs on a rendered JUnit, HTML or JSON report. A net for shapes, not a proof.
 */

/** Not right after a letter or digit (`\p{L}`, as secretlint: a longer word is not a token), or right after an ANSI colour code. */
const AFTER = String.raw`(?:(?<![\p{L}\p{N}])|(?<=\x1b\[[\d;]*m))`;
/** Not followed by another character of the token's alphabet. */
const BEFORE = '(?![A-Za-z0-9_-])';

/** API keys by their prefix: the last 4 characters may be shown. */
const API_KEYS = [
  '(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9_]{36}',
  'github_pat_[A-Za-z0-9_]{82}',
  String.raw`glpat-[A-Za-z0-9_-]{20,}(?:\.[A-Za-z0-9_-]+)*`,
  'arc_[A-Za-z0-9_-]{20,}',
  '(?:A3T[A-Z0-9]|AKIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ASIA)[A-Z0-9]{16}',
  String.raw`(?:xoxb|xoxp|xapp|xoxa|xoxo|xoxr)-(?:\d-)?(?:[a-zA-Z0-9]{1,40}-)+[a-zA-Z0-9]{1,40}`,
  'npm_[A-Za-z0-9_]{36}',
  'sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{58,74}T3BlbkFJ[A-Za-z0-9_-]{58,74}|sk-[a-zA-Z0-9]{20}T3BlbkFJ[a-zA-Z0-9]{20}',
  String.raw`sk-ant-api0\d-[A-Za-z0-9_-]{90,128}AA`,
];

/** Tokens whose last characters are a signature's or a session's: hidden whole. */
const TOKENS = [
  String.raw`eyJ[\w-]+\.[\w-]+\.[\w-]*`,
  String.raw`(?:ya29|k8s-aws-v1)\.[\w-]+(?:\.[\w-]+)*`,
  String.raw`AIza[\w-]+`,
];

const KNOWN = new RegExp(
  `${AFTER}(?:(?<key>${API_KEYS.map((k) => `(?:${k})`).join('|')})|${TOKENS.map((t) => `(?:${t})`).join('|')})${BEFORE}`,
  'gu',
);

/** The marker of a token found by its shape: its last 4 characters when it is an API key. */
export type TokenMarker = (lastFour: string | undefined) => string;

const REDACTED: TokenMarker = (lastFour) => (lastFour === undefined ? '[redacted]' : `[redacted …${lastFour}]`);

/** `text` with every well-known API key and token (above) replaced by `marker`'s text. */
export function hideKnownTokens(text: string, marker: TokenMarker = REDACTED): string {
  return text.replace(KNOWN, (found, ...rest) => {
    const groups = rest[rest.length - 1] as { key?: string };
    return marker(groups.key === undefined ? undefined : found.slice(-4));
  });
}
