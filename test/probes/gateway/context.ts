/**
 * Test support for the gateway probes: targets for a stand-in and a ProbeContext built by hand
 * (the runner is another module; these probes need no Kubernetes, so `kube()` throws).
 *
 * Deadlines and the latency budget default to NO_PROBE_DEADLINE_MS (test/support/deadlines.ts):
 * a test gets a timeout or a budget verdict only when it asks for one.
 */
import { TargetsSchema, type Targets, type TargetsInput } from '../../../src/environments/probe-targets.js';
import { createRedactor } from '../../../src/core/redact.js';
import { resolveTargets } from '../../../src/probes/resolved-targets.js';
import {
  createRunScope,
  type Probe,
  type ProbeContext,
  type ProbeOutcome,
  type RunScope,
} from '../../../src/probes/types.js';
import { gatewayProbes } from '../../../src/probes/registry.js';
import type { ArcadeStandIn } from '../../../src/loopback/arcade-platform.js';
import { NO_PROBE_DEADLINE_MS } from '../../support/deadlines.js';

/** A probe deadline for all probes, or one per probe id. */
export type Deadline = number | ((id: string) => number);
const deadlineOf = (deadline: Deadline | undefined, id: string): number =>
  typeof deadline === 'function' ? deadline(id) : (deadline ?? NO_PROBE_DEADLINE_MS);

export function targetsFor(arcade: ArcadeStandIn, overrides: Partial<TargetsInput> = {}): Targets {
  return TargetsSchema.parse({
    namespace: 'arcade',
    release: 'arcade',
    chartVersion: '1.8.8',
    collectorService: 'arcade-otel-collector',
    engineSelector: 'app.kubernetes.io/name=engine',
    mimir: {
      queryUrl: 'http://127.0.0.1:9/prometheus',
      tenant: 'test',
      collectorLabel: { name: 'arcade_stack_collector', value: 'c/n/s' },
    },
    // 5 Echo calls (and 5 to the reference server): a p95 verdict by nearest rank; the calls cost
    // CPU in every test that runs every gateway probe, and 100 calls (p99) are measured by the
    // scale test (probes-secrets-scale.test.ts).
    latency: { calls: 5, p95BudgetMs: NO_PROBE_DEADLINE_MS },
    // The longest hang threshold the targets allow (the probe caps it at half its deadline): a
    // healthy answer is never late on a loaded machine; a test of the hang sets a short one.
    unknownTool: { waitMs: 60_000 },
    ...arcade.targets,
    ...overrides,
  });
}

/**
 * A context as the runner gives it; `run` (one scope per simulated run) lets probes share sessions.
 * `signal` replaces the deadline's own (a test ends a probe at a known event, not a guessed time).
 */
export function contextFor(
  targets: Targets,
  apiKey: string | undefined,
  timeoutMs = NO_PROBE_DEADLINE_MS,
  run?: RunScope,
  signal?: AbortSignal,
): ProbeContext {
  return {
    ...(run ? { run } : {}),
    targets: resolveTargets(targets),
    signal: signal ?? AbortSignal.timeout(timeoutMs),
    timeoutMs,
    apiKey,
    redact: createRedactor([apiKey]),
    revision: undefined,
    kube: () => Promise.reject(new Error('the gateway probes do not use Kubernetes')),
  };
}

export function probeById(id: string): Probe {
  const found = gatewayProbes.find((p) => p.id === id);
  if (!found) throw new Error(`no gateway probe ${id}`);
  return found;
}

export async function runProbe(
  id: string,
  arcade: ArcadeStandIn,
  options: { targets?: Targets; apiKey?: string; timeoutMs?: number } = {},
): Promise<ProbeOutcome> {
  const targets = options.targets ?? targetsFor(arcade);
  return probeById(id).run(contextFor(targets, options.apiKey ?? arcade.apiKey, options.timeoutMs));
}

/** Runs every gateway probe at once, in one run scope (as the runner does); results by id. */
export async function runAll(
  arcade: ArcadeStandIn,
  options: { targets?: Targets; apiKey?: string; timeoutMs?: Deadline } = {},
): Promise<Record<string, ProbeOutcome>> {
  const targets = options.targets ?? targetsFor(arcade);
  const run = createRunScope();
  const results = await Promise.all(
    gatewayProbes.map(
      async (p) =>
        [
          p.id,
          await p.run(contextFor(targets, options.apiKey ?? arcade.apiKey, deadlineOf(options.timeoutMs, p.id), run)),
        ] as const,
    ),
  );
  return Object.fromEntries(results);
}
