/**
 * The kubeconfig's credentials as every request of ./bounded-client.ts applies them (client-node's
 * `KubeConfig.applySecurityAuthentication`: a token, a client certificate, an exec credential
 * plugin), with two differences, both for a credential command that fails or that may prompt:
 *
 * - Until they were applied once, requests apply them one after another, so requests made at once
 *   do not start an exec plugin (kubelogin, `aws eks get-token`: it may open a browser or prompt)
 *   at once either; once they were applied, every request applies them at once, as client-node
 *   does (a plugin whose ExecCredential has no expirationTimestamp runs for every request; one at a
 *   time, 6 reads of a plugin taking 0.5 s ran it 16 times and took 8.9 s: queued requests timed
 *   out and were retried). A queued request whose signal aborted (its caller gave up: a deadline,
 *   an interrupt) runs nothing, and ends with its signal's reason when its turn comes.
 * - Once applying them failed, every later request of the same kubeconfig fails with the same
 *   refusal, without trying again: client-node runs a failing plugin again for every request (it
 *   keeps only a credential it got), drift retried its failure 3 times (an error with no HTTP
 *   status, taken for the network), and each probe of a run ran it again. The refusal is a
 *   CredentialError in this stack's words (./credential-refusal.ts: the kubeconfig entry at fault
 *   and the fix, never a command's output or arguments).
 */
import type { KubeConfig, RequestContext } from '@kubernetes/client-node';
import { credentialRefusal } from './credential-refusal.js';

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

/** One kubeconfig's credentials, shared by every configuration made from it (above). */
interface State {
  /** The refusal, once applying them failed. */
  failed?: string;
  /** Whether they were applied once: requests no longer queue. */
  applied: boolean;
  /** Settles when the last queued request may let the next one go. */
  queue: Promise<void>;
}

const byKubeconfig = new WeakMap<KubeConfig, State>();
const ignore = () => undefined;

/** `kc`'s credentials for requests cancelled by `signal` (above): their state is one per kubeconfig. */
export function kubeCredentials(kc: KubeConfig, signal?: AbortSignal): Credentials {
  let state = byKubeconfig.get(kc);
  if (!state) {
    state = { applied: false, queue: Promise.resolve() };
    byKubeconfig.set(kc, state);
  }
  const s = state;
  async function apply(context: RequestContext): Promise<void> {
    // A new error each time: client-node prefixes its message for a discovery request.
    if (s.failed !== undefined) throw new CredentialError(s.failed);
    try {
      await kc.applySecurityAuthentication(context);
      s.applied = true;
    } catch (err) {
      s.failed ??= credentialRefusal(kc, err);
      throw new CredentialError(s.failed);
    }
  }
  return {
    getName: () => kc.getName(),
    applySecurityAuthentication(context) {
      if (s.applied || s.failed !== undefined) return apply(context);
      const turn = s.queue.then(() => {
        if (signal?.aborted) throw signal.reason;
      });
      const done = turn.then(() => apply(context));
      // The next request waits for this one's credentials unless they were applied by its turn.
      s.queue = turn.then(() => (s.applied ? undefined : done)).then(ignore, ignore);
      return done;
    },
  };
}
