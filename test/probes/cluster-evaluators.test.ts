/**
 * The cluster probes' pure evaluators on captured-shape fixtures: each passes on a healthy
 * object and fails (or errors) on the fault it exists to catch, with the cause in `detail`.
 */
import { describe, expect, it } from 'vitest';
import { evaluateDatastores, secretKeyNames } from '../../src/probes/cluster/datastores.js';
import { evaluateEngineExport, type EngineLog } from '../../src/probes/cluster/engine-export.js';
import { evaluateFluxRelease, revisionSha } from '../../src/probes/cluster/flux-release.js';
import { evaluateMimir, mimirQueryUrl, relayedJobsQuery } from '../../src/probes/cluster/mimir-metrics.js';
import { evaluateCollector } from '../../src/probes/cluster/otel-collector.js';
import { evaluateServiceMonitors, selects } from '../../src/probes/cluster/servicemonitors.js';
import { DEFAULT_EXCLUSION_LABELS, DEFAULT_SCRAPE_LABELS } from '../../src/environments/monitoring.js';
import { evaluateWorkloads } from '../../src/probes/cluster/workloads.js';

const SHA = '3f2c1ab9d0e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8';

function helmRelease(over: { chart?: string; ready?: string; stalled?: boolean; observed?: number } = {}) {
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: 'arcade', namespace: 'arcade', generation: 4 },
    status: {
      observedGeneration: over.observed ?? 4,
      conditions: [
        {
          type: 'Ready',
          status: over.ready ?? 'True',
          reason: over.ready === 'False' ? 'UpgradeFailed' : 'UpgradeSucceeded',
          message: 'm',
        },
        ...(over.stalled ? [{ type: 'Stalled', status: 'True', reason: 'RetriesExceeded', message: 'gave up' }] : []),
      ],
      history: [
        { chartVersion: over.chart ?? '1.8.8', status: 'deployed' },
        { chartVersion: '1.8.6', status: 'superseded' },
      ],
    },
  };
}

describe('flux.release-ready (evaluateFluxRelease)', () => {
  const base = { ref: 'arcade/arcade', chartVersion: '1.8.8' };
  it('passes a Ready release reconciled at its generation with the pinned chart', () => {
    const o = evaluateFluxRelease({ ...base, release: helmRelease() });
    expect(o.status).toBe('pass');
    expect(o.evidence).toMatchObject({ chartVersion: '1.8.8', generation: 4, observedGeneration: 4 });
  });
  it('fails a stale chart version, naming both versions', () => {
    const o = evaluateFluxRelease({ ...base, release: helmRelease({ chart: '1.8.7' }) });
    expect(o).toMatchObject({ status: 'fail', detail: expect.stringContaining('deployed chart 1.8.7, pinned 1.8.8') });
  });
  it('fails not ready, stalled, an old observedGeneration, and a missing release', () => {
    expect(evaluateFluxRelease({ ...base, release: helmRelease({ ready: 'False' }) }).detail).toContain(
      'Ready is False UpgradeFailed',
    );
    expect(evaluateFluxRelease({ ...base, release: helmRelease({ stalled: true }) }).detail).toContain('Stalled');
    expect(evaluateFluxRelease({ ...base, release: helmRelease({ observed: 3 }) }).detail).toContain(
      'observedGeneration 3 is not generation 4',
    );
    expect(evaluateFluxRelease({ ...base, release: undefined })).toMatchObject({
      status: 'fail',
      detail: 'HelmRelease arcade/arcade not found',
    });
  });
  it('reads v2beta releases (status.lastAppliedRevision) and fails a release with no chart version', () => {
    const old = {
      metadata: { generation: 1 },
      status: { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'True' }], lastAppliedRevision: '1.8.8' },
    };
    expect(evaluateFluxRelease({ ...base, release: old }).status).toBe('pass');
    const none = {
      metadata: { generation: 1 },
      status: { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'True' }] },
    };
    expect(evaluateFluxRelease({ ...base, release: none }).detail).toContain('no deployed chart version');
  });
  it('with --revision, requires the Kustomization to have applied that commit (full or short sha)', () => {
    const k = (rev: string) => ({ status: { lastAppliedRevision: rev } });
    const ref = 'flux-system/apps-arcade';
    expect(
      evaluateFluxRelease({
        ...base,
        release: helmRelease(),
        revision: { sha: SHA, ref, kustomization: k(`master@sha1:${SHA}`) },
      }).status,
    ).toBe('pass');
    expect(
      evaluateFluxRelease({
        ...base,
        release: helmRelease(),
        revision: { sha: SHA.slice(0, 7), ref, kustomization: k(`master@sha1:${SHA}`) },
      }).status,
    ).toBe('pass');
    const other = evaluateFluxRelease({
      ...base,
      release: helmRelease(),
      revision: { sha: 'aaaaaaa', ref, kustomization: k(`master@sha1:${SHA}`) },
    });
    expect(other).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining(`applied master@sha1:${SHA}, not aaaaaaa`),
    });
    expect(
      evaluateFluxRelease({ ...base, release: helmRelease(), revision: { sha: SHA, ref, kustomization: undefined } })
        .detail,
    ).toContain('Kustomization flux-system/apps-arcade not found');
  });
  it('parses Flux revision formats', () => {
    expect(revisionSha(`master@sha1:${SHA}`)).toBe(SHA);
    expect(revisionSha(`sha1:${SHA}`)).toBe(SHA);
    expect(revisionSha(`master/${SHA}`)).toBe(SHA);
    expect(revisionSha('v1.2.3')).toBeUndefined();
  });
});

