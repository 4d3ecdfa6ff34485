/**
 * The API key never leaves in a result, even when a server echoes it back; and the probes
 * fan out over many gateways and users (the benchmark runs 10 × 10) and 100 latency calls on loopback.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startArcadeStandIn, type ArcadeStandIn } from '../../../src/loopback/arcade-platform.js';
import { NO_PROBE_DEADLINE_MS } from '../../support/deadlines.js';
import { runAll, runProbe, targetsFor } from './context.js';

let arcade: ArcadeStandIn | undefined;
let echoServer: Server | undefined;
afterEach(async () => {
  await arcade?.close();
  arcade = undefined;
  if (echoServer) {
    echoServer.closeAllConnections();
    await new Promise((resolve) => echoServer?.close(resolve));
    echoServer = undefined;
  }
});

describe('secrets', () => {
  it('redacts the key when a misbehaving API host echoes the Authorization header', async () => {
    const canary = `canary-${randomBytes(24).toString('hex')}`;
    arcade = await startArcadeStandIn({ apiKey: canary });
    // An API host whose every answer is a 500 carrying the request's Authorization header.
    echoServer = createServer((req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`upstream failed for ${req.headers.authorization ?? 'none'}`);
    });
    await new Promise<void>((resolve) => echoServer?.listen(0, '127.0.0.1', resolve));
    const echoUrl = `http://127.0.0.1:${(echoServer.address() as AddressInfo).port}`;
    const targets = targetsFor(arcade, { urls: { ...arcade.targets.urls, api: echoUrl } });
    const results = await runAll(arcade, { targets });
    const text = JSON.stringify(results);
    expect(text).toContain('upstream failed for'); // the echoed body did reach a detail…
    expect(text).toContain(`[redacted …${canary.slice(-4)}]`); // …with the key replaced
    expect(text).not.toContain(canary);
    for (const r of Object.values(results)) expect(r.status).not.toBe('pass');
  });

  it('the reference server never receives the Arcade API key', async () => {
    arcade = await startArcadeStandIn();
    const seen: (string | undefined)[] = [];
    echoServer = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => echoServer?.listen(0, '127.0.0.1', resolve));
    const targets = targetsFor(arcade, {
      referenceServerUrl: `http://127.0.0.1:${(echoServer.address() as AddressInfo).port}/mcp`,
    });
    const result = await runProbe('gateway.latency', arcade, { targets });
    expect(result.status).toBe('error');
    expect(result.detail).toMatch(/^reference server: HTTP 404/);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((h) => h === undefined)).toBe(true);
  });

  it('without ARCADE_API_KEY the key-bound probes say so', async () => {
    arcade = await startArcadeStandIn();
    const result = await runProbe('gateway.tools-list', arcade, { apiKey: '' });
    expect(result).toMatchObject({ status: 'error', detail: expect.stringContaining('ARCADE_API_KEY is not set') });
  });

  it('never starts an OAuth flow', async () => {
    arcade = await startArcadeStandIn({ oauthStatus: 'not_started' });
    await runProbe('oauth.token-status', arcade);
    expect(arcade.requests.filter((r) => r.component === 'api').map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /v1/tools/GoogleDocs.CreateDocumentFromText',
    ]);
  });
});

describe('scale', () => {
  it('10 gateways × 3 users and 100 latency calls (p99 reported)', async () => {
    arcade = await startArcadeStandIn({ gateways: 10, users: 3 });
    const targets = targetsFor(arcade, { latency: { calls: 100, p95BudgetMs: NO_PROBE_DEADLINE_MS } });
    const results = await runAll(arcade, { targets });
    for (const [id, r] of Object.entries(results)) expect({ id, status: r.status }).toEqual({ id, status: 'pass' });
    expect(results['gateway.tools-list']?.detail).toContain('10 gateway(s)');
    expect(results['gateway.exec-proof']?.detail).toContain('10 gateway(s) × 3 user(s)');
    expect(results['gateway.latency']?.evidence).toMatchObject({
      throughGateway: { calls: 100, p99: expect.any(Number) },
      direct: { calls: 100 },
    });
  });
});
