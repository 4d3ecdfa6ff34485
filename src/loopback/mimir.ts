/**
 * A stand-in of Grafana Mimir's Prometheus query API on loopback, for the probe runs and
 * `--demo` (which must work without a Prometheus binary): `GET /prometheus/api/v1/query`
 * requires `X-Scope-OrgID` (401 `no org id` without it, as Mimir answers), and answers from the
 * series stored for that tenant (none for any other tenant). It can be told to fail (status code,
 * malformed body, delay).
 *
 * It evaluates one query form only, the one `otel.metrics-in-mimir` sends:
 * `count by (<label>) ({<label>="<value>", ...})`; anything else is a 400 `bad_data`, so a probe
 * changed to another query cannot pass against it by accident. Its answers for that form are
 * checked against the real Prometheus, fed the same series through remote write, in
 * test/probes/mimir-prometheus.test.ts: the stand-in cannot drift from what Mimir answers.
 *
 * `GET /prometheus/api/v1/rules` lists the rule groups the tenant's ruler has loaded
 * (`ruleGroups`), in the Prometheus-compatible shape Mimir answers (`{"status":"success","data":
 * {"groups":[{"name","file","rules":[{"name","type",...}]}]}}`, `file` the ruler namespace; the
 * same shape as test/support/mimir-ruler.ts, which `npm run rules` is tested against), for
 * `alerts.rules-loaded`; the same tenant rule as the query, not its injected failures (the ruler is
 * a component of its own).
 */
import { listenLoopback } from './listen.js';
import { at as nth } from '../core/at.js';

/** One series: its labels (`__name__` included) and one float sample. */
export interface PromSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface MimirState {
  /** The series stored for the tenant (as the collector's remote write and the agent left them). */
  series: PromSeries[];
  /** Answer every query with this status and a Mimir-style error. @default none */
  failStatus?: number | undefined;
  /** Answer 200 with a body that is not JSON. @default false */
  malformed?: boolean;
  /** @default 0 */
  delayMs?: number;
  /** The rule groups the tenant's ruler has loaded: ruler namespace, group name, its alerts. @default none */
  ruleGroups?: { readonly file: string; readonly name: string; readonly alerts: readonly string[] }[];
}

export interface MimirStandIn {
  /** The base to configure as `mimir.queryUrl` (`<url>/prometheus`). */
  readonly queryUrl: string;
  readonly tenant: string;
  readonly state: MimirState;
  readonly requests: { path: string; orgId: string | undefined }[];
  close(): Promise<void>;
}

/** One vector element of a query answer. */
export interface VectorSample {
  readonly metric: Record<string, string>;
  readonly value: readonly [number, string];
}

const COUNT_BY = /^count by \(([a-zA-Z_][a-zA-Z0-9_]*)\) \(\{(.*)\}\)$/;
const MATCHER = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*("(?:[^"\\]|\\.)*")\s*(,|$)/y;

/** The `{name="value", ...}` equality matchers of a selector, or undefined when it is not that. */
function parseMatchers(text: string): [string, string][] | undefined {
  const matchers: [string, string][] = [];
  MATCHER.lastIndex = 0;
  while (MATCHER.lastIndex < text.length) {
    const m = MATCHER.exec(text);
    if (!m) return undefined;
    matchers.push([nth(m, 1, 'label name'), JSON.parse(nth(m, 2, 'label value')) as string]);
    if (m[3] === '') break;
  }
  return matchers.length > 0 ? matchers : undefined;
}

/**
 * The answer Prometheus gives to `count by (<label>) ({matchers})` over these series, at time
 * `at` (seconds): one element per distinct value of the label (absent label: `{}`), value the
 * series count. Undefined when the query is not of that form.
 */
export function evaluateCountBy(query: string, series: readonly PromSeries[], at: number): VectorSample[] | undefined {
  const m = COUNT_BY.exec(query.trim());
  const matchers = m ? parseMatchers(nth(m, 2, 'matchers')) : undefined;
  if (!m || !matchers) return undefined;
  const by = nth(m, 1, 'by label');
  const counts = new Map<string | undefined, number>();
  for (const s of series) {
    if (!matchers.every(([name, value]) => (s.labels[name] ?? '') === value)) continue;
    const key = s.labels[by] === '' ? undefined : s.labels[by];
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, n]) => ({
    metric: key === undefined ? {} : { [by]: key },
    value: [at, String(n)] as const,
  }));
}

export async function startMimir(tenant: string, state: Partial<MimirState> = {}): Promise<MimirStandIn> {
  const current: MimirState = { series: [], ...state };
  const requests: { path: string; orgId: string | undefined }[] = [];
  const { server, url: base } = await listenLoopback((req, res) => {
    const url = new URL(req.url ?? '/', 'http://mimir');
    const orgId =
      typeof req.headers['x-scope-orgid'] === 'string' && req.headers['x-scope-orgid'] !== ''
        ? req.headers['x-scope-orgid']
        : undefined;
    requests.push({ path: `${url.pathname}${url.search}`, orgId });
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const answer = () => {
      const rules = url.pathname === '/prometheus/api/v1/rules';
      if (url.pathname !== '/prometheus/api/v1/query' && !rules) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('404 page not found');
        return;
      }
      if (!orgId) {
        res.writeHead(401, { 'content-type': 'text/plain' });
        res.end('no org id');
        return;
      }
      // The ruler is its own Mimir component: the query's injected failures are not its.
      if (rules) {
        const groups = (orgId === tenant ? (current.ruleGroups ?? []) : []).map((g) => ({
          name: g.name,
          file: g.file,
          interval: 60,
          rules: g.alerts.map((name) => ({ name, type: 'alerting', health: 'ok', state: 'inactive' })),
        }));
        json(200, { status: 'success', data: { groups } });
        return;
      }
      if (current.failStatus) {
        json(current.failStatus, {
          status: 'error',
          errorType: 'internal',
          error: 'err-mimir-stand-in: injected failure',
        });
        return;
      }
      if (current.malformed) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"status":"success","data":');
        return;
      }
      const query = url.searchParams.get('query') ?? '';
      const result = evaluateCountBy(query, orgId === tenant ? current.series : [], Date.now() / 1000);
      if (!result) {
        json(400, {
          status: 'error',
          errorType: 'bad_data',
          error: `the Mimir stand-in evaluates only count by (<label>) ({<label>="<value>", ...}), not: ${query}`,
        });
        return;
      }
      json(200, { status: 'success', data: { resultType: 'vector', result } });
    };
    if (current.delayMs) setTimeout(answer, current.delayMs);
    else answer();
  });
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
