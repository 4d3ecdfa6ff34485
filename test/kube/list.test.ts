/**
 * The one paged lister (src/kube/list.ts), through both commands that list (drift's LiveCluster
 * and the probes' KubeReader), against the loopback API stand-in paging as the API server does:
 * at most its page size per answer, then a `continue` token. Every object of every page comes
 * back, in order, with its apiVersion and kind, and each page asks for the next with the token.
 * The stand-in's list items of a built-in kind carry neither (as a real API server's), so the kind
 * comes from listEveryPage.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterError, connect } from '../../src/drift/cluster.js';
import { startKubeApi, type KubeApi } from '../../src/loopback/kube-api.js';
import { loadKubeAccess } from '../../src/probes/kube.js';

const PODS = ['pod-a', 'pod-b', 'pod-c', 'pod-d', 'pod-e'];

describe('listEveryPage, as drift and the probes use it', () => {
  let api: KubeApi;
  beforeAll(async () => {
    api = await startKubeApi({ pageSize: 2 });
    for (const name of PODS)
      api.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'arcade', labels: { app: 'engine' } } });
    api.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'other', namespace: 'arcade', labels: { app: 'x' } } });
  });
  afterAll(() => api.close());

  /** The list requests the stand-in saw since `from`: each page's `continue` token ('' for the first). */
  const pagesAsked = (from: number) =>
    api.requests
      .slice(from)
      .map((r) => new URL(r.path, 'http://stand-in'))
      .filter((u) => u.pathname === '/api/v1/namespaces/arcade/pods')
      .map((u) => [u.searchParams.get('limit'), u.searchParams.get('continue') ?? '']);

  it('the stand-in lists as a real API server does: apiVersion and kind on the list, on none of its items; a GET keeps them', async () => {
    // kubernetes/kubernetes#63676: so listEveryPage must give each item its kind (src/kube/list.ts).
    const list = (await (await fetch(`${api.url}/api/v1/namespaces/arcade/pods?limit=500`)).json()) as {
      apiVersion: string;
      kind: string;
      items: Record<string, unknown>[];
    };
    expect([list.apiVersion, list.kind]).toEqual(['v1', 'PodList']);
    // The first page (the stand-in's page size is 2).
    expect(list.items.map((o) => [o.apiVersion, o.kind, (o.metadata as { name: string }).name])).toEqual([
      [undefined, undefined, 'pod-a'],
      [undefined, undefined, 'pod-b'],
    ]);
    type Obj = Record<string, unknown>;
    const one = (await (await fetch(`${api.url}/api/v1/namespaces/arcade/pods/pod-a`)).json()) as Obj;
    expect([one.apiVersion, one.kind]).toEqual(['v1', 'Pod']);
  });

  it("only a built-in group's list leaves its items bare: a custom resource's items keep apiVersion and kind", async () => {
    // The API server holds a custom resource as the JSON it was given, so its list items keep both;
    // a built-in kind of a named group (apps) is bare like core's.
    const stand = await startKubeApi();
    try {
      const metadata = { name: 'arcade', namespace: 'arcade' };
      stand.put({ apiVersion: 'apps/v1', kind: 'Deployment', metadata });
      stand.put({ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata });
      const itemsAt = async (path: string) =>
        ((await (await fetch(`${stand.url}${path}`)).json()) as { items: Record<string, unknown>[] }).items.map((o) => [
          o.apiVersion,
          o.kind,
        ]);
      expect(await itemsAt('/apis/apps/v1/namespaces/arcade/deployments')).toEqual([[undefined, undefined]]);
      expect(await itemsAt('/apis/helm.toolkit.fluxcd.io/v2/namespaces/arcade/helmreleases')).toEqual([
        ['helm.toolkit.fluxcd.io/v2', 'HelmRelease'],
      ]);
    } finally {
      await stand.close();
    }
  });

  it('drift: every page of a label-selected list, in order, with apiVersion and kind', async () => {
    const cluster = await connect({ kubeconfig: api.kubeconfig });
    const from = api.requests.length;
    const items = await cluster.list('v1', 'Pod', 'arcade', 'app=engine');
    expect(items.map((o) => (o.metadata as { name: string }).name)).toEqual(PODS);
    expect(items.every((o) => o.apiVersion === 'v1' && o.kind === 'Pod')).toBe(true);
    const pages = pagesAsked(from);
    expect(pages).toHaveLength(3);
    expect(pages.map(([limit]) => limit)).toEqual(['500', '500', '500']);
    expect(pages[0]![1]).toBe('');
    expect(pages[1]![1]).not.toBe('');
    expect(pages[2]![1]).not.toBe(pages[1]![1]);
  });

  it('probes: the same pages through the KubeReader', async () => {
    const access = await loadKubeAccess({ KUBECONFIG: api.kubeconfig });
    const reader = await access.reader(new AbortController().signal);
    const from = api.requests.length;
    const items = await reader.list('v1', 'Pod', 'arcade', 'app=engine');
    expect(items.map((o) => (o.metadata as { name: string }).name)).toEqual(PODS);
    expect(items.every((o) => o.apiVersion === 'v1' && o.kind === 'Pod')).toBe(true);
    expect(pagesAsked(from)).toHaveLength(3);
  });
});

describe('listEveryPage against a server that repeats its continue token (a proxy dropping it)', () => {
  let api: KubeApi;
  beforeAll(async () => {
    api = await startKubeApi({ pageSize: 2 });
    for (const name of PODS) api.put({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'arcade' } });
    api.faults.dropContinue = true;
  });
  afterAll(() => api.close());
  const listRequests = () => api.requests.filter((r) => r.path.startsWith('/api/v1/namespaces/arcade/pods?')).length;
  /** The token of the stand-in's first page (of two items): the offset 2, base64url. */
  const token = Buffer.from('2').toString('base64url');
  const refusal = (what: string) =>
    `${what}: page 2 names the next page "${token}", the token page 2 was asked with: the server repeats itself ` +
    'and would page forever (fix: a broken server, or a proxy in front of it that drops the token: read the ' +
    'server directly, or have it mended)';

  it('drift refuses on the second page, as a cluster failure (exit 1), not after 100 pages', async () => {
    const cluster = await connect({ kubeconfig: api.kubeconfig });
    const from = listRequests();
    const err = await cluster.list('v1', 'Pod', 'arcade', '').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterError);
    expect((err as Error).message).toBe(refusal('list Pod in arcade'));
    expect(listRequests() - from).toBe(2);
  });

  it('a probe refuses on the second page', async () => {
    const reader = await (await loadKubeAccess({ KUBECONFIG: api.kubeconfig })).reader(new AbortController().signal);
    const from = listRequests();
    await expect(reader.list('v1', 'Pod', 'arcade')).rejects.toThrow(refusal('list Pod in arcade'));
    expect(listRequests() - from).toBe(2);
  });
});
