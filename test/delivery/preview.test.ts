/**
 * The prune preview's rules as pure functions: which deletions need their own --allow-prune (and
 * why), how a consent is written and matched, and the inventory identity objects are matched by.
 */
import { describe, expect, it } from 'vitest';
import { consents, inventoryId, parseConsent, type PruneEntry } from '../../src/delivery/preview.js';
import { type DangerContext, dangerOf } from '../../src/delivery/prune-danger.js';
import type { KubeObject } from '../../src/core/manifests.js';
import { releaseFootprint, sourceKey } from '../../src/delivery/release.js';

const obj = (
  apiVersion: string,
  kind: string,
  name: string,
  namespace?: string,
  labels?: Record<string, string>,
): KubeObject =>
  ({
    apiVersion,
    kind,
    metadata: { name, ...(namespace ? { namespace } : {}), ...(labels ? { labels } : {}) },
  }) as KubeObject;

const ctx: DangerContext = {
  folder: 'apps/arcade',
  ownNames: new Set(['arcade']),
  before: [
    { object: obj('v1', 'ConfigMap', 'a', 'arcade'), origin: 'apps/arcade/a.yaml' },
    { object: obj('apps/v1', 'Deployment', 'other', 'arcade'), origin: 'apps/other/deployment.yaml' },
  ],
};

