/**
 * The probes' Kubernetes access: configuration only from KUBECONFIG or in-cluster (never a
 * default address), reads against the API stand-in (label selectors, 404 as absent, logs with
 * sinceSeconds), cancellation by the attempt's signal, and no request other than GET.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfigError } from '../../src/kube/kubeconfig.js';
import { loadKubeAccess } from '../../src/probes/kube.js';
import { TEST_TIMEOUT_MS } from '../support/deadlines.js';
import { startKubeApi, type KubeApi } from '../../src/loopback/kube-api.js';
import { matchesSelector } from '../../src/loopback/label-selector.js';
import { tempDir } from '../support/temp.js';

describe('loadKubeAccess', () => {
  it('refuses to run without KUBECONFIG or in-cluster config (no localhost fallback)', async () => {
    await expect(loadKubeAccess({ HOME: '/nonexistent' })).rejects.toThrow(KubeConfigError);
    await expect(loadKubeAccess({})).rejects.toThrow(/no command falls back to a default address/);
    await expect(loadKubeAccess({ KUBERNETES_SERVICE_HOST: '10.0.0.1' })).rejects.toThrow(/KUBECONFIG is not set/);
  });
  it('names a KUBECONFIG that does not exist or has no cluster', async () => {
    await expect(loadKubeAccess({ KUBECONFIG: '/nonexistent/config' })).rejects.toThrow(/names no existing file/);
    const dir = tempDir('probe-kc-');
    try {
      writeFileSync(join(dir, 'config'), 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
      await expect(loadKubeAccess({ KUBECONFIG: join(dir, 'config') })).rejects.toThrow(/no current context/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('KubeReader against the API stand-in', () => {
  let api: KubeApi;
  beforeAll(async () => {
    api = await startKubeApi();
    const pod = (name: string, labels: Record<string, string>) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'arcade', labels },
    });
    api.put(pod('engine-1', { app: 'engine', tier: 'api' }));
    api.put(pod('worker-1', { app: 'worker' }));
    api.put(pod('other-ns', { app: 'engine' }));
    api.put({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'elsewhere', namespace: 'kube-system', labels: { app: 'engine' } },
    });
    api.put({
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'arcade', namespace: 'arcade' },
      status: { observedGeneration: 2 },
    });
    const now = Date.now();
    api.setLog(
      'arcade',
      'engine-1',
      [
        { time: new Date(now - 3_600_000), text: 'old line' },
        { time: new Date(now - 10_000), text: 'recent line' },
      ],
      'engine',
    );
  });
  afterAll(() => api.close());

  it('lists by label selector in one namespace and reads CRDs; 404 is undefined', async () => {
    const reader = await (await loadKubeAccess({ KUBECONFIG: api.kubeconfig })).reader(new AbortController().signal);
    const names = async (sel?: string) =>
      (await reader.list('v1', 'Pod', 'arcade', sel)).map((p) => (p.metadata as { name: string }).name).sort();
    expect(await names('app=engine')).toEqual(['engine-1', 'other-ns']);
    expect(await names('app in (worker, x)')).toEqual(['worker-1']);
    expect(await names('app!=engine')).toEqual(['worker-1']);
    expect(await names('tier')).toEqual(['engine-1']);
    expect(await reader.get('helm.toolkit.fluxcd.io/v2', 'HelmRelease', 'arcade', 'arcade')).toMatchObject({
      status: { observedGeneration: 2 },
    });
    expect(await reader.get('helm.toolkit.fluxcd.io/v2', 'HelmRelease', 'arcade', 'missing')).toBeUndefined();
    await expect(reader.list('example.com/v1', 'Widget', 'arcade')).rejects.toThrow(/not served by the cluster/);
    expect(api.writes()).toEqual([]);
  });

  it('reads logs since a time with timestamps; a missing pod has no log', async () => {
    const reader = await (await loadKubeAccess({ KUBECONFIG: api.kubeconfig })).reader(new AbortController().signal);
    const text = await reader.log('arcade', 'engine-1', 'engine', 600, { timestamps: true });
    expect(text).toMatch(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z recent line\n$/);
    expect(await reader.log('arcade', 'nope', undefined, 600)).toBeUndefined();
  });

  it('an aborted signal ends a request the server never answers', async () => {
    api.faults.hold = true;
    try {
      const controller = new AbortController();
      const reader = await (await loadKubeAccess({ KUBECONFIG: api.kubeconfig })).reader(controller.signal);
      const listing = reader.list('v1', 'Pod', 'arcade').then(
        () => 'answered',
        (err: unknown) => err,
      );
      // Event order, not time: abort once the request is held by the server, then only the
      // abort can end it (a hang would time the test out).
      await expect.poll(() => api.held(), { timeout: TEST_TIMEOUT_MS / 2 }).toBe(1);
      controller.abort(new Error('timed out after 0.1s'));
      expect(await listing).toEqual(
        expect.objectContaining({ message: expect.stringMatching(/aborted: timed out after 0\.1s/) }),
      );
      await expect.poll(() => api.held(), { timeout: TEST_TIMEOUT_MS / 2 }).toBe(0); // the connection was closed
    } finally {
      api.faults.hold = false;
    }
  });

  it('the stand-in answers 405 to writes (so tests can prove the probes made none)', async () => {
    const res = await fetch(`${api.url}/api/v1/namespaces/arcade/pods`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(405);
    expect(api.writes()).toHaveLength(1);
  });

  it('selector semantics of the stand-in', () => {
    expect(matchesSelector({ a: '1' }, 'a notin (2,3),!b')).toBe(true);
    expect(matchesSelector({ a: '1', b: 'x' }, '!b')).toBe(false);
    expect(matchesSelector({ a: '1' }, 'a==1')).toBe(true);
  });
});
