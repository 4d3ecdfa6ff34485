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
import { printableLine } from './printable.js';

/**
 * Where a token may start: not right after a letter, a digit, `_` or `-` (a longer word or
 * identifier is not a token, as secretlint: `\p{L}`), or right after an escape that stands for a
 * character that is not one: a JSON or C escape (`\n`, `\t`, `\u001b`: the redactor judges a result
 * on its JSON text, where a newline before a key is `\` `n`, and a client quotes a server's body
 * JSON-encoded), a C escape of a byte written out (`\x3d`, `\033`, `\x1b`), a URL-encoded byte, also
 * encoded twice (`token%3Dghp_...`, `Bearer%20ghp_...`, `token%253Dghp_...`), or an ANSI control
 * sequence of any kind (a colour code, `\x1b[2K`, `\x1b[?25l`), its ESC raw or written out
 * (`\u001b`, `\x1b`, `\033`, `\e`); an OSC (`\x1b]0;title` and its BEL or ST) ends in a character
 * that is not a letter, or in an escape of one. Until session 16's review a token after `\n`, `%3D`
 * or `\u001b[31m` was missed, and a redactor's clean check on a result's JSON let it through whole;
 * until session 17's, one after `%253D`, `\x3d`, `\x1b[2K` or a colour code written `\033[31m`.
 *
 * Why this is linear on hostile text (`xoxb-` or `eyJ-` repeated a megabyte took 25 s and 9.5 s
 * at 160 KB before): every pattern below is made of the token alphabet `[A-Za-z0-9_.-]`, and a
 * match may start only where the character before is not a letter, digit, `_` or `-`, so within a
 * run of token characters a match starts at the run's start or after a `.`; from there each
 * quantifier is bounded (MAX) and the patterns that span a `.` end within a few parts. A token
 * longer than its bound is not one of these shapes (and not hidden): the bounds are far above any
 * issuer's length.
 */
/** ESC, raw or written out as an escape (JSON's, C's hex or octal, the shell's `\e`). */
const ESC = String.raw`(?:\x1b|\\(?:u001[bB]|x1[bB]|0?33|e))`;
/** Right after an ANSI control sequence (a colour code, `\x1b[2K`, `\x1b[?25l`), its ESC raw or written out: also where token-shapes' keys start. */
export const AFTER_ANSI = String.raw`(?<=${ESC}\[[\d;?]{0,16}[@-~])`;
const afterNot = (word: string) =>
  String.raw`(?:(?<![${word}])|(?<=\\(?:[a-z]|u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2}|[0-7]{1,3}))|(?<=%(?:25)?[0-9A-Fa-f]{2})|${AFTER_ANSI})`;
const AFTER = afterNot(String.raw`\p{L}\p{N}_-`);
/** Not followed by another character of the token's alphabet. */
const BEFORE = '(?![A-Za-z0-9_-])';
/** The longest part of a key (a JWT's parts: PART). */
const MAX = 1024;
/** The longest part of a JWT, JWE or access token (a JWT with many claims runs to kilobytes). */
const PART = 16_384;

/**
 * API keys by their prefix: the last 4 characters may be shown. Beyond secretlint's:
 * - GitLab's other tokens, as `glpat-`: `glrt-` runner, `glcbt-` CI build, `gldt-` deploy, `gloas-`
 *   OAuth application secret, `glptt-` pipeline trigger (GitLab's token overview, docs.gitlab.com
 *   security/tokens "Token prefixes"), and since session 17 `glft-` feed (gitlab-org/gitlab!179852),
 *   `glimt-` incoming mail, `glsoat-` SCIM, `glffct-` feature flags client (that table),
 *   `glagent-` cluster agent (gitlab-org/gitlab!129778), `glrtr-` routable runner
 *   (gitlab-org/cells/http-router!590), `glwt-` workspace (gitlab-org/gitlab!216506), and the
 *   runner registration tokens' `GR1348941` (deprecated, still issued by older instances:
 *   gitlabhq's RunnersTokenPrefixable); an instance's own prefix before them is not known;
 * - Anthropic's admin keys (`sk-ant-admin01-`) and OAuth tokens (`sk-ant-oat01-`) as its API keys;
 *   their ends are not documented, so no `AA` is required of any (the prefix alone is specific);
 * - Slack's refresh and rotated tokens (`xoxe-1-...`, `xoxe.xoxp-1-...`).
 * An Arcade key (`arc_` and 20 or more characters, the group `arc`) is hidden only when it holds a
 * digit, or both upper- and lower-case letters: its format is not published, and the keys seen
 * (this repository's test keys, public examples) are random base62/base64url, where 20 characters
 * without a digit and in one letter case are improbable, while `arc_gateway_worker_pool_primary`
 * and `ARC_FEATURE_FLAG_DEFAULTS` are names a server may well say.
 */
