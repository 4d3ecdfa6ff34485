/**
 * The gate's reference rules (`refs.*`): every Secret/ConfigMap a reader names resolves in the
 * namespace that reader can read. Proven on the stack's own output (every layout of namespaces
 * passes, and the references are really found), on issue 16's broken layout (the whole stack in
 * flux-system while the engine runs in arcade) and on hand-written pod specs.
 */
import { describe, expect, it } from 'vitest';
import { checkReferences, referencesOf } from '../../src/check/references.js';
import type { PlacedObject } from '../../src/check/workloads.js';
import type { Environment } from '../../src/environments/schema.js';
import { indexObjects, type KubeObject } from '../../src/core/manifests.js';
import { synthEnvironment } from '../../src/synth.js';
import { fixtureEnvironment } from '../synth/helpers.js';

function placed(env: Environment, edit: (o: KubeObject) => KubeObject = (o) => o): PlacedObject[] {
  const files = synthEnvironment(env).files.map((f) => ({ path: f.path, content: f.content }));
  return [...indexObjects(files).values()].map((l, i) => ({
    object: edit(l.object),
    file: `dist/${l.file}`,
    line: i + 1,
  }));
}

const moved = (o: KubeObject, namespace: string): KubeObject => ({ ...o, metadata: { ...o.metadata, namespace } });

const staging = fixtureEnvironment('staging');
const split: Environment = {
  ...staging,
  release: { ...staging.release, namespace: 'flux-system', targetNamespace: 'arcade-staging' },
};

describe('refs: the stack’s own output', () => {
  it('finds every reference of the release: 12 secretKeyRef in the engine env (engine namespace), 1 valuesFrom (release namespace)', () => {
    const release = placed(split).find((p) => p.object.kind === 'HelmRelease')!;
    const refs = referencesOf(release);
    expect(refs.filter((r) => r.path.startsWith('spec.values.')).map((r) => [r.name, r.namespace])).toEqual([
      ['arcade-llm', 'arcade-staging'],
      ...Array(6).fill(['arcade-postgres', 'arcade-staging']),
      ...Array(4).fill(['arcade-redis', 'arcade-staging']),
      ['arcade-engine-root-key', 'arcade-staging'],
    ]);
    expect(refs.find((r) => r.path === 'spec.valuesFrom[0]')).toMatchObject({
      kind: 'Secret',
      name: 'arcade-oidc',
      namespace: 'flux-system',
    });
  });

  it('resolves in every layout the environment allows (same namespace, release object in flux-system)', () => {
    expect(checkReferences(placed(staging))).toEqual([]);
    expect(checkReferences(placed(split))).toEqual([]);
  });
});

describe('refs: a reference that cannot be read fails the gate', () => {
  it('the whole stack moved to flux-system while the engine installs into arcade (issue 16 item 4)', () => {
    // What `namespace: flux-system` + `targetNamespace: arcade-staging` used to produce: every
    // Secret beside the HelmRelease, none where the engine's pods read them.
    const findings = checkReferences(placed(split, (o) => (o.kind === 'ExternalSecret' ? moved(o, 'flux-system') : o)));
    const wrong = findings.filter((f) => f.rule === 'refs.wrong-namespace' && f.object?.kind === 'HelmRelease');
    expect(wrong).toHaveLength(12);
    // The probe runner's key (an ExternalSecret too) moved away from its CronJob's pods as well.
    expect(
      findings
        .filter((f) => f.rule === 'refs.wrong-namespace' && f.object?.kind !== 'HelmRelease')
        .map((f) => [f.object?.kind, f.path]),
    ).toEqual([['CronJob', 'spec.jobTemplate.spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef']]);
    expect(wrong[0]).toMatchObject({
      severity: 'error',
      area: 'refs',
      object: { kind: 'HelmRelease', namespace: 'flux-system', name: 'arcade' },
      path: 'spec.values.engine.extraEnv[2].valueFrom.secretKeyRef',
    });
    expect(wrong[0]!.message).toMatch(
      /Secret arcade-llm is read by the chart's pods \(installed into arcade-staging\) in namespace "arcade-staging", but it is produced only in "flux-system"/,
    );
  });

  it('a valuesFrom Secret outside the HelmRelease namespace', () => {
    const findings = checkReferences(
      placed(split, (o) =>
        o.kind === 'ExternalSecret' && o.metadata.name === 'arcade-oidc' ? moved(o, 'arcade-staging') : o,
      ),
    );
    // (The probe runner's projected token reads kube-root-ca.crt, which every namespace holds: no finding.)
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'refs.wrong-namespace',
        path: 'spec.valuesFrom[0]',
        message: expect.stringMatching(/helm-controller \(valuesFrom of HelmRelease flux-system\/arcade\)/),
      }),
    ]);
  });

  it('pod specs: env, envFrom, volumes and pull secrets, each in the pod’s namespace; optional ones skipped; unknown names warned', () => {
    const secret = (name: string, namespace: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace },
    });
    const config = (name: string, namespace: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace },
    });
    const deployment: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'app', namespace: 'arcade' },
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'c',
                env: [
                  { name: 'A', valueFrom: { secretKeyRef: { name: 'here', key: 'k' } } },
                  { name: 'B', valueFrom: { secretKeyRef: { name: 'elsewhere', key: 'k' } } },
                  { name: 'C', valueFrom: { secretKeyRef: { name: 'maybe', key: 'k', optional: true } } },
                  { name: 'D', valueFrom: { configMapKeyRef: { name: 'settings', key: 'k' } } },
                ],
                envFrom: [{ secretRef: { name: 'nowhere' } }],
              },
            ],
            volumes: [
              {
                name: 'v',
                projected: { sources: [{ configMap: { name: 'settings' } }, { secret: { name: 'elsewhere' } }] },
              },
            ],
            imagePullSecrets: [{ name: 'here' }],
          },
        },
      },
    };
    const objects = [
      deployment,
      secret('here', 'arcade'),
      secret('elsewhere', 'other'),
      config('settings', 'other'),
    ].map((object, i) => ({ object, file: 'dist/x/app.yaml', line: i }));
    const findings = checkReferences(objects).map((f) => [f.severity, f.rule, f.path]);
    expect(findings).toEqual([
      ['error', 'refs.wrong-namespace', 'spec.template.spec.containers[0].env[1].valueFrom.secretKeyRef'],
      ['error', 'refs.wrong-namespace', 'spec.template.spec.containers[0].env[3].valueFrom.configMapKeyRef'],
      ['warning', 'refs.not-in-dist', 'spec.template.spec.containers[0].envFrom[0].secretRef'],
      ['error', 'refs.wrong-namespace', 'spec.template.spec.volumes[0].projected.sources[0].configMap'],
      ['error', 'refs.wrong-namespace', 'spec.template.spec.volumes[0].projected.sources[1].secret'],
    ]);
  });
});
