/**
 * A loopback OTLP/HTTP metrics receiver, as the collector's `otlp` receiver answers on
 * `:4318/v1/metrics` (opentelemetry-collector `receiver/otlpreceiver`; the OTLP/HTTP spec,
 * "Binary Protobuf Encoding"): `POST` with `Content-Type: application/x-protobuf`, the body an
 * `ExportMetricsServiceRequest`, the answer 200 with an `ExportMetricsServiceResponse`.
 *
 * It decodes every body with the OTLP schema itself: the opentelemetry-proto files vendored in
 * `contracts/otlp/` (provenance in contracts/SOURCES.md), loaded with protobufjs, never a decoder
 * of ours, so what the tests assert is what a collector would read. Modes: `ok` (200), `fail`
 * (answers `status` with a text body), `hang` (reads the request and never answers, until closed).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { REPO_ROOT } from '../../src/tooling/root.mjs';

const PROTO_ROOT = join(REPO_ROOT, 'contracts', 'otlp');

function loadSchema(): protobuf.Root {
  const root = new protobuf.Root();
  // Imports in the .proto files are relative to the proto root (`opentelemetry/proto/...`).
  root.resolvePath = (_origin, target) => join(PROTO_ROOT, target);
  return root.loadSync('opentelemetry/proto/collector/metrics/v1/metrics_service.proto');
}

const schema = loadSchema();
const Request = schema.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest');
const Response = schema.lookupType('opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse');

/** An attribute value as the proto's `AnyValue` (only the kinds the runner could send). */
interface AnyValue {
  readonly stringValue?: string;
  readonly intValue?: number;
  readonly doubleValue?: number;
  readonly boolValue?: boolean;
}
export interface KeyValue {
  readonly key: string;
  readonly value?: AnyValue;
}
export interface NumberDataPoint {
  readonly attributes: readonly KeyValue[];
  readonly startTimeUnixNano: number;
  readonly timeUnixNano: number;
  readonly asDouble?: number;
  readonly asInt?: number;
}
export interface HistogramDataPoint {
  readonly attributes: readonly KeyValue[];
  readonly startTimeUnixNano: number;
  readonly timeUnixNano: number;
  readonly count: number;
  readonly sum?: number;
  readonly bucketCounts: readonly number[];
  readonly explicitBounds: readonly number[];
  readonly min?: number;
  readonly max?: number;
}
export interface Metric {
  readonly name: string;
  readonly description: string;
  readonly unit: string;
  readonly gauge?: { readonly dataPoints: readonly NumberDataPoint[] };
  readonly sum?: {
    readonly dataPoints: readonly NumberDataPoint[];
    readonly aggregationTemporality: string;
    readonly isMonotonic: boolean;
  };
  readonly histogram?: { readonly dataPoints: readonly HistogramDataPoint[]; readonly aggregationTemporality: string };
}
export interface ResourceMetrics {
  readonly resource?: { readonly attributes: readonly KeyValue[] };
  readonly scopeMetrics: readonly {
    readonly scope?: { readonly name: string; readonly version: string };
    readonly metrics: readonly Metric[];
  }[];
}
/** One decoded `ExportMetricsServiceRequest` (enums as their names, 64-bit integers as numbers). */
export interface ExportRequest {
  readonly resourceMetrics: readonly ResourceMetrics[];
}

/** Decodes a request body with the vendored OTLP schema. */
export function decodeExportRequest(body: Uint8Array): ExportRequest {
  return Request.toObject(Request.decode(body), {
    enums: String,
    longs: Number,
    arrays: true,
    defaults: false,
  }) as ExportRequest;
}

/** What the receiver saw of one request. */
export interface ReceivedExport {
  readonly method: string;
  readonly path: string;
  readonly contentType: string | undefined;
  readonly userAgent: string | undefined;
  readonly body: ExportRequest | undefined;
  /** Why the body could not be decoded (a test fails on it). */
  readonly decodeError?: string;
}

export type ReceiverMode =
  | { readonly kind: 'ok' }
  /** Refuses with `status` (and `Retry-After`, when given): every push, or the first `times`, then takes them. */
  | { readonly kind: 'fail'; readonly status: number; readonly retryAfter?: string; readonly times?: number }
  | { readonly kind: 'hang' };

export interface OtlpReceiver {
  /** `http://127.0.0.1:<port>/v1/metrics`. */
  readonly url: string;
  readonly received: ReceivedExport[];
  close(): Promise<void>;
}

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startOtlpReceiver(mode: ReceiverMode = { kind: 'ok' }): Promise<OtlpReceiver> {
  const received: ReceivedExport[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer(async (req, res) => {
    const raw = await bodyOf(req);
    let body: ExportRequest | undefined;
    let decodeError: string | undefined;
    try {
      body = decodeExportRequest(raw);
    } catch (err) {
      decodeError = (err as Error).message;
    }
    received.push({
      method: req.method ?? '',
      path: req.url ?? '',
      contentType: req.headers['content-type'],
      userAgent: req.headers['user-agent'],
      body,
      ...(decodeError ? { decodeError } : {}),
    });
    if (mode.kind === 'hang') {
      hanging.add(res);
      return;
    }
    if (mode.kind === 'fail' && received.length <= (mode.times ?? Number.POSITIVE_INFINITY)) {
      res.writeHead(mode.status, {
        'content-type': 'text/plain',
        ...(mode.retryAfter === undefined ? {} : { 'retry-after': mode.retryAfter }),
      });
      res.end('collector refused the export (stand-in)');
      return;
    }
    if (req.method !== 'POST' || req.url !== '/v1/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('404 page not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/x-protobuf' });
    res.end(Response.encode(Response.create({})).finish());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/metrics`,
    received,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A resource's or data point's attributes as a plain map (string values; others as text). */
export function attributesOf(list: readonly KeyValue[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { key, value } of list ?? [])
    out[key] = value?.stringValue ?? String(value?.intValue ?? value?.doubleValue ?? value?.boolValue ?? '');
  return out;
}

/** A gauge point's value, whichever of `as_double` / `as_int` it was sent as. */
export function pointValue(p: NumberDataPoint): number | undefined {
  return p.asDouble ?? p.asInt;
}
