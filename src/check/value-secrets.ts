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
 *   `AIza`, `k8s-aws-v1.` and the shapes secretlint's preset knows, which it reports first).
 *
 * Findings name the field path and never the value.
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
      if (hideKnownTokens(v, () => '') !== v)
        out.push({
          ...base,
          line: lineOf(v),
          path,
          rule: 'secret.known-token',
          message: 'a well-known API key or token shape (value not shown)',
          fix: FIX_TOKEN,
        });
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
