/**
 * SecretSource: what a chart needs to know of a Secret it reads, whichever provider makes it.
 *
 * The Secret itself is never in git: a SealedSecret (ciphertext) or an ExternalSecret (a
 * reference into a secret store) makes the controller in the cluster create it. Constructs that
 * consume a Secret take this object, not a name string, so a rename cannot leave a dangling
 * reference.
 */

export interface SecretSource {
  /** Name of the Kubernetes Secret the controller creates. */
  readonly secretName: string;
  /** Namespace of that Secret. */
  readonly namespace: string;
  /** Every key the Secret is declared to hold (resolved or not). */
  readonly keys: readonly string[];
  /** Keys whose value is not known yet (left out of the object, listed in an annotation). */
  readonly unresolvedKeys: readonly string[];
}

/** Annotation listing keys left out because their value is unresolved. */
export const UNRESOLVED_KEYS_ANNOTATION = 'arcade-stack.dev/unresolved-keys';

/**
 * Label that makes helm-controller reconcile a HelmRelease as soon as a Secret it reads through
 * `valuesFrom` changes (a rotation then rolls out without waiting for the interval).
 * @see https://fluxcd.io/flux/components/helm/helmreleases/#reacting-immediately-to-configuration-dependencies
 */
export const FLUX_WATCH_LABEL = { 'reconcile.fluxcd.io/watch': 'Enabled' } as const;
