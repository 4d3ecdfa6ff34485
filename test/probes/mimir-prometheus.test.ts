/**
 * `otel.metrics-in-mimir` against a real Prometheus (Debian's package) behind a Mimir-shaped
 * loopback proxy (test/support/prometheus.ts), fed through the real remote-write protocol with
 * series shaped as the collector's exporter shapes them (src/loopback/otel-series.ts): the probe
 * passes on the engine's relayed series with or without `target_info`, and fails when only the
 * collector's agent-scraped self-metrics are there, or only another OTLP client's series. The
 * loopback Mimir stand-in the other probe tests and `--demo` use (src/loopback/mimir.ts) is
 * checked here against the same Prometheus, answer for answer.
 *
 * Every scenario is one deployment (its own cluster name, so its own collector label) in one
 * tenant's TSDB: they cannot see each other's series, as two environments sharing a tenant.
 * Where the binary is absent the Prometheus tests skip and say why (the shaping and protocol
 * tests still run).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLLECTOR_LABEL, collectorLabelValue } from '../../src/collector/service.js';
import { metricsInMimir, relayedJobsQuery } from '../../src/probes/cluster/mimir-metrics.js';
import { NO_SECRETS } from '../../src/core/redact.js';
import { resolveTargets } from '../../src/probes/resolved-targets.js';
import { TargetsSchema } from '../../src/environments/probe-targets.js';
import type { ProbeContext, ProbeOutcome } from '../../src/probes/types.js';
import { NO_PROBE_DEADLINE_MS } from '../support/deadlines.js';
import { evaluateCountBy, startMimir } from '../../src/loopback/mimir.js';
import {
  collectorSelfSeries,
  engineResource,
  exportedSeries,
  otherClientResource,
  type Deployment,
} from '../../src/loopback/otel-series.js';
import { findPrometheus, startMimirOnPrometheus, type MimirOnPrometheus } from '../support/prometheus.js';
import type { PromSeries } from '../../src/loopback/mimir.js';
import { decodeWriteRequest, encodeWriteRequest } from '../support/remote-write.js';

const TENANT = 'k8s-backstage-v4';
const prometheus = findPrometheus();
const missing = 'missing' in prometheus ? prometheus.missing : undefined;
if (missing)
  console.log(
    `[mimir-prometheus] skipped: the otel.metrics-in-mimir tests against a real Prometheus need the binary: ${missing}`,
  );

function deployment(cluster: string, namespace = 'arcade'): Deployment {
  return {
    cluster,
    namespace,
    externalLabels: { cluster, namespace, [COLLECTOR_LABEL]: collectorLabelValue(cluster, namespace) },
  };
}

/** The probe, run as the runner runs it, against a Mimir query URL. */
async function probe(
  queryUrl: string,
  d: Deployment,
  options: { tenant?: string; engineJob?: string } = {},
): Promise<ProbeOutcome> {
  const targets = TargetsSchema.parse({
    namespace: d.namespace,
    release: 'arcade',
    chartVersion: '1.8.8',
    collectorService: 'arcade-otel-collector',
    engineSelector: 'app.kubernetes.io/name=engine',
    urls: {
      api: 'http://127.0.0.1:9',
      coordinator: 'http://127.0.0.1:9',
      dashboard: 'http://127.0.0.1:9',
      experience: 'http://127.0.0.1:9',
    },
    expectedCoordinatorUri: 'http://127.0.0.1:9',
    users: ['u'],
    gateways: [{ slug: 'g', tools: ['T'] }],
    mimir: {
      queryUrl,
      tenant: options.tenant ?? TENANT,
      collectorLabel: { name: COLLECTOR_LABEL, value: collectorLabelValue(d.cluster, d.namespace) },
      ...(options.engineJob ? { engineJob: options.engineJob } : {}),
    },
  });
  const ctx: ProbeContext = {
    targets: resolveTargets(targets),
    // Longer than the test may run: a slow machine times the test out, never turns the probe into an error.
    signal: AbortSignal.timeout(NO_PROBE_DEADLINE_MS),
    timeoutMs: NO_PROBE_DEADLINE_MS,
    apiKey: undefined,
    redact: NO_SECRETS,
    revision: undefined,
    kube: () => Promise.reject(new Error('this probe reads no Kubernetes')),
  };
  return metricsInMimir.run(ctx);
}

/** The scenarios: what each deployment left in Mimir. */
const healthy = deployment('scenario-healthy');
const noTargetInfo = deployment('scenario-no-target-info');
const selfOnly = deployment('scenario-collector-only');
const otherOnly = deployment('scenario-other-client-only');
const namespaced = deployment('scenario-namespaced-engine');
const scenarios: readonly { name: string; d: Deployment; series: PromSeries[] }[] = [
  {
    name: 'engine (with target_info), collector self-metrics, another client',
    d: healthy,
    series: [
      ...exportedSeries(engineResource(), healthy.externalLabels),
      ...collectorSelfSeries(healthy),
      ...exportedSeries(otherClientResource(), healthy.externalLabels),
    ],
  },
  {
    name: 'engine with only identifying attributes',
    d: noTargetInfo,
    series: [
      ...exportedSeries(engineResource({ identifyingOnly: true }), noTargetInfo.externalLabels),
      ...collectorSelfSeries(noTargetInfo),
    ],
  },
  { name: "only the collector's own metrics", d: selfOnly, series: collectorSelfSeries(selfOnly) },
  {
    name: 'only another OTLP client',
    d: otherOnly,
    series: [...exportedSeries(otherClientResource(), otherOnly.externalLabels), ...collectorSelfSeries(otherOnly)],
  },
  {
    name: 'engine setting service.namespace',
    d: namespaced,
    series: exportedSeries(engineResource({ serviceNamespace: 'arcade' }), namespaced.externalLabels),
  },
];

