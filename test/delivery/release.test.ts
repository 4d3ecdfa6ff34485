/**
 * Release identity and datastore-mode rules, checked on the stack's own synthesized releases (so
 * a change of chart keys in arcade-values.ts that broke the rule would fail here) and on
 * hand-written shapes.
 */
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { datastoreMode, identityChanges, releaseIdentity } from '../../src/delivery/release.js';
import type { KubeObject } from '../../src/review/manifests.js';
import { indexObjects } from '../../src/review/manifests.js';
import { handWrittenRelease, sourceOf, stagingEnvironment } from './support.js';

function releaseOf(files: readonly { path: string; content: string }[]): KubeObject {
  const found = [...indexObjects(files).values()].find((l) => l.object.kind === 'HelmRelease');
  if (!found) throw new Error('no HelmRelease');
  return found.object;
}

describe('datastoreMode', () => {
  it('reads the stack’s own bundled and managed releases correctly', () => {
    expect(datastoreMode(releaseOf(sourceOf(stagingEnvironment('bundled')).files))).toBe('bundled');
    expect(datastoreMode(releaseOf(sourceOf(stagingEnvironment('managed')).files))).toBe('managed');
  });

  it('reads a hand-written release: bundled by default, managed when a datastore subchart is disabled or fed from a Secret', () => {
    const hand = (spec: Record<string, unknown>) => parse(handWrittenRelease(spec).split('---\n')[1]!) as KubeObject;
    expect(datastoreMode(hand({}))).toBe('bundled');
    expect(datastoreMode(hand({ values: { postgresql: { enabled: false } } }))).toBe('managed');
    expect(datastoreMode(hand({ values: { redis: { enabled: true } } }))).toBe('bundled');
    expect(datastoreMode(hand({ valuesFrom: [{ kind: 'Secret', name: 'db', valuesKey: 'host', targetPath: 'engine.database.host' }] }))).toBe('managed');
    expect(datastoreMode(hand({ valuesFrom: [{ kind: 'Secret', name: 'oidc', valuesKey: 'secret', targetPath: 'auth.oidc.clientSecret' }] }))).toBe('bundled');
  });
});

describe('releaseIdentity', () => {
  const hr = (metadata: Record<string, unknown>, spec: Record<string, unknown>) =>
    ({ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'arcade', ...metadata }, spec }) as unknown as KubeObject;

  it('applies helm-controller defaults before comparing', () => {
    expect(releaseIdentity(hr({ namespace: 'arcade' }, {}))).toEqual({ namespace: 'arcade', name: 'arcade', releaseName: 'arcade', targetNamespace: 'arcade', storageNamespace: 'arcade' });
    expect(releaseIdentity(hr({ namespace: 'flux-system' }, { targetNamespace: 'arcade' })).releaseName).toBe('arcade-arcade');
    expect(identityChanges(releaseIdentity(hr({ namespace: 'arcade' }, {})), releaseIdentity(hr({ namespace: 'arcade' }, { releaseName: 'arcade', storageNamespace: 'arcade' })))).toEqual([]);
  });

  it('names every changed field', () => {
    const before = releaseIdentity(hr({ namespace: 'flux-system' }, { targetNamespace: 'arcade' }));
    const after = releaseIdentity(hr({ namespace: 'arcade' }, { releaseName: 'arcade' }));
    expect(identityChanges(before, after)).toEqual(['namespace: flux-system → arcade', 'releaseName: arcade-arcade → arcade', 'storageNamespace: flux-system → arcade']);
  });
});
