/**
 * The loopback stand-ins never end a connection on a timer of their own (src/loopback/listen.ts).
 *
 * Reproduces the cause of the CI flake in test/probes/cli-mcp.test.ts deterministically: Node's
 * HTTP server closes a keep-alive connection left idle for `keepAliveTimeout` (5 s by default),
 * and on a starved machine the probe client (same process, same event loop) could send its next
 * request on that connection as it was being closed: `fetch failed: read ECONNRESET`, and
 * gateway.exec-proof and gateway.latency turned `error`.
 *
 * A Node server with an idle timer says so in every keep-alive answer (`Keep-Alive: timeout=<s>`,
 * whole seconds, rounded down); one without (`keepAliveTimeout = 0`) sends no such header. Here a
 * client leaves its connection idle for one second longer than the server announced (one second
 * when it announced nothing) and then sends the next request: it must go out on the same
 * connection. A stand-in back on Node's default announces `timeout=5`, is left idle 6 s, has
 * closed the connection by then whatever the machine's speed (the client's wait is armed after
 * the server's timer and is longer), and the test fails; with the loopback server it never closes,
 * and one second of idle proves it. The same procedure against a server the test gives a short
 * idle timer of its own sees that connection closed: it detects a server's timer.
 */
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../../src/loopback/platform.js';

/** Margin past the announced idle timeout (the header rounds down to whole seconds). */
const MARGIN_MS = 1_000;

interface Answer {
  readonly status: number | undefined;
  /** The request went out on a connection used before. */
  readonly reused: boolean;
  /** The idle timeout the server announced (`Keep-Alive: timeout=<s>`), in ms. */
  readonly announcedMs: number | undefined;
}

/** GETs `url` through `agent`. */
function get(agent: Agent, url: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      res.resume();
      const timeout = /timeout=(\d+)/.exec(String(res.headers['keep-alive'] ?? ''))?.[1];
      res.on('end', () =>
        resolve({
          status: res.statusCode,
          reused: req.reusedSocket,
          announcedMs: timeout === undefined ? undefined : Number(timeout) * 1000,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Two GETs on one kept-alive connection, idle in between for longer than the server's announced
 * idle timeout: whether the second went out on the first one's connection, or the server ended it
 * (a new connection, or a reset when the request raced the close).
 */
async function idleThenAgain(url: string): Promise<{ answered: boolean; reused: boolean; idleMs: number }> {
  // One connection, kept alive by the client: no client-side idle timeout.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const first = await get(agent, url);
    const idleMs = (first.announcedMs ?? 0) + MARGIN_MS;
    await new Promise((resolve) => setTimeout(resolve, idleMs));
    const second = await get(agent, url).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') return { status: undefined, reused: false };
      throw err;
    });
    return { answered: first.status !== undefined && second.status !== undefined, reused: second.reused, idleMs };
  } finally {
    agent.destroy();
  }
}

let platform: Platform;
beforeAll(async () => {
  platform = await startPlatform();
});
afterAll(async () => {
  await platform.close();
});

describe('the loopback stand-ins keep an idle connection open until they close', () => {
  it('the API host, the reference server, another Arcade host, the Kubernetes API and Mimir', async () => {
    const { arcade, kube, mimir } = platform;
    const urls = {
      api: `${arcade.apiUrl}/v1/health`,
      reference: arcade.referenceServerUrl,
      coordinator: arcade.coordinatorUrl,
      kube: `${kube.url}/api/v1/namespaces/arcade/pods`,
      mimir: `${mimir.queryUrl}/api/v1/query?query=up`,
    };
    // A server with an idle timer of its own (set short by this test): the same procedure sees it end the connection.
    const timed = createServer((_req, res) => res.end('ok'));
    timed.keepAliveTimeout = 200;
    await new Promise<void>((resolve) => timed.listen(0, '127.0.0.1', resolve));
    try {
      const control = idleThenAgain(`http://127.0.0.1:${(timed.address() as AddressInfo).port}/`);
      const results = await Promise.all(
        Object.entries(urls).map(async ([name, url]) => {
          const { answered, reused } = await idleThenAgain(url);
          return { name, answered, reused };
        }),
      );
      expect(results).toEqual(Object.keys(urls).map((name) => ({ name, answered: true, reused: true })));
      expect(await control).toMatchObject({ reused: false, idleMs: MARGIN_MS });
    } finally {
      timed.closeAllConnections();
      await new Promise((resolve) => timed.close(resolve));
    }
  });
});
