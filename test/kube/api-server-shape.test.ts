/**
 * The loopback API server's shaping (src/loopback/api-server.ts), checked on its own against what
 * the real API server is documented to return. Every expected value below is written from the
 * upstream source or documentation named beside it, not from the table the shaping uses
 * (src/kube/api-types.ts), so a wrong table entry fails here.
 */
import { describe, expect, it } from 'vitest';
import { fieldSetOf, fluxApplied, updatedBy } from '../../src/loopback/api-field-managers.js';
import { fluxNormalize, served } from '../../src/loopback/api-server.js';

type Obj = Record<string, unknown>;
const at = (o: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((cur, k) => (cur as Obj | undefined)?.[k], o);

/** The Deployment of the Kubernetes documentation ("Creating a Deployment", nginx-deployment). */
function nginxDeployment(): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'nginx-deployment', namespace: 'default', labels: { app: 'nginx' } },
    spec: {
      selector: { matchLabels: { app: 'nginx' } },
      template: {
        metadata: { labels: { app: 'nginx' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx:1.14.2', ports: [{ containerPort: 80 }] }] },
      },
    },
  };
}

describe('served: what a GET returns after a write', () => {
  it('defaults a Deployment as apps/v1 SetDefaults_Deployment and core/v1 SetDefaults_PodSpec/_Container do', () => {
    const live = served(nginxDeployment());
    // pkg/apis/apps/v1/defaults.go SetDefaults_Deployment
    expect(at(live, 'spec.replicas')).toBe(1);
    expect(at(live, 'spec.revisionHistoryLimit')).toBe(10);
    expect(at(live, 'spec.progressDeadlineSeconds')).toBe(600);
    expect(at(live, 'spec.strategy')).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' },
    });
    // pkg/apis/core/v1/defaults.go SetDefaults_PodSpec (+ SetDefaults_Container, declarative port protocol)
    expect(at(live, 'spec.template.spec')).toEqual({
      containers: [
        {
          name: 'nginx',
          image: 'nginx:1.14.2',
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          resources: {},
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          imagePullPolicy: 'IfNotPresent',
        },
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      securityContext: {},
      schedulerName: 'default-scheduler',
    });
  });

  it('keeps a strategy the manifest sets and defaults only what it leaves out', () => {
    const d = nginxDeployment();
    (d.spec as Obj).strategy = { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
    expect(at(served(d), 'spec.strategy')).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
    });
    (d.spec as Obj).strategy = { type: 'Recreate' };
    expect(at(served(d), 'spec.strategy')).toEqual({ type: 'Recreate' });
  });

  it('picks imagePullPolicy from the image tag (SetDefaults_Container: Always for :latest or no tag)', () => {
    const policy = (image: string) => {
      const d = nginxDeployment();
      (at(d, 'spec.template.spec.containers') as Obj[])[0]!.image = image;
      return (at(served(d), 'spec.template.spec.containers') as Obj[])[0]!.imagePullPolicy;
    };
    expect(policy('nginx')).toBe('Always');
    expect(policy('nginx:latest')).toBe('Always');
    expect(policy('nginx:1.27')).toBe('IfNotPresent');
    expect(policy(`nginx@sha256:${'a'.repeat(64)}`)).toBe('IfNotPresent');
    expect(policy('registry.local:5000/team/app')).toBe('Always');
    expect(policy('registry.local:5000/team/app:2.1')).toBe('IfNotPresent');
  });

  it('defaults probes (SetDefaults_Probe, SetDefaults_HTTPGetAction), a zero timing counting as unset', () => {
    const d = nginxDeployment();
    (at(d, 'spec.template.spec.containers') as Obj[])[0]!.readinessProbe = {
      httpGet: { port: 80 },
      timeoutSeconds: 0,
      initialDelaySeconds: 0,
    };
    expect((at(served(d), 'spec.template.spec.containers') as Obj[])[0]!.readinessProbe).toEqual({
      httpGet: { path: '/', port: 80, scheme: 'HTTP' },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
  });

  it('drops zero values of omitempty value fields and empty lists, keeps false in pointer fields (k8s.io/api json tags)', () => {
    const d = nginxDeployment();
    Object.assign(d.spec as Obj, { minReadySeconds: 0, paused: false });
    Object.assign(at(d, 'spec.template.spec') as Obj, {
      hostNetwork: false,
      automountServiceAccountToken: false,
      setHostnameAsFQDN: false,
      tolerations: [],
    });
    (at(d, 'spec.template.spec.containers') as Obj[])[0]!.securityContext = {
      privileged: false,
      readOnlyRootFilesystem: true,
    };
    const live = served(d);
    expect(at(live, 'spec')).not.toHaveProperty('minReadySeconds');
    expect(at(live, 'spec')).not.toHaveProperty('paused');
    const pod = at(live, 'spec.template.spec') as Obj;
    expect(pod).not.toHaveProperty('hostNetwork');
    expect(pod).not.toHaveProperty('tolerations');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.setHostnameAsFQDN).toBe(false);
    expect((pod.containers as Obj[])[0]!.securityContext).toEqual({ privileged: false, readOnlyRootFilesystem: true });

    const cm = served({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'd' },
      data: { a: 'b' },
      immutable: false,
    });
    expect(cm.immutable).toBe(false);
    expect(cm.data).toEqual({ a: 'b' });
  });

  it('stores quantities canonically, ResourceLists rounded up to milli units (SetDefaults_ResourceList)', () => {
    const d = nginxDeployment();
    (at(d, 'spec.template.spec.containers') as Obj[])[0]!.resources = {
      limits: { cpu: '1000m', memory: '1024Mi' },
      requests: { cpu: '0.5m', memory: '0.5Gi' },
    };
    expect((at(served(d), 'spec.template.spec.containers') as Obj[])[0]!.resources).toEqual({
      limits: { cpu: '1', memory: '1Gi' },
      requests: { cpu: '1m', memory: '512Mi' },
    });
  });

  it('defaults a Service (SetDefaults_Service) and allocates its cluster IP (the registry)', () => {
    const live = served({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', namespace: 'd' },
      spec: { selector: { app: 'x' }, ports: [{ name: 'http', port: 80 }], externalIPs: [] },
    });
    const spec = live.spec as Obj;
    expect(spec).toMatchObject({
      type: 'ClusterIP',
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 80 }],
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
    });
    expect(spec.clusterIP).toMatch(/^10\.96\.\d+\.\d+$/);
    expect(spec.clusterIPs).toEqual([spec.clusterIP]);
    expect(spec).not.toHaveProperty('externalIPs');
    expect(spec).not.toHaveProperty('externalTrafficPolicy');
    expect(live.status).toEqual({ loadBalancer: {} });
  });

  it('defaults a NetworkPolicy (networking/v1 SetDefaults_NetworkPolicy, _NetworkPolicyPort)', () => {
    const policy = (spec: Obj) =>
      served({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'p', namespace: 'd' },
        spec,
      }).spec as Obj;
    expect(policy({ podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] })).toEqual({
      podSelector: {},
      ingress: [{ ports: [{ port: 80, protocol: 'TCP' }] }],
      policyTypes: ['Ingress'],
    });
    expect(policy({ podSelector: {}, egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] }).policyTypes).toEqual([
      'Ingress',
      'Egress',
    ]);
    expect(policy({ podSelector: {}, policyTypes: ['Egress'] }).policyTypes).toEqual(['Egress']);
  });

  it('gives ConfigMap and Secret volumes mode 0644 (SetDefaults_ConfigMapVolumeSource, _SecretVolumeSource)', () => {
    const d = nginxDeployment();
    (at(d, 'spec.template.spec') as Obj).volumes = [
      { name: 'c', configMap: { name: 'c' } },
      { name: 's', secret: { secretName: 's' } },
    ];
    expect(at(served(d), 'spec.template.spec.volumes')).toEqual([
      { name: 'c', configMap: { name: 'c', defaultMode: 420 } },
      { name: 's', secret: { secretName: 's', defaultMode: 420 } },
    ]);
  });

  it('mirrors serviceAccountName into the deprecated serviceAccount (core/v1 conversion)', () => {
    const d = nginxDeployment();
    (at(d, 'spec.template.spec') as Obj).serviceAccountName = 'robot';
    expect(at(served(d), 'spec.template.spec.serviceAccount')).toBe('robot');
  });

  it('keeps custom resources as sent (zero and empty values too), adding only their CRD schema defaults', () => {
    const sealed = {
      apiVersion: 'bitnami.com/v1alpha1',
      kind: 'SealedSecret',
      metadata: { name: 's', namespace: 'd' },
      spec: { encryptedData: {}, template: { type: 'Opaque' } },
    };
    expect(served(sealed).spec).toEqual({ encryptedData: {}, template: { type: 'Opaque' } });
    const oci = {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'OCIRepository',
      metadata: { name: 'o', namespace: 'd' },
      spec: { interval: '1h', url: 'oci://x/y', suspend: false },
    };
    const schema = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            provider: { type: 'string', default: 'generic' },
            timeout: { type: 'string', default: '60s' },
            interval: { type: 'string' },
          },
        },
      },
    };
    const crds = [{ group: 'source.toolkit.fluxcd.io', kind: 'OCIRepository', version: 'v1', openAPIV3Schema: schema }];
    expect(served(oci, { crds }).spec).toEqual({
      interval: '1h',
      url: 'oci://x/y',
      suspend: false,
      provider: 'generic',
      timeout: '60s',
    });
    expect(served(oci).spec).toEqual(oci.spec);
  });

  it('adds the server-owned metadata, the same for the same object', () => {
    const a = served(nginxDeployment());
    expect(a.metadata).toMatchObject({
      generation: 1,
      creationTimestamp: expect.stringMatching(/Z$/),
      uid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      resourceVersion: expect.stringMatching(/^\d+$/),
    });
    expect((a.metadata as Obj).annotations).toEqual({ 'deployment.kubernetes.io/revision': '1' });
    expect(served(nginxDeployment())).toEqual(a);
  });
});

