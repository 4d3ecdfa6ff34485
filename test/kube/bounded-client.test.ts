/**
 * Drift and the probes read a cluster through one bounded client configuration
 * (src/kube/bounded-client.ts): against real loopback servers, a redirect is refused naming where
 * it points and nothing (the bearer token least of all) reaches its target; an endless body is
 * stopped at 64 MiB and its connection closed; neither is retried; a pod's log over 64 MiB names
 * the pod, the window and the fix; a 2xx answer whose Content-Type the client cannot parse is
 * refused naming it printably, and so is a body of JSON's type that is not JSON (the client's
 * JSON.parse error quoted it raw), neither retried; drift's deadline closes the connection of each
 * attempt it ends.
 * docs/quality-gate.md, docs/probes.md, docs/delivery.md.
 * A kind's first request is the API discovery of its group version, whose failure client-node
 * prefixes with "Failed to fetch resource metadata for <apiVersion>/<kind>:"; a pod's log has none.
 */
import { rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClusterError, connect } from '../../src/drift/cluster.js';
import { writeKubeconfig } from '../../src/loopback/kubeconfig.js';
import { listenLoopback } from '../../src/loopback/listen.js';
import { KubeError, loadKubeAccess } from '../../src/probes/kube.js';
import { NO_PROBE_DEADLINE_MS, SETTLE } from '../support/deadlines.js';
import { startEndlessBody } from '../support/endless-body.js';

const TOKEN = 'loopback-bearer-token';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function kubeconfigFor(url: string): string {
  const kubeconfig = writeKubeconfig(url, TOKEN);
  cleanups.push(() => rmSync(dirname(kubeconfig), { recursive: true, force: true }));
  return kubeconfig;
}

/** A loopback server answering `handler`, and the requests it saw with their credentials. */
async function server(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const seen: string[] = [];
  const { server, url } = await listenLoopback((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? '(no credentials)'}`);
    handler(req, res);
  });
  cleanups.push(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return { url, seen };
}

/** An API server that redirects every request to the same path on another loopback server (the same host, another port). */
async function redirecting() {
  const other = await server((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"kind":"APIResourceList","groupVersion":"v1","resources":[]}');
  });
  const api = await server((req, res) => res.writeHead(302, { location: `${other.url}${req.url}` }).end());
  return { api, other, kubeconfig: kubeconfigFor(api.url) };
}

/** What the reader says of a redirect from `path` on to `other`. */
const redirectMessage = (other: string, path: string) =>
  `the API server answered HTTP 302, a redirect to ${other}${path}: not followed, since the kubeconfig's ` +
  "credentials would go with it (fix: point the kubeconfig's server at the API server's own address)";

const OVER_CAP =
  "the answer's body is larger than 64 MiB, the most read from it: not the API asked for, or a broken or hostile server";

/** Drift's cluster with three attempts and no wait between them: a retry would show as a second request. */
const drift = (kubeconfig: string) =>
  connect({ kubeconfig, timeoutMs: NO_PROBE_DEADLINE_MS, attempts: 3, backoffMs: 0 });
const probeReader = async (kubeconfig: string) =>
  (await loadKubeAccess({ KUBECONFIG: kubeconfig })).reader(new AbortController().signal);

describe('a redirect is refused, never followed: the credentials stay with the API server', () => {
  it('drift: the exact refusal, once (not retried), and no request at the target', async () => {
    const { api, other, kubeconfig } = await redirecting();
    const err = await (await drift(kubeconfig)).list('v1', 'Pod', 'arcade', 'app=engine').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterError);
    expect(api.seen).toEqual([`GET /api/v1 Bearer ${TOKEN}`]); // the discovery of v1, first
    expect((err as Error).message).toBe(
      `list Pod in arcade: Failed to fetch resource metadata for v1/Pod: ${redirectMessage(other.url, '/api/v1')}`,
    );
    expect(other.seen).toEqual([]);
  });

  it('a probe: the exact refusal, and no request at the target', async () => {
    const { api, other, kubeconfig } = await redirecting();
    const reader = await probeReader(kubeconfig);
    const err = await reader.get('apps/v1', 'Deployment', 'arcade', 'engine').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeError);
    expect(api.seen).toEqual([`GET /apis/apps/v1 Bearer ${TOKEN}`]);
    expect((err as Error).message).toBe(
      `get Deployment arcade/engine: Failed to fetch resource metadata for apps/v1/Deployment: ${redirectMessage(other.url, '/apis/apps/v1')}`,
    );
    expect(other.seen).toEqual([]);
  });

  it('a probe reading a log (no discovery): the same', async () => {
    const { api, other, kubeconfig } = await redirecting();
    const err = await (await probeReader(kubeconfig)).log('arcade', 'engine-0', 'engine', 60).catch((e: unknown) => e);
    const path = api.seen[0]?.split(' ')[1] ?? '';
    expect(path).toMatch(/^\/api\/v1\/namespaces\/arcade\/pods\/engine-0\/log\?/);
    expect((err as Error).message).toBe(`log of pod arcade/engine-0: ${redirectMessage(other.url, path)}`);
    expect(other.seen).toEqual([]);
  });
});

