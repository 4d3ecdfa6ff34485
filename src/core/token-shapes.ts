/**
 * Text a program wrote about a credential (a kubeconfig credential command's stderr), with what has
 * the shape of a credential replaced by a visible `<hidden>`. ./redact.ts hides the secrets a run
 * knows (ARCADE_API_KEY, the forge token); a credential command's stderr may hold secrets the stack
 * never saw: `aws --debug` and `kubectl -v=9`-style flags print signed URLs, session tokens and
 * Authorization headers there. What is hidden:
 *
 * - `Bearer <x>` and `Basic <x>` (in any letter case), also right after an ANSI colour code: the
 *   credential, a run of characters up to a blank, a quote, `,`, `;`, `<` or a closing bracket;
 * - an `Authorization:` or `Proxy-Authorization:` header's value (`AUTHORIZATION`): a header line, a
 *   quoted value (JSON's `"Authorization":"Bearer x","next":1`; botocore's `--debug` prints
 *   `'Authorization': b'AWS4-...'`), a header list (Go's `map[Authorization:[Bearer x] Accept:[...]]`,
 *   JSON's `"Authorization":["Bearer x"]`). Of a scheme that carries one credential (`Bearer`,
 *   `Basic`, `token`, `Negotiate`, ...: SINGLE) only the credential is hidden, and the rest of the
 *   line stays readable (until session 16 the mask hid all of the line after the word); of any other
 *   value (a bare token, a parameter list such as `AWS4-HMAC-SHA256 Credential=...` or `Digest ...`,
 *   or words that may be a scheme and its credential) the whole value: to its closing quote or
 *   bracket, else to the end of the line;
 * - every well-known API key and token by its shape (./known-tokens.ts): a JWT (`eyJ...` `.` `...` `.`
 *   `...`: an OIDC id-token, a service account's token), Google's access tokens (`ya29.`) and API keys
 *   (`AIza...`), EKS tokens (`k8s-aws-v1.`), GitHub's, GitLab's, Arcade's, AWS's, Slack's, npm's, OpenAI's
 *   and Anthropic's keys (these as `<hidden …abcd>`: an API key may show its last 4 characters);
 * - a URL's userinfo (`Get "https://admin:<password>@proxy:3128/x"`: to the last `@` before a `/`,
 *   `?`, `#` or space);
 * - the value of a `key=value`, `"key": "value"` (`'key': b'value'`, a value with escaped quotes) or
 *   `<Key>value</Key>` whose key names a credential (token, password, secret, signature,
 *   credential, api key, session: `X-Amz-Security-Token=...`, `password=...`,
 *   `<SecretAccessKey>`, `<SessionToken>`), to the next space, `&`, `,`, `;` or quote; for `=` also
 *   `sig=` and any key ending in `key` (`AccountKey=`, `?key=`); of an `X-...-Token: value` header,
 *   and a `Cookie:`, too.
 *
 * Ordinary words stay: `error: You must be logged in to the server`, `the token expired`, `refresh
 * token: expired` (a bare `key: value` is how errors are worded, so only headers are read so). This is a
 * net for shapes, not a proof: a bare random string with no key in front passes (which is why the
 * stack shows only a credential command's last stderr lines, never its stdout: ../kube/credential-refusal.ts).
 */
import { AFTER_ANSI, hideKnownTokens } from './known-tokens.js';
import { USERINFO_IN_TEXT } from './userinfo.js';

const HIDDEN = '<hidden>';
/** A known token's marker (`<hidden …abcd>`) and nothing more of the value after it. */
const MARKER_ALONE = String.raw`<hidden …[^\s>]{1,4}>(?![^\s&,;"'<>\])}])`;
/** The words that make a key a credential's name. */
const WORDS = String.raw`token|passw(?:or)?d|pwd|secret|signature|credential|api[-_]?key|session`;
/** A key's characters, at most this many (a longer run is no key). */
const KEY_MAX = 256;
/**
 * A key (a run of `[\w.-]` holding one of WORDS), captured whole in group `name` and never given
 * back: the lookahead finds a word within the run, the second captures the run and the
 * backreference consumes it (an atomic group, which JavaScript lacks). Until session 16 it was
 * `[\w.-]*(?:words)[\w.-]*`, whose two stars tried every split of a long run of key characters, at
 * every word boundary: `token.` repeated 4 KB took 0.9 s, 20 KB did not end in 120 s.
 */
const key = (name: string) =>
  String.raw`(?=[\w.-]{0,${KEY_MAX}}?(?:${WORDS}))(?=(?<${name}>[\w.-]{1,${KEY_MAX}}))\k<${name}>`;
/** Where a key starts: not inside a run of key characters, or right after an ANSI control sequence (known-tokens' AFTER_ANSI). */
const KEY_START = String.raw`(?:(?<![\w.-])|${AFTER_ANSI})`;
/**
 * A key whose `=` value is hidden: key(), and SAS's `sig`, Azure's `AccountKey`, Google's `key`
 * (a run ending in `key`, or in `sig` after a non-word character).
 */
