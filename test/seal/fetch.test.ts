/**
 * Fetching the controller's certificate through the API server's service proxy, against a
 * loopback stand-in for the API server named in a kubeconfig: the exact kubeseal path, the
 * kubeconfig's credentials, the controller's `application/x-pem-file` answer, 404 without
 * retry, 5xx retried (one of more than 1 MiB too), and a timeout that gives up after a bounded number of attempts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/core/command-error.js';
import { CertificateFetchError } from '../../src/seal/errors.js';
import { kubeconfigWith, shExec } from '../support/exec-kubeconfig.js';
import { tempDir } from '../support/temp.js';
import { certificateProxyPath, fetchControllerCertificate } from '../../src/seal/fetch-certificate.js';
import { seal } from '../../src/seal/seal.js';
import { startApiServer, type ApiServer, type Handler } from './api-server.js';
import { copyOfEnvironments, hybridDecrypt, makeSealingKeyPair, plantedValue, type SealingKeyPair } from './support.js';

const CERT_PATH = '/api/v1/namespaces/kube-system/services/sealed-secrets-controller:http/proxy/v1/cert.pem';
let pair: SealingKeyPair;
let server: ApiServer | undefined;

beforeAll(() => {
  pair = makeSealingKeyPair();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const servesCertificate: Handler = (req, res) => {
  if (req.url !== CERT_PATH) {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"kind":"Status","code":404}');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(pair.certificatePem);
};

async function start(handler: Handler): Promise<ApiServer> {
  server = await startApiServer(handler);
  return server;
}

const controller = { namespace: 'kube-system', name: 'sealed-secrets-controller' };

describe('fetchControllerCertificate', () => {
  it('GETs the kubeseal service-proxy path with the kubeconfig credentials', async () => {
    const api = await start(servesCertificate);
    const pem = await fetchControllerCertificate({ ...controller, kubeconfig: api.kubeconfig });
    expect(pem).toBe(pair.certificatePem);
    expect(certificateProxyPath('kube-system', 'sealed-secrets-controller')).toBe(CERT_PATH);
    expect(api.requests).toEqual([{ method: 'GET', path: CERT_PATH, authorization: `Bearer ${api.token}` }]);
  });

  it('reports a 404 as a missing Service with the fix, without retrying', async () => {
    const api = await start(servesCertificate);
    const error: unknown = await fetchControllerCertificate({
      namespace: 'sealed',
      name: 'wrong-name',
      kubeconfig: api.kubeconfig,
      backoffMs: 1,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CertificateFetchError);
    expect((error as Error).message).toMatch(
      new RegExp(
        /services\/wrong-name:http\/proxy\/v1\/cert\.pem: HTTP 404: no Service sealed\/wrong-name/.source +
          / with a port named 'http' \(fix: set secrets\.controller\.name and \.namespace.*or pass/.source +
          / --cert <file>/.source,
      ),
    );
    expect(api.requests).toHaveLength(1); // a 404 is not retried
  });

  // The server never answers: only the per-attempt timeout can end each attempt (a hang would time
  // the test out), so the outcome is the same on any machine; no assertion on elapsed time.
  it('gives up after the timeout of each of its bounded attempts', async () => {
    const api = await start(() => {
      /* never answers */
    });
    await expect(
      fetchControllerCertificate({
        ...controller,
        kubeconfig: api.kubeconfig,
        timeoutMs: 150,
        attempts: 2,
        backoffMs: 10,
      }),
    ).rejects.toThrow(
      /cert\.pem: timed out after 0\.15s \(2 attempt\(s\)\) \(fix: check that the cluster is reachable.*--cert <file>/,
    );
    expect(api.requests).toHaveLength(2);
  });

  it('retries a 5xx (no endpoints yet) and succeeds when the controller answers', async () => {
    const api = await start((req, res, seen) => {
      if (seen === 1) res.writeHead(503, { 'content-type': 'text/plain' }).end('no endpoints available for service');
      else servesCertificate(req, res, seen);
    });
    expect(await fetchControllerCertificate({ ...controller, kubeconfig: api.kubeconfig, backoffMs: 1 })).toBe(
      pair.certificatePem,
    );
    expect(api.requests).toHaveLength(2);
  });

  it("quotes a 5xx answer's body made printable: a proxy's escape sequences cannot act on the terminal", async () => {
    const hostile = 'upstream \u001b[2K\u001b[32mOK\r\u202eevil\n<html>\n</html>';
    const api = await start((_req, res) => res.writeHead(502, { 'content-type': 'text/plain' }).end(hostile));
    const failure = fetchControllerCertificate({
      ...controller,
      kubeconfig: api.kubeconfig,
      attempts: 2,
      backoffMs: 1,
    });
    await expect(failure).rejects.toThrow(
      `: HTTP 502 upstream \\u001b[2K\\u001b[32mOK \\u202eevil <html> </html> (2 attempt(s))`,
    );
  });

  it('explains a forbidden proxy request', async () => {
    const api = await start((_req, res) => res.writeHead(403, { 'content-type': 'application/json' }).end('{}'));
    await expect(fetchControllerCertificate({ ...controller, kubeconfig: api.kubeconfig })).rejects.toThrow(
      /HTTP 403: not allowed to reach Service kube-system\/sealed-secrets-controller.*kubectl auth can-i get services\/proxy -n kube-system/,
    );
  });

  it('gives up at once on an answer of more than 1 MiB: the same controller answers the same again', async () => {
    const api = await start((_req, res) => res.writeHead(200).end(Buffer.alloc(2 * 1024 * 1024, 'a')));
    await expect(
      fetchControllerCertificate({ ...controller, kubeconfig: api.kubeconfig, backoffMs: 1 }),
    ).rejects.toThrow(/cert\.pem: HTTP 200: the answer is more than 1 MiB, not a certificate \(fix: .*--cert <file>/);
    expect(api.requests).toHaveLength(1);
  });

  it('an error answer of more than 1 MiB is judged by its status: a 5xx is retried, a 4xx names its cause', async () => {
    const big = 'upstream unavailable '.repeat(100_000); // 2.1 MB
    const unavailable = await start((_req, res) => res.writeHead(503).end(big));
    await expect(
      fetchControllerCertificate({ ...controller, kubeconfig: unavailable.kubeconfig, backoffMs: 1 }),
    ).rejects.toThrow(
      /cert\.pem: HTTP 503 upstream unavailable upstream .*… \(3 attempt\(s\)\) \(fix: check that the cluster is reachable/,
    );
    expect(unavailable.requests).toHaveLength(3);
    await unavailable.close();
    const missing = await start((_req, res) => res.writeHead(404).end(big));
    await expect(
      fetchControllerCertificate({ ...controller, kubeconfig: missing.kubeconfig, backoffMs: 1 }),
    ).rejects.toThrow(
      /cert\.pem: HTTP 404: no Service kube-system\/sealed-secrets-controller with a port named 'http'/,
    );
    expect(missing.requests).toHaveLength(1);
  });

  it('refuses a plain-HTTP server without insecure-skip-tls-verify as bad input (exit 2), with the fix', async () => {
    const api = await start(servesCertificate);
    const kubeconfig = join(tempDir('seal-http-'), 'config');
    writeFileSync(kubeconfig, readFileSync(api.kubeconfig, 'utf8').replace(/insecure-skip-tls-verify: true/, ''));
    const error: unknown = await fetchControllerCertificate({ ...controller, kubeconfig }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).exitCode).toBe(2);
    expect((error as Error).message).toContain(
      `the server of cluster "loopback", ${api.url}, is plain HTTP, which the client refuses unless insecure-skip-tls-verify is set ` +
        '(fix: give cluster "loopback" its https:// server, or, for a plain-HTTP server such as kubectl proxy, set insecure-skip-tls-verify: true on it)',
    );
    expect(api.requests).toEqual([]);
  });

  it('refuses a kubeconfig that cannot be read', async () => {
    await expect(
      fetchControllerCertificate({ ...controller, kubeconfig: join(copyOfEnvironments(), 'no-such-kubeconfig') }),
    ).rejects.toThrow(/kubeconfig: .*fix: point --kubeconfig or KUBECONFIG at a valid kubeconfig/);
  });
});

