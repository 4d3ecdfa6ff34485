/**
 * The kubeconfig's credentials as every request of ./bounded-client.ts applies them (client-node's
 * `KubeConfig.applySecurityAuthentication`: a token, a client certificate, an exec credential
 * plugin), with one difference: once applying them failed, every later request of the same
 * kubeconfig fails with the same refusal, without trying again.
 *
 * Why: an exec credential plugin (kubelogin, `aws eks get-token`) may open a browser or prompt each
 * time it runs, and client-node runs it again for every request until it succeeds (it keeps only a
 * credential it got). Drift retried the plugin's failure (an error with no HTTP status, taken for
 * the network) 3 times, and each probe of a run ran it again. Now it runs once a command: the
 * failure is a CredentialError, printable (client-node throws the plugin's stderr whole: coloured,
 * several lines), naming the kubeconfig user and the plugin's command, never its arguments (they may
 * hold a secret), with the fix. Requests apply the credentials one after another, so requests made
 * at once do not start the plugin at once either.
 */
import type { KubeConfig, RequestContext } from '@kubernetes/client-node';
import { printableLine } from '../core/printable.js';

/** The kubeconfig's credentials could not be applied (above); `reason` is the message without what client-node prefixed to it. */
export class CredentialError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'CredentialError';
  }
}

interface Credentials {
  getName(): string;
  applySecurityAuthentication(context: RequestContext): Promise<void>;
}

const byKubeconfig = new WeakMap<KubeConfig, Credentials>();

/** What a failure to apply the current user's credentials says (above). */
function refusal(kc: KubeConfig, err: unknown): string {
  const user = kc.getCurrentUser();
  const name = JSON.stringify(user?.name ?? '');
  const message = err instanceof Error ? err.message : String(err);
  const command = user?.exec?.command ?? user?.authProvider?.config?.exec?.command;
  if (typeof command === 'string') {
    const stderr = message.trim() === '' ? '(nothing on stderr)' : printableLine(message, 500);
    return (
      `the exec credential plugin ${printableLine(JSON.stringify(command), 100)} of kubeconfig user ${printableLine(name, 100)} ` +
      `failed: ${stderr} (fix: run it as that user's exec in the kubeconfig names it and do what it asks, such as ` +
      'logging in again, or mend that exec; it was run once)'
    );
  }
  return (
    `the credentials of kubeconfig user ${printableLine(name, 100)} could not be applied: ${printableLine(message, 500)} ` +
    "(fix: mend that user's entry in the kubeconfig, or fetch the kubeconfig anew)"
  );
}

/** `kc`'s credentials, applied once at a time and never again after a failure (above): one per kubeconfig. */
export function kubeCredentials(kc: KubeConfig): Credentials {
  const known = byKubeconfig.get(kc);
  if (known) return known;
  let failed: string | undefined;
  let queue: Promise<void> = Promise.resolve();
  const credentials: Credentials = {
    getName: () => kc.getName(),
    applySecurityAuthentication(context) {
      const applied = queue.then(async () => {
        // A new error each time: client-node prefixes its message for a discovery request.
        if (failed !== undefined) throw new CredentialError(failed);
        try {
          await kc.applySecurityAuthentication(context);
        } catch (err) {
          failed = refusal(kc, err);
          throw new CredentialError(failed);
        }
      });
      queue = applied.catch(() => undefined);
      return applied;
    },
  };
  byKubeconfig.set(kc, credentials);
  return credentials;
}
