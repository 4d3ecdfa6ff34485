/**
 * `npm run probe` in-process against the whole loopback platform: each broken observability
 * path fails exactly the probe that exists to catch it, with exit 1 (deployment faults and the
 * healthy run: cli-cluster.test.ts); an unreachable Mimir is error.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startPlatform, type PlatformFaults } from '../../src/loopback/platform.js';
import { refusedPort } from '../support/refused-port.js';
import { tempDir } from '../support/temp.js';
import { itFailsExactly, result, runCli, runScenario } from './helpers.js';

describe.concurrent('each broken observability path fails exactly its probe (exit 1)', () => {
  itFailsExactly<PlatformFaults>(
    [
      ['no collector endpoints', { noCollectorEndpoints: true }, 'otel.collector-ready'],
      ['export errors in the engine logs', { exportErrors: true }, 'otel.engine-export-clean'],
      ['an empty engine log (no evidence)', { emptyEngineLog: true }, 'otel.engine-export-clean'],
      ['an empty Mimir result', { emptyMimir: true }, 'otel.metrics-in-mimir'],
      [
        "Mimir holding the collector's own metrics and another client's, but not the engine's",
        { mimirWithoutEngine: true },
        'otel.metrics-in-mimir',
      ],
      ['Mimir answering 503', { mimirDown: true }, 'otel.metrics-in-mimir'],
      ['a ServiceMonitor with the exclusion label', { excludedServiceMonitor: true }, 'monitoring.servicemonitors'],
    ],
    (faults) => ({ faults }),
  );

  it("the healthy run names the engine's job and every other job relayed by the collector", async () => {
    const platform = await startPlatform();
    try {
      const run = await runCli(['--targets', platform.targetsFile, '--only', 'otel.metrics-in-mimir'], platform.env);
      expect(result(run.report, 'otel.metrics-in-mimir')).toMatchObject({
        status: 'pass',
        detail: '3 series of job "arcade_engine" came through the collector (jobs seen: arcade_engine (3))',
        evidence: {
          query: 'count by (job) ({arcade_stack_collector="backstage-wus2-v4/arcade/arcade-otel-collector"})',
          jobs: [{ job: 'arcade_engine', series: 3 }],
        },
      });
    } finally {
      await platform.close();
    }
  });

  it("without the engine's series the failure lists the jobs that did come through", async () => {
    const run = await runScenario({ faults: { mimirWithoutEngine: true } }, ['--only', 'otel.metrics-in-mimir']);
    expect(result(run.report, 'otel.metrics-in-mimir')).toMatchObject({
      status: 'fail',
      evidence: { jobs: [{ job: 'checkout', series: 2 }] },
    });
    expect(result(run.report, 'otel.metrics-in-mimir').detail).toMatch(
      /^no series of job "arcade_engine" came through the collector; jobs seen with arcade_stack_collector="[^"]+": checkout \(2\)/,
    );
  });

  it('an unreachable Mimir is error with the cause, never a pass', async () => {
    const platform = await startPlatform();
    try {
      // A port that stays refused (test/support/refused-port.ts), not the closed stand-in's: the
      // kernel may hand a freed port to another stand-in before the probe connects.
      const port = await refusedPort();
      const targetsFile = join(tempDir('arcade-probe-unreachable-mimir-'), 'targets.yaml');
      const mimir = { ...platform.targets.mimir, queryUrl: `http://127.0.0.1:${port}/prometheus` };
      writeFileSync(targetsFile, stringify({ ...platform.targets, mimir }));
      const run = await runCli(['--targets', targetsFile, '--only', 'otel.metrics-in-mimir'], platform.env);
      expect(result(run.report, 'otel.metrics-in-mimir')).toMatchObject({
        status: 'error',
        detail: expect.stringMatching(
          new RegExp(`^Mimir unreachable at http://127\\.0\\.0\\.1:${port}/prometheus\\S*: ECONNREFUSED`),
        ),
      });
      expect(run.code).toBe(1);
    } finally {
      await platform.close();
    }
  });
});
