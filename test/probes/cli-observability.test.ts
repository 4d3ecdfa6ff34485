/**
 * `npm run probe` in-process against the whole loopback platform: each broken observability
 * path fails exactly the probe that exists to catch it, with exit 1 (deployment faults and the
 * healthy run: cli-cluster.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { PlatformFaults } from '../support/platform.js';
import { failing, runScenario } from './helpers.js';

const scenario = (faults: PlatformFaults, args: string[] = []) => runScenario({ faults }, args);

describe.concurrent('each broken observability path fails exactly its probe (exit 1)', () => {
  const cases: [string, PlatformFaults, string][] = [
    ['no collector endpoints', { noCollectorEndpoints: true }, 'otel.collector-ready'],
    ['export errors in the engine logs', { exportErrors: true }, 'otel.engine-export-clean'],
    ['an empty engine log (no evidence)', { emptyEngineLog: true }, 'otel.engine-export-clean'],
    ['an empty Mimir result', { emptyMimir: true }, 'otel.metrics-in-mimir'],
    ['Mimir answering 503', { mimirDown: true }, 'otel.metrics-in-mimir'],
    ['a ServiceMonitor with the exclusion label', { excludedServiceMonitor: true }, 'monitoring.servicemonitors'],
  ];
  for (const [name, faults, id] of cases) {
    it(name, async () => {
      const run = await scenario(faults);
      expect(failing(run.report)).toEqual([id]);
      expect(run.code).toBe(1);
      expect(run.writes).toEqual([]);
    });
  }
});