const deploy = (name: string, s: Record<string, number>, replicas = 2, generation = 5) => ({
  kind: 'Deployment',
  metadata: { name, generation },
  spec: { replicas },
  status: { observedGeneration: 5, replicas: 2, readyReplicas: 2, updatedReplicas: 2, availableReplicas: 2, ...s },
});
const pod = (name: string, waiting?: string) => ({
  metadata: { name },
  status: {
    containerStatuses: [
      { name: 'c', restartCount: waiting ? 9 : 0, state: waiting ? { waiting: { reason: waiting } } : { running: {} } },
    ],
  },
});

describe('k8s.workloads-ready (evaluateWorkloads)', () => {
  const sts = {
    kind: 'StatefulSet',
    metadata: { name: 'db', generation: 1 },
    spec: { replicas: 1 },
    status: { observedGeneration: 1, readyReplicas: 1, updatedReplicas: 1, currentRevision: 'a', updateRevision: 'a' },
  };
  it('passes ready, up-to-date workloads with healthy pods', () => {
    const o = evaluateWorkloads({
      namespace: 'arcade',
      deployments: [deploy('engine', {})],
      statefulSets: [sts],
      pods: [pod('engine-1')],
    });
    expect(o.status).toBe('pass');
    expect(o.evidence.workloads).toEqual(['deployment/engine 2/2', 'statefulset/db 1/1']);
  });
  it('fails a crashlooping or image-pull-stuck pod, naming it', () => {
    const o = evaluateWorkloads({
      namespace: 'arcade',
      deployments: [deploy('engine', {})],
      statefulSets: [],
      pods: [pod('engine-1', 'CrashLoopBackOff'), pod('w-2', 'ImagePullBackOff')],
    });
    expect(o.status).toBe('fail');
    expect(o.detail).toContain('pod/engine-1 c: CrashLoopBackOff');
    expect(o.evidence.stuckPods).toHaveLength(2);
  });
  it('fails unready, outdated, unobserved and rolling workloads', () => {
    const d = (s: Record<string, number>, gen?: number) =>
      evaluateWorkloads({ namespace: 'n', deployments: [deploy('engine', s, 2, gen)], statefulSets: [], pods: [] })
        .detail;
    expect(d({ readyReplicas: 1 })).toContain('1/2 ready');
    expect(d({ updatedReplicas: 1 })).toContain('1/2 up to date');
    expect(d({}, 6)).toContain('not observed at generation 6');
    expect(d({ replicas: 3 })).toContain('rollout in progress');
    const rolling = { ...sts, status: { ...sts.status, updateRevision: 'b' } };
    expect(evaluateWorkloads({ namespace: 'n', deployments: [], statefulSets: [rolling], pods: [] }).detail).toContain(
      'revision a -> b',
    );
  });
  it('fails an empty namespace: nothing deployed is no evidence', () => {
    expect(evaluateWorkloads({ namespace: 'arcade', deployments: [], statefulSets: [], pods: [] }).status).toBe('fail');
  });
});

