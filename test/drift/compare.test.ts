/**
 * Drift comparison as a pure function: only the fields dist/ sets (and, with managedFields, the
 * fields Flux applied) count; server-set fields and extra live keys are ignored; an absent live
 * field equals a desired value that means absent; quantities compare by value; ciphertext is
 * summarized.
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
  Object.assign(o.metadata, {
    uid: 'u-1',
    resourceVersion: '42',
    generation: 3,
    managedFields: [{ manager: 'kustomize-controller' }],
  });
  o.status = { conditions: [{ type: 'Ready', status: 'True' }] };
  patch(o);
  return o;
}

describe('compareFields', () => {
  it('ignores server-set metadata, status and keys dist/ does not set', () => {
    expect(
      compareFields(
        desired,
        live((o) => Object.assign(o.spec, { timeout: '5m' })),
      ),
    ).toEqual([]);
  });

  it('reports changed, missing and label differences with dist and cluster values', () => {
    const drift = compareFields(
      desired,
      live((o) => {
        o.spec.values.features.chatEnabled = true as false;
        (o.spec as Record<string, unknown>).interval = undefined;
        o.metadata.labels['app.kubernetes.io/managed-by'] = 'kubectl';
        o.spec.args = ['--x'];
        o.spec.env = [
          { name: 'A', value: '2' },
          { name: 'B', value: '3' },
        ];
      }),
    );
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
    const sealed = (c: string) => ({
      apiVersion: 'bitnami.com/v1alpha1',
      kind: 'SealedSecret',
      metadata: { name: 's' },
      spec: { encryptedData: { password: c } },
    });
    const drift = compareFields(sealed(a), sealed(b));
    expect(drift).toHaveLength(1);
    expect(JSON.stringify(drift)).not.toContain(a.slice(0, 30));
    expect(JSON.stringify(drift)).not.toContain(b.slice(0, 30));
    expect(drift[0]!.summary).toMatch(
      /^ciphertext differs \(dist sha256 [a-f0-9]{12}…, cluster sha256 [a-f0-9]{12}…\)$/,
    );
  });
});

describe('compareFields with API-server semantics', () => {
  const deployment = (pod: Record<string, unknown>, spec: Record<string, unknown> = {}) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', namespace: 'n' },
    spec: { ...spec, template: { spec: pod } },
  });
  const container = (extra: Record<string, unknown>) => ({ name: 'c', image: 'img:1', ...extra });

  it('takes an absent live field as the desired default, zero or empty value', () => {
    const desired = deployment(
      {
        hostNetwork: false,
        dnsPolicy: 'ClusterFirst',
        setHostnameAsFQDN: false,
        containers: [
          container({ ports: [{ containerPort: 80, protocol: 'TCP' }], resources: { limits: { cpu: '1000m' } } }),
        ],
      },
      { minReadySeconds: 0, progressDeadlineSeconds: 600, strategy: { type: 'RollingUpdate' } },
    );
    const live = deployment({
      containers: [container({ ports: [{ containerPort: 80 }], resources: { limits: { cpu: '1' } } })],
    });
    expect(compareFields(desired, live)).toEqual([]);
    const service = (spec: Record<string, unknown>) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's' },
      spec,
    });
    expect(
      compareFields(
        service({ externalIPs: [], type: 'ClusterIP', ports: [{ port: 80, targetPort: 80 }] }),
        service({ ports: [{ port: 80, protocol: 'TCP' }] }),
      ),
    ).toEqual([]);
  });

  it('does not take absence as a value whose absence means something else', () => {
    // automountServiceAccountToken unset means true; replicas unset means 1; runAsUser unset means the image's user.
    const desired = deployment(
      { automountServiceAccountToken: false, securityContext: { runAsUser: 0 }, containers: [container({})] },
      { replicas: 2 },
    );
    expect(compareFields(desired, deployment({ containers: [container({})] })).map((f) => f.path)).toEqual([
      'spec.replicas',
      'spec.template.spec.automountServiceAccountToken',
      'spec.template.spec.securityContext.runAsUser',
    ]);
  });

  it('compares quantities of built-in types by value, and other strings as text', () => {
    const withCpu = (cpu: string) => deployment({ containers: [container({ resources: { limits: { cpu } } })] });
    expect(compareFields(withCpu('1'), withCpu('1000m'))).toEqual([]);
    expect(compareFields(withCpu('1'), withCpu('500m'))).toEqual([
      { path: 'spec.template.spec.containers[name=c].resources.limits.cpu', expected: '1', live: '500m' },
    ]);
    const release = (cpu: string) => ({
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'r' },
      spec: { values: { cpu } },
    });
    expect(compareFields(release('1'), release('1000m'))).toHaveLength(1);
  });

  it('matches associative list items by their keys, the key default included', () => {
    const ports = (p: unknown[]) => deployment({ containers: [container({ ports: p })] });
    const desired = ports([
      { containerPort: 80, name: 'http' },
      { containerPort: 53, protocol: 'UDP', name: 'dns' },
    ]);
    expect(
      compareFields(
        desired,
        ports([
          { containerPort: 53, protocol: 'UDP', name: 'dns' },
          { containerPort: 80, protocol: 'TCP', name: 'http' },
        ]),
      ),
    ).toEqual([]);
    expect(
      compareFields(
        desired,
        ports([
          { containerPort: 53, protocol: 'TCP', name: 'dns' },
          { containerPort: 80, protocol: 'TCP', name: 'http' },
        ]),
      ),
    ).toEqual([
      {
        path: 'spec.template.spec.containers[name=c].ports[name=dns]',
        expected: '{"containerPort":53,"protocol":"UDP","name":"dns"}',
        live: undefined,
      },
    ]);
  });

  describe('with the managedFields of an apply by Flux', () => {
    const applied = (fieldsV1: unknown, extra: unknown[] = []) => [
      { manager: 'kustomize-controller', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1 },
      ...extra,
    ];
    const cm = (data: Record<string, string>, labels: Record<string, string>, managedFields?: unknown) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'n', labels, ...(managedFields ? { managedFields } : {}) },
      data,
    });
    const fluxLabels = {
      'kustomize.toolkit.fluxcd.io/name': 'apps',
      'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
    };

    it('reports a field Flux applied that dist/ no longer sets, ignoring its owner labels', () => {
      const fields = {
        'f:metadata': {
          'f:labels': {
            'f:app': {},
            'f:kustomize.toolkit.fluxcd.io/name': {},
            'f:kustomize.toolkit.fluxcd.io/namespace': {},
          },
        },
        'f:data': { 'f:a': {}, 'f:old': {} },
      };
      const live = cm({ a: '1', old: 'x' }, { app: 'x', ...fluxLabels }, applied(fields));
      const drift = compareFields(cm({ a: '1' }, { app: 'x' }), live);
      expect(drift).toEqual([
        {
          path: 'data.old',
          expected: undefined,
          live: 'x',
          summary: expect.stringMatching(/^field applied by Flux \(kustomize-controller\) but not in dist\/: "x"/),
        },
      ]);
      expect(compareFields(cm({ a: '1', old: 'x' }, { app: 'x' }), live)).toEqual([]);
    });

    it('ignores what other managers and the server added, and names the manager holding a changed field', () => {
      const fields = { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:data': { 'f:a': {} } };
      const live = cm(
        { a: '2', extra: 'by hand' },
        { app: 'x' },
        applied({ 'f:metadata': { 'f:labels': { 'f:app': {} } } }, [
          {
            manager: 'kubectl-edit',
            operation: 'Update',
            apiVersion: 'v1',
            fieldsType: 'FieldsV1',
            fieldsV1: { 'f:data': { 'f:a': {}, 'f:extra': {} } },
          },
        ]),
      );
      void fields;
      expect(compareFields(cm({ a: '1' }, { app: 'x' }), live)).toEqual([
        { path: 'data.a', expected: '1', live: '2', managers: ['kubectl-edit'] },
      ]);
    });

    it('never shows a ciphertext Flux applied', () => {
      const secret = 'c2VjcmV0LXZhbHVlLXRoYXQtbXVzdC1ub3Qtc2hvdw==';
      const sealed = (data: Record<string, string>, managedFields?: unknown) => ({
        apiVersion: 'bitnami.com/v1alpha1',
        kind: 'SealedSecret',
        metadata: { name: 's', ...(managedFields ? { managedFields } : {}) },
        spec: { encryptedData: data },
      });
      const live = sealed({ password: secret }, applied({ 'f:spec': { 'f:encryptedData': { 'f:password': {} } } }));
      const drift = compareFields(sealed({}), live);
      expect(drift).toHaveLength(1);
      expect(JSON.stringify(drift)).not.toContain(secret.slice(0, 20));
    });
  });
});
