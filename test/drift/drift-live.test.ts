/**
 * Drift against a live API: every object of the committed dist/ of the production environment is
 * "applied" to the loopback Kubernetes API the way Flux's kustomize-controller applies it and
 * returned the way the API server returns it (defaults added, zero values dropped, canonical
 * quantities, managedFields; src/loopback/api-server.ts), read back through
 * @kubernetes/client-node, and then changed one way at a time. The stand-in refuses anything but
 * GET, so the test also proves drift never writes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'cdk8s';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { vendoredCrds } from '../../src/check/crd-cache.js';
import { ENVIRONMENT_LABEL, MANAGED_BY } from '../../src/constructs/labels.js';
import { connect, type LiveCluster } from '../../src/drift/cluster.js';
import { detectDrift, formatDrift, hasDrift } from '../../src/drift/drift.js';
import { loadEnvironment } from '../../src/environments/load.js';
import { buildCharts } from '../../src/synth.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import type { EditableKubeObject } from '../../src/core/manifests.js';
import { startKubeApi, type KubeApi } from '../../src/loopback/kube-api.js';

const ENV = 'backstage-wus2-v4';
const folder = join(REPO_ROOT, 'dist', ENV);
const files = readdirSync(folder)
  .sort()
  .map((f) => ({ path: f, content: readFileSync(join(folder, f), 'utf8') }));
const objects = files
  .filter((f) => f.path !== 'kustomization.yaml')
  .flatMap((f) => parseAllDocuments(f.content).map((d) => d.toJS() as EditableKubeObject))
  .filter((o) => o?.kind);

/**
 * The vendored CRDs, as the gate reads them (once per worker): custom resources come back with
 * their schema defaults, as on a real server.
 */
const crds = vendoredCrds().schemas();

const COLLECTOR = 'arcade-otel-collector';
const CONTAINER = 'spec.template.spec.containers[name=otel-collector]';

type Obj = Record<string, unknown>;
const containerOf = (o: Obj) => ((((o.spec as Obj).template as Obj).spec as Obj).containers as Obj[])[0]!;

