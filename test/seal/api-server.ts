/**
 * A tiny stand-in for the Kubernetes API server on loopback, enough for `seal`'s certificate
 * fetch: it records every request and answers with the handler the test gives. A kubeconfig
 * naming it (plain HTTP, so insecure-skip-tls-verify as client-node requires) is written too.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { writeKubeconfig } from '../../src/loopback/kubeconfig.js';

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
}

export interface ApiServer {
  readonly url: string;
  readonly kubeconfig: string;
  readonly token: string;
  readonly requests: SeenRequest[];
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, seen: number) => void;

export async function startApiServer(handler: Handler): Promise<ApiServer> {
  const requests: SeenRequest[] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization });
    handler(req, res, requests.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const token = `test-token-${process.pid}-${Date.now()}`;
  const kubeconfig = writeKubeconfig(url, token, { prefix: 'arcade-seal-kube-' });
  return {
    url,
    kubeconfig,
    token,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        rmSync(dirname(kubeconfig), { recursive: true, force: true });
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
