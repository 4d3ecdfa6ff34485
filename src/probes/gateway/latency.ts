/**
 * `gateway.latency`: Echo calls through the gateway (and straight to the reference server), timed.
 * The pure parts first (percentiles by nearest rank, the gateway's added overhead, the verdict
 * against the p95 budget), then the probe, which measures after the run's fan-out is done.
 *
 * p99 is reported only from 100 samples up (below that it is just the maximum). The budget
 * applies to the gateway's p95; the overhead (gateway p95 − direct p95) is reported as
 * evidence when the reference server was measured.
 */
import { randomUUID } from 'node:crypto';
import { runLimited } from '../run-limited.js';
import { outcome, type ProbeContext, type ProbeOutcome, type RunShared } from '../types.js';
import { describeFailure, observe } from './errors.js';
import {
  apiKeyOf,
  defineGatewayProbe,
  fanOutOf,
  gatewayEndpoints,
  gatewaysWith,
  inSession,
  toAnswer,
} from './gateway-probe.js';
import type { McpSession } from './mcp-client.js';

export interface LatencySummary {
  readonly calls: number;
  readonly p50: number;
  readonly p95: number;
  /** Only from 100 calls up. */
  readonly p99?: number;
  readonly max: number;
}

export const P99_MIN_CALLS = 100;

