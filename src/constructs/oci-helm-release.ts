/**
 * OciHelmRelease: a Flux OCIRepository and the HelmRelease that installs its chart, side by side
 * with the same name and namespace, the release referring to the source object (never a
 * hand-typed name).
 *
 * Model: fluxcd/flux2-kustomize-helm-example and helm-controller's recommended settings:
 * explicit interval, explicit releaseName, install/upgrade remediation with retries, drift
 * detection. Only long-standing HelmRelease v2 fields are used (the cluster's Flux version is not
 * known): no `install.strategy`, `postRenderStrategy` or `valuesFrom[].literal`.
 *
 * @see https://fluxcd.io/flux/components/helm/helmreleases/
 * @see https://fluxcd.io/flux/components/source/ocirepositories/
 */
import { Construct } from 'constructs';
import {
  HelmRelease,
  HelmReleaseSpecChartRefKind,
  HelmReleaseSpecDriftDetectionMode,
  HelmReleaseSpecValuesFromKind,
  HelmReleaseSpecUpgradeRemediationStrategy,
} from '../../imports/helm.toolkit.fluxcd.io.js';
import {
  OciRepository,
  OciRepositorySpecLayerSelectorOperation,
} from '../../imports/flux-oci-source.toolkit.fluxcd.io.js';
import type { SecretSource } from './secret-source.js';

/** Media type of a Helm chart's content layer in an OCI artifact. */
export const HELM_CHART_LAYER_MEDIA_TYPE = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';

/**
 * Annotation that keeps a Flux Kustomization's post-build variable substitution off an object.
 * Values holding `${...}` (the engine's own `${env:NAME}` references) would otherwise be read as
 * Flux variables wherever the applying Kustomization uses `postBuild.substitute`.
 * @see https://fluxcd.io/flux/components/kustomize/kustomizations/#post-build-variable-substitution
 */
export const SUBSTITUTE_DISABLED = { 'kustomize.toolkit.fluxcd.io/substitute': 'disabled' } as const;

/** JSON-like Helm values: a typed tree, serialized by cdk8s, never a YAML string. */
export type HelmValues = { readonly [key: string]: HelmValue };
export type HelmValue = string | number | boolean | null | readonly HelmValue[] | HelmValues;

/** One Secret key placed at a values path by Flux (`valuesFrom` with `targetPath`). */
export interface ValuesFromSecret {
  /** The Secret's source object (SealedSecret / ExternalSecret construct), not a name string. */
  readonly secret: SecretSource;
  /** Key inside the Secret; must be one the source declares. */
  readonly key: string;
  /** Dotted Helm values path (Helm `--set` syntax; escape literal dots with `\.`). */
  readonly targetPath: string;
}

/**
 * A values reference to a ConfigMap or Secret the stack does not make (the live release's, named
 * in the environment). helm-controller reads it from the HelmRelease's namespace.
 * @see https://fluxcd.io/flux/components/helm/helmreleases/#values-references
 */
export interface ValuesReference {
  readonly kind: 'ConfigMap' | 'Secret';
  readonly name: string;
  /** @default 'values.yaml' (helm-controller's default) */
  readonly valuesKey?: string;
  /** @default - the key's YAML document is merged at the root */
  readonly targetPath?: string;
  /** @default false */
  readonly optional?: boolean;
}

export interface OciHelmReleaseProps {
  /** Name of both objects (FACTS: the live release is named `arcade`). */
  readonly name: string;
  readonly namespace: string;
  /** `oci://` repository of the chart. */
  readonly url: string;
  /** Chart version (OCI tag). */
  readonly version: string;
  /**
   * Digest pin; when set, Flux pulls this digest and ignores the tag.
   * @default - the tag alone
   */
  readonly digest?: string;
  /**
   * How often the source checks the registry.
   * @default '1h'
   */
  readonly sourceInterval?: string;
  /** Helm release name, always explicit (a change makes Flux reinstall). */
  readonly releaseName: string;
  /** @default - the HelmRelease namespace (helm-controller default) */
  readonly targetNamespace?: string;
  /** @default - the HelmRelease namespace (helm-controller default) */
  readonly storageNamespace?: string;
  /** @default '10m' */
  readonly interval?: string;
  /** @default '10m' */
  readonly timeout?: string;
  /** Remediation retries for install and upgrade. @default 3 */
  readonly retries?: number;
  /** @default 'warn' */
  readonly driftDetection?: 'disabled' | 'warn' | 'enabled';
  /** Inline values (non-secret). @default {} */
  readonly values?: HelmValues;
  /** Secret keys placed at values paths. @default [] */
  readonly valuesFrom?: readonly ValuesFromSecret[];
  /**
   * References to objects the stack does not make, merged before `valuesFrom` (so the stack's
   * own entries win where both set a path; `values` win over both, as helm-controller merges).
   * @default []
   */
  readonly valuesFromRefs?: readonly ValuesReference[];
  /** Labels for both objects. @default {} */
  readonly labels?: Record<string, string>;
}

