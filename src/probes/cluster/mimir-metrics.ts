/**
 * `otel.metrics-in-mimir`: the Mimir query API, asked with the tenant header
 * (`X-Scope-OrgID`), returns at least one series for the engine's metrics. 401 (`no org id`),
 * 5xx and malformed answers are `error` (nothing was learnt); an empty result is `fail`.
 */
import { outcome, type Probe, type ProbeOutcome } from '../types.js';
import { field } from './objects.js';
import { oneLine } from '../../shared/one-line.js';

export interface MimirAnswer {
  readonly url: string;
  readonly tenant: string;
  readonly query: string;
  readonly status: number;
  readonly body: string;
}

/** The instant-query URL: `<queryUrl>/api/v1/query?query=<q>`. */
export function mimirQueryUrl(queryUrl: string, query: string): string {
  return `${queryUrl.replace(/\/+$/, '')}/api/v1/query?query=${encodeURIComponent(query)}`;
}

export function evaluateMimir(answer: MimirAnswer): ProbeOutcome {
  const base = { url: answer.url, tenant: answer.tenant, query: answer.query, httpStatus: answer.status };
  if (answer.status === 401) return outcome.error(`Mimir answered 401 (${oneLine(answer.body, 80)}): the tenant header was refused`, base);
  if (answer.status >= 500) return outcome.error(`Mimir answered ${answer.status}: ${oneLine(answer.body, 100)}`, base);
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    return outcome.error(`Mimir answered ${answer.status} with a body that is not JSON: ${oneLine(answer.body, 80)}`, base);
  }
  if (answer.status !== 200 || field(parsed, 'status') !== 'success') {
    const err = field(parsed, 'error');
    return outcome.error(`Mimir query failed (${answer.status}): ${oneLine(typeof err === 'string' ? err : answer.body, 120)}`, base);
  }
  const result = field(parsed, 'data.result');
  const type = field(parsed, 'data.resultType');
  if (!Array.isArray(result) || (type !== 'vector' && type !== 'matrix' && type !== 'scalar')) {
    return outcome.error(`Mimir answered success without a result list (resultType ${String(type)}): malformed`, base);
  }
  const first = result[0] as unknown;
  const evidence = { ...base, resultType: type, series: result.length, sample: first === undefined ? null : { metric: field(first, 'metric') ?? {}, value: field(first, 'value') ?? null } };
  if (result.length === 0) return outcome.fail(`query returned no series for tenant ${answer.tenant}: the engine's metrics are not in Mimir`, evidence);
  return outcome.pass(`${result.length} series for tenant ${answer.tenant}`, evidence);
}

export const metricsInMimir: Probe = {
  id: 'otel.metrics-in-mimir',
  category: 'observability',
  title: 'Engine metrics queryable in Mimir (tenant header)',
  needs: ['mimir.queryUrl', 'mimir.tenant', 'mimir.query'],
  retry: 'eventual',
  async run(ctx) {
    const { queryUrl, tenant, query } = ctx.targets.mimir as { queryUrl: string; tenant: string; query: string };
    const url = mimirQueryUrl(queryUrl, query);
    let res: Response;
    try {
      res = await fetch(url, { headers: { 'X-Scope-OrgID': tenant, accept: 'application/json' }, signal: ctx.signal });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      return outcome.error(`Mimir unreachable at ${queryUrl}: ${cause?.code ?? cause?.message ?? (err as Error).message}`, { url, tenant });
    }
    const body = await res.text();
    return evaluateMimir({ url, tenant, query, status: res.status, body });
  },
};
