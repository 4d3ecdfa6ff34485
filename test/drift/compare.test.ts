/**
 * Drift comparison as a pure function: only the fields dist/ sets count; server-set fields and
 * extra live keys are ignored; ciphertext is summarized.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compareFields } from '../../src/drift/compare.js';

const desired = {
  apiVersion: 'helm.toolkit.fluxcd.io/v2',
  kind: 'HelmRelease',
  metadata: { name: 'arcade', namespace: 'arcade', labels: { 'app.kubernetes.io/managed-by': 'arcade-stack' } },
  spec: {
    interval: '10m',
    values: { features: { chatEnabled: false } },
    valuesFrom: [{ kind: 'Secret', name: 'pg', valuesKey: 'host', targetPath: 'a.b' }],
    env: [{ name: 'A', value: '1' }],
    args: ['--x', '--y'],
  },
};

function live(patch: (o: typeof desired & Record<string, unknown>) => void) {
  const o = structuredClone(desired) as typeof desired & Record<string, unknown>;
  Object.assign(o.metadata, { uid: 'u-1', resourceVersion: '42', generation: 3, managedFields: [{ manager: 'kustomize-controller' }] });
  o.status = { conditions: [{ type: 'Ready', status: 'True' }] };
  patch(o);
  return o;
}

describe('compareFields', () => {
  it('ignores server-set metadata, status and keys dist/ does not set', () => {
    expect(compareFields(desired, live((o) => Object.assign(o.spec, { timeout: '5m' })))).toEqual([]);
  });

  it('reports changed, missing and label differences with dist and cluster values', () => {
    const drift = compareFields(desired, live((o) => {
      o.spec.values.features.chatEnabled = true as false;
      (o.spec as Record<string, unknown>).interval = undefined;
      o.metadata.labels['app.kubernetes.io/managed-by'] = 'kubectl';
      o.spec.args = ['--x'];
      o.spec.env = [{ name: 'A', value: '2' }, { name: 'B', value: '3' }];
    }));
    expect(drift).toEqual([
      { path: 'metadata.labels."app.kubernetes.io/managed-by"', expected: 'arcade-stack', live: 'kubectl' },
      { path: 'spec.interval', expected: '10m', live: undefined },
      { path: 'spec.values.features.chatEnabled', expected: false, live: true },
      { path: 'spec.env[name=A].value', expected: '1', live: '2' },
      { path: 'spec.args', expected: '["--x","--y"]', live: '["--x"]' },
    ]);
  });

  it('summarizes SealedSecret ciphertext differences without showing them', () => {
    const a = randomBytes(200).toString('base64');
    const b = randomBytes(200).toString('base64');
    const sealed = (c: string) => ({ apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', metadata: { name: 's' }, spec: { encryptedData: { password: c } } });
    const drift = compareFields(sealed(a), sealed(b));
    expect(drift).toHaveLength(1);
    expect(JSON.stringify(drift)).not.toContain(a.slice(0, 30));
    expect(JSON.stringify(drift)).not.toContain(b.slice(0, 30));
    expect(drift[0]!.summary).toMatch(/^ciphertext differs \(dist sha256 [a-f0-9]{12}…, cluster sha256 [a-f0-9]{12}…\)$/);
  });
});
