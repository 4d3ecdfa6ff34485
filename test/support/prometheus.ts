/**
 * Mimir on a real Prometheus, for tests that must hold against the real query engine (the
 * `otel.metrics-in-mimir` probe now; dashboard and alert queries later): Debian's `prometheus`
 * binary started on loopback with `--web.enable-remote-write-receiver` and a temporary TSDB, behind
 * a loopback proxy that speaks Mimir's paths and its tenant rule:
 *
 * - `POST /api/v1/push` (Mimir's remote-write path) goes to Prometheus' `/api/v1/write`;
 * - `/prometheus/api/v1/...` (Mimir's Prometheus API prefix) goes to Prometheus' `/api/v1/...`;
 * - both need `X-Scope-OrgID`: without it the proxy answers 401 `no org id`, as Mimir does;
 * - each tenant gets its own Prometheus (started on first use), so one tenant never sees
 *   another's series, as in Mimir;
 * - any other path is 404.
 *
 * Feed it with ./remote-write.ts (the real protocol) and series shaped by ./otel-series.ts.
 * `findPrometheus()` says why it cannot run (binary absent or too old): tests `skipIf` on that and
 * print the reason. .ci/run installs the Debian package.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { stringify } from 'yaml';
import { listenLoopback } from '../../src/loopback/listen.js';
import { TEST_TIMEOUT_MS } from './deadlines.js';
import type { PromSeries } from '../../src/loopback/mimir.js';
import { pushSeries, type PushAnswer } from './remote-write.js';

/** The receiver flag exists since Prometheus 2.33 (before: a feature flag). */
const MIN_VERSION: readonly [number, number] = [2, 33];
/** Tenants one harness serves at most (each is a Prometheus process). */
const MAX_TENANTS = 4;

export type PrometheusLookup = { readonly path: string; readonly version: string } | { readonly missing: string };

/**
 * A binary of Debian's `prometheus` package (`prometheus`, `promtool`) on PATH (or /usr/bin, where
 * Debian puts them), or why there is none. `envVar` names another binary (or a missing one, to see
 * the skip).
 */
export function findPackageBinary(
  name: string,
  envVar: string,
): { readonly path: string } | { readonly missing: string } {
  const chosen = process.env[envVar];
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin'];
  const candidates = chosen ? [chosen] : dirs.map((d) => join(d, name));
  const path = candidates.find((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  if (path) return { path };
  return {
    missing: chosen
      ? `${envVar}=${chosen} is not an executable file`
      : `no ${name} binary on PATH (Debian's prometheus package has it: apt-get install prometheus; .ci/run installs it)`,
  };
}

/**
 * The `prometheus` binary and its version, or why there is none usable. `PROMETHEUS_BIN` names
 * another binary (or a missing one, to see the skip).
 */
export function findPrometheus(): PrometheusLookup {
  const found = findPackageBinary('prometheus', 'PROMETHEUS_BIN');
  if ('missing' in found) return found;
  const { path } = found;
  const run = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  const version = /prometheus, version (\d+)\.(\d+)\.(\d+)/.exec(`${run.stdout}${run.stderr}`);
  if (!version) return { missing: `${path} --version did not print a Prometheus version (exit ${run.status})` };
  const [major, minor] = [Number(version[1]), Number(version[2])];
  if (major < MIN_VERSION[0] || (major === MIN_VERSION[0] && minor < MIN_VERSION[1])) {
    return {
      missing: `${path} is Prometheus ${version[1]}.${version[2]}.${version[3]}; the remote-write receiver flag needs ${MIN_VERSION.join('.')}+`,
    };
  }
  return { path, version: `${version[1]}.${version[2]}.${version[3]}` };
}

interface PrometheusProcess {
  readonly base: string;
  stop(): Promise<void>;
}

/** Every process this module started, stopped if the test process exits without close(). */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Where a Prometheus started on port 0 listens: its web server logs the bound address at info level
 * (`msg="Listening on" address=127.0.0.1:38683`, logfmt, 2.x and 3.x alike).
 */
const LISTENING = /msg="Listening on" address=(127\.0\.0\.1:\d+)/;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts one Prometheus on loopback with a temporary TSDB; resolves when `/-/ready` answers 200.
 * Prometheus binds port 0 itself and its log says which port it got: a port chosen here and closed
 * before Prometheus binds it could be handed to another stand-in in between (every stand-in of the
 * suite listens on port 0), and Prometheus would fail to start or a stranger would answer for it.
 */
async function startPrometheus(binary: string): Promise<PrometheusProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'arcade-prometheus-'));
  // No scrape jobs: everything arrives through remote write.
  writeFileSync(join(dir, 'prometheus.yml'), stringify({ global: { scrape_interval: '1m' } }));
  const child = spawn(
    binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      '--web.listen-address=127.0.0.1:0',
      '--web.enable-remote-write-receiver',
      // info: the line naming the bound port (LISTENING)
      '--log.level=info',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  running.add(child);
  let stderr = '';
  let base: string | undefined;
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
    const listening = base === undefined ? LISTENING.exec(stderr) : null;
    if (listening) base = `http://${listening[1]}`;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    running.delete(child);
    rmSync(dir, { recursive: true, force: true });
  };
  // Wait for readiness (start-up is a second or two; a loaded machine may take far longer), bounded
  // only as a hang guard (test/support/deadlines.ts): how fast it starts must not decide the test.
  for (const until = Date.now() + TEST_TIMEOUT_MS / 2; Date.now() < until; ) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    if (base === undefined) {
      await sleep(50); // its log has not named the port yet
      continue;
    }
    try {
      const res = await fetch(`${base}/-/ready`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return { base, stop };
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  await stop();
  throw new Error(
    `Prometheus (${binary}) did not become ready on ${base ?? 'a port it never named'}: ${stderr.trim().split('\n').slice(-5).join(' | ') || 'no output'}`,
  );
}

export interface MimirOnPrometheus {
  /** The proxy's base URL. */
  readonly url: string;
  /** Mimir's remote-write URL (`<url>/api/v1/push`): the collector's `http.endpoint`. */
  readonly pushUrl: string;
  /** Mimir's Prometheus API base (`<url>/prometheus`): the probes' `mimir.queryUrl`. */
  readonly queryUrl: string;
  /** The tenant started with the harness. */
  readonly tenant: string;
  readonly prometheusVersion: string;
  /** Pushes series through the proxy with the real remote-write protocol (`tenant: undefined` sends no header). */
  push(
    series: readonly PromSeries[],
    options?: { readonly tenant?: string | undefined; readonly timestampMs?: number },
  ): Promise<PushAnswer>;
  /**
   * An instant query through the proxy, as the probes ask it (`tenant: undefined` sends no header),
   * evaluated now or at `timeSeconds` (unix seconds: Prometheus' `time` parameter).
   */
  query(
    promql: string,
    options?: { readonly tenant?: string | undefined; readonly timeSeconds?: number },
  ): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}

/** Relays one request to `target` (method, body, the content headers), and the answer back. */
function relay(req: IncomingMessage, res: ServerResponse, target: string): void {
  const headers: Record<string, string> = {};
  for (const name of [
    'content-type',
    'content-encoding',
    'content-length',
    'accept',
    'user-agent',
    'x-prometheus-remote-write-version',
  ]) {
    const value = req.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const upstream = httpRequest(target, { method: req.method, headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'text/plain' });
    answer.pipe(res);
  });
  upstream.on('error', (err) => plain(res, 502, `proxy: Prometheus unreachable: ${err.message}`));
  req.pipe(upstream);
}

