/**
 * `npm run crds -- --from-cluster` against API servers that answer what a real one would not, or
 * what a real one does that the first stand-in did not (list items without apiVersion/kind): real
 * loopback servers, the reader and the command in process (src/check/crd-cluster.ts, through
 * src/kube/bounded-client.ts, the configuration drift and the probes read with). Each case is a finding of session 13's audit or of its review;
 * docs/quality-gate.md.
 */
import { readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main as crds } from '../../scripts/crds.js';
import { CrdError } from '../../src/check/crd-cache.js';
import { readClusterCrds } from '../../src/check/crd-cluster.js';
import { writeKubeconfig } from '../../src/loopback/kubeconfig.js';
import { listenLoopback } from '../../src/loopback/listen.js';
import { miniHelmReleaseCrd, tempDir, widgetCrd } from './support.js';
import { NO_PROBE_DEADLINE_MS, SETTLE } from '../support/deadlines.js';
import { startEndlessBody } from '../support/endless-body.js';
import { runMain } from '../support/run-script.js';

type Rec = Record<string, unknown>;
const TOKEN = 'loopback-bearer-token';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A loopback server answering `handler`, the requests it saw (with their credentials), and a kubeconfig for it. */
async function apiServer(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const seen: string[] = [];
  const { server, url } = await listenLoopback((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? '(no credentials)'}`);
    handler(req, res);
  });
  const kubeconfig = writeKubeconfig(url, TOKEN);
  cleanups.push(() => rmSync(dirname(kubeconfig), { recursive: true, force: true }));
  cleanups.push(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return { url, port: new URL(url).port, seen, kubeconfig };
}

function json(res: ServerResponse, body: unknown, status = 200): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

/** The message `readClusterCrds` rejects with (a CrdError). */
async function refusal(kubeconfig: string, timeoutMs = NO_PROBE_DEADLINE_MS, listTimeoutMs?: number): Promise<string> {
  const err = await readClusterCrds({ kubeconfig, timeoutMs, ...(listTimeoutMs ? { listTimeoutMs } : {}) }).catch(
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CrdError);
  return (err as Error).message;
}

describe('what a real API server answers', () => {
  it('reads list items that carry no apiVersion or kind, page by page (limit, continue)', async () => {
    const items = [miniHelmReleaseCrd(), widgetCrd()].map(({ apiVersion: _a, kind: _k, ...item }) => item);
    const api = await apiServer((req, res) => {
      const page = new URL(req.url ?? '', 'http://x').searchParams.get('continue') === 'p2' ? 1 : 0;
      json(res, {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinitionList',
        metadata: page === 0 ? { continue: 'p2', remainingItemCount: 1 } : {},
        items: [items[page]],
      });
    });
    const result = await readClusterCrds({ kubeconfig: api.kubeconfig, timeoutMs: NO_PROBE_DEADLINE_MS });
    expect(result.schemas.map((s) => `${s.group}/${s.version} ${s.kind}`)).toEqual([
      'helm.toolkit.fluxcd.io/v2 HelmRelease',
      'test.arcade-stack.dev/v1 Widget',
    ]);
    // client-node's CustomObjectsApi writes `continue` before `limit`.
    const list = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
    expect(api.seen).toEqual([
      `GET ${list}?limit=40 Bearer ${TOKEN}`,
      `GET ${list}?continue=p2&limit=40 Bearer ${TOKEN}`,
    ]);
  });

  it("asks for the API's own paths when the kubeconfig's server ends in slashes", async () => {
    const api = await apiServer((_req, res) =>
      json(res, { kind: 'CustomResourceDefinitionList', metadata: {}, items: [] }),
    );
    const kubeconfig = writeKubeconfig(`${api.url}//`, TOKEN);
    cleanups.push(() => rmSync(dirname(kubeconfig), { recursive: true, force: true }));
    await readClusterCrds({ kubeconfig, timeoutMs: NO_PROBE_DEADLINE_MS });
    expect(api.seen).toEqual([`GET /apis/apiextensions.k8s.io/v1/customresourcedefinitions?limit=40 Bearer ${TOKEN}`]);
  });

  it("hands every schema on as the server's JSON: no key renamed, dropped or added by the client's models", async () => {
    const schema = {
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
      required: ['spec'],
      properties: {
        spec: {
          type: 'object',
          default: { mode: 'fast', 'x-kubernetes-int-or-string': 'kept as data' },
          'x-kubernetes-validations': [{ rule: 'self.mode != "off"', messageExpression: '"mode " + self.mode' }],
          properties: {
            mode: { type: 'string', enum: ['fast', 'safe'], default: 'fast' },
            port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
            ref: { type: 'object', properties: { $ref: { type: 'string' }, $schema: { type: 'string' } } },
            list: {
              type: 'array',
              'x-kubernetes-list-type': 'map',
              'x-kubernetes-list-map-keys': ['name'],
              items: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
            },
            free: {
              type: 'object',
              'x-kubernetes-embedded-resource': true,
              'x-kubernetes-preserve-unknown-fields': true,
            },
            snake_case: { type: 'string', format: 'int-or-string', nullable: true, 'x-kubernetes-map-type': 'atomic' },
          },
        },
      },
    };
    const { apiVersion: _a, kind: _k, ...item } = widgetCrd();
    (((item.spec as Rec).versions as Rec[])[0] as Rec).schema = { openAPIV3Schema: schema };
    const api = await apiServer((_req, res) =>
      json(res, { kind: 'CustomResourceDefinitionList', metadata: {}, items: [item] }),
    );
    const result = await readClusterCrds({ kubeconfig: api.kubeconfig, timeoutMs: NO_PROBE_DEADLINE_MS });
    expect(result.schemas).toHaveLength(1);
    expect(JSON.stringify(result.schemas[0]?.openAPIV3Schema)).toBe(JSON.stringify(schema));
  });

  it('refuses the listing once all its answers pass the byte budget, on the page that passes it', async () => {
    let page = 0;
    let bytes = 0;
    const sizes: number[] = [];
    const api = await apiServer((_req, res) => {
      const body = JSON.stringify({
        kind: 'CustomResourceDefinitionList',
        metadata: { continue: `p${++page}` },
        items: [widgetCrd()],
      });
      sizes.push(Buffer.byteLength(body));
      bytes += Buffer.byteLength(body);
      json(res, body);
    });
    const err = await readClusterCrds({
      kubeconfig: api.kubeconfig,
      timeoutMs: NO_PROBE_DEADLINE_MS,
      maxTotalBytes: 4096,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CrdError);
    expect((err as Error).message).toBe(
      `the CustomResourceDefinitions of ${api.url} are more than 4 KiB of JSON, the most read from a cluster ` +
        '(fix: vendor the CRDs the stack uses, or give them with --from <dir|file>)',
    );
    // Every answer counted whole, once: the list stops at the first page that passes the budget.
    expect(bytes).toBeGreaterThan(4096);
    expect(bytes - (sizes.at(-1) ?? 0)).toBeLessThanOrEqual(4096);
  });

  it('refuses a list that never ends (a new continue token on every page) after 500 pages, cut short never used', async () => {
    let page = 0;
    const api = await apiServer((_req, res) =>
      json(res, { kind: 'CustomResourceDefinitionList', metadata: { continue: `p${++page}` }, items: [widgetCrd()] }),
    );
    expect(await refusal(api.kubeconfig)).toBe(
      `listing CustomResourceDefinitions on ${api.url} failed: the list of CustomResourceDefinitions: still more ` +
        'pages after 500 (500 items read); refusing a list cut short (fix: give the CRDs with --from <dir|file> ' +
        'instead (kubectl get crd -o yaml > crds.yaml))',
    );
    expect(api.seen).toHaveLength(500);
  });

  // Each page's continue token, by the token it was asked with ('' for the first page).
  const loops: [string, Record<string, string>, number, number][] = [
    ['the same token again', { '': 'a1', a1: 'a1' }, 2, 2],
    ['the first token again (a proxy that drops continue)', { '': 'a1', a1: 'a2', a2: 'a1' }, 3, 2],
  ];
  for (const [what, next, page, again] of loops) {
    it(`refuses a continue token the list was already asked with at once, naming the broken server: ${what}`, async () => {
      const api = await apiServer((req, res) => {
        const token = new URL(req.url ?? '', 'http://x').searchParams.get('continue') ?? '';
        json(res, { kind: 'CustomResourceDefinitionList', metadata: { continue: next[token] }, items: [widgetCrd()] });
      });
      expect(await refusal(api.kubeconfig)).toBe(
        `listing CustomResourceDefinitions on ${api.url} failed: the list of CustomResourceDefinitions: page ${page} ` +
          `names the next page "a1", the token page ${again} was asked with: the server repeats itself and would ` +
          'page forever (fix: a broken server, or a proxy in front of it that drops the token: read the server ' +
          'directly, or have it mended; or give the CRDs with --from <dir|file> instead (kubectl get crd -o yaml > ' +
          'crds.yaml))',
      );
      expect(api.seen).toHaveLength(page);
    });
  }

  it("gives the whole listing one deadline besides each page's: a page held past it ends the list and its connection", async () => {
    let open = 0;
    const api = await apiServer((req, res) => {
      if (!req.url?.includes('continue=')) {
        json(res, { kind: 'CustomResourceDefinitionList', metadata: { continue: 'p2' }, items: [widgetCrd()] });
        return;
      }
      open++; // never answered: only the list's deadline can end it (each page's is the test's own)
      res.on('close', () => open--);
    });
    expect(await refusal(api.kubeconfig, NO_PROBE_DEADLINE_MS, 200)).toMatch(
      new RegExp(
        `^listing CustomResourceDefinitions on ${api.url} failed: the whole list was not read within 0\\.2s, the most ` +
          'given to it \\(pages read: [01]\\): a link slower than 1 MiB/s, or a server that keeps paging \\(fix: give ' +
          'the CRDs with --from <dir\\|file> instead \\(kubectl get crd -o yaml > crds\\.yaml\\)\\)$',
      ),
    );
    await vi.waitFor(() => expect(open).toBe(0), SETTLE);
  });
});

