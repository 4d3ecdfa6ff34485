/**
 * Pure parts of `gateway.latency`: percentiles (nearest rank), the gateway's added overhead,
 * and the verdict against the p95 budget.
 *
 * p99 is reported only from 100 samples up (below that it is just the maximum). The budget
 * applies to the gateway's p95; the overhead (gateway p95 − direct p95) is reported as
 * evidence when the reference server was measured.
 */
import { outcome, type ProbeOutcome } from '../types.js';

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
