/**
 * Text a program wrote about a credential (a kubeconfig credential command's stderr), with what has
 * the shape of a credential replaced by a visible `<hidden>`. ./redact.ts hides the secrets a run
 * knows (ARCADE_API_KEY, the forge token); a credential command's stderr may hold secrets the stack
 * never saw: `aws --debug` and `kubectl -v=9`-style flags print signed URLs, session tokens and
 * Authorization headers there. What is hidden:
 *
 * - `Bearer <x>` and `Basic <x>` (an Authorization header, in any letter case);
 * - a JWT (`eyJ...` `.` `...` `.` `...`: an OIDC id-token, a service account's token);
 * - Google's access tokens (`ya29.`), EKS tokens (`k8s-aws-v1.`), both to the next space;
 * - the value of a `key=value` or `"key": "value"` whose key names a credential (token, password,
 *   secret, signature, credential, api key, session: `X-Amz-Security-Token=...`, `password=...`), to
 *   the next space, `&`, `,`, `;` or quote; of an `X-...-Token: value` header, and a `Cookie:`, too.
 *
 * Ordinary words stay: `error: You must be logged in to the server`, `the token expired`, `refresh
 * token: expired` (a bare `key: value` is how errors are worded, so only headers are read so). This is a
 * net for shapes, not a proof: a bare random string with no key in front passes (which is why the
 * stack shows only a credential command's last stderr line, never its stdout: ../kube/credential-refusal.ts).
 */

const HIDDEN = '<hidden>';
const KEY = String.raw`[\w.-]*(?:token|passw(?:or)?d|pwd|secret|signature|credential|api[-_]?key|session)[\w.-]*`;

const SHAPES: readonly [RegExp, string][] = [
  [/\b(Bearer|Basic)\s+\S+/gi, `$1 ${HIDDEN}`],
  [/eyJ[\w-]+\.[\w-]+\.[\w-]*/g, HIDDEN],
  [/\b(?:ya29|k8s-aws-v1)\.\S+/g, HIDDEN],
  [new RegExp(String.raw`(["']${KEY}["']\s*:\s*["'])[^"']*`, 'gi'), `$1${HIDDEN}`],
  [new RegExp(String.raw`\b(${KEY}=)[^\s&,;"']+`, 'gi'), `$1${HIDDEN}`],
  [new RegExp(String.raw`\b((?:X-${KEY}|(?:Set-)?Cookie):\s*)\S+`, 'gi'), `$1${HIDDEN}`],
];

/** `text` with every credential shape (above) replaced by `<hidden>`. */
export function hideTokenShapes(text: string): string {
  return SHAPES.reduce((out, [shape, by]) => out.replace(shape, by), text);
}