describe('datastores.managed (evaluateDatastores)', () => {
  const target = (name: string) => ({ name, keys: ['host', 'password'], kind: 'SealedSecret' as const });
  const synced = { status: { conditions: [{ type: 'Synced', status: 'True' }] } };
  const ok = { target: target('arcade-postgres'), keys: ['host', 'password'], source: synced };
  it('passes Secrets with their keys, synced, and no bundled datastore', () => {
    expect(
      evaluateDatastores({ namespace: 'a', mode: 'managed', workloads: [deploy('arcade-engine', {})], secrets: [ok] })
        .status,
    ).toBe('pass');
  });
  it('fails a bundled PostgreSQL/Redis left running (by name or image)', () => {
    const byImage = {
      kind: 'StatefulSet',
      metadata: { name: 'arcade-db' },
      spec: { template: { spec: { containers: [{ image: 'docker.io/bitnami/redis:7' }] } } },
    };
    const o = evaluateDatastores({
      namespace: 'a',
      mode: 'managed',
      workloads: [byImage, { kind: 'StatefulSet', metadata: { name: 'arcade-postgresql' } }],
      secrets: [ok],
    });
    expect(o).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('statefulset/arcade-db, statefulset/arcade-postgresql'),
    });
  });
  it('fails a missing Secret, a missing key, a missing or unsynced source', () => {
    const run = (s: object) =>
      evaluateDatastores({ namespace: 'a', mode: 'managed', workloads: [], secrets: [{ ...ok, ...s }] }).detail;
    expect(run({ keys: undefined })).toContain('Secret arcade-postgres not found');
    expect(run({ keys: ['host'] })).toContain('lacks key(s) password');
    expect(run({ source: undefined })).toContain('SealedSecret arcade-postgres not found');
    expect(
      run({
        source: {
          status: { conditions: [{ type: 'Synced', status: 'False', message: 'no key could decrypt secret' }] },
        },
      }),
    ).toContain('not synced (False: no key could decrypt secret)');
    const es = {
      target: { ...target('x'), kind: 'ExternalSecret' as const },
      keys: ['host', 'password'],
      source: { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'SecretSynced' }] } },
    };
    expect(evaluateDatastores({ namespace: 'a', mode: 'managed', workloads: [], secrets: [es] }).status).toBe('pass');
  });
  it('skips a bundled environment; keeps only key names of a Secret', () => {
    expect(evaluateDatastores({ namespace: 'a', mode: 'bundled', workloads: [], secrets: [] }).status).toBe('skip');
    expect(secretKeyNames({ data: { password: 'c2VjcmV0', host: 'aG9zdA==' } })).toEqual(['host', 'password']);
  });
});

describe('otel.collector-ready (evaluateCollector)', () => {
  const service = { metadata: { name: 'arcade-otel-collector' }, spec: { ports: [{ port: 4317 }, { port: 4318 }] } };
  const slice = (endpoints: unknown[], port = 4318) => ({
    metadata: { name: 's1' },
    addressType: 'IPv4',
    ports: [{ port }],
    endpoints,
  });
  const input = { ref: 'arcade/arcade-otel-collector', service, port: 4318 };
  it('passes a ready endpoint on 4318 (ready unset counts as ready)', () => {
    expect(
      evaluateCollector({ ...input, slices: [slice([{ addresses: ['10.0.0.1'], conditions: { ready: true } }])] })
        .status,
    ).toBe('pass');
    expect(
      evaluateCollector({ ...input, slices: [slice([{ addresses: ['10.0.0.1'], conditions: {} }])] }).evidence
        .readyAddresses,
    ).toBe(1);
  });
  it('fails missing Service, no slices, no endpoints, only unready endpoints, wrong port', () => {
    expect(evaluateCollector({ ...input, service: undefined, slices: [] }).detail).toContain('not found');
    expect(evaluateCollector({ ...input, slices: [] }).detail).toContain('no EndpointSlices');
    expect(evaluateCollector({ ...input, slices: [slice([])] }).detail).toContain(
      'no ready endpoint on 4318 (0 not ready)',
    );
    expect(
      evaluateCollector({ ...input, slices: [slice([{ addresses: ['10.0.0.1'], conditions: { ready: false } }])] })
        .detail,
    ).toContain('(1 not ready)');
    expect(evaluateCollector({ ...input, slices: [slice([{ addresses: ['10.0.0.1'] }], 4317)] }).detail).toContain(
      'no EndpointSlice serves port 4318',
    );
  });
});

