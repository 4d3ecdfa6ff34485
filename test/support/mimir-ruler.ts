/**
 * A loopback stand-in for Grafana Mimir's ruler configuration API, answering as Mimir documents and
 * implements it (grafana/mimir `docs/sources/mimir/references/http-api/index.md` "Ruler";
 * `pkg/ruler/api.go` `ListRules`, `CreateRuleGroup`, `DeleteRuleGroup`), under the default
 * Prometheus prefix `/prometheus`:
 *
 * - every request needs `X-Scope-OrgID` (401 `no org id`, as Mimir's auth middleware), and, when
 *   the stand-in is given a token, `Authorization: Bearer <token>` (401 otherwise, as an
 *   authenticating proxy in front of Mimir would);
 * - `GET /prometheus/config/v1/rules[/{namespace}]`: 200 `application/yaml`, a map namespace →
 *   groups, `{}` when there are none;
 * - `POST /prometheus/config/v1/rules/{namespace}`: one group as YAML, `Content-Type:
 *   application/yaml` (documented as expected; 400 otherwise here, to hold the client to it);
 *   the group is validated as rulefmt does for what the stack uses (a name; each rule one of
 *   `alert`/`record` and an `expr`), 400 with the reason, else stored (replacing a group of that
 *   name) and 202;
 * - `DELETE /prometheus/config/v1/rules/{namespace}/{groupName}`: 202, or 404 `group does not exist`;
 * - path segments percent-decoded (the documented escaping);
 * - `GET /prometheus/api/v1/rules`: the Prometheus-compatible list of loaded groups
 *   (`{"status":"success","data":{"groups":[{"name","file","rules":[...]}]}}`, `file` = the namespace).
 *
 * Every request is recorded (method, path, tenant, content type, whether a token came) so tests
 * assert exactly what the client sent.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse, stringify } from 'yaml';

export interface RulerRequest {
  readonly method: string;
  readonly path: string;
  readonly tenant: string | undefined;
  readonly contentType: string | undefined;
  readonly authorization: string | undefined;
}

type Group = { name: string; interval?: string; rules: Record<string, unknown>[] };

export interface MimirRulerStandIn {
  /** Mimir's Prometheus API base (`<url>/prometheus`): the environment's ruler URL. */
  readonly url: string;
  readonly requests: RulerRequest[];
  /** tenant → namespace → groups (in the order they were set). */
  readonly store: Map<string, Map<string, Group[]>>;
  close(): Promise<void>;
}

const PREFIX = '/prometheus/config/v1/rules';

function reply(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += (chunk as Buffer).toString();
  return text;
}

/** rulefmt's checks for the fields the stack uses. */
function invalid(group: unknown): string | undefined {
  if (typeof group !== 'object' || group === null || Array.isArray(group))
    return 'invalid rules configuration: not a group';
  const g = group as Partial<Group>;
  if (!g.name) return 'invalid rules configuration: rule group name must not be empty';
  if (!Array.isArray(g.rules)) return 'invalid rules configuration: rules must be a list';
  for (const [i, rule] of g.rules.entries()) {
    const hasAlert = typeof rule.alert === 'string' && rule.alert !== '';
    const hasRecord = typeof rule.record === 'string' && rule.record !== '';
    if (hasAlert === hasRecord) return `group "${g.name}", rule ${i + 1}: one of 'record' or 'alert' must be set`;
    if (typeof rule.expr !== 'string' || rule.expr === '')
      return `group "${g.name}", rule ${i + 1}: field 'expr' must be set in rule`;
  }
  return undefined;
}

export async function startMimirRuler(options: { readonly token?: string } = {}): Promise<MimirRulerStandIn> {
  const requests: RulerRequest[] = [];
  const store = new Map<string, Map<string, Group[]>>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://ruler');
    const tenant = req.headers['x-scope-orgid'];
    const authorization = req.headers.authorization;
    requests.push({
      method: req.method ?? '',
      path: url.pathname,
      tenant: typeof tenant === 'string' ? tenant : undefined,
      contentType: req.headers['content-type'],
      authorization,
    });
    if (options.token !== undefined && authorization !== `Bearer ${options.token}`)
      return reply(res, 401, 'unauthorized');
    if (typeof tenant !== 'string' || tenant === '') return reply(res, 401, 'no org id');
    const namespaces = store.get(tenant) ?? new Map<string, Group[]>();
    store.set(tenant, namespaces);

    if (url.pathname === '/prometheus/api/v1/rules' && req.method === 'GET') {
      const groups = [...namespaces.entries()].flatMap(([file, gs]) =>
        gs.map((g) => ({
          name: g.name,
          file,
          interval: 60,
          rules: g.rules.map((r) => ({
            name: r.alert ?? r.record,
            query: r.expr,
            type: r.alert ? 'alerting' : 'recording',
            health: 'ok',
          })),
        })),
      );
      return reply(res, 200, JSON.stringify({ status: 'success', data: { groups } }), 'application/json');
    }
    if (url.pathname !== PREFIX && !url.pathname.startsWith(`${PREFIX}/`)) return reply(res, 404, '404 page not found');
    const parts = url.pathname
      .slice(PREFIX.length + 1)
      .split('/')
      .filter(Boolean)
      .map(decodeURIComponent);
    const [namespace, groupName] = parts;

    if (req.method === 'GET' && parts.length <= 1) {
      const picked =
        namespace === undefined ? [...namespaces.entries()] : [[namespace, namespaces.get(namespace) ?? []] as const];
      const map = Object.fromEntries(picked.filter(([, gs]) => gs.length > 0));
      return reply(res, 200, stringify(map), 'application/yaml');
    }
    if (req.method === 'POST' && parts.length === 1 && namespace) {
      if (!String(req.headers['content-type'] ?? '').startsWith('application/yaml'))
        return reply(res, 400, 'expected Content-Type: application/yaml');
      void bodyOf(req).then((text) => {
        let group: unknown;
        try {
          group = parse(text);
        } catch {
          return reply(res, 400, 'unable to decode rule group');
        }
        const problem = invalid(group);
        if (problem) return reply(res, 400, problem);
        const g = group as Group;
        const list = (namespaces.get(namespace) ?? []).filter((x) => x.name !== g.name);
        namespaces.set(namespace, [...list, g]);
        return reply(res, 202, '{"status":"success","data":null,"errorType":"","error":""}', 'application/json');
      });
      return;
    }
    if (req.method === 'DELETE' && parts.length === 2 && namespace && groupName) {
      const list = namespaces.get(namespace) ?? [];
      if (!list.some((g) => g.name === groupName)) return reply(res, 404, 'group does not exist');
      namespaces.set(
        namespace,
        list.filter((g) => g.name !== groupName),
      );
      return reply(res, 202, '{"status":"success","data":null,"errorType":"","error":""}', 'application/json');
    }
    return reply(res, 405, 'method not allowed');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prometheus`;
  return {
    url,
    requests,
    store,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
