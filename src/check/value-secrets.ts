/**
 * Secrets the key-by-key walk of src/check/secrets.ts cannot see, in one YAML document:
 *
 * - `secret.env-value`: an env entry's `value` judged by the `name` beside it. A container's
 *   `env: [{name: DB_PASSWORD, value: ...}]` holds the credential under the key `value`, which is
 *   not secret-like, so a plaintext password passed the gate (session 16). Every list entry that is
 *   a map with a string `name` and a string `value` is judged, wherever it stands: the `env` of the
 *   containers and initContainers of every workload kind (Pod, Deployment, StatefulSet, DaemonSet,
 *   ReplicaSet, Job, CronJob) and the env-like lists of a HelmRelease's values (`env`, `extraEnv`,
 *   `extraEnvVars`, ..., whatever a chart calls them), by `credentialUnder` (src/core/credentials.ts,
 *   the environment schema's rule too): a secret-like name, a value that is neither empty nor a
 *   `$(VAR)` reference nor a placeholder, and a password name (any value but a flag such as `yes`)
 *   or a random-looking value. Every other key of the walk (secret.high-entropy, secrets.ts) is
 *   judged by `looksRandom` alone: under a password key there, a short default is not reported.
 * - `secret.known-token`: every string value of the document, whatever its key, holding a
 *   well-known API key or token shape (src/core/known-tokens.ts: GitLab's, Arcade's, JWTs, `ya29.`,
 *   `AIza`, `k8s-aws-v1.` and the shapes secretlint's preset knows, which it reports first); and,
 *   in every file the gate scans (`textTokens`: an environment file's comments, README.md, docs/,
 *   src/; until session 17 only YAML values were read), every line holding one.
 *
 * Findings name the field path (a line, for textTokens) and never the value: of an API key its last
 * 4 characters, as every mask of the stack shows it (`…abcd`), of a JWT or an access token nothing.
 */
import { credentialUnder } from '../core/credentials.js';
import { isRecord } from '../core/is-record.js';
import { hideKnownTokens } from '../core/known-tokens.js';
import { childPath, type Finding } from './finding.js';

/** What a finding of the document carries before its rule: severity, area, file, line, object. */
type Base = Omit<Finding, 'rule' | 'message' | 'fix'>;

const FIX_ENV =
  'use valueFrom.secretKeyRef (a managed secret reference: a SealedSecret from npm run seal, or an ExternalSecret) ' +
  'instead of value, and rotate the credential (git keeps history)';
const FIX_TOKEN =
  'remove the token from the file (and revoke it: git keeps history); keep it in a SealedSecret (npm run seal) or the external secret store';

/** secret.known-token's rule, message and fix for `text`, when it holds a well-known key or token. */
function knownTokenMessage(text: string): Pick<Finding, 'rule' | 'message' | 'fix'> | undefined {
  const keys: string[] = [];
  let whole = 0;
  hideKnownTokens(text, (lastFour) => {
    if (lastFour === undefined) whole++;
    else keys.push(`…${lastFour}`);
    return '';
  });
  if (keys.length + whole === 0) return undefined;
  const hidden = whole === 0 ? [] : [`${whole === 1 ? 'a token' : `${whole} tokens`} not shown`];
  const message = `a well-known API key or token shape: ${[...keys, ...hidden].join(', ')} (a key shows its last 4 characters only)`;
  return { rule: 'secret.known-token', message, fix: FIX_TOKEN };
}

/**
 * secret.known-token of every line of a file's text (`file`, reported relative to the repository):
 * what valueSecrets finds in a YAML value, found in any text, comments included.
 */
export function textTokens(file: string, content: string): Finding[] {
  return content.split('\n').flatMap((text, i) => {
    const message = knownTokenMessage(text);
    return message === undefined
      ? []
      : [{ severity: 'error' as const, area: 'secret' as const, file, line: i + 1, ...message }];
  });
}

/**
 * The findings of one document's value: `lineOf` finds the line of a string from the document's
 * first line; `skip` leaves out what is encrypted (a SealedSecret's encryptedData, seal's ciphertext).
 */
export function valueSecrets(
  value: unknown,
  base: Base,
  lineOf: (text: string) => number,
  skip: (path: string, key: string) => boolean,
): Finding[] {
  const out: Finding[] = [];
  const walk = (v: unknown, path: string, inList: boolean): void => {
    if (typeof v === 'string') {
      const message = knownTokenMessage(v);
      if (message !== undefined) out.push({ ...base, line: lineOf(v), path, ...message });
      return;
    }
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        walk(x, childPath(path, i), true);
      });
      return;
    }
    if (!isRecord(v)) return;
    const { name, value: entry } = v;
    if (inList && typeof name === 'string' && typeof entry === 'string' && credentialUnder(name, entry))
      out.push({
        ...base,
        line: lineOf(entry),
        path: childPath(path, 'value'),
        rule: 'secret.env-value',
        message: `plaintext value of the secret-like env var "${name}" (${entry.length} characters, not shown)`,
        fix: FIX_ENV,
      });
    for (const [k, x] of Object.entries(v)) {
      const p = childPath(path, k);
      if (!skip(p, k)) walk(x, p, false);
    }
  };
  walk(value, '', false);
  return out;
}
