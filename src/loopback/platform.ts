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
import { ruleGroupAlerts } from '../evidence/alerts.js';
import type { TargetsInput } from '../environments/probe-targets.js';
import { startArcadeStandIn, type ArcadeStandIn, type ArcadeStandInOptions } from './arcade-platform.js';
import { startKubeApi, type KubeApi, type KubeApiOptions } from './kube-api.js';
import { CHART, NAMESPACE, populate, SCRAPE_CONVENTION, type PlatformFaults } from './platform-cluster.js';
import { startMimir, type MimirStandIn } from './mimir.js';
import {
  collectorSelfSeries,
  exportedSeries,
  healthySeries,
  otherClientResource,
  type Deployment,
} from './otel-series.js';
import { COLLECTOR_LABEL, collectorLabelValue } from '../collector/service.js';

export { NAMESPACE, type PlatformFaults } from './platform-cluster.js';

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

export const ENGINE_SELECTOR = 'app.kubernetes.io/name=engine';
export const MIMIR_TENANT = 'k8s-backstage-v4';
/** The ruler namespace the stand-in's rules live in (`arcade-stack-<env>`, continuous.ts); its groups are the stack's (`ruleGroupAlerts`). */
const RULER_NAMESPACE = 'arcade-stack-demo';
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
export async function startPlatform(options: PlatformOptions = {}): Promise<Platform> {
  const faults = options.faults ?? {};
  const appliedSha = options.appliedSha ?? randomBytes(20).toString('hex');
  const kube = await startKubeApi(options.kube);
  const mimir = await startMimir(MIMIR_TENANT, {
    series: mimirSeries(faults),
    ruleGroups: ruleGroupAlerts()
      .filter((g) => g.name !== faults.missingRuleGroup)
      .map((g) => ({ ...g, file: RULER_NAMESPACE })),
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
    ruler: { url: mimir.queryUrl, tenant: MIMIR_TENANT, namespace: RULER_NAMESPACE, groups: ruleGroupAlerts() },
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