describe('otel.engine-export-clean (evaluateEngineExport)', () => {
  const now = Date.parse('2025-01-01T12:00:00Z');
  const windowStartMs = now - 10 * 60_000;
  const at = (msBeforeNow: number) => new Date(now - msBeforeNow).toISOString();
  const enginePod = (startedMsAgo: number, restarts = 0, finishedMsAgo?: number) => ({
    metadata: { name: 'engine-1' },
    status: {
      startTime: at(startedMsAgo),
      containerStatuses: [
        {
          name: 'engine',
          restartCount: restarts,
          state: { running: { startedAt: at(startedMsAgo) } },
          ...(finishedMsAgo !== undefined ? { lastState: { terminated: { finishedAt: at(finishedMsAgo) } } } : {}),
        },
      ],
    },
  });
  const lines = (fromMsAgo: number, extra: string[] = []) => {
    const out: string[] = [];
    for (let t = fromMsAgo; t > 0; t -= 30_000) out.push(`${at(t)} {"level":"info","msg":"ok"}`);
    return `${[...out, ...extra.map((e) => `${at(1000)} ${e}`)].join('\n')}\n`;
  };
  const run = (logs: EngineLog[]) =>
    evaluateEngineExport({ namespace: 'arcade', selector: 'app=engine', windowStartMs, windowMinutes: 10, logs });

  it('passes a log covering the whole window without export failures', () => {
    const o = run([{ pod: enginePod(3_600_000), container: 'engine', log: lines(600_000) }]);
    expect(o.status).toBe('pass');
  });
  it("fails on 'failed to upload metrics', with an excerpt", () => {
    const bad =
      'failed to upload metrics: Post "http://arcade-otel-collector:4318/v1/metrics": dial tcp: lookup arcade-otel-collector: no such host';
    const o = run([{ pod: enginePod(3_600_000), container: 'engine', log: lines(600_000, [bad]) }]);
    expect(o.status).toBe('fail');
    expect(o.evidence.excerpts).toEqual([`pod/engine-1: ${bad}`]);
  });
  it('missing or empty logs are no evidence (error), and no engine pod is a failure', () => {
    expect(run([{ pod: enginePod(3_600_000), container: 'engine', log: undefined }]).status).toBe('error');
    expect(run([{ pod: enginePod(3_600_000), container: 'engine', log: '' }])).toMatchObject({
      status: 'error',
      detail: expect.stringContaining('empty log'),
    });
    expect(run([]).status).toBe('fail');
  });
  it('a log starting well after the window start is not coverage when the container ran since before the window', () => {
    const o = run([{ pod: enginePod(3_600_000), container: 'engine', log: lines(240_000) }]);
    expect(o).toMatchObject({ status: 'error', detail: expect.stringContaining('after the window start') });
  });
  it('a pod started inside the window is covered from its start; a restart inside the window is not', () => {
    expect(run([{ pod: enginePod(240_000), container: 'engine', log: lines(235_000) }]).status).toBe('pass');
    const restarted = run([{ pod: enginePod(240_000, 1, 250_000), container: 'engine', log: lines(235_000) }]);
    expect(restarted).toMatchObject({ status: 'error', detail: expect.stringContaining('restarted') });
  });
  it('untimestamped logs cannot prove coverage', () => {
    expect(run([{ pod: enginePod(3_600_000), container: 'engine', log: 'hello\n' }]).detail).toContain('no timestamps');
  });
});

