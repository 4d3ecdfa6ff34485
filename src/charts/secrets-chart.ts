/**
 * DatastoreSecretsChart: the Secrets the Arcade release reads in managed mode (PostgreSQL, Redis,
 * engine root key, OIDC client secret), as SealedSecrets or ExternalSecrets: references and
 * ciphertext only, never a value. Each Secret lives in the namespace of its reader
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
import { SECRET_IDS, type Environment, type SecretId, type SecretsConfig } from '../environments/schema.js';
import { render } from '../environments/unresolved.js';

export interface DatastoreSecretsChartProps {
  readonly env: Environment;
  readonly secrets: SecretsConfig;
}

export class DatastoreSecretsChart extends Chart {
  /** One source per managed Secret, keyed by its role. */
  public readonly sources: Readonly<Record<SecretId, SecretSource>>;

  constructor(scope: Construct, id: string, props: DatastoreSecretsChartProps) {
    const { env, secrets } = props;
    super(scope, id, { namespace: env.namespace, labels: stackLabels(env.name) });
    const sources = {} as Record<SecretId, SecretSource>;
    for (const role of SECRET_IDS) {
      const secretName = secrets.names[role];
      const labels = { ...selectorLabels('arcade', env.release.releaseName), 'app.kubernetes.io/component': `${role}-credentials` };
      sources[role] =
        secrets.provider === 'sealed-secrets'
          ? new SealedSecretSource(this, role, {
              secretName,
              namespace: secretNamespace(env, role),
              values: secrets.values[role],
              labels,
            })
          : new ExternalSecretSource(this, role, {
              secretName,
              namespace: secretNamespace(env, role),
              clusterSecretStore: String(render(secrets.clusterSecretStore)),
              refreshInterval: secrets.refreshInterval,
              values: secrets.values[role],
              labels,
            });
    }
    this.sources = sources;
  }
}
