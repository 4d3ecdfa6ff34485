/**
 * SealedSecretSource: a Secret delivered as bitnami sealed-secrets ciphertext (strict scope).
 *
 * Each value is ciphertext written by `npm run seal`, bound to the Secret's namespace and name;
 * the construct refuses ciphertext bound to any other Secret, since the controller could not
 * decrypt it. An unresolved value is left out of `encryptedData` and listed in the
 * `arcade-stack.dev/unresolved-keys` annotation, never replaced by a placeholder.
 *
 * @see https://github.com/bitnami-labs/sealed-secrets#scopes
 */
import { Construct } from 'constructs';
import { SealedSecret } from '../../imports/bitnami.com.js';
import { FLUX_WATCH_LABEL, UNRESOLVED_KEYS_ANNOTATION, type SecretSource } from './secret-source.js';

/** A value sealed by `npm run seal`: ciphertext and the Secret (`<namespace>/<name>`) it is bound to. */
export interface SealedCiphertext {
  readonly ciphertext: string;
  readonly boundTo: string;
}

export interface SealedSecretSourceProps {
  readonly secretName: string;
  readonly namespace: string;
  /** The declared keys whose ciphertext is known. */
  readonly values: Readonly<Record<string, SealedCiphertext>>;
  /** The declared keys whose value is not known yet (no ciphertext). @default [] */
  readonly unresolvedKeys?: readonly string[];
  /** Labels of the SealedSecret and of the Secret it creates. @default {} */
  readonly labels?: Record<string, string>;
}

export class SealedSecretSource extends Construct implements SecretSource {
  public readonly secretName: string;
  public readonly namespace: string;
  public readonly keys: readonly string[];
  public readonly unresolvedKeys: readonly string[];
  public readonly apiObject: SealedSecret;

  constructor(scope: Construct, id: string, props: SealedSecretSourceProps) {
    super(scope, id);
    this.secretName = props.secretName;
    this.namespace = props.namespace;
    const unresolved = [...(props.unresolvedKeys ?? [])].sort();
    this.keys = [...Object.keys(props.values), ...unresolved].sort();
    const binding = `${props.namespace}/${props.secretName}`;
    const encryptedData: Record<string, string> = {};
    // Keys are unique, so the order is total (the same as sorting the keys).
    for (const [key, value] of Object.entries(props.values).sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (value.boundTo !== binding) {
        throw new Error(
          `SealedSecret ${binding}: key '${key}' was sealed for '${value.boundTo}', so the controller cannot decrypt it here ` +
            `(strict scope binds ciphertext to namespace and name). Fix: re-seal it with npm run seal for this Secret.`,
        );
      }
      encryptedData[key] = value.ciphertext;
    }
    this.unresolvedKeys = unresolved;
    const labels = props.labels ?? {};
    const annotations = unresolved.length > 0 ? { [UNRESOLVED_KEYS_ANNOTATION]: unresolved.join(',') } : undefined;
    this.apiObject = new SealedSecret(this, 'resource', {
      metadata: { name: props.secretName, namespace: props.namespace, labels, ...(annotations ? { annotations } : {}) },
      spec: {
        encryptedData,
        template: {
          type: 'Opaque',
          metadata: { name: props.secretName, namespace: props.namespace, labels: { ...labels, ...FLUX_WATCH_LABEL } },
        },
      },
    });
  }
}