describe('series shaped as the exporter shapes them (contrib prometheusremotewrite helper.go)', () => {
  it('service.name becomes job, service.instance.id instance; target_info holds only the other resource attributes', () => {
    const series = exportedSeries(engineResource(), healthy.externalLabels);
    const labelsOf = (name: string) => series.find((s) => s.labels.__name__ === name)?.labels;
    const identity = { job: 'arcade_engine', instance: 'engine-7d9f8-abcde', ...healthy.externalLabels };
    expect(labelsOf('target_info')).toEqual({
      __name__: 'target_info',
      ...identity,
      service_version: '1.8.8',
      host_name: 'engine-7d9f8-abcde',
      telemetry_sdk_language: 'go',
    });
    expect(labelsOf('target_info')).not.toHaveProperty('service_name');
    expect(labelsOf('tool_executions_total')).toEqual({
      __name__: 'tool_executions_total',
      ...identity,
      tool_name: 'ArcadeEvalRef.Echo',
      otel_scope_name: 'github.com/ArcadeAI/engine',
      otel_scope_version: '1.8.8',
    });
  });

  it('writes no target_info for a resource with only identifying attributes; service.namespace prefixes the job', () => {
    expect(exportedSeries(engineResource({ identifyingOnly: true }), {}).map((s) => s.labels.__name__)).not.toContain(
      'target_info',
    );
    expect(
      new Set(exportedSeries(engineResource({ serviceNamespace: 'arcade' }), {}).map((s) => s.labels.job)),
    ).toEqual(new Set(['arcade/arcade_engine']));
  });

  it('an attribute wins over an external label of the same name', () => {
    const resource = {
      attributes: { 'service.name': 'x' },
      metrics: [{ name: 'm', attributes: { cluster: 'from-attribute' }, value: 1 }],
    };
    expect(exportedSeries(resource, { cluster: 'external', [COLLECTOR_LABEL]: 'c' })[0]?.labels).toMatchObject({
      cluster: 'from-attribute',
      [COLLECTOR_LABEL]: 'c',
    });
  });

  it("the collector's own metrics, scraped by the agent, carry its Service as job and never the collector label", () => {
    for (const s of collectorSelfSeries(healthy)) {
      expect(s.labels).toMatchObject({
        job: 'arcade-otel-collector',
        namespace: 'arcade',
        endpoint: 'metrics',
        cluster: 'scenario-healthy',
      });
      expect(s.labels).not.toHaveProperty(COLLECTOR_LABEL);
    }
  });

  it('encodes a remote-write body (snappy, prometheus.WriteRequest) that decodes to the same series, labels sorted', () => {
    const series = exportedSeries(engineResource(), healthy.externalLabels);
    const decoded = decodeWriteRequest(encodeWriteRequest(series, 1_700_000_000_123));
    expect(decoded.map((d) => d.labels)).toEqual(series.map((s) => s.labels));
    expect(decoded.every((d) => d.samples.length === 1 && d.samples[0]!.timestamp === 1_700_000_000_123)).toBe(true);
    expect(decoded.map((d) => d.samples[0]!.value)).toEqual(series.map((s) => s.value));
    const names = Object.keys(
      decodeWriteRequest(encodeWriteRequest([{ labels: { z: '1', a: '2', __name__: 'm' }, value: 1 }], 1))[0]!.labels,
    );
    expect(names).toEqual(['__name__', 'a', 'z']);
  });
});

