/**
 * `otel.engine-export-clean` judges the log it got against the window the API server cut it
 * with, however long the request took. Seen under CPU starvation (one core shared by seven busy
 * processes): the probe fixed its window before listing pods and asking for the log, the API
 * stand-in counted `sinceSeconds` back from when it read the request, 35 s later, and the
 * healthy engine log "started 62 s after the window start" (error; tolerance 60 s).
 *
 * Deterministic: the probe and the Kubernetes API stand-in read one clock that moves only when the
 * stand-in receives the log request (by twice the tolerance, as if the request took that long),
 * so the outcome is the same on any machine; nothing waits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TargetsSchema } from '../../src/environments/probe-targets.js';
import { startPlatform, type Platform } from '../../src/loopback/platform.js';
import { COVERAGE_TOLERANCE_MS, engineExportClean } from '../../src/probes/cluster/engine-export.js';
import { loadKubeAccess } from '../../src/probes/kube.js';
import { resolveTargets } from '../../src/probes/resolved-targets.js';
import { runProbes } from '../../src/probes/runner.js';
import { virtualClock } from '../support/virtual-clock.js';

/** The request's travel time: longer than the tolerance, so a window fixed before it cannot pass. */
const SLOW_MS = 2 * COVERAGE_TOLERANCE_MS;

const clock = virtualClock(Date.now());
let logRequests = 0;
let platform: Platform;
beforeAll(async () => {
  platform = await startPlatform({
    kube: {
      now: () => clock.now(),
      onLog: () => {
        logRequests += 1;
        clock.advance(SLOW_MS);
      },
    },
  });
});
afterAll(async () => {
  await platform.close();
});

describe('otel.engine-export-clean and a slow log request', () => {
  it(`passes on a healthy engine log when the request took ${SLOW_MS / 1000} s`, async () => {
    const access = await loadKubeAccess({ KUBECONFIG: platform.kube.kubeconfig });
    const [result] = await runProbes({
      targets: resolveTargets(TargetsSchema.parse(platform.targets)),
      probes: [engineExportClean],
      kube: (signal) => access.reader(signal),
      clock,
    });
    expect(logRequests).toBe(1);
    expect({ status: result?.status, detail: result?.detail }).toEqual({
      status: 'pass',
      detail: expect.stringMatching(/^1 engine pod\(s\), \d+ log lines over 10 min, no export failure$/),
    });
    // The window is the one the API server cut the log with: it starts after the request arrived.
    expect(result?.evidence).toMatchObject({ windowStart: new Date(clock.now() - 10 * 60_000).toISOString() });
  });
});
