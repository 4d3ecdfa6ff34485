/**
 * Text is taken only where text was asked for (src/kube/bounded-client.ts): a pod's log. Against
 * real loopback servers, a read answered `200 text/html` (an SSO or proxy login page) is refused by
 * drift and by a probe, once, where client-node handed the HTML back as the live object (drift
 * reported it as a drift at path ""); a pod named `log` is an object, not a log; and, the second
 * guard, JSON that is not an object (a string, an array, a list page without items) is refused too;
 * `null`, `[]`, `"x"` and `42` are refused by the HTTP layer before client-node reads them (its
 * TypeError on `null` was retried by drift), each after one request.
 * docs/delivery.md, docs/probes.md.
 */
import { rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterError, connect } from '../../src/drift/cluster.js';
import { detectDrift } from '../../src/drift/drift.js';
import { writeKubeconfig } from '../../src/loopback/kubeconfig.js';
import { listenLoopback } from '../../src/loopback/listen.js';
import { KubeError, loadKubeAccess } from '../../src/probes/kube.js';
import { NO_PROBE_DEADLINE_MS } from '../support/deadlines.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const DISCOVERY: Record<string, object> = {
  '/api/v1': {
    kind: 'APIResourceList',
    groupVersion: 'v1',
    resources: [{ name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list'] }],
  },
  '/apis/apps/v1': {
    kind: 'APIResourceList',
    groupVersion: 'apps/v1',
    resources: [
      { name: 'deployments', singularName: 'deployment', namespaced: true, kind: 'Deployment', verbs: ['get', 'list'] },
    ],
  },
};

/** An API server answering discovery as Kubernetes does and every other request with `type` and `body`; the paths it saw. */
async function apiServer(type: string, body: string) {
  const seen: string[] = [];
  const { server, url } = await listenLoopback((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    seen.push(path);
    const discovery = DISCOVERY[path];
    if (discovery)
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(discovery));
    res.writeHead(200, { 'content-type': type }).end(body);
  });
  cleanups.push(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });
  const kubeconfig = writeKubeconfig(url, 'loopback-bearer-token');
  cleanups.push(() => rmSync(dirname(kubeconfig), { recursive: true, force: true }));
  return { kubeconfig, seen };
}

const drift = (kubeconfig: string) =>
  connect({ kubeconfig, timeoutMs: NO_PROBE_DEADLINE_MS, attempts: 3, backoffMs: 0 });
const probeReader = async (kubeconfig: string) =>
  (await loadKubeAccess({ KUBECONFIG: kubeconfig })).reader(new AbortController().signal);

const FIX = "(fix: point the kubeconfig's server at the cluster's API server)";
const notJson = (type: string) =>
  `the API server answered HTTP 200 with Content-Type ${JSON.stringify(type)}, not JSON: not the Kubernetes API, ` +
  `or a broken or hostile server, or a proxy's login page ${FIX}`;
const notObject = (what: string) =>
  `the API server answered with ${what}, not an object: not the Kubernetes API, or a broken or hostile server ${FIX}`;
const LOGIN = '<html>login</html>';
const DEPLOYMENT_PATH = '/apis/apps/v1/namespaces/arcade/deployments/engine';
const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'engine', namespace: 'arcade' };

