/**
 * `npm run probe -- --otlp <url>`: one run's results as OTLP metrics, pushed once to the collector
 * with the OpenTelemetry JS SDK (sdk-metrics 2.x, the protobuf OTLP/HTTP exporter), as the metric
 * contract says (src/evidence/metrics.ts, docs/continuous-evidence.md).
 *
 * Loaded only when `--otlp` is given (cli.ts imports it dynamically): the SDK is not parsed on
 * any other run.
 *
 * One push per run: a MeterProvider with one reader that collects once after the run, the
 * exporter sends that collection, then both shut down. The reader is the SDK's own `MetricReader`
 * with nothing periodic: `PeriodicExportingMetricReader` hands a failed export to the global error
 * handler and resolves, so the run could not say whether its metrics arrived. Temporality is
 * cumulative (the collector's remote-write exporter drops delta). Every attribute value, resource
 * attributes included, passes through the run's redactor.
 *
 * Never throws: whatever happens (collector unreachable, 5xx, a hang past the deadline, a bug in
 * the SDK) comes back as a `failed` delivery with its reason; the probes' exit code never depends
 * on it.
 */
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { ValueType } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import {
  EVIDENCE_METRICS,
  GATEWAY_LATENCY_BUCKETS_SECONDS,
  PROBE_STATUS_CODES,
  RUNNER_METER_NAME,
  RUNNER_SERVICE_NAME,
  runnerInstanceId,
} from '../evidence/metrics.js';
import type { Redactor } from '../core/redact.js';
import { settleWithin, withDeadline } from '../core/retry.js';
import { oneLine } from '../core/one-line.js';
import type { OtlpDelivery, ProbeResult } from './types.js';

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
  /** The whole delivery (collect, send with the exporter's retries, shut down) ends by then. */
  readonly deadlineMs: number;
}

/** One collection, on demand: the SDK's reader contract with nothing scheduled. */
class OneShotReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

function send(exporter: OTLPMetricExporter, metrics: ResourceMetrics): Promise<void> {
  return new Promise((resolve, reject) => {
    exporter.export(metrics, (result) => {
      if (result.code === ExportResultCode.SUCCESS) resolve();
      else reject(result.error ?? new Error('the exporter reported a failure without a reason'));
    });
  });
}

/** An export failure in words: the exporter's OTLPExporterError carries the HTTP status and body. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const { code, data } = err as Error & { code?: unknown; data?: unknown };
  const status = typeof code === 'number' ? `HTTP ${code} ` : '';
  const body = typeof data === 'string' && data.trim() !== '' && data.trim() !== err.message ? `: ${data}` : '';
  return `${status}${err.message}${body}`;
}

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
  const exporter = new OTLPMetricExporter({
    url: input.url,
    temporalityPreference: AggregationTemporality.CUMULATIVE,
    // The exporter's own deadline (retries of 429/502/503/504 included) within ours.
    timeoutMillis: input.deadlineMs,
  });
  const reader = new OneShotReader({
    aggregationTemporalitySelector: (type) => exporter.selectAggregationTemporality(type),
  });
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
    await withDeadline(input.deadlineMs, async () => {
      const { resourceMetrics, errors } = await reader.collect();
      if (errors.length > 0) throw errors[0];
      for (const scope of resourceMetrics.scopeMetrics)
        for (const metric of scope.metrics) {
          metricCount += 1;
          points += metric.dataPoints.length;
        }
      await send(exporter, resourceMetrics);
    });
    return {
      url,
      status: 'delivered',
      metrics: metricCount,
      dataPoints: points,
      detail: `${metricCount} metrics, ${points} data points`,
    };
  } catch (err) {
    const reason = input.redactor.text(oneLine(describe(err)));
    return { url, status: 'failed', metrics: metricCount, dataPoints: points, detail: reason || 'no reason given' };
  } finally {
    // Shut down within a bound too: a hanging request must not keep the process alive.
    await settleWithin(1000, Promise.allSettled([provider.shutdown(), exporter.shutdown()]));
  }
}
