/**
 * What the loopback platform (./platform.ts) holds in its Kubernetes API stand-in: the objects a
 * healthy deploy leaves in the cluster (HelmRelease, Kustomization, workloads and pods, the
 * collector Service and EndpointSlices, the ServiceMonitor, the datastore Secrets and
 * SealedSecrets, engine logs), and the fault switches of the whole platform, each breaking
 * exactly the one thing a probe exists to catch.
 */
import { randomBytes } from 'node:crypto';
import type { EditableKubeObject } from '../core/manifests.js';
import type { KubeApi, LogLine } from './kube-api.js';

export interface PlatformFaults {
  /** The HelmRelease deployed chart 1.8.7 while 1.8.8 is pinned. */
  readonly staleChart?: boolean;
  /** The coordinator pod is in CrashLoopBackOff (its Deployment 0/1 ready). */
  readonly crashLoop?: boolean;
  /** The collector Service has an EndpointSlice without any endpoint. */
  readonly noCollectorEndpoints?: boolean;
  /** The engine logs `failed to upload metrics` (FACTS' exact line) within the window. */
  readonly exportErrors?: boolean;
  /** The engine pod has no log in the window. */
  readonly emptyEngineLog?: boolean;
  /** Mimir holds no series for the tenant. */
  readonly emptyMimir?: boolean;
  /**
   * Mimir holds the collector's own metrics and another OTLP client's series relayed by the
   * collector, but none of the engine's.
   */
  readonly mimirWithoutEngine?: boolean;
  /** Mimir answers 503. */
  readonly mimirDown?: boolean;
  /** The tenant's ruler lacks this rule group (as if `npm run rules -- --sync` never loaded it). */
  readonly missingRuleGroup?: string;
  /** The ServiceMonitor carries `grafana-agent: external`. */
  readonly excludedServiceMonitor?: boolean;
  /** A bundled PostgreSQL StatefulSet is still running. */
  readonly bundledPostgres?: boolean;
}

export const NAMESPACE = 'arcade';
/** The stand-in cluster's scrape convention (as on backstage-wus2-v4, FACTS "Telemetry"), told to the probes as targets. */
export const SCRAPE_CONVENTION = {
  scrapeLabels: { release: 'prometheus-operator' },
  exclusionLabels: { 'grafana-agent': 'external' },
} as const;

/** The chart version the HelmRelease reports deployed (the pinned one). */
export const CHART = '1.8.8';

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

function meta(name: string, labels: Record<string, string> = {}, namespace = NAMESPACE) {
  return {
    name,
    namespace,
    labels: { 'app.kubernetes.io/part-of': 'arcade', ...labels },
    generation: 2,
    creationTimestamp: ago(3_600_000),
  };
}

function deployment(name: string, component: string, ready = 1): EditableKubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(name, { 'app.kubernetes.io/name': component }),
    spec: {
      replicas: 1,
      template: { spec: { containers: [{ name: component, image: `ghcr.io/arcadeai/${component}:1.8.8` }] } },
    },
    status: { observedGeneration: 2, replicas: 1, readyReplicas: ready, updatedReplicas: 1, availableReplicas: ready },
  };
}

function pod(name: string, component: string, container: string, waiting?: string): EditableKubeObject {
  const started = ago(3_600_000);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta(name, { 'app.kubernetes.io/name': component }),
    spec: { containers: [{ name: container, image: `ghcr.io/arcadeai/${component}:1.8.8` }] },
    status: {
      phase: 'Running',
      startTime: started,
      containerStatuses: [
        waiting
          ? {
              name: container,
              ready: false,
              restartCount: 7,
              state: { waiting: { reason: waiting, message: 'back-off restarting failed container' } },
            }
          : { name: container, ready: true, restartCount: 0, state: { running: { startedAt: started } } },
      ],
    },
  };
}

function engineLog(faults: PlatformFaults): LogLine[] {
  if (faults.emptyEngineLog) return [];
  const lines: LogLine[] = [];
  for (let s = 70 * 60; s >= 5; s -= 30) {
    lines.push({
      time: new Date(Date.now() - s * 1000),
      text: `{"level":"info","msg":"request served","trace_id":"${randomBytes(8).toString('hex')}"}`,
    });
  }
  if (faults.exportErrors) {
    lines.push({
      time: new Date(Date.now() - 90_000),
      text:
        '{"level":"error","msg":"failed to upload metrics: Post ' +
        '\\"http://arcade-otel-collector:4318/v1/metrics\\": dial tcp: lookup ' +
        'arcade-otel-collector on 10.0.0.10:53: no such host"}',
    });
    lines.sort((a, b) => a.time.getTime() - b.time.getTime());
  }
  return lines;
}

