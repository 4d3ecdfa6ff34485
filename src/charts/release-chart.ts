/**
 * ArcadeReleaseChart: the vendor chart `arcade` from its OCI source, with our overrides.
 */
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { selectorLabels, stackLabels } from '../constructs/labels.js';
import { OciHelmRelease } from '../constructs/oci-helm-release.js';
import { releaseNamespace } from '../environments/namespaces.js';
import type { Environment } from '../environments/schema.js';
import { arcadeValues, type ArcadeValues } from './arcade-values.js';
import type { SecretSources } from './secrets-chart.js';

export interface ArcadeReleaseChartProps {
  readonly env: Environment;
  /** The Secrets the release reads (SecretsChart.sources; which ones depends on the datastore mode). */
  readonly secrets?: SecretSources;
  /** The engine's OTLP/HTTP endpoint: the collector Service (CollectorChart.otlpEndpoint). */
  readonly otlpEndpoint: string;
}

export class ArcadeReleaseChart extends Chart {
  public readonly arcade: OciHelmRelease;
  public readonly values: ArcadeValues;

  constructor(scope: Construct, id: string, props: ArcadeReleaseChartProps) {
    const { env } = props;
    const namespace = releaseNamespace(env);
    super(scope, id, { namespace, labels: stackLabels(env.name) });
    this.values = arcadeValues(env, props.secrets, props.otlpEndpoint);
    this.arcade = new OciHelmRelease(this, 'arcade', {
      name: env.release.name,
      namespace,
      url: env.chart.url,
      version: env.chart.version,
      digest: env.chart.digest,
      sourceInterval: env.chart.interval,
      releaseName: env.release.releaseName,
      targetNamespace: env.release.targetNamespace,
      storageNamespace: env.release.storageNamespace,
      interval: env.release.interval,
      timeout: env.release.timeout,
      retries: env.release.retries,
      driftDetection: env.release.driftDetection,
      values: this.values.values,
      valuesFrom: this.values.valuesFrom,
      valuesFromRefs: this.values.valuesFromRefs,
      labels: { ...selectorLabels('arcade', env.release.releaseName), 'app.kubernetes.io/component': 'release' },
    });
  }
}
