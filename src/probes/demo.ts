/**
 * `npm run probe -- --demo`: starts the loopback stand-ins of a healthy platform (Kubernetes
 * API, Mimir, the Arcade API host with its MCP gateway, the reference server; see
 * src/loopback/platform.ts) and hands back targets and credentials for one probe run, so a
 * newcomer sees a full report without a cluster. The stand-ins are product code (src/loopback/) and are
 * imported lazily: nothing of them loads on a normal run.
 */
import { DEFAULT_P95_BUDGET_MS, TargetsSchema, type Targets } from '../environments/probe-targets.js';

export interface Demo {
  readonly targets: Targets;
  /** KUBECONFIG (a temporary file naming the stand-in) and ARCADE_API_KEY (generated). */
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

export async function startDemo(): Promise<Demo> {
  const { startPlatform } = await import('../loopback/platform.js');
  // The budget a real gateway is held to, not the tests' unbounded one.
  const platform = await startPlatform({ latencyCalls: 100, latencyBudgetMs: DEFAULT_P95_BUDGET_MS });
  return {
    targets: TargetsSchema.parse(platform.targets),
    env: { ...platform.env },
    close: () => platform.close(),
  };
}