describe('otel.metrics-in-mimir (evaluateMimir)', () => {
  const expected = {
    engineJob: 'arcade_engine',
    collectorLabel: { name: 'arcade_stack_collector', value: 'backstage-wus2-v4/arcade/arcade-otel-collector' },
  };
  const base = { url: 'http://m/prometheus/api/v1/query?query=x', tenant: 't', query: 'x' };
  const ok = (result: unknown[]) => JSON.stringify({ status: 'success', data: { resultType: 'vector', result } });
  const job = (name: string | undefined, n: number) => ({
    metric: name === undefined ? {} : { job: name },
    value: [1_700_000_000.5, String(n)],
  });
  const run = (result: unknown[]) => evaluateMimir({ ...base, status: 200, body: ok(result) }, expected);

  it("passes when the engine's job is among the jobs relayed by the collector, listing every job seen", () => {
    expect(run([job('checkout', 3), job('arcade_engine', 12)])).toEqual({
      status: 'pass',
      detail:
        '12 series of job "arcade_engine" came through the collector (jobs seen: arcade_engine (12), checkout (3))',
      evidence: {
        ...base,
        engineJob: 'arcade_engine',
        httpStatus: 200,
        jobs: [
          { job: 'arcade_engine', series: 12 },
          { job: 'checkout', series: 3 },
        ],
      },
    });
  });

  it("fails when nothing carries the collector label, or only another client's jobs do, naming them", () => {
    expect(run([])).toMatchObject({
      status: 'fail',
      detail:
        'no series with arcade_stack_collector="backstage-wus2-v4/arcade/arcade-otel-collector" ' +
        'for tenant t: nothing pushed through the collector reached Mimir',
      evidence: { jobs: [] },
    });
    const wrongJob = run([job('arcade/arcade_engine', 9), job(undefined, 1)]);
    expect(wrongJob).toMatchObject({
      status: 'fail',
      evidence: {
        jobs: [
          { job: 'arcade/arcade_engine', series: 9 },
          { job: '', series: 1 },
        ],
      },
    });
    expect(wrongJob.detail).toBe(
      'no series of job "arcade_engine" came through the collector; jobs seen with ' +
        'arcade_stack_collector="backstage-wus2-v4/arcade/arcade-otel-collector": ' +
        'arcade/arcade_engine (9), (no job) (1) (a wrong engine job? set probes.mimir.engineJob)',
    );
  });

  it('lists at most 20 jobs in the evidence and counts the rest', () => {
    const many = Array.from({ length: 25 }, (_, i) => job(`client-${String(i).padStart(2, '0')}`, 1));
    const r = run([...many, job('arcade_engine', 2)]);
    expect(r.status).toBe('pass');
    expect((r.evidence.jobs as unknown[]).length).toBe(20);
    expect(r.evidence.moreJobs).toBe(6);
    expect(r.detail).toMatch(
      /jobs seen: arcade_engine \(2\), client-00 \(1\), client-01 \(1\), client-02 \(1\), client-03 \(1\), and 21 more\)$/,
    );
  });

  it('401, 5xx, non-JSON and malformed answers are errors, never a pass or a plain fail', () => {
    const answer = (status: number, body: string) => evaluateMimir({ ...base, status, body }, expected);
    expect(answer(401, 'no org id')).toMatchObject({ status: 'error', detail: expect.stringContaining('no org id') });
    expect(answer(503, 'unavailable').status).toBe('error');
    expect(answer(200, '<html>').status).toBe('error');
    expect(answer(200, '{"status":"success","data":{}}').status).toBe('error');
    expect(answer(400, '{"status":"error","error":"bad_data: parse error"}').detail).toContain('bad_data');
    // Not a vector of {job} counts: a matrix, a scalar, an element without a value pair, a non-numeric count.
    expect(answer(200, JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } })).status).toBe(
      'error',
    );
    expect(
      answer(200, JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [1, '1'] } })).status,
    ).toBe('error');
    expect(run([{ metric: { job: 'arcade_engine' } }]).status).toBe('error');
    expect(run([{ metric: { job: 'arcade_engine' }, value: [1, 'many'] }]).status).toBe('error');
  });

  it('asks for the series carrying the collector label, per job', () => {
    expect(relayedJobsQuery(expected.collectorLabel)).toBe(
      'count by (job) ({arcade_stack_collector="backstage-wus2-v4/arcade/arcade-otel-collector"})',
    );
    expect(relayedJobsQuery({ name: 'l', value: 'a"b\\c' })).toBe('count by (job) ({l="a\\"b\\\\c"})');
  });

  it('builds the instant-query URL under the base', () => {
    expect(mimirQueryUrl('http://mimir/prometheus/', 'up{a="b"}')).toBe(
      'http://mimir/prometheus/api/v1/query?query=up%7Ba%3D%22b%22%7D',
    );
  });
});

