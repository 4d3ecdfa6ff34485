/**
 * Plaintext credentials in env entries (`{name: DB_PASSWORD, value: ...}`), judged by the name
 * beside the value, and well-known token shapes in any string of a manifest. Every planted value is
 * built at run time (random characters, prefixes split by concatenation), so the repository's own
 * secret scan finds none in this file.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { errorsOf, runGate } from '../../src/check/gate.js';
import { scanFiles } from '../../src/check/secrets.js';
import { credentialUnder } from '../../src/core/credentials.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { randomFrom, tempDir } from './support.js';

type Rec = Record<string, unknown>;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const random = () => randomFrom(ALNUM, 24);
const ENV = 'backstage-wus2-v4';

const container = (name: string, env: Rec[]) => ({ name, image: 'busybox:1.37', env });
const object = (apiVersion: string, kind: string, name: string, spec: Rec) => ({
  apiVersion,
  kind,
  metadata: { name, namespace: 'arcade' },
  spec,
});
/** A pod template's spec under `spec.template`. */
const template = (spec: Rec) => ({ template: { spec } });

describe('env entries judged by their name', () => {
  it('reports a plaintext credential in containers, initContainers, a CronJob and a HelmRelease extraEnv, naming the path', async () => {
    const secret = random();
    const password = `Vq7mP2xK${randomFrom(ALNUM, 8)}`;
    const deployment = object(
      'apps/v1',
      'Deployment',
      'app',
      template({
        initContainers: [container('init', [{ name: 'DB_PASSWORD', value: password }])],
        containers: [
          container('main', [
            { name: 'GOMEMLIMIT', value: '409MiB' },
            { name: `AWS_${'SECRET'}_ACCESS_KEY`, value: secret },
            // fine: a reference, empty, a path, a value taken from a Secret
            { name: 'API_TOKEN', value: '$(TOKEN_FROM_SECRET)' },
            { name: 'ADMIN_PASSWORD', value: '' },
            { name: 'TOKEN_FILE', value: '/var/run/secrets/tokens/token' },
            { name: 'CLIENT_SECRET', valueFrom: { secretKeyRef: { name: 'app', key: 'client-secret' } } },
            { name: 'LOG_LEVEL', value: random() },
          ]),
        ],
      }),
    );
    const cronJob = object('batch/v1', 'CronJob', 'job', {
      jobTemplate: { spec: template({ containers: [container('c', [{ name: 'API_KEY', value: random() }])] }) },
    });
    const release = object('helm.toolkit.fluxcd.io/v2', 'HelmRelease', 'arcade', {
      values: { engine: { extraEnv: [{ name: 'REDIS_PASSWORD', value: 'changeme' }] } },
    });
    const content = [deployment, cronJob, release].map((d) => stringify(d)).join('---\n');
    const findings = await scanFiles([{ file: 'dist/test/app.yaml', content }]);
    expect(findings.map((f) => [f.rule, f.object?.name, f.path])).toEqual([
      ['secret.env-value', 'app', 'spec.template.spec.initContainers[0].env[0].value'],
      ['secret.env-value', 'app', 'spec.template.spec.containers[0].env[1].value'],
      ['secret.env-value', 'job', 'spec.jobTemplate.spec.template.spec.containers[0].env[0].value'],
      ['secret.env-value', 'arcade', 'spec.values.engine.extraEnv[0].value'],
    ]);
    const lines = content.split('\n');
    for (const f of findings) {
      expect(f.fix).toContain('use valueFrom.secretKeyRef (a managed secret reference');
      expect(JSON.stringify(f)).not.toContain(secret);
      expect(JSON.stringify(f)).not.toContain(password);
      expect(lines[(f.line ?? 0) - 1]).toMatch(/value: /);
    }
    expect(findings[0]!.message).toContain('"DB_PASSWORD"');
  });

  it('the trial of session 16: credentials hand-added to the committed collector fail the gate', async () => {
    const root = tempDir();
    const folder = join(root, 'dist', ENV);
    cpSync(join(REPO_ROOT, 'dist', ENV), folder, { recursive: true });
    const file = join(folder, 'collector.yaml');
    const docs = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Rec);
    const deployment = docs.find((d) => d.kind === 'Deployment') as Rec;
    const spec = ((deployment.spec as Rec).template as Rec).spec as { containers: { env: Rec[] }[] };
    spec.containers[0]!.env.push(
      { name: `AWS_${'SECRET'}_ACCESS_KEY`, value: `q8Zr3Lk9${random()}` },
      { name: 'DB_PASSWORD', value: random() },
    );
    writeFileSync(file, docs.map((d) => stringify(d)).join('---\n'));
    const report = await runGate({
      root,
      scanRepository: false,
      kubectl: false,
      environmentsDir: join(REPO_ROOT, 'src', 'environments'),
    });
    expect(
      errorsOf(report)
        .filter((f) => f.area === 'secret')
        .map((f) => [f.file, f.rule, f.path]),
    ).toEqual([
      [`dist/${ENV}/collector.yaml`, 'secret.env-value', 'spec.template.spec.containers[0].env[1].value'],
      [`dist/${ENV}/collector.yaml`, 'secret.env-value', 'spec.template.spec.containers[0].env[2].value'],
    ]);
  });
});

