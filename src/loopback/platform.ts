/**
 * A whole healthy Arcade platform on loopback, for end-to-end probe runs and `--demo`:
 * - the Kubernetes API stand-in (./kube-api.ts) holding what a healthy deploy leaves in the
 *   cluster: the HelmRelease at the pinned chart, the Flux Kustomization, ready workloads and
 *   pods, the collector Service with ready EndpointSlices on 4318, a scrape-labelled
 *   ServiceMonitor, the datastore Secrets and their synced SealedSecrets, and engine logs with a
 *   line every 30 s for the last 70 minutes;
 * - the Mimir query stand-in (./mimir.ts) holding, for the tenant, the engine's series relayed by
 *   the collector (labelled as the remote-write exporter labels them, ./otel-series.ts) and the
 *   collector's own metrics as the agent scrapes them;
 * - the Arcade stand-in (./arcade-platform.ts: API host, MCP gateways, reference server).
 *
 * Fault switches break exactly one thing each (the one a probe exists to catch); `arcade` passes
 * options (faults included) to the Arcade stand-in. `targets` and `targetsFile` describe the
 * platform as probe targets; `env` holds KUBECONFIG and ARCADE_API_KEY for a run.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { TargetsInput } from '../environments/probe-targets.js';
import { startArcadeStandIn, type ArcadeStandIn, type ArcadeStandInOptions } from './arcade-platform.js';
import { startKubeApi, type KubeApi, type KubeApiOptions, type KubeObject, type LogLine } from './kube-api.js';
import { startMimir, type MimirStandIn } from './mimir.js';
import {
  collectorSelfSeries,
  exportedSeries,
  healthySeries,
  otherClientResource,
  type Deployment,
} from './otel-series.js';
import { COLLECTOR_LABEL, collectorLabelValue } from '../collector/service.js';

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
  /** The ServiceMonitor carries `grafana-agent: external`. */
  readonly excludedServiceMonitor?: boolean;
  /** A bundled PostgreSQL StatefulSet is still running. */
  readonly bundledPostgres?: boolean;
}

/**
 * The latency budget when none is given: two minutes, far beyond what a loaded machine takes for
 * a loopback echo (test/support/deadlines.ts holds the tests' own deadline of the same size).
 */
const UNBOUNDED_P95_BUDGET_MS = 120_000;
/**
 * How long gateway.unknown-tool waits before an unanswered call is a hang: the longest the targets
 * allow (the default, 10 s, was reachable by a healthy answer on a starved machine). A test of the
 * hang sets a short one and makes the stand-in hold the call, so only the wait can end it.
 */
const LONGEST_UNKNOWN_TOOL_WAIT_MS = 60_000;

export interface PlatformOptions {
  readonly faults?: PlatformFaults;
  /** The Kubernetes API stand-in's clock and log hook (./kube-api.ts). @default the system clock */
  readonly kube?: KubeApiOptions;
  readonly arcade?: ArcadeStandInOptions;
  /** Echo calls for gateway.latency. @default 20 (the demo uses 100) */
  readonly latencyCalls?: number;
  /**
   * p95 budget for gateway.latency. @default UNBOUNDED_P95_BUDGET_MS: no test's or benchmark's
   * outcome depends on how fast this machine answers; `--demo` and a test of the budget set one.
   */
  readonly latencyBudgetMs?: number;
  /** The commit the Kustomization reports applied. @default random */
  readonly appliedSha?: string;
}

export interface Platform {
  readonly kube: KubeApi;
  readonly mimir: MimirStandIn;
  readonly arcade: ArcadeStandIn;
  readonly targets: TargetsInput;
  /** `targets` as a YAML file for `--targets`. */
  readonly targetsFile: string;
  readonly appliedSha: string;
  /** KUBECONFIG and ARCADE_API_KEY for a probe run against this platform. */
  readonly env: { readonly KUBECONFIG: string; readonly ARCADE_API_KEY: string };
  close(): Promise<void>;
}