describe('dangerOf: deletions that need their own consent', () => {
  it("names Namespaces (with the other apps inside), cluster-scoped, stateful, Secret-owning, release and other apps' objects", () => {
    const cases: [KubeObject, string | undefined, RegExp][] = [
      [
        obj('v1', 'Namespace', 'arcade'),
        'apps/arcade/namespace.yaml',
        /deletes everything in it.*1 object\(s\) of other apps Flux applies there \(Deployment arcade\/other \(apps\/other\/deployment\.yaml\)\)/,
      ],
      [obj('rbac.authorization.k8s.io/v1', 'ClusterRole', 'arcade-reader'), 'apps/arcade/rbac.yaml', /cluster-scoped/],
      [obj('example.com/v1', 'Widget', 'no-namespace'), 'apps/arcade/w.yaml', /cluster-scoped/],
      [
        obj('v1', 'PersistentVolumeClaim', 'data-arcade-postgresql-0', 'arcade'),
        'apps/arcade/pvc.yaml',
        /PersistentVolumeClaim: the data on its volume/,
      ],
      [obj('apps/v1', 'StatefulSet', 'arcade-postgresql', 'arcade'), 'apps/arcade/sts.yaml', /StatefulSet/],
      [
        obj('v1', 'Secret', 'arcade-postgres', 'arcade'),
        'apps/arcade/s.yaml',
        /a Secret: its value may exist nowhere else/,
      ],
      [
        obj('bitnami.com/v1alpha1', 'SealedSecret', 'arcade-postgres', 'arcade'),
        'apps/arcade/s.yaml',
        /owns a Secret \(SealedSecret/,
      ],
      [
        obj('external-secrets.io/v1', 'ExternalSecret', 'arcade-postgres', 'arcade'),
        'apps/arcade/s.yaml',
        /owns a Secret \(ExternalSecret/,
      ],
      [
        obj('helm.toolkit.fluxcd.io/v2', 'HelmRelease', 'arcade', 'arcade'),
        'apps/arcade/hr.yaml',
        /uninstalls the release/,
      ],
      [
        obj('kustomize.toolkit.fluxcd.io/v1', 'Kustomization', 'apps', 'flux-system'),
        'clusters/x/apps.yaml',
        /Flux Kustomization: with prune it deletes everything it applied/,
      ],
      [
        obj('v1', 'ConfigMap', 'shared', 'arcade'),
        'apps/other/shared.yaml',
        /another app \(from apps\/other\/shared\.yaml\)/,
      ],
      [
        obj('v1', 'ConfigMap', 'tagged', 'arcade', { 'app.kubernetes.io/part-of': 'billing' }),
        'apps/arcade/c.yaml',
        /another app \(app\.kubernetes\.io\/part-of: billing\)/,
      ],
    ];
    for (const [o, origin, why] of cases) expect(dangerOf(o, origin, ctx), `${o.kind} ${o.metadata.name}`).toMatch(why);
  });

  it('lets ordinary objects of the folder go without consent', () => {
    expect(
      dangerOf(
        obj('source.toolkit.fluxcd.io/v1', 'HelmRepository', 'arcade', 'arcade'),
        'apps/arcade/helmrepository.yaml',
        ctx,
      ),
    ).toBeUndefined();
    expect(
      dangerOf(
        obj('v1', 'ConfigMap', 'x', 'arcade', { 'app.kubernetes.io/part-of': 'arcade' }),
        'apps/arcade/x.yaml',
        ctx,
      ),
    ).toBeUndefined();
  });
});

describe("dangerOf: an object in a namespace the folder's objects do not use", () => {
  const used: DangerContext = {
    ...ctx,
    namespaces: new Set(['arcade']),
    sources: new Set([sourceKey('HelmRepository', 'flux-system', 'arcade')]),
  };
  it("is another app's even when it has the release's name; only the Flux source the release names is its own", () => {
    // The release's name (ownNames) once let any object named so through: a Deployment billing/arcade was deleted.
    expect(dangerOf(obj('apps/v1', 'Deployment', 'arcade', 'billing'), 'apps/arcade/billing.yaml', used)).toMatch(
      /another app \(in namespace billing, which none of the export's objects use/,
    );
    const source = obj('source.toolkit.fluxcd.io/v1', 'HelmRepository', 'arcade', 'flux-system');
    expect(dangerOf(source, 'apps/arcade/helmrepository.yaml', used)).toBeUndefined();
    expect(dangerOf({ ...source, kind: 'GitRepository' }, 'apps/arcade/git.yaml', used)).toMatch(/another app/);
    expect(dangerOf(source, 'apps/arcade/helmrepository.yaml', { ...used, sources: new Set() })).toMatch(/another app/);
  });
});

describe("releaseFootprint: what the folder's HelmReleases use", () => {
  it('their namespaces, target and storage namespaces, and the sources they name (in their own namespace by default)', () => {
    const release = (metadata: { name: string; namespace: string }, spec: Record<string, unknown>) =>
      ({ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata, spec }) as KubeObject;
    const footprint = releaseFootprint([
      release(
        { name: 'arcade', namespace: 'arcade-old' },
        {
          targetNamespace: 'apps',
          storageNamespace: 'helm',
          chart: { spec: { sourceRef: { kind: 'HelmRepository', name: 'charts' } } },
        },
      ),
      release(
        { name: 'b', namespace: 'b' },
        { chartRef: { kind: 'OCIRepository', name: 'oci', namespace: 'flux-system' } },
      ),
      obj('v1', 'ConfigMap', 'not-a-release', 'elsewhere'),
    ]);
    expect([...footprint.namespaces].sort()).toEqual(['apps', 'arcade-old', 'b', 'helm']);
    expect([...footprint.sources].sort()).toEqual([
      sourceKey('HelmRepository', 'arcade-old', 'charts'),
      sourceKey('OCIRepository', 'flux-system', 'oci'),
    ]);
  });
});

describe('--allow-prune values', () => {
  const entry: PruneEntry = {
    owner: 'flux-system/apps',
    key: 'Namespace arcade',
    kind: 'Namespace',
    name: 'arcade',
    fate: 'deleted',
    danger: 'x',
  };
  const secret: PruneEntry = {
    owner: 'flux-system/apps',
    key: 'Secret arcade/db',
    kind: 'Secret',
    namespace: 'arcade',
    name: 'db',
    fate: 'deleted',
    danger: 'x',
  };

  it('are Kind/name or Kind/namespace/name, matched per object', () => {
    expect(consents(parseConsent('Namespace/arcade')!, entry)).toBe(true);
    expect(consents(parseConsent('namespace/arcade')!, entry)).toBe(true);
    expect(consents(parseConsent('Secret/arcade/db')!, secret)).toBe(true);
    expect(consents(parseConsent('Secret/other/db')!, secret)).toBe(false);
    expect(consents(parseConsent('Secret/db')!, secret)).toBe(true);
    expect(consents(parseConsent('Namespace/arcade')!, secret)).toBe(false);
    for (const bad of ['Namespace', 'Namespace/', '/arcade', 'a/b/c/d']) expect(parseConsent(bad), bad).toBeUndefined();
  });

  it("match objects as kustomize-controller's inventory does: group, kind, namespace, name (not the version)", () => {
    expect(inventoryId(obj('helm.toolkit.fluxcd.io/v2beta2', 'HelmRelease', 'arcade', 'arcade'))).toBe(
      inventoryId(obj('helm.toolkit.fluxcd.io/v2', 'HelmRelease', 'arcade', 'arcade')),
    );
    expect(inventoryId(obj('v1', 'ConfigMap', 'a', 'x'))).not.toBe(inventoryId(obj('v1', 'ConfigMap', 'a', 'y')));
  });
});