export function populate(kube: KubeApi, faults: PlatformFaults, appliedSha: string): void {
  kube.put({
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { ...meta('arcade'), generation: 3 },
    spec: { releaseName: 'arcade', chart: { spec: { chart: 'arcade', version: CHART } } },
    status: {
      observedGeneration: 3,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'InstallSucceeded',
          message: `Helm install succeeded for release arcade/arcade.v1 with chart arcade@${CHART}`,
        },
        { type: 'Released', status: 'True', reason: 'InstallSucceeded' },
      ],
      history: [
        {
          name: 'arcade',
          namespace: NAMESPACE,
          version: 1,
          status: 'deployed',
          chartName: 'arcade',
          chartVersion: faults.staleChart ? '1.8.7' : CHART,
        },
      ],
    },
  });
  kube.put({
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: meta('apps-arcade', {}, 'flux-system'),
    status: {
      conditions: [{ type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded' }],
      lastAppliedRevision: `master@sha1:${appliedSha}`,
      lastAttemptedRevision: `master@sha1:${appliedSha}`,
    },
  });
  kube.put(deployment('arcade-engine', 'engine'));
  kube.put(deployment('arcade-coordinator', 'coordinator', faults.crashLoop ? 0 : 1));
  kube.put(deployment('arcade-dashboard', 'dashboard'));
  kube.put({
    ...deployment('arcade-otel-collector', 'opentelemetry-collector'),
    metadata: meta('arcade-otel-collector', {
      'app.kubernetes.io/name': 'opentelemetry-collector',
      'app.kubernetes.io/instance': 'arcade-otel-collector',
    }),
  });
  kube.put(pod('arcade-engine-7c9f-abcde', 'engine', 'engine'));
  kube.put(
    pod(
      'arcade-coordinator-5d8-fghij',
      'coordinator',
      'coordinator',
      faults.crashLoop ? 'CrashLoopBackOff' : undefined,
    ),
  );
  kube.put(pod('arcade-dashboard-6b7-klmno', 'dashboard', 'dashboard'));
  kube.put(pod('arcade-otel-collector-84f-pqrst', 'opentelemetry-collector', 'otelcol'));
  kube.setLog(NAMESPACE, 'arcade-engine-7c9f-abcde', engineLog(faults), 'engine');
  if (faults.bundledPostgres) {
    kube.put({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta('arcade-postgresql', { 'app.kubernetes.io/name': 'postgresql' }),
      spec: {
        replicas: 1,
        template: { spec: { containers: [{ name: 'postgresql', image: 'docker.io/bitnami/postgresql:16' }] } },
      },
      status: {
        observedGeneration: 2,
        replicas: 1,
        readyReplicas: 1,
        updatedReplicas: 1,
        currentRevision: 'r1',
        updateRevision: 'r1',
      },
    });
  }

  const collectorLabels = {
    'app.kubernetes.io/name': 'opentelemetry-collector',
    'app.kubernetes.io/instance': 'arcade-otel-collector',
  };
  kube.put({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta('arcade-otel-collector', collectorLabels),
    spec: {
      selector: collectorLabels,
      ports: [
        { name: 'otlp-grpc', port: 4317, targetPort: 4317, protocol: 'TCP' },
        { name: 'otlp-http', port: 4318, targetPort: 4318, protocol: 'TCP' },
        { name: 'metrics', port: 8888, targetPort: 8888, protocol: 'TCP' },
      ],
    },
  });
  kube.put({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: meta('arcade-otel-collector-x7k2p', { 'kubernetes.io/service-name': 'arcade-otel-collector' }),
    addressType: 'IPv4',
    ports: [
      { name: 'otlp-grpc', port: 4317, protocol: 'TCP' },
      { name: 'otlp-http', port: 4318, protocol: 'TCP' },
      { name: 'metrics', port: 8888, protocol: 'TCP' },
    ],
    endpoints: faults.noCollectorEndpoints
      ? []
      : [{ addresses: ['10.244.1.17'], conditions: { ready: true, serving: true, terminating: false } }],
  });
  kube.put({
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: meta('arcade-otel-collector-metrics', {
      ...collectorLabels,
      ...SCRAPE_CONVENTION.scrapeLabels,
      ...(faults.excludedServiceMonitor ? SCRAPE_CONVENTION.exclusionLabels : {}),
    }),
    spec: {
      endpoints: [{ port: 'metrics', path: '/metrics', interval: '60s' }],
      namespaceSelector: { matchNames: [NAMESPACE] },
      selector: { matchLabels: collectorLabels },
    },
  });

  const secrets: Record<string, string[]> = {
    'arcade-postgres': ['host', 'port', 'database', 'user', 'password', 'sslmode'],
    'arcade-redis': ['host', 'port', 'password', 'tls'],
  };
  for (const [name, keys] of Object.entries(secrets)) {
    // Values generated at run time: tests prove none of them is ever printed.
    kube.put({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta(name),
      type: 'Opaque',
      data: Object.fromEntries(
        keys.map((k) => [k, Buffer.from(`planted-${randomBytes(9).toString('hex')}`).toString('base64')]),
      ),
    });
    kube.put({
      apiVersion: 'bitnami.com/v1alpha1',
      kind: 'SealedSecret',
      metadata: meta(name),
      spec: { encryptedData: Object.fromEntries(keys.map((k) => [k, randomBytes(48).toString('base64')])) },
      status: {
        conditions: [{ type: 'Synced', status: 'True', message: 'SealedSecret unsealed successfully' }],
        observedGeneration: 2,
      },
    });
  }
}