describe('Flux apply: managedFields of kustomize-controller', () => {
  it('records the field set of an apply as the Server-Side Apply documentation shows it', () => {
    // kubernetes.io "Server-Side Apply", Field management: a ConfigMap applied with one label and one data key.
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'test-cm', namespace: 'default', labels: { 'test-label': 'test' } },
      data: { key: 'some value' },
    };
    expect(fieldSetOf(cm)).toEqual({ 'f:metadata': { 'f:labels': { 'f:test-label': {} } }, 'f:data': { 'f:key': {} } });
  });

  it('keys associative lists by their list-map keys, keeps atomic structs and lists whole', () => {
    const set = fieldSetOf(fluxNormalize(nginxDeployment()));
    const pod = at(set, 'f:spec.f:template.f:spec') as Obj;
    expect(pod['f:containers']).toEqual({
      'k:{"name":"nginx"}': {
        '.': {},
        'f:name': {},
        'f:image': {},
        'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} } },
      },
    });
    expect(at(set, 'f:spec.f:selector')).toEqual({});
  });

  it('applies what Flux sends: its owner labels, no zero omitempty values, protocol TCP on ports', () => {
    const d = nginxDeployment();
    Object.assign(d.spec as Obj, { minReadySeconds: 0 });
    const live = fluxApplied(d, { kustomization: { name: 'apps', namespace: 'flux-system' } });
    expect((live.metadata as Obj).labels).toEqual({
      app: 'nginx',
      'kustomize.toolkit.fluxcd.io/name': 'apps',
      'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
    });
    const [entry, ...others] = (live.metadata as { managedFields: Obj[] }).managedFields;
    expect(others).toEqual([]);
    expect(entry).toMatchObject({
      manager: 'kustomize-controller',
      operation: 'Apply',
      apiVersion: 'apps/v1',
      fieldsType: 'FieldsV1',
    });
    const fields = entry!.fieldsV1 as Obj;
    expect(at(fields, 'f:spec')).not.toHaveProperty('f:minReadySeconds');
    expect(at(fields, 'f:metadata.f:labels')).toHaveProperty(['f:kustomize.toolkit.fluxcd.io/name']);
    // Server defaults are in the object, not in Flux's field set.
    expect(at(live, 'spec.revisionHistoryLimit')).toBe(10);
    expect(at(fields, 'f:spec')).not.toHaveProperty('f:revisionHistoryLimit');
  });

  it('moves the fields another manager changes to it (an Update), leaving Flux the rest', () => {
    const live = fluxApplied(nginxDeployment());
    const edited = updatedBy(live, 'kubectl-edit', (o) => {
      (at(o, 'spec.template.spec.containers') as Obj[])[0]!.image = 'nginx:1.27';
    });
    const entries = (edited.metadata as { managedFields: { manager: string; operation: string; fieldsV1: Obj }[] })
      .managedFields;
    const flux = entries.find((e) => e.manager === 'kustomize-controller')!;
    const kubectl = entries.find((e) => e.manager === 'kubectl-edit')!;
    expect(kubectl.operation).toBe('Update');
    expect(kubectl.fieldsV1).toEqual({
      'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { 'f:image': {} } } } } },
    });
    const container = at(flux.fieldsV1, 'f:spec.f:template.f:spec.f:containers') as Obj;
    expect(container['k:{"name":"nginx"}']).not.toHaveProperty('f:image');
    expect(container['k:{"name":"nginx"}']).toHaveProperty('f:name');
    expect((edited.metadata as Obj).generation).toBe(2);
  });
});
