/**
 * A GitOps repository laid out as k8s-backstage-v2 plausibly is (issue 16): a cluster Flux
 * Kustomization `apps` (`path: ./apps`, `prune: true`), `apps/kustomization.yaml` listing `arcade`
 * and another app that also runs in namespace `arcade`, and a hand-written `apps/arcade/`
 * (`namespace.yaml`, an OCI HelmRepository, a HelmRelease with `spec.chart.spec` 1.8.8, a
 * `kustomization.yaml`), in the variants the issue lists. Plus the production environment in the
 * state to adopt it with (bundled datastores, every value resolved), and `kubectl kustomize` of
 * the parent folder, run exactly as a person would, to check the export's prune preview against.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { loadEnvironment } from '../../src/environments/load.js';
import { engineNamespace } from '../../src/environments/namespaces.js';
import type { Environment } from '../../src/environments/schema.js';
import { objectKey, type KubeObject } from '../../src/core/manifests.js';
import { runBounded } from '../support/run-bounded.js';
import { makeRepo } from './support.js';

export const KUBECTL_SKIP =
  'kubectl not on PATH: the export cannot build what Flux applies, so its prune preview is not tested here (install kubectl to run these tests)';

export interface FixtureOptions {
  /** How the release's objects get namespace arcade. @default 'file' (metadata.namespace in each file) */
  readonly namespaceBy?: 'file' | 'transform';
  /** Namespace of the HelmRelease and its HelmRepository (with targetNamespace arcade when not arcade). @default 'arcade' */
  readonly releaseNamespace?: string;
  /** The HelmRelease reads a ConfigMap `arcade-values` (valuesFrom). @default false */
  readonly valuesFrom?: boolean;
  /** HelmRelease object name. @default 'arcade' */
  readonly releaseName?: string;
  /** spec.targetNamespace of the HelmRelease. @default unset (or arcade when the release lives elsewhere) */
  readonly targetNamespace?: string;
  /** spec.suspend of the HelmRelease. @default false */
  readonly suspend?: boolean;
  /** The HelmRelease reads `smtp.password` from a Secret `arcade-smtp` holding this value. @default none */
  readonly secretValue?: string;
}

const yaml = (docs: readonly unknown[]) => docs.map((d) => stringify(d)).join('---\n');

/** The fixture's files, path → content. */
export function gitopsFiles(options: FixtureOptions = {}): Record<string, string> {
  const byFile = (options.namespaceBy ?? 'file') === 'file';
  const releaseNs = options.releaseNamespace ?? 'arcade';
  const target = options.targetNamespace ?? (releaseNs !== 'arcade' ? 'arcade' : undefined);
  const ns = (namespace: string) => (byFile ? { namespace } : {});
  const files: Record<string, string> = {
    'clusters/backstage-wus2-v4/apps.yaml': yaml([
      {
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'Kustomization',
        metadata: { name: 'apps', namespace: 'flux-system' },
        spec: {
          interval: '10m',
          path: './apps',
          prune: true,
          sourceRef: { kind: 'GitRepository', name: 'flux-system' },
        },
      },
    ]),
    'apps/kustomization.yaml': yaml([
      { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['arcade', 'other'] },
    ]),
    'apps/other/kustomization.yaml': yaml([
      { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['deployment.yaml'] },
    ]),
    'apps/other/deployment.yaml': yaml([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'other', namespace: 'arcade', labels: { 'app.kubernetes.io/name': 'other' } },
        spec: {
          selector: { matchLabels: { app: 'other' } },
          template: {
            metadata: { labels: { app: 'other' } },
            spec: { containers: [{ name: 'other', image: 'nginx:1.27' }] },
          },
        },
      },
    ]),
    'apps/arcade/namespace.yaml': yaml([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'arcade' } }]),
    'apps/arcade/helmrepository.yaml': yaml([
      {
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'HelmRepository',
        metadata: { name: 'arcade', ...(releaseNs !== 'arcade' ? { namespace: releaseNs } : ns('arcade')) },
        spec: { type: 'oci', interval: '1h', url: 'oci://public.ecr.aws/s5i6x9d1/charts' },
      },
    ]),
    'apps/arcade/helmrelease.yaml': yaml([
      {
        apiVersion: 'helm.toolkit.fluxcd.io/v2',
        kind: 'HelmRelease',
        metadata: {
          name: options.releaseName ?? 'arcade',
          ...(releaseNs !== 'arcade' ? { namespace: releaseNs } : ns('arcade')),
        },
        spec: {
          interval: '10m',
          ...(options.suspend ? { suspend: true } : {}),
          ...(target ? { targetNamespace: target } : {}),
          chart: { spec: { chart: 'arcade', version: '1.8.8', sourceRef: { kind: 'HelmRepository', name: 'arcade' } } },
          ...(options.valuesFrom || options.secretValue !== undefined
            ? {
                valuesFrom: [
                  ...(options.valuesFrom ? [{ kind: 'ConfigMap', name: 'arcade-values' }] : []),
                  ...(options.secretValue !== undefined
                    ? [{ kind: 'Secret', name: 'arcade-smtp', valuesKey: 'password', targetPath: 'smtp.password' }]
                    : []),
                ],
              }
            : {}),
          values: { features: { chatEnabled: false }, ingress: { hostname: 'arcade.st.dev' } },
        },
      },
    ]),
  };
  const resources = ['namespace.yaml', 'helmrepository.yaml', 'helmrelease.yaml'];
  if (options.valuesFrom) {
    files['apps/arcade/values-configmap.yaml'] = yaml([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'arcade-values', ...(releaseNs !== 'arcade' ? { namespace: releaseNs } : ns('arcade')) },
        data: { 'values.yaml': 'replicaCount: 2\nworker:\n  count: 4\n' },
      },
    ]);
    resources.push('values-configmap.yaml');
  }
  if (options.secretValue !== undefined) {
    files['apps/arcade/smtp-secret.yaml'] = yaml([
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'arcade-smtp', ...(releaseNs !== 'arcade' ? { namespace: releaseNs } : ns('arcade')) },
        stringData: { password: options.secretValue },
      },
    ]);
    resources.push('smtp-secret.yaml');
  }
  files['apps/arcade/kustomization.yaml'] = yaml([
    {
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      ...(byFile ? {} : { namespace: 'arcade' }),
      resources,
    },
  ]);
  return files;
}

