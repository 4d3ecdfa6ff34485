/**
 * The kubeconfig's credentials as every request of ./bounded-client.ts applies them (client-node's
 * `KubeConfig.applySecurityAuthentication`: a token, a client certificate, an exec credential
 * plugin), with two differences, both for a credential command that fails or that may prompt:
 *
 * - Requests apply them one after another until they were applied once, and again whenever the
 *   credential client-node keeps has expired (the exec plugin's ExecCredential `expirationTimestamp`,
 *   or within EXPIRY_MARGIN_MS of it): requests made at once do not start an exec plugin (kubelogin,
 *   `aws eks get-token`: it may open a browser or prompt) at once either, at the start nor at a
 *   re-login after the expiry (then every request ran it at once). The first one runs it; once it
 *   succeeded the others find client-node's new credential; once it failed they fail (below).
 *   Otherwise requests apply them at once, as client-node does (a plugin whose ExecCredential has no
 *   expirationTimestamp runs for every request; one at a time, 6 reads of a plugin taking 0.5 s ran
 *   it 16 times and took 8.9 s: queued requests timed out and were retried). A queued request whose
 *   signal aborts (its caller gave up: a deadline, an interrupt) ends at once with its signal's
 *   reason and runs nothing; the requests behind it keep their order.
 * - Once applying them failed, every later request of the same kubeconfig fails with the same
 *   refusal, without trying again: client-node runs a failing plugin again for every request (it
 *   keeps only a credential it got), drift retried its failure 3 times (an error with no HTTP
 *   status, taken for the network), and each probe of a run ran it again. The refusal is a
 *   CredentialError in this stack's words (./credential-refusal.ts: the kubeconfig entry at fault
 *   and the fix, never a command's stdout or arguments).
 *
 * The expiry is read where client-node 1.4 keeps the credential (its ExecAuth's private
 * `tokenCache`, by user name: `credentialExpiry`); a client-node without it reads as "no expiry",
 * as before this review: requests at once after the first success.
 */
import type { KubeConfig, RequestContext } from '@kubernetes/client-node';
import { credentialRefusal } from './credential-refusal.js';
import { untilAborted } from '../core/retry.js';

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
  /** Whether they were applied once. */
  applied: boolean;
  /** When the credential client-node keeps expires (ms since the epoch), if it said. */
  expires?: number;
  /** Settles when the last queued request may let the next one go. */
  queue: Promise<void>;
}

/** A credential this close to its expiry counts as expired: client-node may find it so when it applies it. */
const EXPIRY_MARGIN_MS = 10_000;

const byKubeconfig = new WeakMap<KubeConfig, State>();
const ignore = () => undefined;

/**
 * The expirationTimestamp (ms since the epoch) of the ExecCredential client-node keeps for the
 * current user, undefined when it keeps none or it has no (valid) expirationTimestamp.
 */
function credentialExpiry(kc: KubeConfig): number | undefined {
  const user = kc.getCurrentUser()?.name;
  const authenticators: unknown = (kc as unknown as { authenticators?: unknown }).authenticators;
  if (user === undefined || !Array.isArray(authenticators)) return undefined;
  for (const authenticator of authenticators) {
    const cache: unknown = (authenticator as { tokenCache?: unknown } | null)?.tokenCache;
    if (typeof cache !== 'object' || cache === null) continue;
    const kept = (cache as Record<string, { status?: { expirationTimestamp?: unknown } } | null>)[user];
    const stamp = kept?.status?.expirationTimestamp;
    const at = typeof stamp === 'string' ? Date.parse(stamp) : Number.NaN;
    return Number.isFinite(at) ? at : undefined;
  }
  return undefined;
}

/** `kc`'s credentials for requests cancelled by `signal` (above): their state is one per kubeconfig. */
export function kubeCredentials(kc: KubeConfig, signal?: AbortSignal): Credentials {
  let state = byKubeconfig.get(kc);
  if (!state) {
    state = { applied: false, queue: Promise.resolve() };
    byKubeconfig.set(kc, state);
  }
  const s = state;
  // Whether a request may apply them without waiting for the others (above).
  const atOnce = () =>
    s.failed !== undefined || (s.applied && (s.expires === undefined || s.expires > Date.now() + EXPIRY_MARGIN_MS));
  async function apply(context: RequestContext): Promise<void> {
    // A new error each time: client-node prefixes its message for a discovery request.
    if (s.failed !== undefined) throw new CredentialError(s.failed);
    try {
      await kc.applySecurityAuthentication(context);
    } catch (err) {
      s.failed ??= credentialRefusal(kc, err);
      throw new CredentialError(s.failed);
    }
    // Outside the try: reading client-node's private cache is no refusal of the credentials, so were
    // it ever to throw, this request fails with that error and the next ones try again (untested:
    // no kubeconfig makes it throw without replacing client-node's internals).
    s.applied = true;
    s.expires = credentialExpiry(kc);
  }
  return {
    getName: () => kc.getName(),
    applySecurityAuthentication(context) {
      if (atOnce()) return apply(context);
      const turn = s.queue.then(() => signal?.throwIfAborted());
      const done = turn.then(() => apply(context));
      // The next request waits for this one's credentials unless they may be applied at once by its turn.
      s.queue = turn.then(() => (atOnce() ? undefined : done)).then(ignore, ignore);
      return untilAborted(done, signal);
    },
  };
}
