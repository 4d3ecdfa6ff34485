/**
 * `npm run probe -- --otlp <url>`: one run's results as OTLP metrics, pushed once to the collector
 * as OTLP/HTTP protobuf, as the metric contract says (src/evidence/metrics.ts,
 * docs/continuous-evidence.md).
 *
 * Loaded only when `--otlp` is given (cli.ts imports it dynamically): the SDK is not parsed on
 * any other run.
 *
 * One push per run: the OpenTelemetry JS SDK records the run on a MeterProvider with one reader
 * that collects once (the SDK's own `MetricReader` with nothing periodic:
 * `PeriodicExportingMetricReader` hands a failed export to the global error handler and resolves,
 * so the run could not say whether its metrics arrived), the SDK's protobuf serializer
 * (`@opentelemetry/otlp-transformer`, the one its OTLP/HTTP exporter uses) encodes that collection,
 * and one POST sends it. Temporality is cumulative (the collector's remote-write exporter drops
 * delta). Every attribute value, resource attributes included, passes through the run's redactor.
 *
 * The POST and its retries are ours, not the SDK exporter's: its retry schedule is fixed on real
 * timers (5 attempts, 1 s × 1.5 with jitter: a collector that is down cost the run 8 s, and every
 * test of it as much idle), while OTLP/HTTP's rules are simple to keep on the run's clock
 * (`retryTransient`, src/core/retry.ts; tests count attempts and waits on a virtual clock): the
 * retryable failures of the OTLP specification ("Failures" and "OTLP/HTTP Throttling") are retried
 * with a doubling backoff from 1 s, a `Retry-After` honoured: 429, 502, 503, 504, a connection
 * refused, reset or unreachable, a name not resolved; any other answer is final. No attempt starts
 * past the delivery's deadline, and the whole delivery (collect, send, retries) ends by then.
 *
 * The POST says who sent it, as the OTLP exporter specification asks of every exporter ("User
 * Agent": the exporter, the language of its implementation and its version, in RFC 7231's
 * `product/version` form): `arcade-stack/<version>` from package.json (imported, so the probe
 * runner's bundle carries it), then `(nodejs)`, the language as the `telemetry.sdk.language`
 * resource convention names it. A collector's or a proxy's logs then tell this runner's pushes, and
 * the release that sent them, from every other client's.
 *
 * Never throws: whatever happens (collector unreachable, 5xx, a hang past the deadline, a bug in
 * the SDK) comes back as a `failed` delivery with its reason; the probes' exit code never depends
 * on it.
 */
import { ValueType } from '@opentelemetry/api';
import { ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  EVIDENCE_METRICS,
  GATEWAY_LATENCY_BUCKETS_SECONDS,
  PROBE_STATUS_CODES,
  RUNNER_METER_NAME,
  RUNNER_SERVICE_NAME,
  runnerInstanceId,
} from '../evidence/metrics.js';
import { type Clock, systemClock } from '../core/clock.js';
import type { Redactor } from '../core/redact.js';
import { RetriesExhausted, retryTransient, settleWithin, Transient, withDeadline } from '../core/retry.js';
import { printableLine } from '../core/printable.js';
import type { OtlpDelivery, ProbeResult } from './types.js';
import { fetchFailure } from '../core/fetch-failure.js';
import { readBodyStart } from '../core/capped-body.js';
import packageJson from '../../package.json' with { type: 'json' };

/** The push's `User-Agent` (the OTLP exporter specification's "User Agent"; see the top of this file). */
const OTLP_USER_AGENT = `${packageJson.name}/${packageJson.version} (nodejs)`;

export interface OtlpExportInput {
  /** The collector's OTLP/HTTP metrics URL (`.../v1/metrics`), checked by cli-options.ts. */
  readonly url: string;
  /** The run's environment: the `environment` attribute and the instance id. */
  readonly environment: string;
  readonly results: readonly ProbeResult[];
  /** Gateway slug → latencies (ms) of the tool calls `gateway.latency` timed in this run. */
  readonly latencies: ReadonlyMap<string, readonly number[]>;
  /** When the run ended: the last-run timestamp. */
  readonly endedAt: Date;
  readonly redactor: Redactor;
  /** The whole delivery (collect, send, retries, shut down) ends by then. */
  readonly deadlineMs: number;
  /** The clock the retries wait on. @default the system clock (tests: a virtual one) */
  readonly clock?: Clock;
}

/** One collection, on demand: the SDK's reader contract with nothing scheduled. */
class OneShotReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** OTLP/HTTP's retryable answers (the specification's "Retryable Response Codes"). */
const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
/** Network failures another attempt may not have (the OTLP/HTTP client SHOULD retry a failed connect). */
const RETRYABLE_NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
]);
/** The most of a refusal's body the note quotes (a hostile collector's answer is not read whole). */
const MAX_BODY_BYTES = 4096;