describe('npm run drift against a live (loopback) cluster shaped like the API server', () => {
  let api: KubeApi;
  let cluster: LiveCluster;

  beforeAll(async () => {
    api = await startKubeApi();
    cluster = await connect({ kubeconfig: api.kubeconfig, timeoutMs: 5000, attempts: 1 });
  });
  afterAll(async () => api.close());
  beforeEach(() => {
    for (const o of objects) api.apply(o, { crds });
  });
  afterEach(() => {
    expect(api.writes()).toEqual([]);
    for (const o of objects) api.remove(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name);
  });

  it('reports no drift when Flux has just applied dist/ (defaults, omitted zeros, canonical quantities, server fields)', async () => {
    expect(objects.length).toBeGreaterThan(5);
    // The live objects are not dist/ echoed back: the server added and dropped fields.
    const live = api.apply(objects.find((o) => o.kind === 'Deployment')!, { crds });
    expect((((live.spec as Obj).template as Obj).spec as Obj).dnsPolicy).toBe('ClusterFirst');
    expect(live.metadata.managedFields).toEqual([
      expect.objectContaining({ manager: 'kustomize-controller', operation: 'Apply' }),
    ]);
    expect(api.apply(objects.find((o) => o.kind === 'OCIRepository')!, { crds }).spec).toMatchObject({
      provider: 'generic',
      timeout: '60s',
    });

    const report = await detectDrift(ENV, files, cluster);
    expect(report.checked).toBe(objects.length);
    expect(report.drifted).toEqual([]);
    expect(hasDrift(report)).toBe(false);
    expect(formatDrift(report, cluster.server)).toContain('no drift');
  });

  it('reports no drift for manifests that still carry library defaults (cdk8s-plus output before omitApiDefaults)', async () => {
    // What the stack rendered before dist/ dropped library defaults: minReadySeconds: 0,
    // hostNetwork: false, externalIPs: [], cpu: 1000m, protocol: TCP, ...
    const charts = buildCharts(new App({ outdir: '/dev/null' }), loadEnvironment(ENV).env);
    const raw = [...charts.entries()].map(([path, chart]) => ({
      path,
      content: chart
        .toJson()
        .map((o) => stringify(o))
        .join('---\n'),
    }));
    const collector = raw.find((f) => f.path === 'collector.yaml')!.content;
    for (const noise of [
      'minReadySeconds: 0',
      'hostNetwork: false',
      'externalIPs: []',
      'cpu: 1000m',
      'immutable: false',
    ])
      expect(collector).toContain(noise);
    const report = await detectDrift(ENV, raw, cluster);
    expect(report.drifted).toEqual([]);
  });

  it('reports an object missing in the cluster', async () => {
    api.remove('v1', 'Service', 'arcade', COLLECTOR);
    const report = await detectDrift(ENV, files, cluster);
    expect(report.missing.map((m) => m.key)).toEqual([expect.stringContaining(COLLECTOR)]);
    expect(report.missing[0]?.file).toBe('collector.yaml');
  });

  it('reports a changed image, naming the field manager that changed it', async () => {
    api.update('apps/v1', 'Deployment', 'arcade', COLLECTOR, 'kubectl-edit', (o) => {
      containerOf(o).image = 'otel/opentelemetry-collector-contrib:0.150.0';
    });
    const report = await detectDrift(ENV, files, cluster);
    expect(report.drifted.map((d) => [d.key, d.fields])).toEqual([
      [
        `Deployment arcade/${COLLECTOR}`,
        [
          {
            path: `${CONTAINER}.image`,
            expected: 'otel/opentelemetry-collector-contrib:0.159.0',
            live: 'otel/opentelemetry-collector-contrib:0.150.0',
            managers: ['kubectl-edit'],
          },
        ],
      ],
    ]);
    expect(formatDrift(report, cluster.server)).toContain(
      `${CONTAINER}.image: dist "otel/opentelemetry-collector-contrib:0.159.0", cluster "otel/opentelemetry-collector-contrib:0.150.0" (set by kubectl-edit)`,
    );
  });

  it('reports a removed container port', async () => {
    api.update('apps/v1', 'Deployment', 'arcade', COLLECTOR, 'kubectl-edit', (o) => {
      const c = containerOf(o);
      c.ports = (c.ports as Obj[]).filter((p) => p.name !== 'otlp-http');
    });
    const report = await detectDrift(ENV, files, cluster);
    expect(report.drifted).toHaveLength(1);
    expect(report.drifted[0]!.fields).toEqual([
      {
        path: `${CONTAINER}.ports[name=otlp-http]`,
        expected: '{"containerPort":4318,"name":"otlp-http"}',
        live: undefined,
      },
    ]);
  });

  it('reports a changed quantity by value: 500m is not 1', async () => {
    api.update('apps/v1', 'Deployment', 'arcade', COLLECTOR, 'kubectl-edit', (o) => {
      ((containerOf(o).resources as Obj).limits as Obj).cpu = '500m';
    });
    const report = await detectDrift(ENV, files, cluster);
    expect(report.drifted[0]?.fields).toEqual([
      { path: `${CONTAINER}.resources.limits.cpu`, expected: '1', live: '500m', managers: ['kubectl-edit'] },
    ]);
  });

  it('reports a removed label, and a changed field of a custom resource', async () => {
    api.update('v1', 'Service', 'arcade', COLLECTOR, 'kubectl-edit', (o) => {
      delete (o.metadata.labels as Record<string, string>)['app.kubernetes.io/part-of'];
    });
    api.update('helm.toolkit.fluxcd.io/v2', 'HelmRelease', 'arcade', 'arcade', 'kubectl-edit', (o) => {
      (o.spec as Obj).interval = '1h';
    });
    const report = await detectDrift(ENV, files, cluster);
    expect(report.drifted.map((d) => [d.key, d.fields])).toEqual([
      [
        `Service arcade/${COLLECTOR}`,
        [{ path: 'metadata.labels."app.kubernetes.io/part-of"', expected: 'arcade', live: undefined }],
      ],
      [
        'HelmRelease arcade/arcade',
        [{ path: 'spec.interval', expected: '10m', live: '1h', managers: ['kubectl-edit'] }],
      ],
    ]);
  });

  it('reports fields Flux applied from another revision that dist/ no longer sets', async () => {
    // The cluster runs an older revision of the Deployment: one more env var and annotation.
    const older = structuredClone(objects.find((o) => o.kind === 'Deployment')!);
    (containerOf(older).env as Obj[]).push({ name: 'OLD_FLAG', value: 'on' });
    older.metadata.annotations = { 'example.com/owner': 'team-a' };
    api.apply(older, { crds });
    const report = await detectDrift(ENV, files, cluster);
    expect(report.drifted).toHaveLength(1);
    expect(report.drifted[0]!.fields.map((f) => [f.path, f.live, f.summary])).toEqual([
      [
        'metadata.annotations."example.com/owner"',
        'team-a',
        expect.stringContaining('applied by Flux (kustomize-controller) but not in dist/'),
      ],
      [
        `${CONTAINER}.env[name=OLD_FLAG]`,
        '{"name":"OLD_FLAG","value":"on"}',
        expect.stringContaining('list item applied by Flux'),
      ],
    ]);
  });

  it('reports an object labelled as ours that dist/ no longer holds, but not one of another environment', async () => {
    const stale = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'arcade-old-config',
        namespace: 'arcade',
        labels: { 'app.kubernetes.io/managed-by': MANAGED_BY, [ENVIRONMENT_LABEL]: ENV },
      },
    };
    const other = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'staging-config',
        namespace: 'arcade',
        labels: { 'app.kubernetes.io/managed-by': MANAGED_BY, [ENVIRONMENT_LABEL]: 'staging' },
      },
    };
    const foreign = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'hand-made', namespace: 'arcade', labels: { app: 'x' } },
    };
    for (const o of [stale, other, foreign]) api.put(o);
    try {
      const report = await detectDrift(ENV, files, cluster);
      expect(report.extra).toEqual([expect.stringContaining('arcade-old-config')]);
    } finally {
      for (const o of [stale, other, foreign]) api.remove('v1', 'ConfigMap', 'arcade', o.metadata.name);
    }
  });

  it('fails (never assumes a clean cluster) when the API answers with server errors', async () => {
    api.faults.failPaths = { match: /helmreleases/, code: 500 };
    try {
      await expect(detectDrift(ENV, files, cluster)).rejects.toThrow(/500|helmreleases|HelmRelease/i);
    } finally {
      api.faults.failPaths = undefined;
    }
  });
});
