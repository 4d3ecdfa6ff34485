/**
 * ExternalSecretSource: a Secret that External Secrets Operator fills from an existing
 * ClusterSecretStore (`external-secrets.io/v1`). The stack never creates the store; it refers
 * to it by name. An unresolved remote key is left out of `data` and listed in the
 * `arcade-stack.dev/unresolved-keys` annotation.
 *
 * @see https://external-secrets.io/latest/api/externalsecret/
 */
import { Construct } from 'constructs';
import {
  ExternalSecret,
  type ExternalSecretSpecData,
  ExternalSecretSpecSecretStoreRefKind,
} from '../../imports/external-secrets.io.js';
import { FLUX_WATCH_LABEL, UNRESOLVED_KEYS_ANNOTATION, type SecretSource } from './secret-source.js';

/** A key in the external secret store (the ExternalSecret's `remoteRef`). */
export interface RemoteSecretRef {
  readonly remoteKey: string;
  readonly property?: string;
  readonly version?: string;
}

export interface ExternalSecretSourceProps {
  readonly secretName: string;
  readonly namespace: string;
  /** Name of an existing ClusterSecretStore. */
  readonly clusterSecretStore: string;
  /** @default '1h' */
  readonly refreshInterval?: string;
  /** The declared keys whose remote reference is known. */
  readonly values: Readonly<Record<string, RemoteSecretRef>>;
  /** The declared keys whose remote reference is not known yet. @default [] */
  readonly unresolvedKeys?: readonly string[];
  /** @default {} */
  readonly labels?: Record<string, string>;
}

export class ExternalSecretSource extends Construct implements SecretSource {
  public readonly secretName: string;
  public readonly namespace: string;
  public readonly keys: readonly string[];
  public readonly unresolvedKeys: readonly string[];
  public readonly apiObject: ExternalSecret;

  constructor(scope: Construct, id: string, props: ExternalSecretSourceProps) {
    super(scope, id);
    this.secretName = props.secretName;
    this.namespace = props.namespace;
    const unresolved = [...(props.unresolvedKeys ?? [])].sort();
    this.keys = [...Object.keys(props.values), ...unresolved].sort();
    const data: ExternalSecretSpecData[] = [];
    // Keys are unique, so the order is total (the same as sorting the keys).
    for (const [key, ref] of Object.entries(props.values).sort(([a], [b]) => (a < b ? -1 : 1))) {
      data.push({
        secretKey: key,
        remoteRef: {
          key: ref.remoteKey,
          ...(ref.property ? { property: ref.property } : {}),
          ...(ref.version ? { version: ref.version } : {}),
        },
      });
    }
    this.unresolvedKeys = unresolved;
    const labels = props.labels ?? {};
    const annotations = unresolved.length > 0 ? { [UNRESOLVED_KEYS_ANNOTATION]: unresolved.join(',') } : undefined;
    this.apiObject = new ExternalSecret(this, 'resource', {
      metadata: { name: props.secretName, namespace: props.namespace, labels, ...(annotations ? { annotations } : {}) },
      spec: {
        refreshInterval: props.refreshInterval ?? '1h',
        secretStoreRef: {
          kind: ExternalSecretSpecSecretStoreRefKind.CLUSTER_SECRET_STORE,
          name: props.clusterSecretStore,
        },
        target: {
          name: props.secretName,
          // creationPolicy Owner (the ExternalSecret owns the Secret) and deletionPolicy Retain (the
          // Secret stays when the provider's data disappears) are what the stack relies on; they
          // are the CRD's schema defaults (external-secrets v2.9.0), so dist/ does not repeat them.
          template: { type: 'Opaque', metadata: { labels: { ...labels, ...FLUX_WATCH_LABEL } } },
        },
        data,
      },
    });
  }
}
