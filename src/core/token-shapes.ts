/**
 * Text a program wrote about a credential (a kubeconfig credential command's stderr), with what has
 * the shape of a credential replaced by a visible `<hidden>`. ./redact.ts hides the secrets a run
 * knows (ARCADE_API_KEY, the forge token); a credential command's stderr may hold secrets the stack
 * never saw: `aws --debug` and `kubectl -v=9`-style flags print signed URLs, session tokens and
 * Authorization headers there. What is hidden:
 *
 * - `Bearer <x>` and `Basic <x>` (in any letter case), also right after an ANSI colour code;
 * - an `Authorization:` or `Proxy-Authorization:` header's whole value, any scheme (`token ghp_...`,
 *   `Negotiate ...`, `AWS4-HMAC-SHA256 Credential=...`): to the end of the line, or to its closing
 *   quote when it is quoted (botocore's `--debug` prints `'Authorization': b'AWS4-...'`);
 * - a JWT (`eyJ...` `.` `...` `.` `...`: an OIDC id-token, a service account's token);
 * - Google's access tokens (`ya29.`) and API keys (`AIza...`), EKS tokens (`k8s-aws-v1.`), to the next space;
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
import { USERINFO_IN_TEXT } from './userinfo.js';

const HIDDEN = '<hidden>';
const KEY = String.raw`[\w.-]*(?:token|passw(?:or)?d|pwd|secret|signature|credential|api[-_]?key|session)[\w.-]*`;
/** A key whose `=` value is hidden: KEY, and SAS's `sig`, Azure's `AccountKey`, Google's `key`. */
const EQ_KEY = String.raw`(?:${KEY}|sig|[\w.-]*key)`;
/** A word's start: `\b`, or right after an ANSI colour code (`\u001b[0mBearer`: `m` is a word character). */
const START = String.raw`(?:\b|(?<=\x1b\[[\d;]*m))`;
/** A quoted value (its quote in group `q`), escaped quotes included. */
const QUOTED = String.raw`(?<q>["'])(?:\\.|(?!\k<q>)[^\\])*`;

const SHAPES: readonly [RegExp, string][] = [
  [new RegExp(String.raw`(${START}(?:Proxy-)?Authorization["']?\s*:\s*b?)${QUOTED}`, 'gi'), `$1$<q>${HIDDEN}`],
  [new RegExp(String.raw`(${START}(?:Proxy-)?Authorization:[ \t]*)[^\s"'][^\r\n]*`, 'gi'), `$1${HIDDEN}`],
  [new RegExp(String.raw`${START}(Bearer|Basic)\s+\S+`, 'gi'), `$1 ${HIDDEN}`],
  [/eyJ[\w-]+\.[\w-]+\.[\w-]*/g, HIDDEN],
  [new RegExp(String.raw`${START}(?:ya29|k8s-aws-v1)\.\S+|${START}AIza[\w-]+`, 'g'), HIDDEN],
  [USERINFO_IN_TEXT, `$1${HIDDEN}@`],
  [new RegExp(String.raw`(["']${KEY}["']\s*:\s*b?)${QUOTED}`, 'gi'), `$1$<q>${HIDDEN}`],
  [new RegExp(String.raw`(<(${KEY})>)[^<]*`, 'gi'), `$1${HIDDEN}`],
  [new RegExp(String.raw`${START}(${EQ_KEY}=)[^\s&,;"']+`, 'gi'), `$1${HIDDEN}`],
  [new RegExp(String.raw`${START}((?:X-${KEY}|(?:Set-)?Cookie):\s*)\S+`, 'gi'), `$1${HIDDEN}`],
];

/** `text` with every credential shape (above) replaced by `<hidden>`. */
export function hideTokenShapes(text: string): string {
  return SHAPES.reduce((out, [shape, by]) => out.replace(shape, by), text);
}
