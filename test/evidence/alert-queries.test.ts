/**
 * Every alert rule's expression, run against a real Prometheus (Debian's package, behind the
 * Mimir-shaped proxy of test/support/prometheus.ts; one for the whole file) over the scenarios of
 * ./alert-scenarios.ts pushed through remote write: the runner's series once per run, the
 * engine's and the collector's every minute, shaped as the remote-write translator and the
 * cluster's agent write them. Each expression is evaluated at the scenario's check minutes
 * (Prometheus' `time` parameter, through Mimir's `/prometheus` prefix with the tenant header) and
 * must return exactly the rows the check names: the alert fires when it should and not otherwise.
 * (`for:` is the evaluator's; promtool's unit tests cover it.)
 *
 * The scenarios live side by side in one TSDB, each with its own environment and namespace, and
 * each is asked with the rules generated for its own scope.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERTS, alertRuleGroups } from '../../src/evidence/alerts.js';
import { TEST_TIMEOUT_MS } from '../support/deadlines.js';
import { findPrometheus, type MimirOnPrometheus, startMimirOnPrometheus } from '../support/prometheus.js';
import type { PromSeries } from '../../src/loopback/mimir.js';
import { type Row, SCENARIOS, scopeOf } from './alert-scenarios.js';

const prometheus = findPrometheus();
const missing = 'missing' in prometheus ? prometheus.missing : undefined;
if (missing) console.log(`[alert-queries] skipped: the alert queries need a real Prometheus: ${missing}`);

const MINUTE = 60;
/** Minute 0 of every scenario (unix seconds): a whole minute, far enough back for the longest scenario to be in the past. */
const T0 = Math.floor(Date.now() / 1000 / MINUTE) * MINUTE - 45 * MINUTE;

const cases = SCENARIOS.map((scenario, i) => {
  const scope = scopeOf(`alerts-${i}`, `alerts-ns-${i}`);
  const rule = alertRuleGroups(scope)
    .flatMap((g) => g.rules)
    .find((r) => r.alert === ALERTS[scenario.alert].name)!;
  return { scenario, scope, rule, series: scenario.series(scope), checks: scenario.checks(scope) };
});

/** An instant query at a time, through the proxy as the ruler's querier would ask it. */
async function queryAt(mimir: MimirOnPrometheus, promql: string, time: number): Promise<Row[]> {
  const url = `${mimir.queryUrl}/api/v1/query?query=${encodeURIComponent(promql)}&time=${time}`;
  const res = await fetch(url, { headers: { 'X-Scope-OrgID': mimir.tenant }, signal: AbortSignal.timeout(10_000) });
  const body = (await res.json()) as {
    status: string;
    error?: string;
    data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  if (res.status !== 200 || body.status !== 'success') throw new Error(`query failed (${res.status}): ${body.error}`);
  expect(body.data?.resultType).toBe('vector');
  return body.data!.result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
}

const sorted = (rows: readonly Row[]) =>
  [...rows].sort((a, b) => JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)));

describe.skipIf(missing !== undefined)('the alert rules on a real Prometheus', () => {
  let mimir: MimirOnPrometheus;

  beforeAll(async () => {
    mimir = await startMimirOnPrometheus(prometheus as { path: string; version: string });
    // One push per minute holding every scenario's samples of that minute, in time order (as the
    // exporter and the agent write them: never out of order within a series).
    const minutes = Math.max(...cases.flatMap((c) => c.series.map((t) => t.values.length)));
    for (let minute = 0; minute < minutes; minute++) {
      const batch: PromSeries[] = cases.flatMap((c) =>
        c.series.flatMap((t) => {
          const value = t.values[minute];
          return value === undefined ? [] : [{ labels: t.labels, value }];
        }),
      );
      if (batch.length === 0) continue;
      const answer = await mimir.push(batch, { timestampMs: (T0 + minute * MINUTE) * 1000 });
      expect(answer.status, answer.body).toBe(204);
    }
  }, TEST_TIMEOUT_MS);

  afterAll(async () => {
    await mimir?.close();
  });

  for (const { scenario, rule, checks } of cases) {
    it(`${rule.alert}: ${scenario.title}`, async () => {
      for (const check of checks) {
        const rows = await queryAt(mimir, rule.expr, T0 + check.minute * MINUTE);
        expect(sorted(rows), `${rule.alert} at minute ${check.minute}`).toEqual(sorted(check.rows));
      }
    });
  }
});
