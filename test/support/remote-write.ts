/**
 * The Prometheus remote-write protocol (1.0) as the collector's `prometheusremotewrite` exporter
 * speaks it: a `prometheus.WriteRequest` protobuf, snappy block-compressed, POSTed with
 * `Content-Encoding: snappy`, `Content-Type: application/x-protobuf`,
 * `X-Prometheus-Remote-Write-Version: 0.1.0` and the tenant header.
 *
 * Message definitions: prometheus/prometheus `prompb/remote.proto` (`WriteRequest.timeseries = 1`)
 * and `prompb/types.proto` (`TimeSeries.labels = 1`, `.samples = 2`; `Label.name = 1`,
 * `.value = 2`; `Sample.value = 1` double, `.timestamp = 2` int64 milliseconds), the fields the
 * exporter fills for float samples. Encoded with protobufjs, compressed with snappyjs (the block
 * format remote write uses, not the framed one).
 */
import protobuf from 'protobufjs';
import snappy from 'snappyjs';
import type { PromSeries } from '../../src/loopback/mimir.js';

const root = protobuf.Root.fromJSON({
  nested: {
    prometheus: {
      nested: {
        WriteRequest: { fields: { timeseries: { rule: 'repeated', type: 'TimeSeries', id: 1 } } },
        TimeSeries: {
          fields: {
            labels: { rule: 'repeated', type: 'Label', id: 1 },
            samples: { rule: 'repeated', type: 'Sample', id: 2 },
          },
        },
        Label: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        Sample: { fields: { value: { type: 'double', id: 1 }, timestamp: { type: 'int64', id: 2 } } },
      },
    },
  },
});
const WriteRequest = root.lookupType('prometheus.WriteRequest');

/** The wire body: every series with one sample at `timestampMs`, labels sorted by name (as the exporter sends them). */
export function encodeWriteRequest(series: readonly PromSeries[], timestampMs: number): Uint8Array {
  const message = WriteRequest.fromObject({
    timeseries: series.map((s) => ({
      labels: Object.entries(s.labels)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([name, value]) => ({ name, value })),
      samples: [{ value: s.value, timestamp: timestampMs }],
    })),
  });
  return snappy.compress(WriteRequest.encode(message).finish());
}

/** The series of a wire body (the inverse of encodeWriteRequest; tests check the encoding with it). */
export function decodeWriteRequest(
  body: Uint8Array,
): { labels: Record<string, string>; samples: { value: number; timestamp: number }[] }[] {
  const decoded = WriteRequest.toObject(WriteRequest.decode(snappy.uncompress(body)), {
    longs: Number,
    defaults: true,
  }) as {
    timeseries: { labels: { name: string; value: string }[]; samples: { value: number; timestamp: number }[] }[];
  };
  return decoded.timeseries.map((ts) => ({
    labels: Object.fromEntries(ts.labels.map((l) => [l.name, l.value])),
    samples: ts.samples,
  }));
}

export interface PushAnswer {
  readonly status: number;
  readonly body: string;
}

/**
 * POSTs the series to a remote-write URL (Mimir's `/api/v1/push`), as the exporter does.
 * `tenant: undefined` sends no `X-Scope-OrgID` (to see the refusal).
 */
export async function pushSeries(
  url: string,
  tenant: string | undefined,
  series: readonly PromSeries[],
  timestampMs: number,
): Promise<PushAnswer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'Content-Encoding': 'snappy',
      'Content-Type': 'application/x-protobuf',
      'X-Prometheus-Remote-Write-Version': '0.1.0',
      'User-Agent': 'arcade-stack-tests/remote-write',
      ...(tenant === undefined ? {} : { 'X-Scope-OrgID': tenant }),
    },
    body: encodeWriteRequest(series, timestampMs),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: await res.text() };
}
