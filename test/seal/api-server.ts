/**
 * A tiny stand-in for the Kubernetes API server on loopback, enough for `seal`'s certificate
 * fetch: it records every request and answers with the handler the test gives. A kubeconfig
 * naming it (plain HTTP, so insecure-skip-tls-verify as client-node requires) is written too.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { listenLoopback } from '../../src/loopback/listen.js';
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
  const { server, url } = await listenLoopback((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization });
    handler(req, res, requests.length);
  });
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