/**
 * Starts Prometheus for `tenant` and the Mimir-shaped proxy in front of it. `binary` comes from
 * `findPrometheus()`.
 */
export async function startMimirOnPrometheus(
  binary: { readonly path: string; readonly version: string },
  tenant = 'k8s-backstage-v4',
): Promise<MimirOnPrometheus> {
  const tenants = new Map<string, Promise<PrometheusProcess>>();
  const prometheusFor = (id: string) => {
    let started = tenants.get(id);
    if (!started) {
      started = startPrometheus(binary.path);
      tenants.set(id, started);
    }
    return started;
  };
  await prometheusFor(tenant);

  const { server, url } = await listenLoopback((req, res) => {
    const url = new URL(req.url ?? '/', 'http://mimir');
    const push = url.pathname === '/api/v1/push';
    const api = url.pathname.startsWith('/prometheus/api/v1/');
    if (!push && !api) return plain(res, 404, '404 page not found');
    if (push && req.method !== 'POST') return plain(res, 405, 'method not allowed');
    const orgId = req.headers['x-scope-orgid'];
    if (typeof orgId !== 'string' || orgId === '') return plain(res, 401, 'no org id');
    if (!tenants.has(orgId) && tenants.size >= MAX_TENANTS) {
      return plain(res, 400, `the test harness serves at most ${MAX_TENANTS} tenants (asked for a new one: ${orgId})`);
    }
    prometheusFor(orgId).then(
      (prom) =>
        relay(
          req,
          res,
          push ? `${prom.base}/api/v1/write` : `${prom.base}${url.pathname.slice('/prometheus'.length)}${url.search}`,
        ),
      (err: unknown) =>
        plain(res, 503, `proxy: Prometheus for tenant ${orgId} did not start: ${(err as Error).message}`),
    );
  });
  const tenantOf = (options: { readonly tenant?: string | undefined } | undefined) =>
    options && 'tenant' in options ? options.tenant : tenant;

  return {
    url,
    pushUrl: `${url}/api/v1/push`,
    queryUrl: `${url}/prometheus`,
    tenant,
    prometheusVersion: binary.version,
    push: (series, options) =>
      pushSeries(`${url}/api/v1/push`, tenantOf(options), series, options?.timestampMs ?? Date.now()),
    async query(promql, options) {
      const t = tenantOf(options);
      const at = options?.timeSeconds === undefined ? '' : `&time=${options.timeSeconds}`;
      const res = await fetch(`${url}/prometheus/api/v1/query?query=${encodeURIComponent(promql)}${at}`, {
        headers: t === undefined ? {} : { 'X-Scope-OrgID': t },
        signal: AbortSignal.timeout(10_000),
      });
      return { status: res.status, body: await res.text() };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      const started = await Promise.allSettled(tenants.values());
      await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
    },
  };
}
