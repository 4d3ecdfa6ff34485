/**
 * scripts/drift.ts without a cluster: failing closed (exit 2: configuration) when no kubeconfig
 * is found, never assuming a clean cluster.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp.js';
import { CHILD_TIMEOUT_MS } from '../support/deadlines.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
/** Run scripts as `npm run` does, in one process (the tsx CLI would start a second node). */
const TSX = ['--import', 'tsx'];

function drift(args: string[], env: Record<string, string | undefined> = {}) {
  const merged: Record<string, string | undefined> = { ...process.env, ...env };
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
  return spawnSync(process.execPath, [...TSX, 'scripts/drift.ts', ...args], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: CHILD_TIMEOUT_MS,
    env: merged as NodeJS.ProcessEnv,
  });
}

describe('npm run drift (scripts/drift.ts)', () => {
  it('fails closed when no kubeconfig is found (configuration: exit 2)', () => {
    const home = tempDir('home-');
    const r = drift(['--env', 'backstage-wus2-v4'], {
      HOME: home,
      KUBECONFIG: undefined,
      KUBERNETES_SERVICE_HOST: undefined,
      KUBERNETES_SERVICE_PORT: undefined,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no Kubernetes configuration: KUBECONFIG is not set, ~/.kube/config does not exist');
    expect(r.stderr).toContain('drift never assumes a cluster');
    expect(r.stdout).not.toContain('no drift');
  });
});
