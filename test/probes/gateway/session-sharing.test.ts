/**
 * One MCP session per (gateway, user) for gateway.tools-list and gateway.exec-proof within one
 * run, each probe still whole on its own, one probe's deadline never ending the other's
 * session; and gateway.latency timing only after the run's fan-out is done.
 *
 * Sessions are counted from the stand-in's request log: every session ends with exactly one
 * DELETE (the probes always terminate what they open), and a session used by both probes makes
 * exactly 6 POSTs (initialize, the initialized notification, tools/list, Whoami, Echo, Add).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ActivityGate } from '../../../src/probes/gateway/activity-gate.js';
import { createRunScope, type ProbeOutcome, type RunScope } from '../../../src/probes/types.js';
import { startArcadeStandIn, type ArcadeStandIn } from '../../../src/loopback/arcade-platform.js';
import { NO_PROBE_DEADLINE_MS, TEST_TIMEOUT_MS } from '../../support/deadlines.js';
import { contextFor, probeById, targetsFor } from './context.js';

let arcade: ArcadeStandIn | undefined;
afterEach(async () => {
  await arcade?.close();
  arcade = undefined;
});

const GATEWAYS = 2;
const USERS = 3;

/** MCP requests per gateway path, by method. */
function mcpRequests(stand: ArcadeStandIn): Record<string, Record<string, number>> {
  const counts: Record<string, Record<string, number>> = {};
  for (const r of stand.requests) {
    if (r.component !== 'api' || !r.path.startsWith('/mcp/')) continue;
    const perPath = counts[r.path] ?? {};
    perPath[r.method] = (perPath[r.method] ?? 0) + 1;
    counts[r.path] = perPath;
  }
  return counts;
}

async function run(
  stand: ArcadeStandIn,
  ids: readonly string[],
  scope: (id: string) => RunScope | undefined,
  timeoutMs: (id: string) => number = () => NO_PROBE_DEADLINE_MS,
) {
  const targets = targetsFor(stand);
  const results = await Promise.all(
    ids.map((id) => probeById(id).run(contextFor(targets, stand.apiKey, timeoutMs(id), scope(id)))),
  );
  return Object.fromEntries(ids.map((id, i) => [id, results[i] as ProbeOutcome]));
}

describe('shared MCP sessions', () => {
  it('tools-list and exec-proof in one run open one session per gateway × user', async () => {
    arcade = await startArcadeStandIn({ gateways: GATEWAYS, users: USERS });
    const scope = createRunScope();
    const results = await run(arcade, ['gateway.tools-list', 'gateway.exec-proof'], () => scope);
    expect(results['gateway.tools-list']?.status).toBe('pass');
    expect(results['gateway.exec-proof']?.status).toBe('pass');
    const counts = mcpRequests(arcade);
    expect(Object.keys(counts)).toHaveLength(GATEWAYS);
    for (const perPath of Object.values(counts)) {
      expect(perPath.DELETE).toBe(USERS); // one session per user on each gateway, each terminated
      expect(perPath.POST).toBe(USERS * 6); // one initialize, one tools/list and three calls each
    }
  });

  it('without a shared run scope each probe opens its own sessions (as before)', async () => {
    arcade = await startArcadeStandIn({ gateways: GATEWAYS, users: USERS });
    const results = await run(arcade, ['gateway.tools-list', 'gateway.exec-proof'], () => createRunScope());
    expect(Object.values(results).map((r) => r.status)).toEqual(['pass', 'pass']);
    expect(Object.keys(mcpRequests(arcade))).toHaveLength(GATEWAYS);
    for (const perPath of Object.values(mcpRequests(arcade))) {
      expect(perPath.DELETE).toBe(2 * USERS);
      expect(perPath.POST).toBe(USERS * 3 + USERS * 5);
    }
  });

  it.each(['gateway.tools-list', 'gateway.exec-proof'])(
    '%s alone in a run scope opens, uses and terminates its own sessions',
    async (id) => {
      arcade = await startArcadeStandIn({ gateways: GATEWAYS, users: USERS });
      const scope = createRunScope();
      const results = await run(arcade, [id], () => scope);
      expect(results[id]?.status).toBe('pass');
      expect(Object.keys(mcpRequests(arcade))).toHaveLength(GATEWAYS);
      for (const perPath of Object.values(mcpRequests(arcade))) expect(perPath.DELETE).toBe(USERS);
    },
  );

  // exec-proof's deadline passes at a known point of the run, not after a guessed time: its signal
  // is aborted when the gateway receives the connect's initialize (the session tools-list opens)
  // or exec-proof's own first tools/call (mid-calls, in the session it opened). Every probe's
  // timeout is longer than the test may run, so no connect or call is cut short by a slow machine
  // (a session's connect is bounded by the timeout of the probe that opens it: in a real run every
  // probe has the same one). tools-list, in the same sessions, passes, and every session is still
  // terminated once.
  it.each([
    ['while it waits for the session the other opens', ['gateway.tools-list', 'gateway.exec-proof'], 'initialize'],
    [
      'in the middle of its calls, in the session it opened',
      ['gateway.exec-proof', 'gateway.tools-list'],
      'tools/call',
    ],
  ] as const)('a probe whose deadline passes %s leaves the other its session', async (_when, order, event) => {
    const deadline = new AbortController();
    const seen: string[] = [];
    arcade = await startArcadeStandIn({
      gateways: 1,
      users: 2,
      onGatewayMessage: (method) => {
        seen.push(method);
        if (method === event && !deadline.signal.aborted) deadline.abort(new Error('deadline'));
      },
    });
    const scope = createRunScope();
    const targets = targetsFor(arcade);
    const [first, second] = await Promise.all(
      order.map((id) =>
        probeById(id).run(
          contextFor(
            targets,
            arcade!.apiKey,
            NO_PROBE_DEADLINE_MS,
            scope,
            id === 'gateway.exec-proof' ? deadline.signal : undefined,
          ),
        ),
      ),
    );
    const results = Object.fromEntries([
      [order[0], first],
      [order[1], second],
    ]);
    expect(deadline.signal.aborted).toBe(true);
    expect(results['gateway.exec-proof']).toMatchObject({
      status: 'error',
      detail: expect.stringMatching(/^timed out after \d+ ms/),
    });
    expect(results['gateway.tools-list']).toMatchObject({ status: 'pass' });
    // The last DELETE may be sent in the background (a hang guard, not a speed assertion).
    await expect
      .poll(() => mcpRequests(arcade!)['/mcp/zeb-gateway-test']?.DELETE, { timeout: TEST_TIMEOUT_MS / 2 })
      .toBe(2);
    expect(seen.filter((m) => m === 'initialize')).toHaveLength(2); // one connect per user: the sessions were shared
  });

  it('a failed session is reported by both probes as what it is, not as the other probe', async () => {
    arcade = await startArcadeStandIn({ gateways: 1, users: 2, deadHost: 'api' });
    const scope = createRunScope();
    const results = await run(arcade, ['gateway.tools-list', 'gateway.exec-proof'], () => scope);
    for (const r of Object.values(results)) {
      expect(r.status).toBe('error');
      expect(r.detail).toMatch(/502/);
    }
  });
});