describe('seal() with the certificate fetched from the controller', () => {
  it('uses the controller the environment names, and the sealed value decrypts', async () => {
    const api = await start(servesCertificate);
    const dir = copyOfEnvironments();
    const file = join(dir, 'backstage-wus2-v4.yaml');
    // The committed environment leaves the controller unresolved; this copy resolves it.
    writeFileSync(
      file,
      readFileSync(file, 'utf8')
        .replace(/(\n {4}name: )\{ unresolved: [^\n]*\}/, '$1sealed-secrets-controller')
        .replace(/(\n {4}namespace: )\{ unresolved: [^\n]*\}/, '$1kube-system'),
    );
    const value = plantedValue();
    const result = await seal({
      environmentsDir: dir,
      envName: 'backstage-wus2-v4',
      secret: 'oidc',
      key: 'client-secret',
      value: Buffer.from(value),
      certificate: { kind: 'controller', kubeconfig: api.kubeconfig },
    });
    expect(result.certificateFrom).toBe('controller kube-system/sealed-secrets-controller');
    expect(api.requests.map((r) => r.path)).toEqual([CERT_PATH]);
    const entry = /client-secret:\n {8}ciphertext: (\S+)\n {8}boundTo: arcade\/arcade-oidc\n/.exec(
      readFileSync(file, 'utf8'),
    );
    expect(entry).not.toBeNull();
    expect(hybridDecrypt(pair.privateKeyPem, Buffer.from(entry![1]!, 'base64'), 'arcade/arcade-oidc').toString()).toBe(
      value,
    );
  });
});

describe("a failing exec credential plugin's stderr", () => {
  it('is masked and escaped in the refusal, as every kube client says it (credentialRefusal)', async () => {
    // Built from parts: no token shape in the source.
    const key = `${'ghp'}_${'a'.repeat(36)}`;
    const said = `token=${'s3cr3t'}value123 ${key} \u001b[31mred`;
    const { kubeconfig } = kubeconfigWith('https://127.0.0.1:1', shExec(`echo "${said}" >&2; exit 1`));
    const message = await fetchControllerCertificate({
      name: 'sealed-secrets',
      namespace: 'kube-system',
      kubeconfig,
      attempts: 1,
    }).then(
      () => 'fetched',
      (e: Error) => e.message,
    );
    expect(message).toContain('token=<hidden>');
    expect(message).not.toContain('s3cr3tvalue123');
    expect(message).not.toContain(key);
    expect(message).not.toContain('\u001b');
  });
});
