/**
 * `npm run probe` in-process against the platform with the Arcade stand-in's faults: each fails
 * exactly the gateway probe that exists to catch it (the stand-in is the other half of issue 5,
 * src/loopback/arcade-platform.ts). Known gaps do not fail the run. The unhealthy engine and the
 * malformed health body also check the verdict, the cause, every other probe passing and no key in
 * any output (test/probes/gateway/probes-faults.test.ts has the other faults of endpoints.health).
 */
import { describe, expect, it } from 'vitest';
import type { ArcadeStandInOptions } from '../../src/loopback/arcade-platform.js';
import { startPlatform } from '../../src/loopback/platform.js';
import { itFailsExactly, result, runCli, statuses, runScenario } from './helpers.js';

const scenario = (arcade: ArcadeStandInOptions, only?: string) => runScenario({ arcade }, only ? ['--only', only] : []);

describe.concurrent('each broken gateway behaviour fails exactly its probe (exit 1)', () => {
  itFailsExactly<ArcadeStandInOptions>(
    [
      [
        'an unhealthy engine',
        { unhealthy: 'database unreachable' },
        'endpoints.health',
        { status: 'fail', detail: /unhealthy \(503\): database unreachable/ },
      ],
      [
        'a malformed health body',
        { malformedHealth: true },
        'endpoints.health',
        { status: 'error', detail: /malformed response \(HTTP 200\)/ },
      ],
      ['a dead coordinator host', { deadHost: 'coordinator' }, 'endpoints.health'],
    ],
    (arcade) => ({ arcade }),
  );

  it('a pending OAuth token is a known gap: reported, counted as a known gap, exit 0', async () => {
    const run = await scenario({ oauthStatus: 'pending' }, 'oauth.token-status,endpoints.health');
    expect(statuses(run.report)).toEqual({ 'endpoints.health': 'pass', 'oauth.token-status': 'known-gap' });
    expect(run.stdout.trimEnd().split('\n').pop()).toBe('1 passed, 0 failed, 0 errors, 0 skipped, 1 known gaps');
    expect(run.code).toBe(0);
  });

  it('a slow gateway fails the latency budget (and only that)', async () => {
    const platform = await startPlatform({ arcade: { slowMs: 25 }, latencyCalls: 10, latencyBudgetMs: 20 });
    try {
      const run = await runCli(
        ['--targets', platform.targetsFile, '--only', 'gateway.latency,gateway.tools-list'],
        platform.env,
      );
      expect(statuses(run.report)).toEqual({ 'gateway.tools-list': 'pass', 'gateway.latency': 'fail' });
      expect(run.code).toBe(1);
    } finally {
      await platform.close();
    }
  });

  it('without ARCADE_API_KEY the gateway probes needing it are error, the others still run', async () => {
    const platform = await startPlatform();
    try {
      const run = await runCli(['--targets', platform.targetsFile, '--only', 'gateway.tools-list,endpoints.health'], {
        KUBECONFIG: platform.env.KUBECONFIG,
      });
      expect(statuses(run.report)).toEqual({ 'endpoints.health': 'pass', 'gateway.tools-list': 'error' });
      expect(result(run.report, 'gateway.tools-list').detail).toContain('ARCADE_API_KEY is not set');
      expect(run.code).toBe(1);
    } finally {
      await platform.close();
    }
  });
});
