/**
 * The one generic object API of drift and the probes (src/kube/object-api.ts), against the
 * Kubernetes API stand-in: its API discovery answers are shared by every API made with one cache
 * (each drift attempt and each probe reader has an API of its own, and asked for discovery again
 * without it), and an object that names no namespace is read from the kubeconfig context's, as
 * `KubernetesObjectApi.makeApiClient(kc)` and kubectl read it: by drift, and by the probes' reader
 * (which no probe asks for today: each names its namespace).
 */
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect } from '../../src/drift/cluster.js';
import { type KubeApi, startKubeApi } from '../../src/loopback/kube-api.js';
import { writeKubeconfig } from '../../src/loopback/kubeconfig.js';
import { loadKubeAccess } from '../../src/probes/kube.js';
import { NO_PROBE_DEADLINE_MS } from '../support/deadlines.js';

let api: KubeApi;
beforeEach(async () => {
  api = await startKubeApi();
  for (const name of ['engine', 'worker'])
    api.put({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'arcade' } });
});
afterEach(() => api.close());

const DISCOVERY = '/apis/apps/v1';
const asked = () => api.requests.map((r) => r.path);
const deployment = (name: string, namespace?: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  name,
  ...(namespace ? { namespace } : {}),
});

describe('drift', () => {
  it('asks for a group version once, whatever the number of attempts that read it', async () => {
    const cluster = await connect({ kubeconfig: api.kubeconfig, timeoutMs: NO_PROBE_DEADLINE_MS });
    expect((await cluster.read(deployment('engine', 'arcade')))?.metadata).toMatchObject({ name: 'engine' });
    expect((await cluster.read(deployment('worker', 'arcade')))?.metadata).toMatchObject({ name: 'worker' });
    expect(asked()).toEqual([
      DISCOVERY,
      '/apis/apps/v1/namespaces/arcade/deployments/engine',
      '/apis/apps/v1/namespaces/arcade/deployments/worker',
    ]);
  });

  it("reads an object that names no namespace from the kubeconfig context's", async () => {
    const kubeconfig = writeKubeconfig(api.url, 'loopback-bearer-token', { namespace: 'arcade' });
    try {
      const cluster = await connect({ kubeconfig, timeoutMs: NO_PROBE_DEADLINE_MS });
      expect((await cluster.read(deployment('engine')))?.metadata).toMatchObject({ namespace: 'arcade' });
      expect(asked()).toEqual([DISCOVERY, '/apis/apps/v1/namespaces/arcade/deployments/engine']);
    } finally {
      rmSync(dirname(kubeconfig), { recursive: true, force: true });
    }
  });
});

describe('the probes', () => {
  it('ask for a group version once, whatever the number of readers (attempts) that read it', async () => {
    const access = await loadKubeAccess({ KUBECONFIG: api.kubeconfig });
    for (const name of ['engine', 'worker']) {
      const reader = await access.reader(new AbortController().signal);
      expect(await reader.get('apps/v1', 'Deployment', 'arcade', name)).toMatchObject({ metadata: { name } });
    }
    expect(asked()).toEqual([
      DISCOVERY,
      '/apis/apps/v1/namespaces/arcade/deployments/engine',
      '/apis/apps/v1/namespaces/arcade/deployments/worker',
    ]);
  });

  // No probe reaches this today: every probe names its namespace (the targets' namespace is required and
  // not empty, src/environments/probe-targets.ts). The reader is made by the same helper as drift's API, so
  // a get with an empty namespace reads the kubeconfig context's, as kubectl would, not "default".
  it("read an object with an empty namespace from the kubeconfig context's", async () => {
    const kubeconfig = writeKubeconfig(api.url, 'loopback-bearer-token', { namespace: 'arcade' });
    try {
      const reader = await (await loadKubeAccess({ KUBECONFIG: kubeconfig })).reader(new AbortController().signal);
      expect(await reader.get('apps/v1', 'Deployment', '', 'engine')).toMatchObject({
        metadata: { name: 'engine', namespace: 'arcade' },
      });
      expect(asked()).toEqual([DISCOVERY, '/apis/apps/v1/namespaces/arcade/deployments/engine']);
    } finally {
      rmSync(dirname(kubeconfig), { recursive: true, force: true });
    }
  });
});