describe('hostile answers', () => {
  it('never follows a redirect: the bearer token is not sent to another port of the same host, nothing is read there', async () => {
    const other = await apiServer((_req, res) =>
      json(res, { kind: 'CustomResourceDefinitionList', metadata: {}, items: [widgetCrd()] }),
    );
    const api = await apiServer((req, res) => {
      res.writeHead(302, { location: `http://127.0.0.1:${other.port}${req.url}` }).end();
    });
    const cache = join(tempDir(), 'cache');
    const r = await runMain(crds, ['--from-cluster', '--kubeconfig', api.kubeconfig, '--cache', cache]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `crds: listing CustomResourceDefinitions on ${api.url} failed: the API server answered HTTP 302, a redirect to ` +
        `http://127.0.0.1:${other.port}/apis/apiextensions.k8s.io/v1/customresourcedefinitions?limit=40: not followed, ` +
        "since the kubeconfig's credentials would go with it (fix: point the kubeconfig's server at the API server's " +
        `own address); nothing was stored in ${cache}\n`,
    );
    expect(other.seen).toEqual([]);
  });

  it('stops reading an endless body at 64 MiB and closes the connection', async () => {
    const endless = await startEndlessBody();
    cleanups.push(() => endless.close());
    const kubeconfig = writeKubeconfig(endless.url, TOKEN);
    cleanups.push(() => rmSync(dirname(kubeconfig), { recursive: true, force: true }));
    expect(await refusal(kubeconfig)).toBe(
      `listing CustomResourceDefinitions on ${endless.url} failed: the answer's body is larger than 64 MiB, the most ` +
        'read from it: not the API asked for, or a broken or hostile server',
    );
    await vi.waitFor(() => expect(endless.hungUp()).toBe(1), SETTLE);
  });

  it('refuses a declared Content-Length over 64 MiB before reading the body', async () => {
    const api = await apiServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(200 * 1024 * 1024) });
      res.write('{"kind":');
    });
    expect(await refusal(api.kubeconfig)).toMatch(
      /failed: the answer's body is larger than 64 MiB \(Content-Length 209715200\)/,
    );
  });

  it('closes a stalled answer at the deadline: the process is not kept alive by it', async () => {
    const stalled = await startEndlessBody({ stallAfter: 100 });
    cleanups.push(() => stalled.close());
    const kubeconfig = writeKubeconfig(stalled.url, TOKEN);
    cleanups.push(() => rmSync(dirname(kubeconfig), { recursive: true, force: true }));
    expect(await refusal(kubeconfig, 200)).toBe(
      `listing CustomResourceDefinitions on ${stalled.url} failed: timed out after 0.2s`,
    );
    await vi.waitFor(() => expect(stalled.hungUp()).toBe(1), SETTLE);
  });

  // Refused by the bounded layer (src/kube/bounded-client.ts), as for drift and the probes, once.
  const types: [string, string, string][] = [
    ['<html>sign in</html>', 'text/html', 'Content-Type "text/html", not JSON'],
    [
      '{"kind":"CustomResourceDefinitionList","items":[]}',
      'text/plain; charset=utf-8',
      'Content-Type "text/plain; charset=utf-8", not JSON',
    ],
    ['{"kind":"CustomResourceDefinitionList","items":[]}', '', 'no Content-Type'],
  ];
  for (const [body, type, named] of types) {
    it(`refuses a 2xx answer that is not of JSON's type, naming its type: ${type || 'none'}`, async () => {
      const api = await apiServer((_req, res) => {
        res.writeHead(200, type ? { 'content-type': type } : {});
        res.end(body);
      });
      expect(await refusal(api.kubeconfig)).toBe(
        `listing CustomResourceDefinitions on ${api.url} failed: the API server answered HTTP 200 with ${named}: ` +
          "not the Kubernetes API, or a broken or hostile server, or a proxy's login page (fix: point the " +
          "kubeconfig's server at the cluster's API server)",
      );
      expect(api.seen).toHaveLength(1);
    });
  }

  const shapes: [string, string, string][] = [
    [
      '[1,2]',
      'application/json',
      // Refused by the bounded layer before the client parses it (src/kube/bounded-client.ts).
      'failed: the API server answered with an array, not an object: not the Kubernetes API, or a broken or hostile server',
    ],
    [
      '{"kind":"PodList","items":[]}',
      'application/json',
      ': page 1 of the list: kind is "PodList": not a CustomResourceDefinitionList',
    ],
    [
      '{"kind":"CustomResourceDefinitionList","items":"none"}',
      'application/json',
      ': page 1 of the list: items is not a list',
    ],
    [
      '{"kind":"CustomResourceDefinitionList","items":[null]}',
      'application/json',
      ': page 1 of the list: items[0] is not an object',
    ],
    [
      '{"kind":"CustomResourceDefinitionList","items":[{"kind":"Pod"}]}',
      'application/json',
      ': page 1 of the list: items[0].kind is "Pod"',
    ],
    [
      '{"kind":"CustomResourceDefinitionList","metadata":{"continue":7},"items":[]}',
      'application/json',
      ': page 1 of the list: metadata.continue is not a string',
    ],
  ];
  for (const [body, type, message] of shapes) {
    it(`refuses an answer of the wrong shape, naming what is wrong: ${body}`, async () => {
      const api = await apiServer((_req, res) => {
        res.writeHead(200, type ? { 'content-type': type } : {});
        res.end(body);
      });
      const got = await refusal(api.kubeconfig);
      expect(got).toContain(message);
      if (!message.startsWith('failed'))
        expect(got).toMatch(/^cluster http:\S+: .*\(fix: point the kubeconfig's server at the cluster's API server\)$/);
    });
  }

  it('refuses a Content-Type with bytes no media type holds, and quotes it and a body not JSON escaped once', async () => {
    // `[^;]*` took application/<CSI>2J/x+json for JSON; client-node then refused it quoting the CSI raw.
    const typed = await apiServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/\u009b2J/x+json' });
      res.end('{"kind":"CustomResourceDefinitionList","items":[]}');
    });
    const type = await refusal(typed.kubeconfig);
    expect(type).toBe(
      `listing CustomResourceDefinitions on ${typed.url} failed: the API server answered HTTP 200 with Content-Type ` +
        '"application/\\u009b2J/x+json", not JSON: not the Kubernetes API, or a broken or hostile server, or a ' +
        "proxy's login page (fix: point the kubeconfig's server at the cluster's API server)",
    );
    const notJson = await apiServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('\u009b2J\u001b[31m<html>');
    });
    expect(await refusal(notJson.kubeconfig)).toBe(
      `listing CustomResourceDefinitions on ${notJson.url} failed: the API server answered HTTP 200 with ` +
        'Content-Type "application/json" but a body that is not JSON (it starts "\\u009b2J\\u001b[31m<html>"): not ' +
        "the Kubernetes API, or a broken or hostile server, or a proxy's login page (fix: point the kubeconfig's " +
        "server at the cluster's API server)",
    );
  });

  // The bounded layer refuses it (src/kube/bounded-client.ts), as for drift and the probes: crd-cluster
  // parsed every page once more for a refusal of its own.
  const notJsonBodies: [string, string][] = [
    ['<html>sign in</html>', '"<html>sign in</html>"'],
    ['{"a":', '"{\\"a\\":"'],
  ];
  for (const [body, quoted] of notJsonBodies) {
    it(`refuses a body of JSON's type that is not JSON once, not asked again: ${body}`, async () => {
      const api = await apiServer((_req, res) => json(res, body));
      const cache = join(tempDir(), 'cache');
      const r = await runMain(crds, ['--from-cluster', '--kubeconfig', api.kubeconfig, '--cache', cache]);
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(
        `crds: listing CustomResourceDefinitions on ${api.url} failed: the API server answered HTTP 200 with ` +
          `Content-Type "application/json" but a body that is not JSON (it starts ${quoted}): not the Kubernetes ` +
          "API, or a broken or hostile server, or a proxy's login page (fix: point the kubeconfig's server at the " +
          `cluster's API server); nothing was stored in ${cache}\n`,
      );
      expect(api.seen).toEqual([
        `GET /apis/apiextensions.k8s.io/v1/customresourcedefinitions?limit=40 Bearer ${TOKEN}`,
      ]);
    });
  }

  it("quotes an error answer's Status message printably and briefly, not the body and headers whole", async () => {
    const sequences = '\u001b[2J\u001b]0;owned\u0007\u001b[31mred\u202e';
    const api = await apiServer((_req, res) =>
      json(
        res,
        { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: `denied ${sequences}`, code: 403 },
        403,
      ),
    );
    expect(await refusal(api.kubeconfig)).toBe(
      `listing CustomResourceDefinitions on ${api.url} failed: HTTP 403: denied \\u001b[2J\\u001b]0;owned\\u0007` +
        '\\u001b[31mred\\u202e (fix: the kubeconfig user needs list on customresourcedefinitions.apiextensions.k8s.io: ' +
        '`kubectl auth can-i list customresourcedefinitions.apiextensions.k8s.io` tells)',
    );
    const noisy = await apiServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain', 'x-noise': 'n'.repeat(4000) });
      res.end(`${sequences}${'E'.repeat(5 * 1024 * 1024)}`);
    });
    const message = await refusal(noisy.kubeconfig);
    expect(message).toMatch(
      /^listing CustomResourceDefinitions on \S+ failed: HTTP 500: \\u001b\[2J\\u001b\]0;owned\\u0007\\u001b\[31mred\\u202eE+…$/,
    );
    expect(message.length).toBeLessThan(400);
  });

  it('tells a 401 (credentials not accepted) from a 403 (a permission missing) in its fix', async () => {
    const api = await apiServer((_req, res) =>
      json(res, { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'Unauthorized', code: 401 }, 401),
    );
    expect(await refusal(api.kubeconfig)).toBe(
      `listing CustomResourceDefinitions on ${api.url} failed: HTTP 401: Unauthorized (fix: the API server did not ` +
        "accept the kubeconfig's credentials (an expired token or client certificate, or those of another cluster): " +
        'renew them, by logging in again or fetching the kubeconfig anew)',
    );
  });

  // A kubeconfig's exec credential plugin (kubelogin, aws eks get-token) that fails is client-node's Error of
  // the plugin's stderr, often coloured and on several lines: refused in the stack's words
  // (src/kube/credentials.ts), one line, printable, with the fix naming the user's exec; the plugin (it may
  // prompt or open a browser) runs once; drift and the probes: test/kube/credential-plugin.test.ts.
  it("prints a failing exec credential plugin's stderr printably, on one line, runs it once, asks the server nothing", async () => {
    const api = await apiServer((_req, res) => json(res, { kind: 'CustomResourceDefinitionList', items: [] }));
    const dir = tempDir();
    const runs = join(dir, 'runs');
    const stderr = String.raw`echo ran >> "$0"; printf '\033[31merror: the token expired\n\033[0mlog in again\n' >&2; exit 1`;
    const exec = { apiVersion: 'client.authentication.k8s.io/v1', command: 'sh', args: ['-c', stderr, runs] };
    const kubeconfig = writeKubeconfig(api.url, { exec }, { dir });
    expect(await refusal(kubeconfig)).toBe(
      `listing CustomResourceDefinitions on ${api.url} failed: the exec credential plugin "sh" of kubeconfig user ` +
        '"loopback-user" failed: \\u001b[31merror: the token expired | \\u001b[0mlog in again (fix: run it yourself, with the ' +
        'arguments the kubeconfig gives it, and do ' +
        "what it asks, such as logging in again, or mend the user's exec in the kubeconfig; it is not run again in this " +
        'command)',
    );
    expect(readFileSync(runs, 'utf8')).toBe('ran\n');
    expect(api.seen).toEqual([]);
  });

  it('quotes a CRD name with escape sequences escaped (JSON.stringify) in its refusal', async () => {
    const crd = widgetCrd() as Rec;
    (crd.spec as Rec).group = 'x\u001b[31m.example.com';
    const api = await apiServer((_req, res) =>
      json(res, { kind: 'CustomResourceDefinitionList', metadata: {}, items: [crd] }),
    );
    const message = await refusal(api.kubeconfig);
    expect(message).toContain('spec.group "x\\u001b[31m.example.com" is not a DNS-1123 subdomain');
    expect(message).not.toContain('\u001b');
  });
});
