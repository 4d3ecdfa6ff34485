/**
 * SecretsChart: the Secrets the Arcade release reads, as SealedSecrets or ExternalSecrets:
 * references and ciphertext only, never a value. Which ones depends on the datastore mode
 * (SECRETS_BY_MODE): the LLM API key always; in managed mode also PostgreSQL, Redis, the engine
 * root key and the OIDC client secret. Each Secret lives in the namespace of its reader
 * (src/environments/namespaces.ts): the engine's for `secretKeyRef`, the HelmRelease's for
 * `valuesFrom`.
 */
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { ExternalSecretSource } from '../constructs/external-secret.js';
import { selectorLabels, stackLabels } from '../constructs/labels.js';
import { SealedSecretSource } from '../constructs/sealed-secret.js';
import type { SecretSource } from '../constructs/secret-source.js';
import { secretNamespace } from '../environments/namespaces.js';
import { SECRETS_BY_MODE, type Environment, type SecretId, type SecretsConfig } from '../environments/schema.js';
import { isUnresolved, render, type Unresolved } from '../environments/unresolved.js';

export interface SecretsChartProps {
  readonly env: Environment;
  readonly secrets: SecretsConfig;
}

/** The Secrets of one environment, keyed by role; only the roles of its datastore mode are present. */
export type SecretSources = Readonly<Partial<Record<SecretId, SecretSource>>>;

/**
 * An environment's per-key values as a construct's plain props: the known values, and the names
 * of the keys whose value is unresolved (a construct knows no environment file or marker).
 */
function splitResolved<T>(values: Readonly<Record<string, T>>): {
  values: Record<string, Exclude<T, Unresolved>>;
  unresolvedKeys: string[];
} {
  const known: Record<string, Exclude<T, Unresolved>> = {};
  const unresolvedKeys: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (isUnresolved(value)) unresolvedKeys.push(key);
    else known[key] = value as Exclude<T, Unresolved>;
  }
  return { values: known, unresolvedKeys };
}

export class SecretsChart extends Chart {
  /** One source per Secret the release reads, keyed by its role. */
  public readonly sources: SecretSources;

  constructor(scope: Construct, id: string, props: SecretsChartProps) {
    const { env, secrets } = props;
    super(scope, id, { namespace: env.namespace, labels: stackLabels(env.name) });
    const sources: Partial<Record<SecretId, SecretSource>> = {};
    for (const role of SECRETS_BY_MODE[env.datastores.mode]) {
      const secretName = secrets.names[role];
      const labels = {
        ...selectorLabels('arcade', env.release.releaseName),
        'app.kubernetes.io/component': `${role}-credentials`,
      };
      const missing = () =>
        new Error(
          `environment ${env.name}: secrets.values.${role} is required in ${env.datastores.mode} mode (the schema checks this)`,
        );
      if (secrets.provider === 'sealed-secrets') {
        const values = secrets.values[role];
        if (!values) throw missing();
        sources[role] = new SealedSecretSource(this, role, {
          secretName,
          namespace: secretNamespace(env, role),
          ...splitResolved(values),
          labels,
        });
      } else {
        const values = secrets.values[role];
        if (!values) throw missing();
        sources[role] = new ExternalSecretSource(this, role, {
          secretName,
          namespace: secretNamespace(env, role),
          clusterSecretStore: String(render(secrets.clusterSecretStore)),
          refreshInterval: secrets.refreshInterval,
          ...splitResolved(values),
          labels,
        });
      }
    }
    this.sources = sources;
  }
}
