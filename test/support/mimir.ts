/**
 * A stand-in of Grafana Mimir's Prometheus query API on loopback: `GET /prometheus/api/v1/query`
 * requires `X-Scope-OrgID` (401 `no org id` without it, as Mimir answers), returns the series
 * configured for that tenant (none for any other tenant) and can be told to fail (status code,
 * malformed body, delay).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Series {
  readonly metric: Record<string, string>;
  readonly value: readonly [number, string];
}

export interface MimirState {
  /** Series returned for the tenant. */
  series: Series[];
  /** Answer every query with this status and a Mimir-style error. @default none */
  failStatus?: number | undefined;
  /** Answer 200 with a body that is not JSON. @default false */
  malformed?: boolean;
  /** @default 0 */
  delayMs?: number;
}

export interface MimirStandIn {
  /** The base to configure as `mimir.queryUrl` (`<url>/prometheus`). */
  readonly queryUrl: string;
  readonly tenant: string;
  readonly state: MimirState;
  readonly requests: { path: string; orgId: string | undefined }[];
  close(): Promise<void>;
}

/** One series the way the engine's metrics appear through the collector's remote write. */
export function engineSeries(): Series {
  return { metric: { service_name: 'arcade_engine' }, value: [Date.now() / 1000, '2'] };
}

export async function startMimir(tenant: string, state: Partial<MimirState> = {}): Promise<MimirStandIn> {
  const current: MimirState = { series: [engineSeries()], ...state };
  const requests: { path: string; orgId: string | undefined }[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://mimir');
    const orgId = typeof req.headers['x-scope-orgid'] === 'string' ? req.headers['x-scope-orgid'] : undefined;
    requests.push({ path: `${url.pathname}${url.search}`, orgId });
    const answer = () => {
      if (url.pathname !== '/prometheus/api/v1/query') {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('404 page not found');
        return;
      }
      if (!orgId) {
        res.writeHead(401, { 'content-type': 'text/plain' });
        res.end('no org id');
        return;
      }
      if (current.failStatus) {
        res.writeHead(current.failStatus, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'error', errorType: 'internal', error: 'err-mimir-stand-in: injected failure' }));
        return;
      }
      if (current.malformed) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"status":"success","data":');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: orgId === tenant ? current.series : [] } }));
    };
    if (current.delayMs) setTimeout(answer, current.delayMs);
    else answer();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    queryUrl: `${base}/prometheus`,
    tenant,
    state: current,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
