/**
 * scripts/drift.ts's command, in process (its exported `main`, test/support/run-script.ts) with an
 * environment of the test's own: the kubeconfig lookup reads that environment (KUBECONFIG, HOME,
 * KUBERNETES_SERVICE_*), never the test process's, so both cases below are the script's own
 * behaviour without a spawn (test/scripts/every-script.test.ts proves the real process: argv,
 * exit code, streams).
 *
 * - No kubeconfig found: fails closed (exit 2: configuration), never assuming a clean cluster.
 * - KUBECONFIG given in the environment: that cluster is read (and named on stderr before any
 *   request); objects it lacks are drift (exit 1).
 */
import { describe, expect, it } from 'vitest';
import { startKubeApi } from '../../src/loopback/kube-api.js';
import { main } from '../../scripts/drift.js';
import { runMain } from '../support/run-script.js';
import { tempDir } from '../support/temp.js';

/** The test process's environment without any way to a cluster, HOME an empty folder. */
function noCluster(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: tempDir('home-') };
  for (const k of ['KUBECONFIG', 'KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT']) delete env[k];
  return env;
}

describe('npm run drift (scripts/drift.ts)', () => {
  it('fails closed when no kubeconfig is found (configuration: exit 2)', async () => {
    const r = await runMain(main, ['--env', 'backstage-wus2-v4'], { env: noCluster() });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no Kubernetes configuration: KUBECONFIG is not set, ~/.kube/config does not exist');
    expect(r.stderr).toContain('drift never assumes a cluster');
    expect(r.stdout).not.toContain('no drift');
  });

  it("reads the cluster its environment's KUBECONFIG names, and says which before reading", async () => {
    const api = await startKubeApi();
    try {
      const r = await runMain(main, ['--env', 'backstage-wus2-v4', '--timeout', '5'], {
        env: { ...noCluster(), KUBECONFIG: api.kubeconfig },
      });
      expect(r.stderr).toMatch(
        new RegExp(`^drift: reading Kubernetes ${api.url}/? \\(context \\S+, from KUBECONFIG ${api.kubeconfig}\\)\\n`),
      );
      expect(r.stdout).toMatch(
        new RegExp(`^drift backstage-wus2-v4 against ${api.url}/?: \\d+ object\\(s\\) in dist/\\n`),
      );
      expect(r.stdout).toMatch(/^- missing in cluster: /m);
      expect(r.status).toBe(1);
      expect(api.requests.length).toBeGreaterThan(0);
      expect(api.requests.every((q) => q.method === 'GET')).toBe(true);
    } finally {
      await api.close();
    }
  });
});