export const NAMESPACE = 'arcade';
/** The stand-in cluster's scrape convention (as on backstage-wus2-v4, FACTS "Telemetry"), told to the probes as targets. */
export const SCRAPE_CONVENTION = {
  scrapeLabels: { release: 'prometheus-operator' },
  exclusionLabels: { 'grafana-agent': 'external' },
} as const;
export const ENGINE_SELECTOR = 'app.kubernetes.io/name=engine';
export const MIMIR_TENANT = 'k8s-backstage-v4';
/** The deployment whose series the Mimir stand-in holds (the collector chart's labels for backstage-wus2-v4). */
export const DEPLOYMENT: Deployment = {
  cluster: 'backstage-wus2-v4',
  namespace: NAMESPACE,
  externalLabels: {
    cluster: 'backstage-wus2-v4',
    namespace: NAMESPACE,
    [COLLECTOR_LABEL]: collectorLabelValue('backstage-wus2-v4', NAMESPACE),
  },
};

function mimirSeries(faults: PlatformFaults) {
  if (faults.emptyMimir) return [];
  if (faults.mimirWithoutEngine)
    return [...collectorSelfSeries(DEPLOYMENT), ...exportedSeries(otherClientResource(), DEPLOYMENT.externalLabels)];
  return healthySeries(DEPLOYMENT);
}
const CHART = '1.8.8';

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

function deployment(name: string, component: string, ready = 1): KubeObject {
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

function pod(name: string, component: string, container: string, waiting?: string): KubeObject {
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

function populate(kube: KubeApi, faults: PlatformFaults, appliedSha: string): void {
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

export async function startPlatform(options: PlatformOptions = {}): Promise<Platform> {
  const faults = options.faults ?? {};
  const appliedSha = options.appliedSha ?? randomBytes(20).toString('hex');
  const kube = await startKubeApi(options.kube);
  const mimir = await startMimir(MIMIR_TENANT, {
    series: mimirSeries(faults),
    ...(faults.mimirDown ? { failStatus: 503 } : {}),
  });
  let arcade: ArcadeStandIn;
  try {
    arcade = await startArcadeStandIn(options.arcade ?? {});
  } catch (err) {
    await Promise.all([kube.close(), mimir.close()]);
    throw err;
  }
  populate(kube, faults, appliedSha);
  const targets: TargetsInput = {
    namespace: NAMESPACE,
    release: 'arcade',
    chartVersion: CHART,
    kustomization: { name: 'apps-arcade', namespace: 'flux-system' },
    collectorService: 'arcade-otel-collector',
    engineSelector: ENGINE_SELECTOR,
    ...arcade.targets,
    mimir: {
      queryUrl: mimir.queryUrl,
      tenant: MIMIR_TENANT,
      collectorLabel: { name: COLLECTOR_LABEL, value: collectorLabelValue(DEPLOYMENT.cluster, DEPLOYMENT.namespace) },
      engineJob: 'arcade_engine',
    },
    latency: { calls: options.latencyCalls ?? 20, p95BudgetMs: options.latencyBudgetMs ?? UNBOUNDED_P95_BUDGET_MS },
    unknownTool: { waitMs: LONGEST_UNKNOWN_TOOL_WAIT_MS },
    logWindowMinutes: 10,
    monitoring: {
      scrapeLabels: { ...SCRAPE_CONVENTION.scrapeLabels },
      exclusionLabels: { ...SCRAPE_CONVENTION.exclusionLabels },
    },
    datastores: {
      mode: 'managed',
      secrets: [
        {
          name: 'arcade-postgres',
          keys: ['host', 'port', 'database', 'user', 'password', 'sslmode'],
          kind: 'SealedSecret',
        },
        { name: 'arcade-redis', keys: ['host', 'port', 'password', 'tls'], kind: 'SealedSecret' },
      ],
    },
  };
  const dir = mkdtempSync(join(tmpdir(), 'arcade-probe-platform-'));
  const targetsFile = join(dir, 'targets.yaml');
  writeFileSync(targetsFile, stringify(targets));
  return {
    kube,
    mimir,
    arcade,
    targets,
    targetsFile,
    appliedSha,
    env: { KUBECONFIG: kube.kubeconfig, ARCADE_API_KEY: arcade.apiKey },
    async close() {
      rmSync(dir, { recursive: true, force: true });
      await Promise.all([kube.close(), mimir.close(), arcade.close()]);
    },
  };
}
