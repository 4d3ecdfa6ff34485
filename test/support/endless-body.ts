/**
 * A loopback HTTP server whose every answer is 200 with a body that never ends (a broken or
 * hostile server): it writes 64 KiB chunks, waiting for the socket to drain, until the client
 * closes the connection; or, with `stallAfter`, exactly that many bytes and then nothing, the body
 * never ended (a stalled server). `hungUp` counts the answers a client closed.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EndlessBody {
  readonly url: string;
  /** Requests answered so far (their paths). */
  readonly paths: readonly string[];
  /** Their headers, in the same order. */
  readonly headers: readonly IncomingHttpHeaders[];
  /** Answers whose client closed the connection. */
  readonly hungUp: () => number;
  close(): Promise<void>;
}

export interface EndlessBodyOptions {
  /** Send exactly this many bytes of body (`x`), then stall: no more bytes and no end. @default endless */
  readonly stallAfter?: number;
}

const CHUNK = Buffer.alloc(64 * 1024, ' ');

export async function startEndlessBody(options: EndlessBodyOptions = {}): Promise<EndlessBody> {
  let hungUp = 0;
  const paths: string[] = [];
  const headers: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    paths.push(req.url ?? '');
    headers.push(req.headers);
    res.writeHead(200, { 'content-type': 'application/json' });
    let open = true;
    res.on('close', () => {
      open = false;
      hungUp++;
    });
    const pump = () => {
      while (open) {
        if (!res.write(CHUNK)) {
          res.once('drain', pump);
          return;
        }
      }
    };
    if (options.stallAfter !== undefined) {
      res.write(Buffer.alloc(options.stallAfter, 'x'));
      return;
    }
    res.write('{"status":"success","data":');
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    paths,
    headers,
    hungUp: () => hungUp,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
