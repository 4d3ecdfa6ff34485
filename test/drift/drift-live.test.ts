/**
 * Drift against a live API: the committed dist/ of the production environment is loaded into the
 * loopback Kubernetes API stand-in, read back through @kubernetes/client-node, and each kind of
 * drift is introduced one at a time. The stand-in refuses anything but GET, so the test also
 * proves drift never writes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ENVIRONMENT_LABEL, MANAGED_BY } from '../../src/constructs/labels.js';
import { connect, type LiveCluster } from '../../src/drift/cluster.js';
import { detectDrift, formatDrift, hasDrift } from '../../src/drift/drift.js';
import { REPO_ROOT } from '../../src/tooling/bundle.js';
import { startKubeApi, type KubeApi, type KubeObject } from '../support/kube-api.js';

const ENV = 'backstage-wus2-v4';
const folder = join(REPO_ROOT, 'dist', ENV);
const files = readdirSync(folder)
  .sort()
  .map((f) => ({ path: f, content: readFileSync(join(folder, f), 'utf8') }));
const objects = files
  .filter((f) => f.path !== 'kustomization.yaml')
  .flatMap((f) => parseAllDocuments(f.content).map((d) => d.toJS() as KubeObject))
  .filter((o) => o && o.kind);

/** What the API server adds on its own: drift must ignore it. */
function asServerWould(o: KubeObject, i: number): KubeObject {
  const copy = structuredClone(o);
  Object.assign(copy.metadata, { uid: `uid-${i}`, resourceVersion: String(1000 + i), generation: 1, creationTimestamp: '2026-11-01T00:00:00Z' });
  copy.status = { observedGeneration: 1 };
  return copy;
}

describe('npm run drift against a live (loopback) cluster', () => {
  let api: KubeApi;
  let cluster: LiveCluster;

  beforeAll(async () => {
    api = await startKubeApi();
    cluster = await connect({ kubeconfig: api.kubeconfig, timeoutMs: 5000, attempts: 1 });
  });
  afterAll(async () => api.close());
  beforeEach(() => objects.forEach((o, i) => api.put(asServerWould(o, i))));
  afterEach(() => {
    expect(api.writes()).toEqual([]);
    for (const o of objects) api.remove(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name);
  });

  // The NetworkPolicy's ingress `from` is `_from` in the client's typed models: read back as the API writes it.
  it('reports no drift when the cluster holds exactly dist/ (server-set fields ignored)', async () => {
    expect(objects.length).toBeGreaterThan(5);
    const report = await detectDrift(ENV, files, cluster);
    expect(report.checked).toBe(objects.length);
    expect(hasDrift(report)).toBe(false);
    expect(formatDrift(report, cluster.server)).toContain('no drift');
  });

  it('reports an object missing in the cluster', async () => {
    api.remove('v1', 'Service', 'arcade', 'arcade-otel-collector');
    const report = await detectDrift(ENV, files, cluster);
    expect(report.missing.map((m) => m.key)).toEqual([expect.stringContaining('arcade-otel-collector')]);
    expect(report.missing[0]?.file).toBe('collector.yaml');
  });

  it('reports a field dist/ sets that differs in the cluster, with both values', async () => {
    const release = structuredClone(objects.find((o) => o.kind === 'HelmRelease')!);
    (release.spec as { interval: string }).interval = '1h';
    api.put(release);
    const report = await detectDrift(ENV, files, cluster);
    expect(report.drifted).toHaveLength(1);
    expect(report.drifted[0]?.fields).toContainEqual(expect.objectContaining({ path: 'spec.interval', expected: '10m', live: '1h' }));
    expect(formatDrift(report, cluster.server)).toMatch(/spec\.interval: dist "10m", cluster "1h"/);
  });

  it('reports an object labelled as ours that dist/ no longer holds, but not one of another environment', async () => {
    const stale = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'arcade-old-config', namespace: 'arcade', labels: { 'app.kubernetes.io/managed-by': MANAGED_BY, [ENVIRONMENT_LABEL]: ENV } } };
    const other = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'staging-config', namespace: 'arcade', labels: { 'app.kubernetes.io/managed-by': MANAGED_BY, [ENVIRONMENT_LABEL]: 'staging' } } };
    const foreign = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'hand-made', namespace: 'arcade', labels: { app: 'x' } } };
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
