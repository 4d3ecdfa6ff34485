/**
 * `otel.metrics-in-mimir`: the engine's metrics arrived in Mimir through our collector.
 *
 * The collector marks every series it relays with its own label (`arcade_stack_collector`, see
 * src/collector/service.ts), and the remote-write exporter turns the engine's `service.name`
 * into `job` (contrib `pkg/translator/prometheusremotewrite/helper.go`, `createAttributes`). So
 * the probe asks Mimir, with the tenant header, `count by (job) ({<collector label>})`: who pushed
 * through this collector. It passes only when the engine's job is among them, and lists every job
 * it saw as evidence, so a wrong engine job name shows at a glance. It does not read
 * `target_info`: the exporter writes none for a resource with only identifying attributes
 * (`addResourceTargetInfo`). The collector's own metrics, scraped by the cluster's agent, never
 * carry the label; another OTLP client's do, under its own job.
 *
 * 401 (`no org id`), 5xx, malformed answers and ones over MAX_QUERY_ANSWER_BYTES are `error`
 * (nothing was learnt; over the cap, the error names `mimir.queryUrl` to check); no series, or
 * no series of the engine's job, is `fail`. docs/probes.md, docs/telemetry.md.
 */
import { defineProbe } from '../define-probe.js';
import { outcome, type ProbeOutcome } from '../types.js';
import { field } from './objects.js';
import { printableLine } from '../../core/printable.js';
import { getFromMimir } from './mimir-get.js';

/** The label every series relayed by the collector carries. */
export interface CollectorLabel {
  readonly name: string;
  readonly value: string;
}

export interface MimirAnswer {
  readonly url: string;
  readonly tenant: string;
  readonly query: string;
  readonly status: number;
  readonly body: string;
}

export interface MimirExpectation {
  /** The engine's `job` label (its OTel `service.name`, prefixed by `service.namespace/` when set). */
  readonly engineJob: string;
  readonly collectorLabel: CollectorLabel;
}

/**
 * The most of the query's answer read (src/core/capped-body.ts): a `count by (job)` vector costs
 * about 100 bytes a job, so 4 MiB is some 40 000 jobs; a larger body is an error naming this cap.
 */
export const MAX_QUERY_ANSWER_BYTES = 4 * 1024 * 1024;

/** Where the query URL comes from (named in an over-cap error's fix). */
const QUERY_URL_SETTING = { field: 'mimir.queryUrl', environmentField: 'probes.mimir.queryUrl' } as const;

/** Jobs listed in the evidence at most (the rest are counted). */
const MAX_JOBS_SHOWN = 20;

/** A PromQL string literal (double-quoted; JSON's escapes are a subset of PromQL's). */
function promqlString(value: string): string {
  return JSON.stringify(value);
}

/** `count by (job) ({<name>="<value>"})`: the series relayed by the collector, per job. */
export function relayedJobsQuery(label: CollectorLabel): string {
  return `count by (job) ({${label.name}=${promqlString(label.value)}})`;
}

/** The instant-query URL: `<queryUrl>/api/v1/query?query=<q>`. */
export function mimirQueryUrl(queryUrl: string, query: string): string {
  return `${queryUrl.replace(/\/+$/, '')}/api/v1/query?query=${encodeURIComponent(query)}`;
}

/** `job` → series count of a `count by (job)` vector; undefined when an element is not of that shape. */
function jobCounts(result: readonly unknown[]): Map<string, number> | undefined {
  const jobs = new Map<string, number>();
  for (const element of result) {
    const metric = field(element, 'metric');
    const value = field(element, 'value');
    if (metric === null || typeof metric !== 'object' || !Array.isArray(value) || value.length !== 2) return undefined;
    const count = Number(value[1]);
    const job = field(metric, 'job');
    if (!Number.isFinite(count) || (job !== undefined && typeof job !== 'string')) return undefined;
    jobs.set(job ?? '', (jobs.get(job ?? '') ?? 0) + count);
  }
  return jobs;
}

