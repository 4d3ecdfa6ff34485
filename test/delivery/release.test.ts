/**
 * Release identity and datastore-mode rules, checked on the stack's own synthesized releases (so
 * a change of chart keys in arcade-values.ts that broke the rule would fail here) and on
 * hand-written shapes.
 */
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  datastoreMode,
  describeChange,
  environmentField,
  identityChanges,
  releaseIdentity,
  shortenName,
} from '../../src/delivery/release.js';
import type { KubeObject } from '../../src/core/manifests.js';
import { indexObjects } from '../../src/core/manifests.js';
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
    expect(
      datastoreMode(
        hand({ valuesFrom: [{ kind: 'Secret', name: 'db', valuesKey: 'host', targetPath: 'engine.database.host' }] }),
      ),
    ).toBe('managed');
    expect(
      datastoreMode(
        hand({
          valuesFrom: [{ kind: 'Secret', name: 'oidc', valuesKey: 'secret', targetPath: 'auth.oidc.clientSecret' }],
        }),
      ),
    ).toBe('bundled');
  });
});

describe('releaseIdentity', () => {
  const hr = (metadata: Record<string, unknown>, spec: Record<string, unknown>) =>
    ({
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'arcade', ...metadata },
      spec,
    }) as unknown as KubeObject;
  const chart = {
    chart: { spec: { chart: 'arcade', version: '1.8.8', sourceRef: { kind: 'HelmRepository', name: 'arcade' } } },
  };

  it('applies helm-controller defaults before comparing', () => {
    expect(releaseIdentity(hr({ namespace: 'arcade' }, chart))).toEqual({
      namespace: 'arcade',
      name: 'arcade',
      releaseName: 'arcade',
      targetNamespace: 'arcade',
      storageNamespace: 'arcade',
      chart: 'arcade',
    });
    expect(releaseIdentity(hr({ namespace: 'flux-system' }, { targetNamespace: 'arcade' })).releaseName).toBe(
      'arcade-arcade',
    );
    expect(
      identityChanges(
        releaseIdentity(hr({ namespace: 'arcade' }, {})),
        releaseIdentity(hr({ namespace: 'arcade' }, { releaseName: 'arcade', storageNamespace: 'arcade' })),
      ),
    ).toEqual([]);
  });

  it('shortens a default release name over 53 characters as helm-controller does (first 40, "-", 12 hex of sha256)', () => {
    // The vectors of helm-controller's own test (internal/release/name_test.go, TestShortName).
    expect(shortenName('release-name')).toBe('release-name');
    expect(shortenName('release-name-with-very-long-name-which-is-longer-than-53-characters')).toBe(
      'release-name-with-very-long-name-which-i-788ca0d0d7b0',
    );
    expect(shortenName('another-release-name-with-very-long-name-which-is-longer-than-53-characters')).toBe(
      'another-release-name-with-very-long-name-7e72150d5a36',
    );
    expect(shortenName('a'.repeat(53))).toBe('a'.repeat(53));
    expect(
      releaseIdentity(hr({ namespace: 'arcade', name: 'x'.repeat(50) }, { targetNamespace: 'arcade' })).releaseName,
    ).toBe(shortenName(`arcade-${'x'.repeat(50)}`));
  });

  it("reads the chart name from the chart template or from the chartRef's OCIRepository in the same build", () => {
    const oci = {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'OCIRepository',
      metadata: { name: 'arcade', namespace: 'flux-system' },
      spec: { url: 'oci://public.ecr.aws/s5i6x9d1/charts/arcade' },
    } as unknown as KubeObject;
    const byRef = hr({ namespace: 'flux-system' }, { chartRef: { kind: 'OCIRepository', name: 'arcade' } });
    expect(releaseIdentity(byRef, [oci]).chart).toBe('arcade');
    expect(releaseIdentity(byRef, []).chart).toBe('(unknown)');
    expect(releaseIdentity(hr({}, { chart: { spec: { chart: './charts/arcade/' } } })).chart).toBe('arcade');
    // A chart name nobody can tell is not a change; a different one is.
    expect(identityChanges(releaseIdentity(byRef, []), releaseIdentity(byRef, [oci]))).toEqual([]);
    expect(
      identityChanges(
        releaseIdentity(hr({}, { chart: { spec: { chart: 'arcade-legacy' } } })),
        releaseIdentity(hr({}, chart)),
      ).map(describeChange),
    ).toEqual(['chart: arcade-legacy → arcade']);
  });

  it('names every changed field, and the environment field that gives each back', () => {
    const before = releaseIdentity(hr({ namespace: 'flux-system' }, { targetNamespace: 'arcade' }));
    const after = releaseIdentity(hr({ namespace: 'arcade' }, { releaseName: 'arcade' }));
    const changes = identityChanges(before, after);
    expect(changes.map(describeChange)).toEqual([
      'namespace: flux-system → arcade',
      'releaseName: arcade-arcade → arcade',
      'storageNamespace: flux-system → arcade',
    ]);
    expect(changes.map(environmentField)).toEqual([
      'release.namespace: flux-system',
      'release.releaseName: arcade-arcade',
      'release.storageNamespace: flux-system',
    ]);
  });
});
