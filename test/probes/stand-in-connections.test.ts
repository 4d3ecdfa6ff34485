/**
 * The loopback stand-ins never end a connection on a timer of their own (src/loopback/listen.ts).
 *
 * Reproduces the cause of the CI flake in test/probes/cli-mcp.test.ts deterministically: Node's
 * HTTP server closes a keep-alive connection left idle for `keepAliveTimeout` (5 s by default),
 * and on a starved machine the probe client (same process, same event loop) could send its next
 * request on that connection as it was being closed: `fetch failed: read ECONNRESET`, and
 * gateway.exec-proof and gateway.latency turned `error`. Here a client leaves its connection
 * idle for longer than Node's default timeout (read from Node, not guessed) and then sends the
 * next request: it must go out on the same connection. With Node's default the server has
 * closed it by then, whatever the machine's speed (the client's wait is armed after the
 * server's timer and is longer), so the test fails; with the loopback server it never closes.
 */
import { Agent, request, Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlatform, type Platform } from '../../src/loopback/platform.js';

/** Node's own default idle timeout of a keep-alive connection, plus a margin. */
const IDLE_MS = new Server().keepAliveTimeout + 1_000;

/** GETs `url` through `agent`; resolves with whether the request went out on a connection used before. */
function get(agent: Agent, url: string): Promise<{ status: number | undefined; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, reused: req.reusedSocket }));
    });
    req.on('error', reject);
    req.end();
  });
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
    const results = await Promise.all(
      Object.entries(urls).map(async ([name, url]) => {
        // One connection per stand-in, kept alive by the client: no client-side idle timeout.
        const agent = new Agent({ keepAlive: true, maxSockets: 1 });
        try {
          const first = await get(agent, url);
          await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
          const second = await get(agent, url);
          return { name, answered: first.status !== undefined && second.status !== undefined, reused: second.reused };
        } finally {
          agent.destroy();
        }
      }),
    );
    expect(results).toEqual(Object.keys(urls).map((name) => ({ name, answered: true, reused: true })));
  });
});
