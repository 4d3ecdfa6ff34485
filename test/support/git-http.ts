/**
 * A real git remote on loopback: bare repositories under one folder, served by git's own
 * `git http-backend` (the CGI program behind every smart-HTTP git server) behind a small node
 * HTTP server that demands HTTP Basic credentials, as a forge's git endpoint does.
 *
 * It records the credentials each request carried (decoded), so a test can prove which token
 * reached the remote, and nothing else about the request. One server per test file (each
 * request starts one `git-http-backend`, a short-lived process).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { listenLoopback } from '../../src/loopback/listen.js';
import { CHILD_TIMEOUT_MS } from './deadlines.js';
import { NO_AUTO_MAINTENANCE } from './git-repos.js';
import { pendingWhile } from './in-flight.js';
import { runBounded } from './run-bounded.js';
import { tempDir } from './temp.js';

export interface GitHttpServer {
  /** The clone URL of `owner/name` (created by {@link GitHttpServer.createRepository}). */
  url(repository: string): string;
  /**
   * A bare repository `owner/name.git` cloned from the repository `from` (its branches, HEAD on
   * its branch), no automatic gc (test/support/git-repos.ts).
   */
  createRepository(repository: string, from: string): Promise<string>;
  /** The bare repository's folder. */
  path(repository: string): string;
  /** `user:password` of every request, in order (unauthenticated requests: `''`). */
  readonly credentials: string[];
  close(): Promise<void>;
}

function unauthorized(res: ServerResponse): void {
  res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"', 'Content-Type': 'text/plain' });
  res.end('authentication required\n');
}

/** The CGI response `git-http-backend` printed: its `Status:` and other headers, then the body. */
function cgiResponse(out: Buffer): { status: number; headers: Record<string, string>; body: Buffer } | undefined {
  const end = out.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of out.subarray(0, end).toString('utf8').split('\r\n')) {
    const i = line.indexOf(':');
    const name = line.slice(0, i).trim();
    const value = line.slice(i + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
    else if (name) headers[name] = value;
  }
  return { status, headers, body: out.subarray(end + 4) };
}

/** git's own folder of programs (`git --exec-path`), asked once per process. */
let execPath: string | undefined;

/**
 * The `git-http-backend` program itself, from git's own folder: `git http-backend` is the `git`
 * command starting that program as its child, one process more per request for nothing.
 */
function httpBackend(): string {
  execPath ??= execFileSync('git', ['--exec-path'], { encoding: 'utf8', timeout: CHILD_TIMEOUT_MS }).trim();
  return join(execPath, 'git-http-backend');
}

/**
 * Ends `child` and whatever it started (its own process group: upload-pack, receive-pack,
 * pack-objects). Only while it is `running` (until its output closed): a process group id is
 * free for reuse once all its processes are gone.
 */
