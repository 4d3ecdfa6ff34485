/**
 * Each stand-in fault fails exactly the probe that exists to catch it (with the cause in the
 * detail), every other gateway probe still passes, and no result carries the API key (a canary
 * generated at run time).
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TargetsInput } from '../../../src/environments/probe-targets.js';
import type { ProbeStatus } from '../../../src/probes/types.js';
import { startArcadeStandIn, type ArcadeStandInOptions } from '../../../src/loopback/arcade-platform.js';
import { NO_PROBE_DEADLINE_MS } from '../../support/deadlines.js';
import { runAll, targetsFor } from './context.js';

interface Scenario {
  readonly name: string;
  readonly options: ArcadeStandInOptions;
  readonly probe: string;
  readonly status: ProbeStatus;
  readonly detail: RegExp;
  readonly targets?: Partial<TargetsInput>;
}

// Faults that the CLI tests also run with every probe of a whole platform are checked there, verdict
// and cause included (test/probes/cli-gateway.test.ts: an unhealthy engine, a malformed health body;
// test/probes/cli-mcp.test.ts: a missing, an extra or an unknown tool answered 5xx, the wrong
// identity, any key accepted, a failed OAuth token): one run per fault, not two.
const scenarios: Scenario[] = [
  {
    name: 'wrong coordinator URI',
    options: { wrongCoordinatorUri: true },
    probe: 'endpoints.health',
    status: 'fail',
    detail: /coordinator URI is https:\/\/coordinator\.wrong\.invalid, expected http:\/\/127\.0\.0\.1:\d+/,
  },
  {
    name: 'dashboard answers 502',
    options: { deadHost: 'dashboard' },
    probe: 'endpoints.health',
    status: 'error',
    detail: /dashboard: server error HTTP 502/,
  },
  {
    name: 'experience drops the connection',
    options: { deadHost: 'experience', deadHostMode: 'connection-closed' },
    probe: 'endpoints.health',
    status: 'error',
    detail: /experience: no answer: fetch failed: .*(closed|socket|reset)/i,
  },
  {
    name: 'users see different lists',
    options: { extraToolForUser: 'user-b' },
    probe: 'gateway.tools-list',
    status: 'fail',
    detail:
      /user-b: unexpected Extra_UnexpectedTool.*users see different lists \(user-b vs user-a: \+Extra_UnexpectedTool\)/,
  },
  // The hang threshold is a target of its own: the probe's deadline stays generous, so how long
  // the connect took on this machine cannot turn the verdict into a timeout.
  {
    name: 'unknown tool hangs',
    options: { unknownToolHangs: true },
    probe: 'gateway.unknown-tool',
    status: 'fail',
    detail: /no answer within 100 ms: the gateway hangs/,
    targets: { unknownTool: { waitMs: 100 } },
  },
  // A connect (initialize + initialized, 2 × 150 ms, each request alone longer than the threshold)
  // longer than the hang threshold (100 ms, the least the targets allow) changes nothing.
  // (gateway.latency makes 2 calls: every one of them is 150 ms slower here, and its verdict, pass
  // under the generous budget, is not what this case is about.)
  {
    name: 'unknown tool hangs behind a slow connect',
    options: { unknownToolHangs: true, slowMs: 150 },
    probe: 'gateway.unknown-tool',
    status: 'fail',
    detail: /no answer within 100 ms: the gateway hangs/,
    targets: { unknownTool: { waitMs: 100 }, latency: { calls: 2, p95BudgetMs: NO_PROBE_DEADLINE_MS } },
  },
  {
    name: 'slow gateway',
    options: { slowMs: 60 },
    probe: 'gateway.latency',
    status: 'fail',
    detail: /p95 \d+(\.\d)? ms is over the 40 ms budget/,
    targets: { latency: { calls: 8, p95BudgetMs: 40 } },
  },
  {
    name: 'reference server down',
    options: { deadHost: 'reference' },
    probe: 'gateway.latency',
    status: 'error',
    detail: /reference server: HTTP 502.*overhead cannot be measured/,
  },
  {
    name: 'OAuth token pending',
    options: { oauthStatus: 'pending' },
    probe: 'oauth.token-status',
    status: 'known-gap',
    detail: /token pending for user-a on GoogleDocs\.CreateDocumentFromText/,
  },
  {
    name: 'OAuth not started',
    options: { oauthStatus: 'not_started' },
    probe: 'oauth.token-status',
    status: 'known-gap',
    detail: /token not_started for user-a/,
  },
];

describe.concurrent('each fault fails exactly its probe', () => {
  it.each(scenarios)('$name ⇒ $probe $status', async (s) => {
    const canary = `canary-${randomBytes(20).toString('hex')}`;
    const arcade = await startArcadeStandIn({ ...s.options, apiKey: canary });
    try {
      const results = await runAll(arcade, { targets: targetsFor(arcade, s.targets) });
      const target = results[s.probe];
      expect(target?.status).toBe(s.status);
      expect(target?.detail).toMatch(s.detail);
      const others = Object.entries(results)
        .filter(([id]) => id !== s.probe)
        .map(([id, r]) => [id, r.status, r.detail]);
      expect(others.filter(([, status]) => status !== 'pass')).toEqual([]);
      expect(JSON.stringify(results)).not.toContain(canary);
    } finally {
      await arcade.close();
    }
  });
});

describe.concurrent('a dead API host', () => {
  // The probes' deadline is longer than the test may run: each must end on the answer it got,
  // never wait for its timeout (a hang would time the test out).
  it.each(['bad-gateway', 'connection-closed'] as const)(
    '(%s) makes every probe an error with the cause, never a pass or a hang',
    async (mode) => {
      const arcade = await startArcadeStandIn({ deadHost: 'api', deadHostMode: mode });
      try {
        const results = await runAll(arcade);
        for (const [id, r] of Object.entries(results)) {
          expect({ id, status: r.status }).toEqual({ id, status: 'error' });
          expect(r.detail).toMatch(mode === 'bad-gateway' ? /502/ : /no answer|fetch failed|closed|socket/i);
          expect(r.detail).not.toMatch(/timed? ?out/i);
        }
      } finally {
        await arcade.close();
      }
    },
  );
});

describe.concurrent('a host that never answers', () => {
  // The gateway holds every MCP request until it closes: only the probes' own 500 ms deadline can
  // end them (the test would time out otherwise). The REST probes keep a deadline longer than the
  // test, so they cannot be cut short by a slow machine.
  it('ends every gateway probe at its timeout as an error naming the timeout', async () => {
    const arcade = await startArcadeStandIn({ gatewayHangs: true });
    try {
      const mcp = [
        'gateway.tools-list',
        'gateway.exec-proof',
        'gateway.unknown-tool',
        'gateway.rejects-bad-key',
        'gateway.latency',
      ];
      const results = await runAll(arcade, { timeoutMs: (id) => (mcp.includes(id) ? 500 : NO_PROBE_DEADLINE_MS) });
      for (const id of mcp) {
        expect({ id, status: results[id]?.status }).toEqual({ id, status: 'error' });
        expect(results[id]?.detail).toMatch(/timed out after 500 ms/);
      }
      // The REST endpoints are not held: they still pass.
      expect(results['endpoints.health']?.status).toBe('pass');
      expect(results['oauth.token-status']?.status).toBe('pass');
    } finally {
      await arcade.close();
    }
  });
});