describe('a login page (200 text/html) answering a read is refused, not taken for the object', () => {
  it('drift: cluster unreadable, once (not retried), never a drift at path ""', async () => {
    const api = await apiServer('text/html; charset=utf-8', LOGIN);
    const cluster = await drift(api.kubeconfig);
    const err = await cluster.read(deployment).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterError);
    expect((err as Error).message).toBe(`read Deployment arcade/engine: ${notJson('text/html; charset=utf-8')}`);
    expect(api.seen).toEqual(['/apis/apps/v1', DEPLOYMENT_PATH]);
    const manifest = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: engine\n  namespace: arcade\n';
    await expect(detectDrift('dev', [{ path: 'engine.yaml', content: manifest }], cluster)).rejects.toThrow(
      new ClusterError(`read Deployment arcade/engine: ${notJson('text/html; charset=utf-8')}`),
    );
  });

  it("a probe's get and list", async () => {
    const api = await apiServer('text/html', LOGIN);
    const reader = await probeReader(api.kubeconfig);
    await expect(reader.get('apps/v1', 'Deployment', 'arcade', 'engine')).rejects.toThrow(
      new KubeError(`get Deployment arcade/engine: ${notJson('text/html')}`),
    );
    await expect(reader.list('v1', 'Pod', 'arcade')).rejects.toThrow(
      new KubeError(`list Pod in arcade: ${notJson('text/html')}`),
    );
  });

  it("a pod named log is an object, not a pod's log: text refused", async () => {
    const api = await apiServer('text/plain', 'engine started');
    const err = await (await probeReader(api.kubeconfig)).get('v1', 'Pod', 'arcade', 'log').catch((e: unknown) => e);
    expect((err as Error).message).toBe(`get Pod arcade/log: ${notJson('text/plain')}`);
    expect(api.seen).toEqual(['/api/v1', '/api/v1/namespaces/arcade/pods/log']);
  });

  it("a pod's log is text, and is read", async () => {
    const api = await apiServer('text/plain; charset=utf-8', 'engine started\n');
    expect(await (await probeReader(api.kubeconfig)).log('arcade', 'engine-0', 'engine', 60)).toBe('engine started\n');
    expect(api.seen).toEqual(['/api/v1/namespaces/arcade/pods/engine-0/log']);
  });
});

describe('JSON that is not an object is refused (the second guard)', () => {
  it('drift: a read answered with a JSON string, once', async () => {
    const api = await apiServer('application/json', JSON.stringify(LOGIN));
    const err = await (await drift(api.kubeconfig)).read(deployment).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterError);
    expect((err as Error).message).toBe(`read Deployment arcade/engine: ${notObject('a string')}`);
    expect(api.seen).toEqual(['/apis/apps/v1', DEPLOYMENT_PATH]);
  });

  it('drift: a list page whose items are not objects, and one with no items', async () => {
    const strings = await apiServer('application/json', '{"kind":"PodList","items":["<html>"]}');
    await expect((await drift(strings.kubeconfig)).list('v1', 'Pod', 'arcade', '')).rejects.toThrow(
      new ClusterError(`list Pod in arcade: ${notObject('a string')}`),
    );
    const none = await apiServer('application/json', '{"kind":"PodList"}');
    await expect((await drift(none.kubeconfig)).list('v1', 'Pod', 'arcade', '')).rejects.toThrow(
      new ClusterError(
        "list Pod in arcade: the API server's list answer has no list of items: not the Kubernetes API, or a broken " +
          `or hostile server ${FIX}`,
      ),
    );
  });

  it("a probe's get answered with an array", async () => {
    const api = await apiServer('application/json', '[1]');
    await expect((await probeReader(api.kubeconfig)).get('apps/v1', 'Deployment', 'arcade', 'engine')).rejects.toThrow(
      new KubeError(`get Deployment arcade/engine: ${notObject('an array')}`),
    );
  });
});

