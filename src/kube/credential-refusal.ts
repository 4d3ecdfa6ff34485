/**
 * What a failure to apply the kubeconfig's credentials says (./credentials.ts): whose fault it is
 * and the fix that fits, in this stack's words, never a credential command's stdout or arguments;
 * of its stderr only its last 4 lines that are not blank, with what looks like a credential hidden.
 *
 * client-node 1.4's `applySecurityAuthentication` reads the cluster's certificate-authority and the
 * user's client-certificate and client-key files, then runs the credential command if the user has
 * one (an exec plugin; the gcp and azure auth-providers' cmd-path), then makes the agent (a plain
 * `http://` server without insecure-skip-tls-verify is refused there, after the plugin ran). Any of
 * them fails the same call, so until session 15's review every failure of an exec user was blamed
 * on the plugin, with the fix "log in again". Now:
 *
 * - the kubeconfig's own entries (a file that cannot be read, plain HTTP, a proxy-url that is not a
 *   URL, an exec's args or env that are not lists): the user and the cluster named, the entry to
 *   mend; a server or proxy-url without its userinfo (`https://admin:<password>@host`: ../core/userinfo.ts);
 * - the plugin's own failures, told apart by what client-node makes of them: it exited non-zero
 *   (client-node's error is its whole stderr; shown: the last 4 lines that are not blank, where a
 *   program says what went wrong, printable, at most 300 characters together, with credential shapes hidden,
 *   ../core/token-shapes.ts: `aws --debug` or `-v=9` print signed URLs, session tokens and
 *   Authorization headers on stderr), it could not be started (`spawn <command> ENOENT`), or it
 *   exited 0 with something that is not an ExecCredential. Its stdout is never shown: client-node's
 *   JSON.parse error quoted it, so `exec: gcloud auth print-access-token` printed the token
 *   (`ya29...`), and a plugin's stdout is a credential when it works;
 * - a gcp or azure auth-provider's command: client-node's error quotes its cmd-args (`Failed to
 *   refresh token: Error: Command failed: "<cmd-path>" <cmd-args>`), which may hold a secret; only
 *   the stderr after that line is shown (its last lines, as an exec plugin's), and of output that is
 *   not JSON nothing;
 * - anything else: the user and cluster named; the error's message only when the user has no
 *   credential command and it is no SyntaxError (node's JSON.parse quotes the text it refused: an
 *   oidc id-token whose first segment is not JSON), credential shapes hidden; else only its name and
 *   code (a message may quote the command's args, as node's spawn does of args that are not a list).
 *
 * Every fix that blames a command says it is not run again in this command: ./credentials.ts keeps
 * the refusal for every later request of the kubeconfig.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { printableLine } from '../core/printable.js';
import { hideTokenShapes } from '../core/token-shapes.js';
import { maskedLine } from '../core/known-tokens.js';
import { withoutUserinfo } from '../core/userinfo.js';

const quoted = (text: string) => printableLine(JSON.stringify(text), 100);
const AGAIN = 'it is not run again in this command';

/** Of a failed command's stderr, its last lines that are not blank, at most this many (above). */
const STDERR_LINES = 4;

/**
 * What a failed command's stderr shows (above): its last STDERR_LINES lines that are not blank
 * (gcloud's last line is "to obtain new credentials.", the error is above it), each with credential
 * shapes hidden and printable, joined by ` | `; the earliest are left out while they exceed 300 characters.
 */
function lastLines(stderr: string): string {
  const lines = stderr
    .split(/[\r\n]+/)
    .filter((l) => l.trim() !== '')
    .slice(-STDERR_LINES)
    .map((l) => maskedLine(l, 300, hideTokenShapes));
  while (lines.length > 1 && lines.join(' | ').length > 300) lines.shift();
  return lines.length === 0 ? '(nothing on stderr)' : lines.join(' | ');
}

/** The fix of every refusal that blames a credential command; `entry` is the user's entry that runs it. */
const runItYourself = (entry: string) =>
  '(fix: run it yourself, with the arguments the kubeconfig gives it, and do what it asks, such as logging in again, ' +
  `or mend the user's ${entry} in the kubeconfig; ${AGAIN})`;

interface ErrorFields {
  readonly name: string;
  readonly message: string;
  readonly code?: unknown;
  readonly syscall?: unknown;
  readonly path?: unknown;
}

function fieldsOf(err: unknown): ErrorFields {
  if (err instanceof Error) return err as ErrorFields;
  return { name: typeof err, message: String(err) };
}

