/**
 * Test support for the quality gate: temporary folders (removed when the worker ends), small
 * CRDs written for the tests, and a workload that meets every policy, to break one rule at a time.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { readCrdFiles, writeCache } from '../../src/check/crd-cache.js';
import { tempDir as makeTempDir } from '../support/temp.js';

type Obj = Record<string, unknown>;

/** A temporary folder, removed when the test worker ends (test/support/temp.ts). */
export function tempDir(prefix = 'check-'): string {
  return makeTempDir(prefix);
}

export function writeYaml(path: string, docs: readonly Obj[]): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, docs.map((d) => stringify(d)).join('---\n'));
  return path;
}

/** A dist/ folder with one environment holding `files` and a kustomization listing them. */
export function writeDist(root: string, env: string, files: Record<string, readonly Obj[]>): string {
  const dist = join(root, 'dist');
  for (const [name, docs] of Object.entries(files)) writeYaml(join(dist, env, name), docs);
  writeYaml(join(dist, env, 'kustomization.yaml'), [
    { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: Object.keys(files).sort() },
  ]);
  return dist;
}

const DURATION = '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$';

function crd(group: string, kind: string, version: string, schema: Obj): Obj {
  const plural = `${kind.toLowerCase()}s`;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      scope: 'Namespaced',
      versions: [{ name: version, served: true, storage: true, schema: { openAPIV3Schema: schema } }],
    },
  };
}

/** A HelmRelease v2 CRD cut down to the fields the tests use (same shapes as upstream). */
export function miniHelmReleaseCrd(): Obj {
  return crd('helm.toolkit.fluxcd.io', 'HelmRelease', 'v2', {
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      spec: {
        type: 'object',
        required: ['interval'],
        properties: {
          interval: { type: 'string', pattern: DURATION },
          releaseName: { type: 'string', maxLength: 53, minLength: 1 },
          chartRef: {
            type: 'object',
            required: ['kind', 'name'],
            properties: {
              kind: { type: 'string', enum: ['OCIRepository', 'HelmChart'] },
              name: { type: 'string' },
              namespace: { type: 'string' },
            },
          },
          chart: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                required: ['chart', 'sourceRef'],
                properties: {
                  chart: { type: 'string' },
                  version: { type: 'string' },
                  sourceRef: {
                    type: 'object',
                    required: ['kind', 'name'],
                    properties: {
                      kind: { type: 'string', enum: ['HelmRepository', 'GitRepository', 'Bucket'] },
                      name: { type: 'string' },
                    },
                  },
                },
              },
            },
          },
          values: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          driftDetection: {
            type: 'object',
            properties: { mode: { type: 'string', enum: ['enabled', 'warn', 'disabled'] } },
          },
        },
        'x-kubernetes-validations': [
          {
            message: 'either chart or chartRef must be set',
            rule: '(has(self.chart) && !has(self.chartRef)) || (!has(self.chart) && has(self.chartRef))',
          },
        ],
      },
      status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
  });
}

/** A test-only kind exercising int-or-string, nullable, maps and embedded resources. */
export function widgetCrd(): Obj {
  return crd('test.arcade-stack.dev', 'Widget', 'v1', {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
          note: { type: 'string', nullable: true },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
          template: {
            type: 'object',
            'x-kubernetes-embedded-resource': true,
            properties: { spec: { type: 'object', properties: { size: { type: 'integer', format: 'int32' } } } },
          },
          empty: { type: 'object' },
          window: { type: 'string', format: 'duration' },
        },
      },
    },
  });
}

export function miniSealedSecretCrd(): Obj {
  return crd('bitnami.com', 'SealedSecret', 'v1alpha1', {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        required: ['encryptedData'],
        properties: {
          encryptedData: {
            type: 'object',
            additionalProperties: { type: 'string' },
            'x-kubernetes-preserve-unknown-fields': true,
          },
          template: {
            type: 'object',
            properties: {
              metadata: { type: 'object', nullable: true, 'x-kubernetes-preserve-unknown-fields': true },
              type: { type: 'string' },
            },
          },
        },
      },
      status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
  });
}

/** A cache filled with the test CRDs (through the same code path as `npm run crds -- --from`). */
export function testCache(): string {
  const dir = tempDir('crds-');
  const file = writeYaml(join(dir, 'src', 'crds.yaml'), [miniHelmReleaseCrd(), widgetCrd(), miniSealedSecretCrd()]);
  const cache = join(dir, 'cache');
  writeCache(cache, readCrdFiles([file]));
  return cache;
}

export const LABELS = { 'app.kubernetes.io/name': 'demo', 'app.kubernetes.io/instance': 'demo' };

/** A Deployment meeting every policy, plus the neighbours it needs. */
export function hardenedWorkload(replicas = 2): Obj[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'demo', namespace: 'arcade', labels: LABELS },
      automountServiceAccountToken: false,
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'demo', namespace: 'arcade', labels: LABELS },
      spec: {
        replicas,
        selector: { matchLabels: LABELS },
        template: {
          metadata: { labels: LABELS },
          spec: {
            serviceAccountName: 'demo',
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'app',
                image: 'registry.example.com/demo:1.2.3',
                ports: [{ name: 'http', containerPort: 8080 }],
                resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
                readinessProbe: { httpGet: { path: '/ready', port: 'http' } },
                livenessProbe: { httpGet: { path: '/live', port: 'http' } },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ['ALL'] },
                },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'demo', namespace: 'arcade', labels: LABELS },
      spec: { maxUnavailable: 1, selector: { matchLabels: LABELS } },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'demo', namespace: 'arcade', labels: LABELS },
      spec: { podSelector: { matchLabels: LABELS }, policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 8080 }] }] },
    },
  ];
}

/** A deep copy to mutate. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}

/** Random characters from an alphabet (planted secrets are generated, never committed). */
export function randomFrom(alphabet: string, length: number): string {
  const bytes = new Uint8Array(length);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}