// client-node reads `data.apiVersion` of the parsed body before any guard of the stack sees it: `null`
// was its TypeError, with no status, so drift retried it 3 times and a probe showed the client's message.
// A body that is not JSON was the client's JSON.parse error, quoting it raw, which drift told apart from a
// network failure by its SyntaxError and crds --from-cluster by parsing each page once more itself.
describe('a 2xx JSON answer that is not JSON, or not an object, is refused before the client parses it, once', () => {
  const notParsed = (what: string) => (type: string) =>
    `the API server answered HTTP 200 with Content-Type ${JSON.stringify(type)} but ${what}: not the Kubernetes ` +
    `API, or a broken or hostile server, or a proxy's login page ${FIX}`;
  const isNot = (what: string) => () => notObject(what);
  const bodies: [string, (type: string) => string][] = [
    ['null', isNot('null')],
    ['[]', isNot('an array')],
    ['"x"', isNot('a string')],
    [' 42\n', isNot('a number')],
    ['<html>login</html>', notParsed('a body that is not JSON (it starts "<html>login</html>")')],
    ['{"a":', notParsed('a body that is not JSON (it starts "{\\"a\\":")')],
    [' \n', notParsed('an empty body')],
  ];
  const POD_LIST_PATH = '/api/v1/namespaces/arcade/pods';
  const JSON_UTF8 = 'application/json; charset=utf-8';

  it.each(bodies)('drift: a read answered with %j', async (body, refusal) => {
    const api = await apiServer('application/json', body);
    const err = await (await drift(api.kubeconfig)).read(deployment).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterError);
    expect((err as Error).message).toBe(`read Deployment arcade/engine: ${refusal('application/json')}`);
    expect(api.seen).toEqual(['/apis/apps/v1', DEPLOYMENT_PATH]);
  });

  it.each(bodies)('drift: a list page answered with %j', async (body, refusal) => {
    const api = await apiServer('application/json', body);
    const err = await (await drift(api.kubeconfig)).list('v1', 'Pod', 'arcade', '').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterError);
    expect((err as Error).message).toBe(`list Pod in arcade: ${refusal('application/json')}`);
    expect(api.seen.filter((path) => path === POD_LIST_PATH)).toEqual([POD_LIST_PATH]);
  });

  it.each(bodies)("a probe's get and list answered with %j", async (body, refusal) => {
    const api = await apiServer(JSON_UTF8, body);
    const reader = await probeReader(api.kubeconfig);
    const err = await reader.get('apps/v1', 'Deployment', 'arcade', 'engine').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeError);
    expect((err as Error).message).toBe(`get Deployment arcade/engine: ${refusal(JSON_UTF8)}`);
    const listed = await reader.list('v1', 'Pod', 'arcade').catch((e: unknown) => e);
    expect(listed).toBeInstanceOf(KubeError);
    expect((listed as Error).message).toBe(`list Pod in arcade: ${refusal(JSON_UTF8)}`);
    expect(api.seen).toEqual(['/apis/apps/v1', DEPLOYMENT_PATH, '/api/v1', POD_LIST_PATH]);
  });

  it("a pod's log under JSON's type (the client would parse it as JSON)", async () => {
    const api = await apiServer('application/json', 'engine started');
    const err = await (await probeReader(api.kubeconfig))
      .log('arcade', 'engine-0', 'engine', 60)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeError);
    expect((err as Error).message).toBe(
      `log of pod arcade/engine-0: ${notParsed('a body that is not JSON (it starts "engine started")')('application/json')}`,
    );
    expect(api.seen).toEqual(['/api/v1/namespaces/arcade/pods/engine-0/log']);
  });
});