/** Nearest-rank percentile of `samples` (ms), `q` in (0, 100]. */
export function percentile(samples: readonly number[], q: number): number {
  if (samples.length === 0) throw new Error('percentile of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((q / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

const round = (ms: number): number => Math.round(ms * 10) / 10;

export function summarize(samples: readonly number[]): LatencySummary {
  return {
    calls: samples.length,
    p50: round(percentile(samples, 50)),
    p95: round(percentile(samples, 95)),
    ...(samples.length >= P99_MIN_CALLS ? { p99: round(percentile(samples, 99)) } : {}),
    max: round(Math.max(...samples)),
  };
}

export interface LatencyObservation {
  readonly gateway: string;
  readonly budgetMs: number;
  /** Durations (ms) of the successful Echo calls through the gateway. */
  readonly gatewayMs: readonly number[];
  /** Calls through the gateway answered wrongly (error result, nonce not echoed). */
  readonly wrongAnswers: number;
  /** Calls through the gateway with no answer (timeout, HTTP error, connection). */
  readonly transportErrors: number;
  /** One cause, for the detail. */
  readonly failureSample?: string;
  /** Durations straight to the reference server; undefined when not measured. */
  readonly directMs?: readonly number[];
  readonly directNote?: string;
}

export function evaluateLatency(o: LatencyObservation): ProbeOutcome {
  const failures = o.wrongAnswers + o.transportErrors;
  const attempted = o.gatewayMs.length + failures;
  if (o.gatewayMs.length === 0) {
    return outcome.error(
      `no successful Echo call through ${o.gateway} (${attempted} tried)${o.failureSample ? `: ${o.failureSample}` : ''}`,
      {
        gateway: o.gateway,
        wrongAnswers: o.wrongAnswers,
        transportErrors: o.transportErrors,
      },
    );
  }
  const gateway = summarize(o.gatewayMs);
  const direct = o.directMs && o.directMs.length > 0 ? summarize(o.directMs) : undefined;
  const overheadP95Ms = direct ? round(gateway.p95 - direct.p95) : undefined;
  const evidence = {
    gateway: o.gateway,
    budgetP95Ms: o.budgetMs,
    throughGateway: gateway,
    ...(direct ? { direct, overheadP95Ms } : { direct: o.directNote ?? 'not measured' }),
    wrongAnswers: o.wrongAnswers,
    transportErrors: o.transportErrors,
  };
  const p99 = gateway.p99 !== undefined ? ` p99 ${gateway.p99} ms` : '';
  const over = overheadP95Ms !== undefined ? `, overhead ${overheadP95Ms} ms over direct p95 ${direct?.p95} ms` : '';
  const line = `${gateway.calls} Echo calls: p50 ${gateway.p50} ms p95 ${gateway.p95} ms${p99}${over}`;
  if (o.wrongAnswers > 0) {
    return outcome.fail(
      `${o.wrongAnswers} of ${attempted} Echo calls through ${o.gateway} answered wrongly (${o.failureSample ?? 'no cause'}); ${line}`,
      evidence,
    );
  }
  if (o.transportErrors > 0) {
    return outcome.error(
      `${o.transportErrors} of ${attempted} Echo calls through ${o.gateway} got no answer (${o.failureSample ?? 'no cause'}); ${line}`,
      evidence,
    );
  }
  if (gateway.p95 > o.budgetMs)
    return outcome.fail(`p95 ${gateway.p95} ms is over the ${o.budgetMs} ms budget; ${line}`, evidence);
  return outcome.pass(`${line} (budget ${o.budgetMs} ms)`, evidence);
}

/**
 * The latencies (ms) of the successful Echo calls through each gateway (by slug) in this run, for
 * the runner's `arcade_gateway_latency` histogram (`--otlp`): the raw samples the percentiles of
 * the evidence come from, kept out of the evidence itself (100 numbers per run in every report).
 */
export const GATEWAY_LATENCY_SAMPLES: RunShared<Map<string, readonly number[]>> = {
  name: 'gateway latency samples',
  create: () => new Map(),
};

/** Echo calls in flight at once for the latency measurement. */
const LATENCY_CONCURRENCY = 4;
/** `gateway.latency` waits for the run's fan-out at most this share of its timeout, then measures anyway. */
const LATENCY_WAIT_SHARE = 0.5;

/**
 * Runs `calls` Echo calls in one session; durations of good answers, counts of bad ones.
 * `ready` is awaited after the session is open and warm, before the timed calls.
 */
async function echoRun(
  ctx: ProbeContext,
  target: { url: string; apiKey?: string; user?: string },
  toolName: (session: McpSession) => Promise<string>,
  calls: number,
  ready: () => Promise<void>,
) {
  return inSession(ctx, target, async (s) => {
    const tool = await toolName(s);
    const run = async () => {
      const nonce = `probe-${randomUUID()}`;
      const started = performance.now();
      const answer = ctx.redact.deep(await observe(async () => toAnswer(await s.callTool(tool, { message: nonce }))));
      const ms = performance.now() - started;
      if (!answer.ok) return { ms, kind: 'transport' as const, cause: describeFailure(answer.failure) };
      if (answer.value.isError || !answer.value.text.includes(nonce)) {
        return {
          ms,
          kind: 'wrong' as const,
          cause: answer.value.isError ? `error result: ${answer.value.text.slice(0, 80)}` : 'nonce not echoed',
        };
      }
      return { ms, kind: 'ok' as const, cause: '' };
    };
    await run(); // warm-up, not counted
    await ready();
    const results = await runLimited(calls, LATENCY_CONCURRENCY, run);
    return {
      tool,
      ok: results.filter((r) => r.kind === 'ok').map((r) => r.ms),
      wrong: results.filter((r) => r.kind === 'wrong').length,
      transport: results.filter((r) => r.kind === 'transport').length,
      sample: results.find((r) => r.kind !== 'ok')?.cause,
    };
  });
}

export const gatewayLatency = defineGatewayProbe({
  id: 'gateway.latency',
  category: 'performance',
  title: 'Echo latency through the gateway (p50/p95/p99) and its overhead over the reference server',
  needs: (t) => ({ api: t.urls.api, users: t.users, gateways: t.gateways, latency: t.latency }),
  needsApiKey: true,
  async run(ctx, { api, users, gateways: all, latency: { calls, p95BudgetMs } }) {
    const apiKey = apiKeyOf(ctx);
    const user = users[0];
    const gw = gatewaysWith(gatewayEndpoints(api, all), (g) => g.referenceToolkit)[0];
    if (!gw) return outcome.skip('no gateway has a resolved referenceToolkit to call Echo on');
    // Time the gateway, not this process: wait (bounded) for the run's fan-out to finish first.
    const fanOutDone = (): Promise<void> => fanOutOf(ctx).idle(ctx.signal, ctx.timeoutMs * LATENCY_WAIT_SHARE);
    const through = await echoRun(
      ctx,
      { url: gw.url, apiKey, ...(user ? { user } : {}) },
      async () => `${gw.value}_Echo`,
      calls,
      fanOutDone,
    );
    if (!through.ok)
      return outcome.error(`${gw.slug}: session: ${describeFailure(ctx.redact.deep(through.failure))}`, {
        gateway: gw.slug,
      });
    // Measured whatever the reference server does next (the last attempt's, as its evidence).
    ctx.run?.get(GATEWAY_LATENCY_SAMPLES).set(gw.slug, through.value.ok);

    const ref = ctx.targets.referenceServerUrl;
    let directMs: number[] | undefined;
    let directNote: string | undefined;
    if (ref.ok) {
      // No Arcade key to the reference server: it is another host. Echo by name or `<Toolkit>_Echo`.
      const direct = await echoRun(
        ctx,
        { url: ref.value, ...(user ? { user } : {}) },
        async (s) => (await s.listToolNames()).find((n) => n === 'Echo' || n.endsWith('_Echo')) ?? 'Echo',
        calls,
        fanOutDone,
      );
      if (!direct.ok) {
        return outcome.error(
          `reference server: ${describeFailure(ctx.redact.deep(direct.failure))} (the overhead cannot be measured)`,
          {
            referenceServerUrl: ref.value,
          },
        );
      }
      if (direct.value.ok.length < calls) {
        return outcome.error(
          `reference server: ${calls - direct.value.ok.length} of ${calls} Echo calls failed (${direct.value.sample ?? 'no cause'})`,
          {
            referenceServerUrl: ref.value,
          },
        );
      }
      directMs = direct.value.ok;
    } else {
      directNote = `not measured: ${ref.because}`;
    }
    return evaluateLatency({
      gateway: gw.slug,
      budgetMs: p95BudgetMs,
      gatewayMs: through.value.ok,
      wrongAnswers: through.value.wrong,
      transportErrors: through.value.transport,
      ...(through.value.sample ? { failureSample: through.value.sample } : {}),
      ...(directMs ? { directMs } : {}),
      ...(directNote ? { directNote } : {}),
    });
  },
});
