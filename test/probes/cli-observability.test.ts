/**
 * `npm run probe` in-process against the whole loopback platform: each broken observability
 * path fails exactly the probe that exists to catch it, with exit 1 (deployment faults and the
 * healthy run: cli-cluster.test.ts).
 */
import { describe } from 'vitest';
import type { PlatformFaults } from '../support/platform.js';
import { itFailsExactly } from './helpers.js';

describe.concurrent('each broken observability path fails exactly its probe (exit 1)', () => {
  itFailsExactly<PlatformFaults>(
    [
      ['no collector endpoints', { noCollectorEndpoints: true }, 'otel.collector-ready'],
      ['export errors in the engine logs', { exportErrors: true }, 'otel.engine-export-clean'],
      ['an empty engine log (no evidence)', { emptyEngineLog: true }, 'otel.engine-export-clean'],
      ['an empty Mimir result', { emptyMimir: true }, 'otel.metrics-in-mimir'],
      ['Mimir answering 503', { mimirDown: true }, 'otel.metrics-in-mimir'],
      ['a ServiceMonitor with the exclusion label', { excludedServiceMonitor: true }, 'monitoring.servicemonitors'],
    ],
    (faults) => ({ faults }),
  );
});
