/**
 * What an API server echoes reaches no output: a loopback stand-in answers every request with a 403
 * Status whose message quotes the user name of the Basic credentials it was sent (the kubeconfig
 * server's userinfo, `http://<token>@host`: the client sends it) and a bare GitHub token with no key
 * in front. drift, crds --from-cluster, the probes (terminal, JSON, JUnit, Markdown) and seal's
 * certificate fetch show the server's words with both redacted (src/core/redact.ts withoutUserinfoOf,
 * src/core/known-tokens.ts), the rest of them readable. The same commands through a kubeconfig
 * cluster's proxy-url with userinfo (a loopback proxy the client tunnels through, quoting the user
 * name and password it was sent): both redacted. The tokens are built from templates, so the
 * repository's own secret scan does not take this source for a leak.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as crds } from '../../scripts/crds.js';
import { main as drift } from '../../scripts/drift.js';
import { listenLoopback, type Loopback } from '../../src/loopback/listen.js';
import { startPlatform } from '../../src/loopback/platform.js';
import { fetchControllerCertificate } from '../../src/seal/fetch-certificate.js';
import { runCli } from '../probes/helpers.js';
import { findLeak } from '../support/canary.js';
import { runMain } from '../support/run-script.js';
import { tempDir } from '../support/temp.js';

/** A token of no known shape, as the kubeconfig server's user name: only its redactor hides it. */
const user = randomBytes(20).toString('hex');
/** A bare GitHub token (secretlint-rule-github's shape: `ghp_` and 36 characters), in the server's message. */
const github = `${'ghp'}_${randomBytes(27).toString('base64url').replace(/-/g, 'x')}`;
/**
 * Another, on a line of its own after a terminal's erase-line code (`\x1b[2K`, an ANSI code that is
 * not a colour: a token right after one was missed until session 17's review; shown escaped, `\u001b[2K`).
 */
const github2 = `${'ghp'}_${randomBytes(27).toString('base64url').replace(/-/g, 'x')}`;

/**
 * Refuses a request with `words`: a 403 Status quoting them, or for seal's certificate fetch (through
 * the API server's service proxy, `/proxy/`), which shows the body of a 5xx answer (a 403 it words
 * itself), a 503 whose body they are.
 */
function refuse(req: IncomingMessage, res: ServerResponse, words: string): void {
  if (req.url?.includes('/proxy/')) {
    res.writeHead(503, { 'Content-Type': 'text/plain' }).end(words);
    return;
  }
  const status = {
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    message: words,
    reason: 'Forbidden',
    code: 403,
  };
  res.writeHead(403, { 'Content-Type': 'application/json' }).end(JSON.stringify(status));
}

let server: Loopback;
/** The kubeconfig of the first describe: its server's URL holds `user`. */
let kubeconfig: string;
beforeAll(async () => {
  server = await listenLoopback((req, res) => {
    const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const name = Buffer.from(basic, 'base64').toString('utf8').split(':')[0];
    req.resume();
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const words = `user "${name}" may not ${req.method} ${path}; the proxy's own token ${github} is not yours; denied:\n\x1b[2K${github2}`;
    refuse(req, res, words);
  });
  const withUser = server.url.replace('http://', `http://${user}@`);
  kubeconfig = kubeconfigFor(`server: ${withUser}`);
});

/** A kubeconfig whose one cluster has these fields and no credentials of its own. */
function kubeconfigFor(cluster: string): string {
  const file = join(tempDir('echoed-secrets-'), 'config');
  writeFileSync(
    file,
    `apiVersion: v1\nkind: Config\ncurrent-context: echo\nclusters:\n- name: echo\n  cluster:\n    ${cluster}\n` +
      '    insecure-skip-tls-verify: true\ncontexts:\n- name: echo\n  context:\n    cluster: echo\n    user: anonymous\n' +
      'users:\n- name: anonymous\n  user: {}\n',
  );
  return file;
}
afterAll(() => new Promise<void>((resolve) => server.server.close(() => resolve())));

/** Each command, whether its client sends the server URL's userinfo (seal's own GET sends the kubeconfig user's credentials only), and what it shows. */
const runs: [string, boolean, (kubeconfig: string) => Promise<string[]>][] = [
  [
    'npm run drift',
    true,
    async (kubeconfig) => {
      const r = await runMain(drift, ['--env', 'backstage-wus2-v4'], {
        env: { ...process.env, KUBECONFIG: kubeconfig },
      });
      return [r.stdout, r.stderr];
    },
  ],
  [
    'npm run crds -- --from-cluster',
    true,
    async (kubeconfig) => {
      const cache = join(tempDir('echoed-crds-'), 'cache');
      const r = await runMain(crds, ['--from-cluster', '--kubeconfig', kubeconfig, '--cache', cache]);
      return [r.stdout, r.stderr];
    },
  ],
  [
    'npm run probe (the terminal, --json, --junit, --markdown)',
    true,
    async (kubeconfig) => {
      const p = await startPlatform();
      try {
        const r = await runCli(
          ['--targets', p.targetsFile, '--only', 'k8s.workloads-ready'],
          { ...p.env, KUBECONFIG: kubeconfig },
          { files: true },
        );
        return [r.stdout, r.stderr, JSON.stringify(r.report), r.junit ?? '', r.markdown ?? ''];
      } finally {
        await p.close();
      }
    },
  ],
  [
    "npm run seal's certificate fetch",
    false,
    async (kubeconfig) => {
      const options = { name: 'sealed-secrets', namespace: 'kube-system', kubeconfig, attempts: 1 };
      const message = await fetchControllerCertificate(options).then(
        () => 'fetched',
        (err: unknown) => (err as Error).message,
      );
      return [message];
    },
  ],
];