describe('well-known token shapes in any string', () => {
  it('reports a GitLab token and a JWT under keys that are not secret-like; secretlint keeps the shapes it knows', async () => {
    const gitlab = `${'glpat'}-${random()}`;
    const jwt = `${'eyJ'}${random()}.${'eyJ'}${random()}.${random()}`;
    const github = `${'gh'}p_${randomFrom(ALNUM, 36)}`;
    const doc = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg', namespace: 'arcade' },
      data: { note: `clone with ${gitlab}`, header: jwt, remote: github, plain: random() },
    };
    const findings = await scanFiles([{ file: 'dist/test/cfg.yaml', content: stringify(doc) }]);
    expect(findings.map((f) => [f.rule, f.path ?? ''])).toEqual([
      ['secretlint/github', ''],
      ['secret.known-token', 'data.note'],
      ['secret.known-token', 'data.header'],
    ]);
    for (const t of [gitlab, jwt, github]) expect(JSON.stringify(findings)).not.toContain(t);
  });
});

describe('names, paths, flags and identifiers under secret-like names are not credentials', () => {
  // A fixed identifier (not a credential: it is the point of the row).
  const uuid = '3f2b8c1e-9a4d-4e7f-b6c2-1d5e8f9a0b3c';
  const deploymentWith = (name: string, value: string) =>
    object('apps/v1', 'Deployment', 'app', template({ containers: [container('main', [{ name, value }])] }));
  const configMapWith = (name: string, value: string) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'cfg', namespace: 'arcade' },
    data: { [name]: value },
  });
  /** The findings of secret.env-value (an env entry) and secret.high-entropy (a key of a map). */
  const scanned = async (name: string, value: string) =>
    (
      await scanFiles([
        { file: 'dist/test/app.yaml', content: stringify(deploymentWith(name, value)) },
        { file: 'dist/test/cfg.yaml', content: stringify(configMapWith(name, value)) },
      ])
    ).map((f) => [f.file, f.rule]);

  // Each row was reported before (session 16's review): secret.env-value, secret.high-entropy or both.
  it.each([
    ['GOOGLE_APPLICATION_CREDENTIALS', '/var/secrets/google/key.json'], // a path: words between /
    ['AZURE_FEDERATED_TOKEN_FILE', '/var/run/secrets/azure/tokens/azure-identity-token'],
    ['ALLOW_EMPTY_PASSWORD', 'yes'], // Bitnami's switch: a flag, not a password
    ['ALLOW_EMPTY_PASSWORD', 'true'],
    ['TOKEN_ENDPOINT', '/oauth2/v2.0/token'], // a path; v2 and oauth2 are words with a version number
    ['SECRET_NAME', 'arcade-db-v2-credentials'], // the name of a Secret, not its value
    ['API_KEY_ID', uuid], // an identifier under *_ID
  ])('%s=%s is no credential (env entry, map key, environment schema)', async (name, value) => {
    expect(await scanned(name, value)).toEqual([]);
    expect(credentialUnder(name, value)).toBe(false); // the environment schema's rule
  });

  it('TOKEN_AUDIENCE=api://x-2026 stays no credential (too short to be random; it passed before too)', async () => {
    expect(await scanned('TOKEN_AUDIENCE', 'api://x-2026')).toEqual([]);
  });

  it('still reports a UUID under a key that is no identifier, a password that is no flag, a random token beside a path', async () => {
    const token = random();
    expect(await scanned('API_KEY', uuid)).toEqual([
      ['dist/test/app.yaml', 'secret.env-value'],
      ['dist/test/cfg.yaml', 'secret.high-entropy'],
    ]);
    expect(await scanned('ALLOW_EMPTY_PASSWORD', 'yesplease')).toEqual([['dist/test/app.yaml', 'secret.env-value']]);
    expect(await scanned('API_TOKEN', `/oauth2/${token}`)).toEqual([
      ['dist/test/app.yaml', 'secret.env-value'],
      ['dist/test/cfg.yaml', 'secret.high-entropy'],
    ]);
  });
});