describe('gateway.latency and the fan-out', () => {
  it('times its calls only after the fan-out probes of its run are done', async () => {
    arcade = await startArcadeStandIn({ gateways: 1, users: 2, slowMs: 0 });
    const scope = createRunScope();
    const targets = targetsFor(arcade, { latency: { calls: 5, p95BudgetMs: NO_PROBE_DEADLINE_MS } });
    const ended: Record<string, number> = {};
    const ids = ['gateway.tools-list', 'gateway.exec-proof', 'gateway.latency'];
    await Promise.all(
      ids.map(async (id) => {
        // The latency probe waits for the fan-out at most half its deadline: longer than the test may run.
        const result = await probeById(id).run(contextFor(targets, arcade!.apiKey, NO_PROBE_DEADLINE_MS, scope));
        expect({ id, status: result.status }).toEqual({ id, status: 'pass' });
        ended[id] = arcade!.requests.length;
      }),
    );
    // The latency probe's timed Echo calls (and the reference server's) all come after the
    // last request of the fan-out: nothing of the reference server before the fan-out ended.
    const fanOutEnd = Math.max(ended['gateway.tools-list']!, ended['gateway.exec-proof']!);
    const firstReference = arcade.requests.findIndex((r) => r.component === 'reference');
    expect(firstReference).toBeGreaterThanOrEqual(fanOutEnd);
  });
});

describe('ActivityGate', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is idle at once with nothing in flight, and when the last work leaves', async () => {
    const gate = new ActivityGate();
    const signal = new AbortController().signal;
    await gate.idle(signal, 10_000);
    const leaveA = gate.enter();
    const leaveB = gate.enter();
    let idle = false;
    const waiting = gate.idle(signal, 10_000).then(() => {
      idle = true;
    });
    leaveA();
    await new Promise((resolve) => setImmediate(resolve)); // every pending promise settles first
    expect(idle).toBe(false);
    leaveB();
    await waiting;
    expect(idle).toBe(true);
  });

  it('stops waiting after maxMs or when the signal aborts', async () => {
    vi.useFakeTimers();
    const gate = new ActivityGate();
    gate.enter();
    let idle = false;
    const waiting = gate.idle(new AbortController().signal, 50).then(() => {
      idle = true;
    });
    await vi.advanceTimersByTimeAsync(49);
    expect(idle).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(idle).toBe(true);
    await waiting;

    const controller = new AbortController();
    let aborted = false;
    const stopped = gate.idle(controller.signal, 10_000).then(() => {
      aborted = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(aborted).toBe(false);
    controller.abort();
    await stopped; // resolves, never rejects
    expect(aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0); // its timer is cleared, not left running
  });
});