function killGroup(child: ChildProcess, running: ReadonlySet<ChildProcess>): void {
  if (child.pid === undefined || !running.has(child)) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * What a forge answers in its own words: `refuse(user, password)` returns a text for a request it
 * refuses with 403 (`text/plain`, which git prints as `remote:` lines), or undefined to serve it.
 */
export interface GitHttpOptions {
  readonly refuse?: (user: string, password: string) => string | undefined;
}

/**
 * `accept(user, password)` decides who may read and write (every repository alike); a request
 * without credentials gets 401 with a Basic challenge, as forges answer; `options.refuse`, a 403 in
 * the forge's words (above).
 *
 * No wait here depends on a timer or can outlive the test: the server keeps no idle-connection
 * timer of its own (src/loopback/listen.ts: Node's 5 s keep-alive timeout raced the client on a
 * starved machine); each `git-http-backend` runs in its own process group, killed with what it
 * started when its client goes away before the answer and when the server closes; a CGI that
 * cannot start, or exits without a CGI response, is answered 500 naming why; and each one is
 * marked pending while it runs (test/support/in-flight.ts), so a test that times out names the
 * request it was waiting on.
 */
export async function startGitHttpServer(
  accept: (user: string, password: string) => boolean,
  options: GitHttpOptions = {},
): Promise<GitHttpServer> {
  const root = tempDir('git-remote-');
  const backend = httpBackend();
  // The PATH the CGI runs with (it starts `git upload-pack` from it), fixed when the server starts.
  const cgiPath = process.env.PATH ?? '';
  const credentials: string[] = [];
  const running = new Set<ChildProcess>();

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const header = req.headers.authorization ?? '';
    const basic = /^Basic\s+(\S+)$/i.exec(header)?.[1];
    const decoded = basic ? Buffer.from(basic, 'base64').toString('utf8') : '';
    credentials.push(decoded);
    const colon = decoded.indexOf(':');
    if (colon < 0 || !accept(decoded.slice(0, colon), decoded.slice(colon + 1))) {
      req.resume();
      unauthorized(res);
      return;
    }
    const refused = options.refuse?.(decoded.slice(0, colon), decoded.slice(colon + 1));
    if (refused !== undefined) {
      req.resume();
      res.writeHead(403, { 'Content-Type': 'text/plain' }).end(refused);
      return;
    }
    const url = new URL(req.url ?? '/', 'http://loopback');
    const cgi = spawn(backend, [], {
      env: {
        PATH: cgiPath,
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        // git sends large pushes gzip-compressed; http-backend inflates them when told.
        HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
        GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
        // An authenticated user: http-backend then allows receive-pack (push).
        REMOTE_USER: decoded.slice(0, colon),
        REMOTE_ADDR: '127.0.0.1',
      },
      stdio: ['pipe', 'pipe', 'ignore'],
      // Its own process group, so that killGroup reaches the upload-pack or receive-pack it starts.
      detached: true,
    });
    running.add(cgi);
    const what = `git-http-backend ${req.method} ${url.pathname}${url.search} (pid ${cgi.pid ?? 'none'})`;
    const done = pendingWhile(what);
    let answered = false;
    const answer = (status: number, headers: Record<string, string>, body: Buffer | string) => {
      if (answered) return;
      answered = true;
      done();
      running.delete(cgi);
      if (!res.headersSent && !res.destroyed) res.writeHead(status, headers).end(body);
    };
    // The client went away before its answer (git killed at its timeout, a reset): nobody reads
    // what the CGI would print, so it is ended rather than left waiting on its input.
    res.on('close', () => {
      if (!res.writableFinished) killGroup(cgi, running);
    });
    req.on('error', () => killGroup(cgi, running));
    cgi.on('error', (err) => answer(500, {}, `${what} could not run: ${err.message}\n`));
    // http-backend may exit without reading the whole body (a refused push): its answer says why.
    cgi.stdin?.on('error', () => {});
    if (cgi.stdin) req.pipe(cgi.stdin);
    const chunks: Buffer[] = [];
    cgi.stdout?.on('data', (c: Buffer) => chunks.push(c));
    cgi.on('close', (code, signal) => {
      const response = cgiResponse(Buffer.concat(chunks));
      if (response) answer(response.status, response.headers, response.body);
      else answer(500, {}, `${what} gave no CGI headers (exit ${code ?? signal})\n`);
    });
  };

  const { server, url: base } = await listenLoopback(handle);
  const path = (repository: string) => join(root, `${repository}.git`);
  return {
    url: (repository) => `${base}/${repository}.git`,
    path,
    async createRepository(repository, from) {
      const dir = path(repository);
      // One process, where an empty repository and a push into it were four (init, push, the
      // shell and receive-pack the push starts).
      const args = ['clone', '-q', '--bare', from, dir];
      await runBounded(root, 'git', args, `git ${args.join(' ')}`);
      appendFileSync(join(dir, 'config'), NO_AUTO_MAINTENANCE); // no `git gc --auto` after each push
      return dir;
    },
    credentials,
    close: () =>
      new Promise<void>((resolve) => {
        for (const cgi of running) killGroup(cgi, running);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