// V8's JSON.parse does not recurse, so `{"a":[[[...]]]}` nested 5 million levels (about 10 MB, under the
// 64 MiB cap) parsed, and toWire (src/kube/wire.ts) threw a bare RangeError (Maximum call stack size
// exceeded) outside every request's error handling: no "get ...:", no printable message. The bounded
// layer refuses JSON nested deeper than 1000 levels (src/kube/json-depth.ts), once; 1000 levels are read.
describe('JSON nested deeper than 1000 levels is refused before anything recurses over it, once', () => {
  const nested = (levels: number) => `{"a":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`;
  const DEEP = nested(5_000_000);
  const refusal =
    'the API server answered HTTP 200 with JSON nested deeper than 1000 levels: not the Kubernetes API, or a ' +
    `broken or hostile server ${FIX}`;
  const POD_LIST_PATH = '/api/v1/namespaces/arcade/pods';

  it('drift: a read and a list page', async () => {
    const api = await apiServer('application/json', DEEP);
    const cluster = await drift(api.kubeconfig);
    const err = await cluster.read(deployment).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterError);
    expect((err as Error).message).toBe(`read Deployment arcade/engine: ${refusal}`);
    const listed = await cluster.list('v1', 'Pod', 'arcade', '').catch((e: unknown) => e);
    expect(listed).toBeInstanceOf(ClusterError);
    expect((listed as Error).message).toBe(`list Pod in arcade: ${refusal}`);
    expect(api.seen).toEqual(['/apis/apps/v1', DEPLOYMENT_PATH, '/api/v1', POD_LIST_PATH]);
  });

  it("a probe's get, list and a pod's log under JSON's type", async () => {
    const api = await apiServer('application/json', DEEP);
    const reader = await probeReader(api.kubeconfig);
    const got = await reader.get('apps/v1', 'Deployment', 'arcade', 'engine').catch((e: unknown) => e);
    expect(got).toBeInstanceOf(KubeError);
    expect((got as Error).message).toBe(`get Deployment arcade/engine: ${refusal}`);
    const listed = await reader.list('v1', 'Pod', 'arcade').catch((e: unknown) => e);
    expect((listed as Error).message).toBe(`list Pod in arcade: ${refusal}`);
    const log = await reader.log('arcade', 'engine-0', 'engine', 60).catch((e: unknown) => e);
    expect((log as Error).message).toBe(`log of pod arcade/engine-0: ${refusal}`);
    expect(api.seen).toEqual([
      '/apis/apps/v1',
      DEPLOYMENT_PATH,
      '/api/v1',
      POD_LIST_PATH,
      '/api/v1/namespaces/arcade/pods/engine-0/log',
    ]);
  });

  it('1000 levels are read, whole, by drift and a probe (and 1001 refused)', async () => {
    const api = await apiServer('application/json', nested(1000));
    const read = await (await drift(api.kubeconfig)).read(deployment);
    const got = await (await probeReader(api.kubeconfig)).get('apps/v1', 'Deployment', 'arcade', 'engine');
    for (const value of [read, got]) expect(JSON.stringify(value)).toBe(nested(1000));
    const over = await apiServer('application/json', nested(1001));
    await expect((await drift(over.kubeconfig)).read(deployment)).rejects.toThrow(
      new ClusterError(`read Deployment arcade/engine: ${refusal}`),
    );
  });
});

// JSON_TYPE (src/kube/bounded-client.ts) takes JSON's type as RFC 6839 names it, the `+json` suffix after
// the last `+`; client-node 1.4 takes any `+` part `json` (`application/+json` too), and `application/json/x`
// (its subtype is the part between the first two slashes). No API server sends those: refused, named
// (docs/quality-gate.md). Checked against client-node's ObjectSerializer.parse: it reads text/json as text.
describe("JSON's media type: the boundary, stricter than client-node's on purpose", () => {
  const OBJECT = JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'engine' } });

  it.each([
    'application/json',
    'APPLICATION/JSON ; charset=utf-8',
    'application/vnd.kubernetes.a+json',
    'application/merge-patch+json',
  ])('%s is read', async (type) => {
    const api = await apiServer(type, OBJECT);
    expect(await (await probeReader(api.kubeconfig)).get('apps/v1', 'Deployment', 'arcade', 'engine')).toMatchObject({
      metadata: { name: 'engine' },
    });
  });

  it.each([
    'application/x+json+y',
    'application/json+x',
    'application/json/x',
    'application/+json',
    'application/jsonx',
    'text/json',
  ])('%s is refused, named, after one request (client-node parses the first four as JSON)', async (type) => {
    const api = await apiServer(type, OBJECT);
    const err = await (await drift(api.kubeconfig)).read(deployment).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterError);
    expect((err as Error).message).toBe(`read Deployment arcade/engine: ${notJson(type)}`);
    expect(api.seen).toEqual(['/apis/apps/v1', DEPLOYMENT_PATH]);
  });
});
