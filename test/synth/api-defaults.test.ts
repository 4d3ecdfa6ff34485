/**
 * dist/ carries what the stack means, not library defaults: no field of any dist/ object equals
 * what the API server would fill in or what its absence means (src/kube/api-types.ts for built-in
 * kinds, with its sources; the vendored CRDs' schema `default`s for custom resources), every
 * quantity is written the way the server returns it, and every field of a built-in kind is one
 * the table describes (so a new field cannot slip past this test undescribed).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vendoredCrds } from '../../src/check/crd-cache.js';
import {
  ALWAYS_STATED,
  deepEqual,
  inspectBuiltIn,
  nonCanonicalQuantities,
  omitApiDefaults,
} from '../../src/kube/api-values.js';
import { isBuiltIn, rootStruct } from '../../src/kube/api-types.js';
import { isRecord } from '../../src/core/is-record.js';
import { isManifestPath, KUSTOMIZATION_FILE } from '../../src/core/manifests.js';
import { synthEnvironment } from '../../src/synth.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { fixtureEnvironment, objectsOf, parseObjects, type K8sObject } from './helpers.js';

const DIST = join(REPO_ROOT, 'dist');
/** The vendored CRDs, as the gate reads them (once per worker). */
const crds = vendoredCrds();

/** Every object of every dist/ file, with the file it came from. */
function distObjects(): { file: string; object: K8sObject }[] {
  return readdirSync(DIST, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && isManifestPath(e.name) && e.name !== KUSTOMIZATION_FILE)
    .flatMap((e) => {
      const file = join(e.parentPath, e.name).slice(DIST.length + 1);
      return parseObjects(readFileSync(join(DIST, file), 'utf8')).map((object) => ({ file, object }));
    });
}

/** Fields of a custom resource equal to a `default` of its CRD schema (what the API server would fill in). */
function crdDefaulted(object: K8sObject): string[] {
  const [group, version] = object.apiVersion.split('/');
  const crd = group === undefined || version === undefined ? undefined : crds.lookup(group, version, object.kind);
  if (!crd) throw new Error(`no vendored CRD for ${object.apiVersion} ${object.kind} in contracts/crds`);
  const out: string[] = [];
  const walk = (value: unknown, schema: Record<string, unknown>, path: string): void => {
    if (isRecord(value) && isRecord(schema.properties)) {
      for (const [key, sub] of Object.entries(schema.properties)) {
        if (!isRecord(sub) || value[key] === undefined) continue;
        const p = path ? `${path}.${key}` : key;
        if (sub.default !== undefined && deepEqual(value[key], sub.default))
          out.push(`${p} = ${JSON.stringify(sub.default)} (CRD default)`);
        walk(value[key], sub, p);
      }
    }
    if (Array.isArray(value) && isRecord(schema.items))
      value.forEach((item, i) => {
        walk(item, schema.items as Record<string, unknown>, `${path}[${i}]`);
      });
  };
  walk(object, crd.openAPIV3Schema, '');
  return out;
}

/** Every field equal to its Kubernetes default, as `file: Kind name: path = value (reason)`. */
function fieldsAtDefault(objects: readonly { file: string; object: K8sObject }[]): string[] {
  return objects.flatMap(({ file, object }) => {
    const where = `${file}: ${object.kind} ${object.metadata.name}`;
    if (rootStruct(object.apiVersion, object.kind))
      return inspectBuiltIn(object).defaulted.map(
        (f) => `${where}: ${f.path} = ${JSON.stringify(f.value)} (${f.reason})`,
      );
    if (isBuiltIn(object.apiVersion))
      throw new Error(
        `${where}: built-in kind ${object.apiVersion} ${object.kind} is not described in src/kube/api-types.ts (fix: add its fields and defaults there)`,
      );
    return crdDefaulted(object).map((d) => `${where}: ${d}`);
  });
}

const FIX = 'fix: drop the field at its source (construct choice) or let omitApiDefaults drop it, then npm run synth';

describe('dist/ carries no Kubernetes defaults', () => {
  const objects = distObjects();

  it('has no field equal to its default, in any dist/ file', () => {
    expect(objects.length).toBeGreaterThan(5);
    expect(fieldsAtDefault(objects), FIX).toEqual([]);
  });

  it('describes every field of every built-in object in dist/', () => {
    const undescribed = objects.flatMap(({ file, object }) =>
      inspectBuiltIn(object).undescribed.map((p) => `${file}: ${object.kind} ${object.metadata.name}: ${p}`),
    );
    expect(undescribed, 'fix: describe the field (json tag, default, list keys) in src/kube/api-types.ts').toEqual([]);
  });

  it('writes every quantity in the canonical form the API server returns', () => {
    expect(objects.flatMap(({ object }) => nonCanonicalQuantities(object))).toEqual([]);
  });

  it('states replicas, the one field kept at its default on purpose (server-side apply ownership)', () => {
    expect(ALWAYS_STATED).toEqual({ Deployment: ['spec.replicas'] });
    const staging = objectsOf(synthEnvironment(fixtureEnvironment('staging')));
    const deployment = staging.find((o) => o.kind === 'Deployment')!;
    expect(deployment.spec?.replicas).toBe(1);
  });

  it('holds for the fixture environment too (scrape mode, egress rules, External Secrets)', () => {
    const staging = objectsOf(synthEnvironment(fixtureEnvironment('staging'))).map((object) => ({
      file: 'staging',
      object,
    }));
    expect(fieldsAtDefault(staging), FIX).toEqual([]);
  });
});

describe('omitApiDefaults', () => {
  it('finds the library defaults cdk8s-plus writes, and removes nothing else', () => {
    const written = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: {
        minReadySeconds: 0,
        progressDeadlineSeconds: 600,
        replicas: 1,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: {
          spec: {
            automountServiceAccountToken: false,
            dnsPolicy: 'ClusterFirst',
            hostNetwork: false,
            restartPolicy: 'Always',
            setHostnameAsFQDN: false,
            terminationGracePeriodSeconds: 30,
            containers: [
              {
                name: 'c',
                image: 'img:1.0',
                imagePullPolicy: 'IfNotPresent',
                resources: { limits: { cpu: '1000m', memory: '512Mi' } },
                securityContext: { privileged: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true },
                ports: [{ containerPort: 80, protocol: 'TCP' }],
              },
            ],
          },
        },
      },
    };
    expect(omitApiDefaults(written)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: {
        replicas: 1,
        strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: {
          spec: {
            automountServiceAccountToken: false,
            containers: [
              {
                name: 'c',
                image: 'img:1.0',
                resources: { limits: { cpu: '1', memory: '512Mi' } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true },
                ports: [{ containerPort: 80 }],
              },
            ],
          },
        },
      },
    });
    expect(written.spec.minReadySeconds).toBe(0); // a copy: the input is untouched
  });

  it('keeps a pull policy that differs from the one the tag implies, and custom resources as they are', () => {
    const pod = (image: string, imagePullPolicy: string) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: { template: { spec: { containers: [{ name: 'c', image, imagePullPolicy }] } } },
    });
    expect(omitApiDefaults(pod('img:latest', 'IfNotPresent'))).toEqual(pod('img:latest', 'IfNotPresent'));
    expect(omitApiDefaults(pod('img:1.0', 'Always'))).toEqual(pod('img:1.0', 'Always'));
    const release = {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'r' },
      spec: { suspend: false, values: { replicas: 0, list: [] } },
    };
    expect(omitApiDefaults(release)).toEqual(release);
  });
});