describe.skipIf(missing !== undefined)(
  `otel.metrics-in-mimir against a real Prometheus ${'version' in prometheus ? prometheus.version : ''}`,
  () => {
    let mimir: MimirOnPrometheus;

    beforeAll(async () => {
      if (!('path' in prometheus)) return;
      mimir = await startMimirOnPrometheus(prometheus, TENANT);
      for (const s of scenarios) {
        const pushed = await mimir.push(s.series);
        expect(pushed.status, `push of "${s.name}": ${pushed.body}`).toBeGreaterThanOrEqual(200);
        expect(pushed.status, `push of "${s.name}": ${pushed.body}`).toBeLessThan(300);
      }
    });
    afterAll(async () => {
      await mimir?.close();
    });

    it("passes on the engine's relayed series (with target_info), listing every job relayed, not the collector's own", async () => {
      const r = await probe(mimir.queryUrl, healthy);
      expect(r).toMatchObject({
        status: 'pass',
        detail:
          '3 series of job "arcade_engine" came through the collector (jobs seen: arcade_engine (3), checkout (2))',
        evidence: {
          tenant: TENANT,
          httpStatus: 200,
          jobs: [
            { job: 'arcade_engine', series: 3 },
            { job: 'checkout', series: 2 },
          ],
        },
      });
    });

    it("passes on the engine's series without target_info (a resource with only identifying attributes)", async () => {
      const info = await mimir.query(
        `count(target_info{${COLLECTOR_LABEL}="${collectorLabelValue(noTargetInfo.cluster, 'arcade')}"})`,
      );
      expect(JSON.parse(info.body)).toMatchObject({ status: 'success', data: { result: [] } });
      expect(await probe(mimir.queryUrl, noTargetInfo)).toMatchObject({
        status: 'pass',
        evidence: { jobs: [{ job: 'arcade_engine', series: 2 }] },
      });
    });

    it("fails when only the collector's agent-scraped self-metrics are there", async () => {
      const up = await mimir.query(`count(otelcol_process_uptime_seconds_total{cluster="${selfOnly.cluster}"})`);
      expect(JSON.parse(up.body)).toMatchObject({ data: { result: [{ value: [expect.any(Number), '1'] }] } });
      expect(await probe(mimir.queryUrl, selfOnly)).toMatchObject({
        status: 'fail',
        detail: expect.stringMatching(
          /^no series with arcade_stack_collector="scenario-collector-only\/arcade\/arcade-otel-collector" for tenant k8s-backstage-v4: nothing pushed/,
        ),
        evidence: { jobs: [] },
      });
    });

    it("fails when only another OTLP client's series came through, naming its job", async () => {
      const r = await probe(mimir.queryUrl, otherOnly);
      expect(r).toMatchObject({ status: 'fail', evidence: { jobs: [{ job: 'checkout', series: 2 }] } });
      expect(r.detail).toMatch(
        /^no series of job "arcade_engine" came through the collector; jobs seen with \S+: checkout \(2\)/,
      );
    });

    it('shows a wrong engine job at a glance, and passes once probes.mimir.engineJob names it', async () => {
      const wrong = await probe(mimir.queryUrl, namespaced);
      expect(wrong).toMatchObject({ status: 'fail', evidence: { jobs: [{ job: 'arcade/arcade_engine', series: 3 }] } });
      expect(wrong.detail).toContain('jobs seen with');
      expect(wrong.detail).toContain('arcade/arcade_engine (3)');
      expect((await probe(mimir.queryUrl, namespaced, { engineJob: 'arcade/arcade_engine' })).status).toBe('pass');
    });

    it('the query the probe used before could never pass: the exporter writes no service_name on target_info', async () => {
      const old = await mimir.query('count(target_info{service_name="arcade_engine"})');
      expect(JSON.parse(old.body)).toEqual({ status: 'success', data: { resultType: 'vector', result: [] } });
    });

    it("is tenant-scoped like Mimir: 401 'no org id' without the header (query and push), nothing under another tenant", async () => {
      expect(await mimir.query('up', { tenant: undefined })).toEqual({ status: 401, body: 'no org id' });
      expect(await mimir.push(scenarios[0]!.series, { tenant: undefined })).toEqual({ status: 401, body: 'no org id' });
      expect(await probe(mimir.queryUrl, healthy, { tenant: 'another-tenant' })).toMatchObject({
        status: 'fail',
        evidence: { tenant: 'another-tenant', jobs: [] },
      });
    });

    it('the loopback Mimir stand-in answers the probe query as Prometheus does, for every scenario', async () => {
      const answers = (body: string) =>
        (
          JSON.parse(body) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } }
        ).data.result
          .map((r) => `${JSON.stringify(r.metric)}=${r.value[1]}`)
          .sort();
      const standIn = await startMimir(TENANT, { series: scenarios.flatMap((s) => s.series) });
      try {
        for (const s of scenarios) {
          const query = relayedJobsQuery({
            name: COLLECTOR_LABEL,
            value: collectorLabelValue(s.d.cluster, s.d.namespace),
          });
          const real = await mimir.query(query);
          const fake = await fetch(`${standIn.queryUrl}/api/v1/query?query=${encodeURIComponent(query)}`, {
            headers: { 'X-Scope-OrgID': TENANT },
          });
          expect(real.status, s.name).toBe(200);
          expect(fake.status, s.name).toBe(200);
          expect(answers(await fake.text()), s.name).toEqual(answers(real.body));
        }
        // Series without the grouping label: one element with an empty metric, in both.
        const byPod = `count by (pod) ({cluster="${healthy.cluster}"})`;
        expect(answers((await mimir.query(byPod)).body)).toEqual(
          evaluateCountBy(byPod, scenarios[0]!.series, 0)!
            .map((r) => `${JSON.stringify(r.metric)}=${r.value[1]}`)
            .sort(),
        );
        const noHeader = await fetch(`${standIn.queryUrl}/api/v1/query?query=up`);
        expect({ status: noHeader.status, body: await noHeader.text() }).toEqual(
          await mimir.query('up', { tenant: undefined }),
        );
      } finally {
        await standIn.close();
      }
    });
  },
);