/** A fresh GitOps repository holding the fixture, on master. */
export function gitopsRepo(options: FixtureOptions = {}): Promise<string> {
  return makeRepo(gitopsFiles(options), 'apps/arcade: hand-written Arcade release');
}

/** backstage-wus2-v4 as loaded (read and validated once per process; each caller gets a copy). */
let production: Environment | undefined;

/** The production environment as it is to adopt the live release: bundled, every value resolved. */
export function takeoverEnvironment(release: Partial<Environment['release']> = {}): Environment {
  production ??= loadEnvironment('backstage-wus2-v4').env;
  const env = structuredClone(production);
  const { secrets, ...rest } = env;
  if (secrets?.provider !== 'sealed-secrets') throw new Error('backstage-wus2-v4 uses sealed-secrets');
  const probes = env.probes
    ? { ...env.probes, gateways: (env.probes.gateways ?? []).map((g) => ({ ...g, tools: ['Slack_SendMessage'] })) }
    : undefined;
  const adopted: Environment = {
    ...rest,
    ...(probes ? { probes } : {}),
    datastores: { mode: 'bundled' },
    engine: {},
    oidc: {
      issuer: 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0',
      clientId: 'arcade-client',
    },
    llm: { baseUrl: 'http://litellm.llm.svc.cluster.local:4000' },
    release: { ...env.release, ...release },
  };
  // Bundled datastores: the release reads only the LLM key's Secret, here sealed (a stand-in
  // ciphertext bound to the engine namespace's Secret), so nothing is left unresolved.
  const sealedKey = {
    ciphertext: 'A'.repeat(88),
    boundTo: `${engineNamespace(adopted)}/${secrets.names.llm}`,
    certificateSha256: 'a'.repeat(64),
  };
  return {
    ...adopted,
    secrets: {
      ...secrets,
      controller: { name: 'sealed-secrets-controller', namespace: 'kube-system' },
      values: { llm: { 'api-key': sealedKey } },
    },
  };
}

/** Keys by the digest of the folder built (every path and byte below it). */
const built = new Map<string, string[]>();

/**
 * sha256 of every path and file below `dir`, in a fixed order; undefined when it holds a symbolic
 * link (which may lead to content outside it).
 */
function folderDigest(dir: string): string | undefined {
  const hash = createHash('sha256');
  const walk = (sub: string): boolean =>
    readdirSync(join(dir, sub))
      .sort()
      .every((name) => {
        const path = join(sub, name);
        const stat = lstatSync(join(dir, path));
        if (stat.isSymbolicLink()) return false;
        if (stat.isDirectory()) return walk(path);
        hash.update(`f\0${path}\0${stat.size}\0`).update(readFileSync(join(dir, path)));
        return true;
      });
  return walk('') ? hash.digest('hex') : undefined;
}

/**
 * `kubectl kustomize <repo>/<dir>` as a person runs it: the keys of what Flux applies. Run once
 * per distinct folder content (the tests build the same fixture's `apps` before many exports).
 */
export async function kustomizeKeys(repo: string, dir = 'apps'): Promise<string[]> {
  const digest = folderDigest(join(repo, dir));
  const known = digest === undefined ? undefined : built.get(digest);
  if (known) return [...known];
  // Through runBounded, as the fixtures' git: started by the worker's small helper process
  // (test/support/program-helper.ts), killed with SIGKILL at the bound.
  const stdout = await runBounded(repo, 'kubectl', ['kustomize', join(repo, dir)], `kubectl kustomize ${dir}`);
  const keys = parseAllDocuments(stdout)
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null)
    .map(objectKey)
    .sort();
  if (digest !== undefined) built.set(digest, keys);
  return [...keys];
}

/** Keys in `before` and not in `after`. */
export function gone(before: readonly string[], after: readonly string[]): string[] {
  return before.filter((k) => !after.includes(k)).sort();
}

/** The objects the printed summary's prune preview lists (`    - <Kind ns/name> (...)`). */
export function printedPrunes(summary: string): string[] {
  const section = summary.split('\n\n').find((s) => s.startsWith('Prune preview')) ?? '';
  return section
    .split('\n')
    .filter((l) => l.startsWith('    - '))
    .map((l) => l.slice(6).replace(/ \(.*$|: .*$/, ''))
    .sort();
}