describe("an API server's words echoing the kubeconfig server's user name and a bare GitHub token", () => {
  it.each(runs)("%s: the server's words shown, the user name and the token redacted", async (_name, sendsUser, run) => {
    const shown = await run(kubeconfig);
    for (const text of shown) {
      expect(findLeak(text, user)).toBeUndefined();
      expect(findLeak(text, github)).toBeUndefined();
      expect(findLeak(text, github2)).toBeUndefined();
    }
    // The words are there (the server was asked, with the user name), each token as its marker.
    expect(shown.join('\n')).toMatch(
      new RegExp(
        `user "${sendsUser ? String.raw`\[redacted …[0-9a-f]{4}\]` : ''}" may not GET /\\S+; ` +
          String.raw`the proxy's own token \[redacted …[\w-]{4}\] is not yours`,
      ),
    );
  });
});

describe('a plain-text refusal quoting a token on a line of its own', () => {
  it('npm run drift: client-node JSON-encodes the body into its message (`denied:\\n<token>`): the token redacted', async () => {
    const plain = await listenLoopback((req, res) => {
      req.resume();
      res.writeHead(403, { 'Content-Type': 'text/plain' }).end(`denied:\n${github2}`);
    });
    try {
      const r = await runMain(drift, ['--env', 'backstage-wus2-v4'], {
        env: { ...process.env, KUBECONFIG: kubeconfigFor(`server: ${plain.url}`) },
      });
      const shown = `${r.stdout}\n${r.stderr}`;
      expect(findLeak(shown, github2)).toBeUndefined();
      expect(shown).toMatch(/denied:\\n\[redacted …[\w-]{4}\]/);
    } finally {
      await new Promise<void>((resolve) => plain.server.close(() => resolve()));
    }
  });
});

describe("a kubeconfig cluster's proxy-url with userinfo: in no message", () => {
  /** The proxy's user name and password, of no known shape: only the command's redactor hides them. */
  const proxyUser = randomBytes(12).toString('hex');
  const proxyPassword = randomBytes(20).toString('hex');
  let proxy: Loopback;
  let proxied: string;
  beforeAll(async () => {
    // An HTTP proxy stand-in (the client tunnels through it: CONNECT, then its requests on the
    // tunnel) that refuses every request, quoting the credentials the CONNECT carried
    // (Proxy-Authorization): the user name and the password, as a proxy may echo them.
    const sentBy = new WeakMap<object, string>();
    proxy = await listenLoopback((req, res) => {
      const [name, password] = Buffer.from(sentBy.get(req.socket) ?? '', 'base64')
        .toString('utf8')
        .split(':');
      req.resume();
      const words = `proxy refused ${req.method} ${req.url} for user "${name}" with password "${password}"`;
      refuse(req, res, words);
    });
    proxy.server.on('connect', (req: IncomingMessage, socket: Duplex) => {
      sentBy.set(socket, /^Basic\s+(\S+)$/i.exec(req.headers['proxy-authorization'] ?? '')?.[1] ?? '');
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      proxy.server.emit('connection', socket); // what the client sends through the tunnel: the handler above
    });
    const proxyUrl = proxy.url.replace('http://', `http://${proxyUser}:${proxyPassword}@`);
    // The server itself is never reached (nothing listens on the discard port): every request goes through the proxy.
    proxied = kubeconfigFor(`server: http://127.0.0.1:9\n    proxy-url: ${proxyUrl}`);
  });
  afterAll(() => new Promise<void>((resolve) => proxy.server.close(() => resolve())));

  it.each(runs)('%s: the proxy answered; its user name and password redacted', async (_name, _sendsUser, run) => {
    const shown = await run(proxied);
    for (const text of shown) {
      expect(findLeak(text, proxyPassword)).toBeUndefined();
      expect(findLeak(text, proxyUser)).toBeUndefined();
    }
    // The proxy was asked, with its credentials, and its words are shown.
    expect(shown.join('\n')).toMatch(
      /proxy refused GET \S+ for user "\[redacted …[0-9a-f]{4}\]" with password "\[redacted …[0-9a-f]{4}\]"/,
    );
  });
});