const EQ_KEY = String.raw`(?:${key('eq')}|(?=(?<run>[\w.-]{1,${KEY_MAX}}))\k<run>(?<=key|(?<![A-Za-z0-9_])sig))`;
/** A word's start: `\b`, or right after an ANSI control sequence (`\u001b[0mBearer`, `\x1b[2KBearer`: `m` and `K` are word characters). */
const START = String.raw`(?:\b|${AFTER_ANSI})`;
/** A quoted value (its quote in group `q`), escaped quotes included. */
const QUOTED = String.raw`(?<q>["'])(?:\\.|(?!\k<q>)[^\\])*`;

/** A credential after its scheme word: up to a blank, a quote, `,`, `;`, `<`, a backslash or a closing bracket. */
const CREDENTIAL = String.raw`[^\s"'\\,;<>\])}]+`;
const CREDENTIAL_AT = new RegExp(`^${CREDENTIAL}`);
/**
 * The schemes whose credential is one such run (the IANA HTTP authentication scheme registry's
 * Basic, Bearer, DPoP, Negotiate, PrivateToken; GitHub's `token`, NTLM, Discord's `Bot`).
 */
const SINGLE = new RegExp(
  String.raw`^(?:Basic|Bearer|DPoP|Negotiate|PrivateToken|token|NTLM|Bot)[ \t]+(?=${CREDENTIAL})`,
  'i',
);
/**
 * An Authorization header's name and what stands before its value (group 1: a quote, `b'`, `[`),
 * then the rest of the line (group 2), which `hideAuthorization` cuts at the value's end.
 */
const AUTHORIZATION = new RegExp(
  String.raw`(${START}(?:Proxy-)?Authorization\\?["']?[ \t]*:[ \t]*(?:\[[ \t]*)?(?:b(?=["']))?(?:\\?["'])?)([^\r\n]*)`,
  'gi',
);

/** The header's value in `head` + `rest` (AUTHORIZATION), hidden (above); what follows the value kept. */
function hideAuthorization(_match: string, head: string, rest: string): string {
  const quote = /\\?["']$/.exec(head)?.[0];
  // The value ends at its closing quote (not one escaped inside it), else at `]` in a header list, else at the line's end.
  let end = rest.length;
  if (quote !== undefined) {
    const close =
      quote.length === 1
        ? new RegExp(String.raw`(?:\\.|[^\\${quote}])*`).exec(rest)
        : /^(?:[^\\]|\\(?!["']))*/.exec(rest);
    end = close?.[0].length ?? 0;
  } else if (/\[[ \t]*$/.test(head)) {
    end = rest.includes(']') ? rest.indexOf(']') : rest.length;
  }
  const value = rest.slice(0, end);
  const scheme = SINGLE.exec(value)?.[0];
  const credential = scheme === undefined ? undefined : CREDENTIAL_AT.exec(value.slice(scheme.length))?.[0];
  const shown =
    scheme !== undefined && credential !== undefined
      ? `${scheme}${HIDDEN}${value.slice(scheme.length + credential.length)}`
      : value === ''
        ? ''
        : HIDDEN;
  return `${head}${shown}${rest.slice(end)}`;
}

type Shapes = readonly [RegExp, string | ((...parts: string[]) => string)][];

/** Applied first: a header's credential is hidden as `<hidden>` whatever its shape. */
const HEADERS: Shapes = [
  [AUTHORIZATION, hideAuthorization],
  [new RegExp(String.raw`${START}(Bearer|Basic)\s+(["']?)${CREDENTIAL}`, 'gi'), `$1 $2${HIDDEN}`],
];
/** Applied after the well-known tokens. */
const SHAPES: Shapes = [
  [USERINFO_IN_TEXT, `$1${HIDDEN}@`],
  [new RegExp(String.raw`(?<head>["']${key('k')}["']\s*:\s*b?)${QUOTED}`, 'gi'), `$<head>$<q>${HIDDEN}`],
  // An XML element's name starts with a letter or `_`: helm's `at <.Values.auth.token>: nil pointer ...` is none.
  [new RegExp(String.raw`(?<head><(?=[A-Za-z_])${key('k')}>)[^<]*`, 'gi'), `$<head>${HIDDEN}`],
  // A value that is exactly a known token's marker (`<hidden …abcd>`, then its end) is left whole;
  // one that only begins with `<hidden` (`token=<hidden>s3cr3t`) is hidden.
  [new RegExp(String.raw`(?<head>${KEY_START}${EQ_KEY}=)(?!${MARKER_ALONE})[^\s&,;"']+`, 'gi'), `$<head>${HIDDEN}`],
  [
    new RegExp(String.raw`(?<head>${KEY_START}(?:X-${key('k')}|(?:Set-)?Cookie):\s*)(?!${MARKER_ALONE})\S+`, 'gi'),
    `$<head>${HIDDEN}`,
  ],
];

/** `text` with every credential shape (above) replaced by `<hidden>` (an API key found by its prefix: `<hidden …abcd>`). */
export function hideTokenShapes(text: string): string {
  const apply = (shapes: Shapes, to: string) =>
    shapes.reduce((out, [shape, by]) => out.replace(shape, by as string), to);
  const marker = (lastFour: string | undefined) => (lastFour === undefined ? HIDDEN : `<hidden …${lastFour}>`);
  return apply(SHAPES, hideKnownTokens(apply(HEADERS, text), marker));
}
