/**
 * A real git remote on loopback: bare repositories under one folder, served by git's own
 * `git http-backend` (the CGI program behind every smart-HTTP git server) behind a small node
 * HTTP server that demands HTTP Basic credentials, as a forge's git endpoint does.
 *
 * It records the credentials each request carried (decoded), so a test can prove which token
 * reached the remote, and nothing else about the request. One server per test file (each
 * request starts one `git http-backend`, a short-lived process).
 */
import { execFileSync, spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { NO_AUTO_MAINTENANCE } from './git-repos.js';
import { tempDir } from './temp.js';

export interface GitHttpServer {
  /** The clone URL of `owner/name` (created by {@link GitHttpServer.createRepository}). */
  url(repository: string): string;
  /**
   * A bare repository `owner/name.git` cloned from the repository `from` (its branches, HEAD on
   * its branch), no automatic gc (test/support/git-repos.ts).
   */
  createRepository(repository: string, from: string): string;
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

/**
 * `accept(user, password)` decides who may read and write (every repository alike); a request
 * without credentials gets 401 with a Basic challenge, as forges answer.
 */
export async function startGitHttpServer(accept: (user: string, password: string) => boolean): Promise<GitHttpServer> {
  const root = tempDir('git-remote-');
  const credentials: string[] = [];

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
    const url = new URL(req.url ?? '/', 'http://loopback');
    const cgi = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH ?? '',
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
    });
    req.pipe(cgi.stdin);
    const chunks: Buffer[] = [];
    cgi.stdout.on('data', (c: Buffer) => chunks.push(c));
    cgi.on('close', () => {
      const out = Buffer.concat(chunks);
      const end = out.indexOf('\r\n\r\n');
      if (end < 0) {
        res.writeHead(500).end('http-backend gave no headers\n');
        return;
      }
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of out.subarray(0, end).toString('utf8').split('\r\n')) {
        const i = line.indexOf(':');
        const name = line.slice(0, i).trim();
        const value = line.slice(i + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
        else if (name) headers[name] = value;
      }
      res.writeHead(status, headers);
      res.end(out.subarray(end + 4));
    });
  };

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const path = (repository: string) => join(root, `${repository}.git`);
  return {
    url: (repository) => `http://127.0.0.1:${port}/${repository}.git`,
    path,
    createRepository(repository, from) {
      const dir = path(repository);
      // One process, where an empty repository and a push into it were four (init, push, the
      // shell and receive-pack the push starts).
      execFileSync('git', ['clone', '-q', '--bare', from, dir]);
      appendFileSync(join(dir, 'config'), NO_AUTO_MAINTENANCE); // no `git gc --auto` after each push
      return dir;
    },
    credentials,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