/** `Retry-After` (seconds, or an HTTP date read against the run's clock, `now`) in ms. */
function retryAfterMs(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** One POST of the encoded push; throws Transient for what another attempt may fix. */
async function post(url: string, body: Uint8Array, signal: AbortSignal, clock: Clock): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', 'user-agent': OTLP_USER_AGENT },
      body,
      signal,
    });
  } catch (err) {
    if (signal.aborted) throw signal.reason ?? err;
    const failure = fetchFailure(err);
    if (failure.code !== undefined && RETRYABLE_NETWORK.has(failure.code)) throw new Transient(failure.message);
    throw new Error(failure.message);
  }
  const text = (await readBodyStart(res, MAX_BODY_BYTES)).text.trim();
  if (res.ok) return;
  const detail = `HTTP ${res.status} ${res.statusText}${text ? `: ${text}` : ''}`;
  if (RETRYABLE_STATUS.has(res.status))
    throw new Transient(detail, retryAfterMs(res.headers.get('retry-after'), clock.now()));
  throw new Error(detail);
}

/** The first attempt's wait after a retryable failure; it doubles after each further one. */
const BACKOFF_MS = 1000;
/** Attempts in all, within the deadline (at most 4 fit in 10 s: 0, 1, 3 and 7 s). */
const ATTEMPTS = 5;

/** Records the run on a meter of `provider`. */
function record(provider: MeterProvider, input: OtlpExportInput): void {
  const meter = provider.getMeter(RUNNER_METER_NAME);
  const text = (value: string) => input.redactor.text(value);
  const environment = text(input.environment);
  const { probeStatus, probeDuration, gatewayLatency, lastRunTimestamp } = EVIDENCE_METRICS;
  const status = meter.createGauge(probeStatus.instrument, {
    description: probeStatus.description,
    unit: probeStatus.unit,
    valueType: ValueType.INT,
  });
  const duration = meter.createGauge(probeDuration.instrument, {
    description: probeDuration.description,
    unit: probeDuration.unit,
  });
  for (const r of input.results) {
    const attributes = { probe: text(r.id), environment };
    status.record(PROBE_STATUS_CODES[r.status], attributes);
    duration.record(r.durationMs / 1000, attributes);
  }
  const latency = meter.createHistogram(gatewayLatency.instrument, {
    description: gatewayLatency.description,
    unit: gatewayLatency.unit,
    advice: { explicitBucketBoundaries: [...GATEWAY_LATENCY_BUCKETS_SECONDS] },
  });
  for (const [gateway, samples] of input.latencies) {
    const attributes = { gateway: text(gateway), environment };
    for (const ms of samples) latency.record(ms / 1000, attributes);
  }
  meter
    .createGauge(lastRunTimestamp.instrument, {
      description: lastRunTimestamp.description,
      unit: lastRunTimestamp.unit,
    })
    .record(input.endedAt.getTime() / 1000, { environment });
}

/** Pushes the run's metrics once; never throws (a failure is a `failed` delivery). */
export async function exportRunMetrics(input: OtlpExportInput): Promise<OtlpDelivery> {
  const url = input.redactor.text(input.url);
  const reader = new OneShotReader({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({
      'service.name': RUNNER_SERVICE_NAME,
      'service.instance.id': input.redactor.text(runnerInstanceId(input.environment)),
    }),
    readers: [reader],
  });
  let points = 0;
  let metricCount = 0;
  try {
    record(provider, input);
    await withDeadline(input.deadlineMs, async (signal) => {
      const { resourceMetrics, errors } = await reader.collect();
      if (errors.length > 0) throw errors[0];
      for (const scope of resourceMetrics.scopeMetrics)
        for (const metric of scope.metrics) {
          metricCount += 1;
          points += metric.dataPoints.length;
        }
      const body = ProtobufMetricsSerializer.serializeRequest(resourceMetrics);
      if (!body) throw new Error('the SDK encoded nothing to send');
      const retry = {
        attempts: ATTEMPTS,
        backoffMs: BACKOFF_MS,
        timeoutMs: input.deadlineMs,
        budgetMs: input.deadlineMs,
        ...(input.clock ? { clock: input.clock } : {}),
      };
      try {
        await retryTransient(retry, (attempt) =>
          post(input.url, body, AbortSignal.any([signal, attempt]), input.clock ?? systemClock),
        );
      } catch (err) {
        if (err instanceof RetriesExhausted)
          throw new Error(`${err.message} (${err.attempts} attempt${err.attempts === 1 ? '' : 's'})`);
        throw err;
      }
    });
    return {
      url,
      status: 'delivered',
      metrics: metricCount,
      dataPoints: points,
      detail: `${metricCount} metrics, ${points} data points`,
    };
  } catch (err) {
    const reason = input.redactor.text(printableLine(err instanceof Error ? err.message : String(err)));
    return { url, status: 'failed', metrics: metricCount, dataPoints: points, detail: reason || 'no reason given' };
  } finally {
    await settleWithin(1000, provider.shutdown());
  }
}