describe('an endless body is stopped at 64 MiB and its connection closed', () => {
  it('drift: refused once (not retried)', async () => {
    const endless = await startEndlessBody();
    cleanups.push(() => endless.close());
    const err = await (await drift(kubeconfigFor(endless.url)))
      .list('v1', 'Pod', 'arcade', 'app=engine')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterError);
    expect((err as Error).message).toBe(
      `list Pod in arcade: Failed to fetch resource metadata for v1/Pod: ${OVER_CAP}`,
    );
    expect(endless.paths).toEqual(['/api/v1']);
    await vi.waitFor(() => expect(endless.hungUp()).toBe(1), SETTLE);
  });

  it('a probe', async () => {
    const endless = await startEndlessBody();
    cleanups.push(() => endless.close());
    const reader = await probeReader(kubeconfigFor(endless.url));
    await expect(reader.list('v1', 'Pod', 'arcade')).rejects.toThrow(
      new KubeError(`list Pod in arcade: Failed to fetch resource metadata for v1/Pod: ${OVER_CAP}`),
    );
    await vi.waitFor(() => expect(endless.hungUp()).toBe(1), SETTLE);
  });

  it("a probe reading a pod's log of 65 MiB over its window: the pod, the window, the cap and the fix", async () => {
    const line = Buffer.from(`${'2026-12-03T10:00:00.000000000Z engine debug: '.padEnd(127, 'x')}\n`);
    const chunk = Buffer.concat(Array.from({ length: 512 }, () => line)); // 64 KiB of log lines
    let cutOff = 0;
    const api = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' }); // chunked: no Content-Length
      res.on('close', () => {
        if (!res.writableFinished) cutOff++;
      });
      let sent = 0;
      const pump = () => {
        for (; sent < 65 * 16; sent++) if (!res.write(chunk)) return void res.once('drain', pump);
        res.end();
      };
      pump();
    });
    const reader = await probeReader(kubeconfigFor(api.url));
    await expect(reader.log('arcade', 'engine-0', 'engine', 10 * 60, { timestamps: true })).rejects.toThrow(
      new KubeError(
        'log of pod arcade/engine-0: its last 10 min is larger than 64 MiB, the most read from one answer ' +
          "(fix: lower logWindowMinutes for this target, so that a window's log stays under 64 MiB)",
      ),
    );
    expect(api.seen).toHaveLength(1);
    await vi.waitFor(() => expect(cutOff).toBe(1), SETTLE);
  });

  it('a Content-Length over 64 MiB is refused before the body is read', async () => {
    let closed = 0;
    const api = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(200 * 1024 * 1024) });
      res.write('{"kind":');
      res.on('close', () => closed++);
    });
    const err = await (await drift(kubeconfigFor(api.url))).list('v1', 'Pod', 'arcade', '').catch((e: unknown) => e);
    expect((err as Error).message).toBe(
      "list Pod in arcade: Failed to fetch resource metadata for v1/Pod: the answer's body is larger than 64 MiB " +
        '(Content-Length 209715200), the most read from it: not the API asked for, or a broken or hostile server',
    );
    expect(api.seen).toHaveLength(1);
    await vi.waitFor(() => expect(closed).toBe(1), SETTLE);
  });
});