/** What a failure to apply the current user's credentials says (above). */
export function credentialRefusal(kc: KubeConfig, err: unknown): string {
  const user = kc.getCurrentUser();
  const cluster = kc.getCurrentCluster();
  const userName = quoted(user?.name ?? '');
  const clusterName = quoted(cluster?.name ?? '');
  const e = fieldsOf(err);
  const neutral = (detail: string, fix: string) =>
    `the kubeconfig's user ${userName} and cluster ${clusterName} could not be used: ${detail} (fix: ${fix})`;

  // The kubeconfig's own entries, read before and after the credential command.
  const files: [unknown, string, string][] = [
    [cluster?.caFile, 'certificate-authority', `cluster ${clusterName}`],
    [user?.certFile, 'client-certificate', `user ${userName}`],
    [user?.keyFile, 'client-key', `user ${userName}`],
  ];
  for (const [file, field, owner] of files)
    if (typeof file === 'string' && e.path === file)
      return neutral(
        `the ${field} file of ${owner} cannot be read: ${printableLine(e.message, 300)}`,
        `mend the ${field} path of ${owner} in the kubeconfig, or fetch the kubeconfig anew`,
      );
  const server = cluster ? printableLine(withoutUserinfo(cluster.server), 200) : '';
  if (cluster && !cluster.proxyUrl && cluster.server.startsWith('http:') && !cluster.skipTLSVerify)
    if (e.message.startsWith('HTTP protocol is not allowed'))
      return neutral(
        `the server of cluster ${clusterName}, ${server}, is plain HTTP, which the client refuses unless insecure-skip-tls-verify is set`,
        `give cluster ${clusterName} its https:// server, or, for a plain-HTTP server such as kubectl proxy, set insecure-skip-tls-verify: true on it`,
      );
  if (cluster?.proxyUrl && !cluster.proxyUrl.startsWith('socks') && !cluster.server.startsWith('http'))
    if (e.message === 'Unsupported proxy type')
      return neutral(
        `cluster ${clusterName} has a proxy-url, and its server ${server} is neither http:// nor https://`,
        `give cluster ${clusterName} its https:// server`,
      );
  // client-node makes its agent after the plugin ran: `new URL(proxy-url)` throws, blamed on nobody.
  if (cluster?.proxyUrl && e.code === 'ERR_INVALID_URL' && (e as { input?: unknown }).input === cluster.proxyUrl)
    return neutral(
      `the proxy-url of cluster ${clusterName}, ${quoted(withoutUserinfo(cluster.proxyUrl))}, is not a URL`,
      `give cluster ${clusterName} a proxy-url such as http://proxy.example:3128 or socks5://proxy.example:1080, or remove it`,
    );

  const exec = user?.exec ?? user?.authProvider?.config?.exec;
  const command: unknown = exec?.command;
  // An empty command is refused by client-node before it runs anything ("No command was specified"): below.
  if (typeof command === 'string' && command !== '') {
    const listOf = (value: unknown, item: (v: unknown) => boolean) =>
      value === undefined || value === null || (Array.isArray(value) && value.every(item));
    if (!listOf(exec.args, (a) => typeof a === 'string'))
      return neutral(`the exec of user ${userName} has args that are not a list of strings`, "mend that user's exec");
    if (!listOf(exec.env, (v) => typeof v === 'object' && v !== null))
      return neutral(
        `the exec of user ${userName} has an env that is not a list of name and value`,
        "mend that user's exec",
      );
    const plugin = `the exec credential plugin ${quoted(command)} of kubeconfig user ${userName}`;
    if (typeof e.syscall === 'string' && e.syscall.startsWith('spawn'))
      return (
        `${plugin} could not be started: ${printableLine(e.message, 300)} ` +
        "(fix: install it or put it on the PATH, or mend the command of that user's exec in the kubeconfig)"
      );
    // Exit 0 with output JSON.parse refused (SyntaxError), or JSON without the ExecCredential's status (TypeError).
    if (e.name === 'SyntaxError' || (e.name === 'TypeError' && e.code === undefined))
      return (
        `${plugin} printed something that is not an ExecCredential (JSON with a status), not shown here as it may be a secret ` +
        "(fix: give that user's exec a command that prints an ExecCredential, as kubectl's exec plugins do, not a bare token; " +
        `${AGAIN})`
      );
    // A non-zero exit: client-node's Error is the plugin's stderr, whole.
    if (err instanceof Error && err.constructor === Error && e.code === undefined)
      return `${plugin} failed: ${lastLines(e.message)} ${runItYourself('exec')}`;
    return neutral(`${withheld(e)} from the exec credential plugin ${quoted(command)}`, "mend that user's exec");
  }

  const provider = user?.authProvider;
  const cmdPath: unknown = provider?.config?.['cmd-path'];
  if (typeof cmdPath === 'string') {
    const what = `the ${quoted(String(provider.name))} auth-provider command ${quoted(cmdPath)} of kubeconfig user ${userName}`;
    if (e.name === 'SyntaxError')
      return (
        `${what} printed something that is not JSON, not shown here as it may be a secret ` +
        `(fix: mend that user's auth-provider cmd-path and cmd-args in the kubeconfig; ${AGAIN})`
      );
    // client-node runs `"<cmd-path>" <cmd-args>` in a shell; its error is that line, then the stderr.
    const args: unknown = provider.config['cmd-args'];
    const line = `Failed to refresh token: Error: Command failed: "${cmdPath}"${args ? ` ${String(args)}` : ''}`;
    if (e.message.startsWith(line))
      return `${what} failed: ${lastLines(e.message.slice(line.length))} ${runItYourself('auth-provider')}`;
    return neutral(`${withheld(e)} from ${what}`, "mend that user's auth-provider");
  }

  // node's JSON.parse quotes what it refused (an oidc id-token's segment): its message is withheld.
  const message =
    e.name === 'SyntaxError' ? withheld(e, 'the text it refused') : maskedLine(e.message, 500, hideTokenShapes);
  return neutral(
    `its credentials could not be applied: ${message}`,
    "mend that user's entry in the kubeconfig, or fetch the kubeconfig anew",
  );
}

/** An error's name and code, its message withheld (above) as it may quote `what`. */
function withheld(e: ErrorFields, what = "the command's arguments"): string {
  const code = typeof e.code === 'string' ? ` ${printableLine(e.code, 40)}` : '';
  return `${printableLine(e.name, 40)}${code} (its message is not shown: it may quote ${what})`;
}