export class OciHelmRelease extends Construct {
  public readonly source: OciRepository;
  public readonly release: HelmRelease;

  constructor(scope: Construct, id: string, props: OciHelmReleaseProps) {
    super(scope, id);
    const retries = props.retries ?? 3;
    if (!Number.isInteger(retries) || retries < 0) {
      throw new Error(`OciHelmRelease ${props.name}: retries must be a whole number >= 0, got ${retries}`);
    }
    for (const v of props.valuesFrom ?? []) {
      if (!v.secret.keys.includes(v.key)) {
        throw new Error(
          `OciHelmRelease ${props.name}: valuesFrom key '${v.key}' is not declared by Secret '${v.secret.secretName}' ` +
            `(declared: ${v.secret.keys.join(', ')})`,
        );
      }
      if (v.secret.namespace !== props.namespace) {
        throw new Error(
          `OciHelmRelease ${props.name}: valuesFrom Secret '${v.secret.secretName}' is in namespace '${v.secret.namespace}', ` +
            `but a HelmRelease can only read Secrets in its own namespace '${props.namespace}'`,
        );
      }
    }
    const metadata = { name: props.name, namespace: props.namespace, labels: props.labels ?? {} };

    this.source = new OciRepository(this, 'source', {
      metadata,
      spec: {
        interval: props.sourceInterval ?? '1h',
        url: props.url,
        ref: props.digest ? { tag: props.version, digest: props.digest } : { tag: props.version },
        layerSelector: {
          mediaType: HELM_CHART_LAYER_MEDIA_TYPE,
          operation: OciRepositorySpecLayerSelectorOperation.COPY,
        },
      },
    });

    const valuesFrom = [
      ...(props.valuesFromRefs ?? []).map((r) => ({
        kind: r.kind === 'Secret' ? HelmReleaseSpecValuesFromKind.SECRET : HelmReleaseSpecValuesFromKind.CONFIG_MAP,
        name: r.name,
        ...(r.valuesKey !== undefined ? { valuesKey: r.valuesKey } : {}),
        ...(r.targetPath !== undefined ? { targetPath: r.targetPath } : {}),
        ...(r.optional !== undefined ? { optional: r.optional } : {}),
      })),
      ...(props.valuesFrom ?? []).map((v) => ({
        kind: HelmReleaseSpecValuesFromKind.SECRET,
        name: v.secret.secretName,
        valuesKey: v.key,
        targetPath: v.targetPath,
      })),
    ];
    const retry = { retries };
    const substitutes = JSON.stringify(props.values ?? {}).includes('${');
    this.release = new HelmRelease(this, 'release', {
      metadata: substitutes ? { ...metadata, annotations: { ...SUBSTITUTE_DISABLED } } : metadata,
      spec: {
        interval: props.interval ?? '10m',
        timeout: props.timeout ?? '10m',
        releaseName: props.releaseName,
        ...(props.targetNamespace ? { targetNamespace: props.targetNamespace } : {}),
        ...(props.storageNamespace ? { storageNamespace: props.storageNamespace } : {}),
        chartRef: {
          kind: HelmReleaseSpecChartRefKind.OCI_REPOSITORY,
          name: this.source.name,
          namespace: this.source.metadata.namespace,
        },
        install: { remediation: retry },
        upgrade: {
          cleanupOnFail: true,
          remediation: {
            ...retry,
            remediateLastFailure: true,
            strategy: HelmReleaseSpecUpgradeRemediationStrategy.ROLLBACK,
          },
        },
        rollback: { cleanupOnFail: true },
        driftDetection: { mode: driftMode(props.driftDetection ?? 'warn') },
        values: props.values ?? {},
        ...(valuesFrom.length > 0 ? { valuesFrom } : {}),
      },
    });
  }
}

function driftMode(mode: 'disabled' | 'warn' | 'enabled'): HelmReleaseSpecDriftDetectionMode {
  switch (mode) {
    case 'disabled':
      return HelmReleaseSpecDriftDetectionMode.DISABLED;
    case 'warn':
      return HelmReleaseSpecDriftDetectionMode.WARN;
    case 'enabled':
      return HelmReleaseSpecDriftDetectionMode.ENABLED;
  }
}