describe('a 2xx answer the client cannot parse is refused by its Content-Type, printably, not retried', () => {
  // Before: client-node's "The mediaType application/<raw CSI>2j/x+json is not supported" reached the
  // terminal raw, and drift retried it (no status: taken for the network).
  const hostileType = 'application/\u009b2J/x+json';
  // Text is taken only where a pod's log was asked for (test/kube/text-answers.test.ts).
  const refusedType = (asked: string) =>
    `the API server answered HTTP 200 with Content-Type "application/\\u009b2J/x+json", ${asked}: ` +
    "not the Kubernetes API, or a broken or hostile server, or a proxy's login page (fix: point the kubeconfig's " +
    "server at the cluster's API server)";
  const typed = (type: string | undefined) =>
    server((_req, res) => {
      res.writeHead(200, type === undefined ? {} : { 'content-type': type });
      res.end('{"kind":"APIResourceList","groupVersion":"v1","resources":[]}');
    });

  it('drift: the exact refusal, once', async () => {
    const api = await typed(hostileType);
    const err = await (await drift(kubeconfigFor(api.url))).list('v1', 'Pod', 'arcade', '').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterError);
    expect((err as Error).message).toBe(
      `list Pod in arcade: Failed to fetch resource metadata for v1/Pod: ${refusedType('not JSON')}`,
    );
    expect(api.seen).toEqual([`GET /api/v1 Bearer ${TOKEN}`]);
  });

  it('drift: an answer with no Content-Type, once', async () => {
    const api = await typed(undefined);
    const err = await (await drift(kubeconfigFor(api.url))).list('v1', 'Pod', 'arcade', '').catch((e: unknown) => e);
    expect((err as Error).message).toBe(
      'list Pod in arcade: Failed to fetch resource metadata for v1/Pod: the API server answered HTTP 200 with no ' +
        "Content-Type: not the Kubernetes API, or a broken or hostile server, or a proxy's login page " +
        "(fix: point the kubeconfig's server at the cluster's API server)",
    );
    expect(api.seen).toHaveLength(1);
  });

  it("a probe reading a pod's log: the exact refusal", async () => {
    const api = await typed(hostileType);
    const err = await (await probeReader(kubeconfigFor(api.url)))
      .log('arcade', 'engine-0', 'engine', 60)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeError);
    expect((err as Error).message).toBe(`log of pod arcade/engine-0: ${refusedType('neither JSON nor text')}`);
    expect(api.seen).toHaveLength(1);
  });
});

describe("a body of JSON's type that is not JSON is refused by the HTTP layer, quoted printably, once", () => {
  // Before, the client's JSON.parse error quoted the start of the body raw (an escape sequence), and
  // drift told its SyntaxError apart from a network failure.
  const notJson = () =>
    server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('\u001b[2J\u009b31m owned');
    });
  const refused =
    'list Pod in arcade: Failed to fetch resource metadata for v1/Pod: the API server answered HTTP 200 with ' +
    'Content-Type "application/json" but a body that is not JSON (it starts "\\u001b[2J\\u009b31m owned"): not the ' +
    "Kubernetes API, or a broken or hostile server, or a proxy's login page (fix: point the kubeconfig's server at " +
    "the cluster's API server)";

  it('drift: once (an answer not JSON is the same again)', async () => {
    const api = await notJson();
    const err = await (await drift(kubeconfigFor(api.url))).list('v1', 'Pod', 'arcade', '').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClusterError);
    expect((err as Error).message).toBe(refused);
    expect(api.seen).toHaveLength(1);
  });

  it('a probe', async () => {
    const api = await notJson();
    const err = await (await probeReader(kubeconfigFor(api.url))).list('v1', 'Pod', 'arcade').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeError);
    expect((err as Error).message).toBe(refused);
    expect(api.seen).toHaveLength(1);
  });
});

describe("drift's deadline closes the request it ends", () => {
  it('a server dripping a byte every 100 ms: every attempt times out, and every connection is closed', async () => {
    let open = 0;
    let answered = 0;
    const { server: dripping, url } = await listenLoopback((_req, res) => {
      answered++;
      res.writeHead(200, { 'content-type': 'application/json' });
      const drip = setInterval(() => res.write(' '), 100);
      res.on('close', () => clearInterval(drip));
    });
    dripping.on('connection', (socket) => {
      open++;
      socket.on('close', () => open--);
    });
    cleanups.push(() => {
      dripping.closeAllConnections();
      return new Promise<void>((r) => dripping.close(() => r()));
    });
    const cluster = await connect({ kubeconfig: kubeconfigFor(url), timeoutMs: 300, attempts: 3, backoffMs: 0 });
    await expect(cluster.list('v1', 'Pod', 'arcade', 'app=engine')).rejects.toThrow(
      new ClusterError('list Pod in arcade: timed out after 0.3s (after 3 attempts)'),
    );
    expect(answered).toBe(3);
    await vi.waitFor(() => expect(open).toBe(0), SETTLE);
  });
});
