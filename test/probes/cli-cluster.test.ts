/**
 * `npm run probe` in-process against the whole loopback platform (Kubernetes API, Mimir, Arcade
 * stand-ins): the healthy run passes every probe with exit 0 and never writes to the cluster;
 * each broken scenario fails exactly the probe that exists to catch it, with exit 1.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { registry } from '../../src/probes/registry.js';
import { startPlatform, type PlatformFaults } from '../../src/loopback/platform.js';
import { tempDir } from '../support/temp.js';
import { virtualClock } from '../support/virtual-clock.js';
import { failing, itFailsExactly, result, runCli, statuses, runScenario } from './helpers.js';

const scenario = (faults: PlatformFaults, args: string[] = []) => runScenario({ faults }, args);

describe('npm run probe against a healthy platform', () => {
  it('passes every probe, exit 0, ends with the summary line, and never writes to the cluster', async () => {
    const platform = await startPlatform();
    try {
      const run = await runCli(
        ['--targets', platform.targetsFile, '--revision', platform.appliedSha.slice(0, 12)],
        platform.env,
      );
      expect(run.stderr).toBe('');
      expect(statuses(run.report)).toEqual(Object.fromEntries(registry.map((p) => [p.id, 'pass'])));
      expect(run.code).toBe(0);
      expect(run.stdout.trimEnd().split('\n').pop()).toBe(
        `${registry.length} passed, 0 failed, 0 errors, 0 skipped, 0 known gaps`,
      );
      expect(result(run.report, 'flux.release-ready').evidence).toMatchObject({
        lastAppliedRevision: `master@sha1:${platform.appliedSha}`,
      });
      expect(platform.kube.requests.length).toBeGreaterThan(10);
      expect(platform.kube.writes()).toEqual([]);
      expect(platform.mimir.requests.every((r) => r.orgId === 'k8s-backstage-v4')).toBe(true);
    } finally {
      await platform.close();
    }
  });
});

describe.concurrent('each broken deployment fails exactly its probe (exit 1)', () => {
  itFailsExactly<PlatformFaults>(
    [
      ['stale chart version', { staleChart: true }, 'flux.release-ready'],
      ['a crashlooping workload', { crashLoop: true }, 'k8s.workloads-ready'],
      ['a bundled PostgreSQL left running', { bundledPostgres: true }, 'datastores.managed'],
    ],
    (faults) => ({ faults }),
  );

  it('a revision other than the applied one fails flux.release-ready', async () => {
    const run = await scenario({}, ['--revision', 'deadbee', '--only', 'flux.release-ready,k8s.workloads-ready']);
    expect(failing(run.report)).toEqual(['flux.release-ready']);
    expect(result(run.report, 'flux.release-ready').detail).toContain(
      `applied master@sha1:${run.appliedSha}, not deadbee`,
    );
    expect(result(run.report, 'flux.release-ready').attempts).toBe(2);
    expect(run.code).toBe(1);
  });

  it('--wait keeps retrying a deployment probe until its deadline', async () => {
    // On a virtual clock the deadline is counted in backoff, not in how fast this machine runs:
    // attempts at 0, 100, 300, 500, 700 and 900 ms; one more would start after the 1 s deadline.
    const clock = virtualClock();
    const run = await runScenario({ faults: { staleChart: true } }, ['--only', 'flux.release-ready', '--wait', '1'], {
      clock,
      retry: { attempts: 2, backoffMs: 100, maxBackoffMs: 200 },
    });
    expect(result(run.report, 'flux.release-ready')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('--wait 1s'),
      attempts: 6,
    });
    expect(clock.sleeps).toEqual([100, 200, 200, 200, 200]);
    // The report's times are the same clock's: the run started at its 0 and took its 900 ms.
    expect(run.report).toMatchObject({ startedAt: '1970-01-01T00:00:00.000Z', durationMs: 900 });
  });

  it('reads the HelmRelease from targets.releaseNamespace when the release object lives apart from the workloads', async () => {
    const platform = await startPlatform();
    try {
      const file = join(tempDir('targets-'), 'targets.yaml');
      writeFileSync(file, stringify({ ...platform.targets, releaseNamespace: 'flux-system' }));
      const missing = await runCli(['--targets', file, '--only', 'flux.release-ready'], platform.env);
      expect(result(missing.report, 'flux.release-ready')).toMatchObject({
        status: 'fail',
        detail: 'HelmRelease flux-system/arcade not found',
      });
      // The release object moved to flux-system, installing into arcade (its workloads stay there).
      platform.kube.remove('helm.toolkit.fluxcd.io/v2', 'HelmRelease', 'arcade', 'arcade');
      platform.kube.put({
        apiVersion: 'helm.toolkit.fluxcd.io/v2',
        kind: 'HelmRelease',
        metadata: { name: 'arcade', namespace: 'flux-system', generation: 2 },
        spec: {
          releaseName: 'arcade',
          targetNamespace: 'arcade',
          chart: { spec: { chart: 'arcade', version: platform.targets.chartVersion } },
        },
        status: {
          observedGeneration: 2,
          conditions: [{ type: 'Ready', status: 'True', reason: 'UpgradeSucceeded' }],
          history: [
            {
              name: 'arcade',
              namespace: 'arcade',
              version: 2,
              status: 'deployed',
              chartName: 'arcade',
              chartVersion: platform.targets.chartVersion,
            },
          ],
        },
      });
      const found = await runCli(['--targets', file, '--only', 'flux.release-ready,k8s.workloads-ready'], platform.env);
      expect(statuses(found.report)).toEqual({ 'flux.release-ready': 'pass', 'k8s.workloads-ready': 'pass' });
      expect(result(found.report, 'flux.release-ready').detail).toMatch(/^flux-system\/arcade Ready/);
    } finally {
      await platform.close();
    }
  });

  it('an unreachable Kubernetes API is error for every cluster probe, never a pass', async () => {
    const platform = await startPlatform();
    const env = platform.env;
    const file = platform.targetsFile;
    platform.kube.faults.failPaths = { match: /./, code: 503 };
    try {
      const run = await runCli(['--targets', file, '--only', 'flux.release-ready,otel.collector-ready'], env);
      expect(statuses(run.report)).toEqual({ 'flux.release-ready': 'error', 'otel.collector-ready': 'error' });
      expect(result(run.report, 'otel.collector-ready').detail).toContain('HTTP 503 injected failure 503'); // the API server's own Status message
      expect(run.code).toBe(1);
    } finally {
      await platform.close();
    }
  });
});