/**
 * The keys of a fixed length (or a short bounded range): found also right after `_` or `-` and
 * before `_` or `-` (`TOKEN_ghp_...`, `--token-ghp_...`, Markdown's `_ghp_..._`), which the others
 * are not (a run of `xoxb-` or `eyJ-` repeated is what made those quadratic). Linear all the same:
 * a match tried at each position reads at most its fixed length.
 */
const FIXED_KEYS = [
  '(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9_]{36}',
  'github_pat_[A-Za-z0-9_]{82}',
  '(?:A3T[A-Z0-9]|AKIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ASIA)[A-Z0-9]{16}',
  'npm_[A-Za-z0-9_]{36}',
  'sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{58,74}T3BlbkFJ[A-Za-z0-9_-]{58,74}|sk-[a-zA-Z0-9]{20}T3BlbkFJ[a-zA-Z0-9]{20}',
];
/** GitLab's prefixes (above). */
const GITLAB = String.raw`(?:(?:glpat|glrtr?|glcbt|gldt|gloas|glptt|glft|glimt|glagent|glsoat|glffct|glwt)-|GR1348941)`;
const API_KEYS = [
  String.raw`${GITLAB}[A-Za-z0-9_-]{20,${MAX}}(?:\.[A-Za-z0-9_-]{1,${MAX}}){0,4}`,
  `(?<arc>arc_[A-Za-z0-9_-]{20,${MAX}})`,
  String.raw`(?:xoxb|xoxp|xapp|xoxa|xoxo|xoxr)-(?:\d-)?(?:[a-zA-Z0-9]{1,40}-){1,8}[a-zA-Z0-9]{1,128}`,
  String.raw`(?:xoxe\.xox[bp]|xoxe)-\d-[A-Za-z0-9-]{20,${MAX}}`,
  String.raw`sk-ant-(?:api|admin|oat)\d\d-[A-Za-z0-9_-]{32,${MAX}}`,
];

/**
 * Tokens whose last characters are a signature's or a session's: hidden whole. A JWE (five parts:
 * header, encrypted key, which may be empty, IV, ciphertext, tag) before a JWS/JWT (three, the
 * signature empty for `alg: none`); Google's API keys are `AIza` and exactly 35 more characters,
 * its access tokens `ya29.` and at least 20 more (`ya29.c.` ones carry dots); a Slack incoming
 * webhook's path (`hooks.slack.com/services/T.../B.../...`: the URL is the credential).
 */
const P = `[\\w-]{1,${PART}}`;
const P0 = `[\\w-]{0,${PART}}`;
const TOKENS = [
  String.raw`eyJ${P}(?:\.${P0}\.${P}\.${P}\.${P}|\.${P}\.${P0})`,
  String.raw`ya29\.(?=[\w.-]{20})${P}(?:\.${P}){0,8}`,
  String.raw`k8s-aws-v1\.${P}`,
  String.raw`AIza[\w-]{35}`,
  String.raw`(?<=hooks\.slack\.com/services/)T[A-Z0-9]{4,32}/B[A-Z0-9]{4,32}/[A-Za-z0-9]{16,64}`,
];