/** "a (12), b (3)" in descending count, `(no job)` for series without a job label. */
function describeJobs(jobs: readonly { job: string; series: number }[]): string {
  const shown = jobs.slice(0, 5).map((j) => `${j.job === '' ? '(no job)' : j.job} (${j.series})`);
  return jobs.length > 5 ? `${shown.join(', ')}, and ${jobs.length - 5} more` : shown.join(', ');
}

export function evaluateMimir(answer: MimirAnswer, expected: MimirExpectation): ProbeOutcome {
  const base = {
    url: answer.url,
    tenant: answer.tenant,
    query: answer.query,
    engineJob: expected.engineJob,
    httpStatus: answer.status,
  };
  if (answer.status === 401)
    return outcome.error(`Mimir answered 401 (${printableLine(answer.body, 80)}): the tenant header was refused`, base);
  if (answer.status >= 500)
    return outcome.error(`Mimir answered ${answer.status}: ${printableLine(answer.body, 100)}`, base);
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    return outcome.error(
      `Mimir answered ${answer.status} with a body that is not JSON: ${printableLine(answer.body, 80)}`,
      base,
    );
  }
  if (answer.status !== 200 || field(parsed, 'status') !== 'success') {
    const err = field(parsed, 'error');
    return outcome.error(
      `Mimir query failed (${answer.status}): ${printableLine(typeof err === 'string' ? err : answer.body, 120)}`,
      base,
    );
  }
  const result = field(parsed, 'data.result');
  const type = field(parsed, 'data.resultType');
  const counts = Array.isArray(result) && type === 'vector' ? jobCounts(result) : undefined;
  if (!counts) {
    return outcome.error(
      `Mimir answered success without a vector of {job} counts (resultType ${String(type)}): malformed`,
      base,
    );
  }
  const jobs = [...counts]
    .map(([job, series]) => ({ job, series }))
    .sort((a, b) => b.series - a.series || (a.job < b.job ? -1 : 1));
  const evidence = {
    ...base,
    jobs: jobs.slice(0, MAX_JOBS_SHOWN),
    ...(jobs.length > MAX_JOBS_SHOWN ? { moreJobs: jobs.length - MAX_JOBS_SHOWN } : {}),
  };
  const label = `${expected.collectorLabel.name}="${expected.collectorLabel.value}"`;
  if (jobs.length === 0) {
    return outcome.fail(
      `no series with ${label} for tenant ${answer.tenant}: nothing pushed through the collector reached Mimir`,
      evidence,
    );
  }
  const engine = counts.get(expected.engineJob);
  if (engine === undefined) {
    return outcome.fail(
      `no series of job "${expected.engineJob}" came through the collector; jobs seen with ` +
        `${label}: ${describeJobs(jobs)} (a wrong engine job? set probes.mimir.engineJob)`,
      evidence,
    );
  }
  return outcome.pass(
    `${engine} series of job "${expected.engineJob}" came through the collector (jobs seen: ${describeJobs(jobs)})`,
    evidence,
  );
}

export const metricsInMimir = defineProbe({
  id: 'otel.metrics-in-mimir',
  category: 'observability',
  title: "Engine metrics in Mimir, through the stack's collector (tenant header)",
  needs: (t) => ({ queryUrl: t.mimir.queryUrl, tenant: t.mimir.tenant }),
  retry: 'eventual',
  async run(ctx, { queryUrl, tenant }) {
    const collectorLabel = ctx.targets.mimir.collectorLabel.value;
    const engineJob = ctx.targets.mimir.engineJob.value;
    const query = relayedJobsQuery(collectorLabel);
    const url = mimirQueryUrl(queryUrl, query);
    const got = await getFromMimir(ctx, url, QUERY_URL_SETTING, tenant, MAX_QUERY_ANSWER_BYTES);
    if (got.kind === 'no-answer')
      return outcome.error(`Mimir unreachable at ${queryUrl}: ${got.reason}`, { url, tenant });
    if (got.kind === 'over-cap')
      return outcome.error(`Mimir answered ${got.status} at ${queryUrl}: ${got.message}`, { url, tenant, query });
    const { status, body } = got;
    return evaluateMimir({ url, tenant, query, status, body }, { engineJob, collectorLabel });
  },
});