describe('monitoring.servicemonitors (evaluateServiceMonitors)', () => {
  const svcLabels = { 'app.kubernetes.io/name': 'opentelemetry-collector' };
  const service = {
    metadata: { name: 'arcade-otel-collector', namespace: 'arcade', labels: svcLabels },
    spec: { ports: [{ name: 'metrics', port: 8888, targetPort: 8888 }] },
  };
  const sm = (labels: Record<string, string>, port = 'metrics', selector: object = { matchLabels: svcLabels }) => ({
    metadata: { name: 'collector-metrics', labels },
    spec: { selector, endpoints: [{ port }] },
  });
  // The environment defaults (FACTS "Telemetry"): release: prometheus-operator, never grafana-agent: external.
  const convention = { scrapeLabels: DEFAULT_SCRAPE_LABELS, exclusionLabels: DEFAULT_EXCLUSION_LABELS };
  const run = (monitor: Record<string, unknown>, scrape = convention) =>
    evaluateServiceMonitors({
      namespace: 'arcade',
      convention: scrape,
      serviceMonitors: [monitor],
      services: [service],
    });
  it('passes a labelled monitor selecting a Service by labels and a named port', () => {
    expect(run(sm({ release: 'prometheus-operator' })).status).toBe('pass');
  });
  it('fails the exclusion label, a missing scrape label, no selected Service, an unknown port', () => {
    expect(run(sm({ release: 'prometheus-operator', 'grafana-agent': 'external' })).detail).toContain(
      'grafana-agent: external',
    );
    expect(run(sm({})).detail).toContain('lacks label release: prometheus-operator');
    expect(run(sm({ release: 'kube-prometheus' })).detail).toContain(
      'lacks label release: prometheus-operator (has release: kube-prometheus)',
    );
    expect(run(sm({ release: 'prometheus-operator' }, 'metrics', { matchLabels: { app: 'nope' } })).detail).toContain(
      'selects no Service',
    );
    expect(run(sm({ release: 'prometheus-operator' }, 'prom')).detail).toContain(
      'endpoint port prom is not a port of arcade-otel-collector',
    );
    expect(
      evaluateServiceMonitors({ namespace: 'arcade', convention, serviceMonitors: [], services: [service] }).status,
    ).toBe('fail');
  });
  it("judges by the environment's convention, not by constants", () => {
    const other = {
      scrapeLabels: { 'monitoring.example.com/scrape': 'true', team: 'arcade' },
      exclusionLabels: { scrape: 'off' },
    };
    const labelled = { 'monitoring.example.com/scrape': 'true', team: 'arcade' };
    expect(run(sm(labelled), other).status).toBe('pass');
    expect(run(sm({ release: 'prometheus-operator' }), other).detail).toMatch(
      /lacks label monitoring\.example\.com\/scrape: true.*; .*lacks label team: arcade/,
    );
    expect(run(sm({ ...labelled, scrape: 'off' }), other).detail).toContain('carries scrape: off');
    expect(run(sm({ ...labelled, 'grafana-agent': 'external' }), other).status).toBe('pass'); // not this cluster's exclusion label
  });
  it('implements matchExpressions', () => {
    const labels = { a: '1', b: '2' };
    expect(selects({ matchExpressions: [{ key: 'a', operator: 'In', values: ['1', '3'] }] }, labels)).toBe(true);
    expect(selects({ matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['1'] }] }, labels)).toBe(false);
    expect(selects({ matchExpressions: [{ key: 'c', operator: 'DoesNotExist' }] }, labels)).toBe(true);
    expect(selects({ matchExpressions: [{ key: 'c', operator: 'Exists' }] }, labels)).toBe(false);
  });
});