/** AFTER and BEFORE for FIXED_KEYS: `_` and `-` may stand beside them. */
const LOOSE_AFTER = afterNot(String.raw`\p{L}\p{N}`);
const LOOSE_BEFORE = '(?![A-Za-z0-9])';
const KNOWN = new RegExp(
  `${LOOSE_AFTER}(?<fixed>${FIXED_KEYS.map((k) => `(?:${k})`).join('|')})${LOOSE_BEFORE}|` +
    `${AFTER}(?:(?<key>${API_KEYS.map((k) => `(?:${k})`).join('|')})|${TOKENS.map((t) => `(?:${t})`).join('|')})${BEFORE}`,
  'gu',
);

/** Whether an `arc_` run is random enough to be a key (above): a digit, or both letter cases. */
const arcadeKey = (found: string) => {
  const rest = found.slice(4); // after `arc_`, whose own letters are lower-case
  return /\d/.test(rest) || (/[a-z]/.test(rest) && /[A-Z]/.test(rest));
};

/** The run of token characters a cut leaves at one end of a text (maskedHead's, maskedTail's). */
const TOKEN_RUN = '[\\w.%+/=-]+';
const RUN_AT_END = new RegExp(`${TOKEN_RUN}$`);
/**
 * What maskedTail drops at its cut: the first three words (up to the third blank), not only the run
 * of token characters the cut begins in. A cut inside a credential's key or scheme (`ization: Bearer
 * x`, `arer x`, `ssword=x`, `": "two words"`) leaves a value with no key in front, which no shape
 * would then hide (session 17's review).
 */
const WORDS_AT_START = /^(?:\S*\s+){0,2}\S*/;

/**
 * The start of `text` that is masked and then shown cut (`printableLine(mask(maskedHead(t, max)), n)`
 * with n well below `max`): whitespace runs made one space (as printableLine does, so the cut is
 * where the shown text is), at most `max` characters, and, when that cut text, the run of token
 * characters it ends in dropped. A token cut in two no longer has its shape and would be shown
 * unmasked: cutting the end of a line kept a line's last 4 KB, and a token at that cut printed in
 * the clear (credential stderr); keeping the start, whitespace collapsed after the cut, or a long
 * token before it masked to a few characters, brought such a cut token into the 200-500 shown.
 * Whatever is shown now holds only whole tokens. Linear, and it bounds the masking's work.
 */
export function maskedHead(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ');
  if (flat.length <= max) return flat;
  return flat.slice(0, max).replace(RUN_AT_END, '');
}

/**
 * maskedHead's twin for a text shown by its end (a program's last stderr lines: ./child-failure.ts):
 * at most its last `max` characters, without the run of token characters the cut begins in.
 */
export function maskedTail(text: string, max: number): string {
  return text.length <= max ? text : text.slice(-max).replace(WORDS_AT_START, '');
}

/** How much of a text's start is masked for a line that shows `shown` characters of it (maskedHead's `max`). */
const HEAD_PER_SHOWN = 16;

/**
 * Outside text as one printable line of at most `shown` characters, with what `mask` hides hidden
 * (hideTokenShapes, a command's withoutUserinfoOf): `printableLine(mask(maskedHead(text, ...)), shown)`,
 * the one chain of every such message (drift's, the probes' and crds' kube errors, seal's, a credential
 * command's stderr), so that only whole tokens reach the mask and the cut.
 */
export function maskedLine(text: string, shown: number, mask: (text: string) => string): string {
  return printableLine(mask(maskedHead(text, Math.max(4096, shown * HEAD_PER_SHOWN))), shown);
}

/** The marker of a token found by its shape: its last 4 characters when it is an API key. */
export type TokenMarker = (lastFour: string | undefined) => string;

const REDACTED: TokenMarker = (lastFour) => (lastFour === undefined ? '[redacted]' : `[redacted …${lastFour}]`);

/** `text` with every well-known API key and token (above) replaced by `marker`'s text. */
export function hideKnownTokens(text: string, marker: TokenMarker = REDACTED): string {
  return text.replace(KNOWN, (found, ...rest) => {
    const groups = rest[rest.length - 1] as { fixed?: string; key?: string; arc?: string };
    if (groups.arc !== undefined && !arcadeKey(groups.arc)) return found;
    return marker(groups.key === undefined && groups.fixed === undefined ? undefined : found.slice(-4));
  });
}
