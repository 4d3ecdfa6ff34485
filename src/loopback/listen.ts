/**
 * The HTTP server every loopback stand-in listens with (the tests' and `npm run probe -- --demo`'s):
 * 127.0.0.1, a free port, and no timer of its own that ends a connection. Only the stand-in's
 * `close()` ends connections.
 *
 * Why: Node's HTTP server closes a keep-alive connection after 5 s without a request
 * (`keepAliveTimeout`), by a timer in the process that also runs the probe client (the same
 * event loop). The client (undici, under `fetch` and the MCP SDK) drops an idle connection on a
 * coarser timer of its own, one second earlier in theory; on a starved machine the two timers run
 * late and in either order, and a request the client sends on a connection the server has just
 * closed is answered with a reset (`fetch failed: read ECONNRESET`), which is never retried (a
 * POST). CI saw exactly that: under load, gateway.exec-proof's Echo call and gateway.latency's
 * calls became `error` in five probe runs at once (test/probes/cli-mcp.test.ts; the demo runs the
 * same way). A real gateway is another process whose idle timeout is far longer than a probe's
 * pauses; the stand-in's was a wall-clock race lost on a slow machine. The header and request
 * timeouts (60 s and 300 s by default) are switched off too: a stand-in that should not answer
 * holds the request, it never relies on a server-side timer. Tested in
 * test/probes/stand-in-connections.test.ts.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Loopback {
  readonly server: Server;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
}

/** Starts `handler` on 127.0.0.1 at a free port, with every server-side connection timer off. */
export async function listenLoopback(handler: RequestListener): Promise<Loopback> {
  const server = createServer({ requestTimeout: 0, headersTimeout: 0 }, handler);
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
