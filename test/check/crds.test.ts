/**
 * The CRD schema cache: filled from CRD files (multi-document, other objects ignored, unserved
 * versions skipped), from a cluster through @kubernetes/client-node against a loopback API
 * server, and the scripts' commands end to end, in process (failing closed without a kubeconfig in
 * their environment; filling a cache and a check that fails).
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as check } from '../../scripts/check.js';
import { main as crds } from '../../scripts/crds.js';
import {
  cachedCrds,
  CrdError,
  crdFileSchemas,
  listCache,
  readCachedSchema,
  readCrdFiles,
  writeCache,
} from '../../src/check/crd-cache.js';
import { parseDocuments } from '../../src/check/manifests.js';
import { readClusterCrds } from '../../src/check/crd-cluster.js';
import { writeKubeconfig } from '../../src/loopback/kubeconfig.js';
import { miniHelmReleaseCrd, tempDir, widgetCrd, writeDist, writeYaml } from './support.js';
import { runMain } from '../support/run-script.js';

type Rec = Record<string, unknown>;

describe('reading CRD files', () => {
  it('stores every served version of every CRD in a multi-document file, ignoring other objects', () => {
    const dir = tempDir();
    const twoVersions = widgetCrd();
    const versions = (twoVersions.spec as Rec).versions as Rec[];
    versions.push({ ...versions[0]!, name: 'v1beta1', storage: false, served: false });
    versions.push({ ...versions[0]!, name: 'v2', storage: false });
    writeYaml(join(dir, 'in', 'a.yaml'), [
      miniHelmReleaseCrd(),
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } },
    ]);
    writeYaml(join(dir, 'in', 'nested', 'b.yml'), [twoVersions]);
    writeFileSync(join(dir, 'in', 'README.md'), '# not read\n');
    const schemas = readCrdFiles([join(dir, 'in')]);
    expect(schemas.map((s) => `${s.group}/${s.version} ${s.kind}`)).toEqual([
      'helm.toolkit.fluxcd.io/v2 HelmRelease',
      'test.arcade-stack.dev/v1 Widget',
      'test.arcade-stack.dev/v2 Widget',
    ]);
    const cache = join(dir, 'cache');
    writeCache(cache, schemas);
    expect(listCache(cache)).toEqual([
      'helm.toolkit.fluxcd.io/v2 HelmRelease',
      'test.arcade-stack.dev/v1 Widget',
      'test.arcade-stack.dev/v2 Widget',
    ]);
    expect(existsSync(join(cache, 'helm.toolkit.fluxcd.io', 'HelmRelease', 'v2.json'))).toBe(true);
    // Listed whole by the file reader; the cache holds each of them (and no other: listCache above).
    expect(crdFileSchemas([join(dir, 'in')], 'test').schemas()).toEqual(schemas);
    const cached = cachedCrds(cache);
    expect(schemas.map((s) => cached.lookup(s.group, s.version, s.kind))).toEqual(schemas);
    expect(cached.size()).toBe(schemas.length);
    expect(readCachedSchema(cache, 'helm.toolkit.fluxcd.io', 'v2', 'HelmRelease')?.openAPIV3Schema).toEqual(
      (((miniHelmReleaseCrd().spec as Rec).versions as Rec[])[0]!.schema as Rec).openAPIV3Schema,
    );
    expect(readCachedSchema(cache, 'test.arcade-stack.dev', 'v1beta1', 'Widget')).toBeUndefined();
  });

  it('refuses what it cannot use, naming the file', () => {
    const dir = tempDir();
    expect(() => readCrdFiles([join(dir, 'missing')])).toThrow(CrdError);
    const old = writeYaml(join(dir, 'old.yaml'), [
      { ...miniHelmReleaseCrd(), apiVersion: 'apiextensions.k8s.io/v1beta1' },
    ]);
    expect(() => readCrdFiles([old])).toThrow(
      /old\.yaml: CustomResourceDefinition apiextensions\.k8s\.io\/v1beta1 is not supported/,
    );
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'kind: [\n');
    expect(() => readCrdFiles([broken])).toThrow(/broken\.yaml: YAML syntax/);
  });

  it("hands the gate's secret scan the documents of a file it read, only while the file's text is the same", () => {
    const dir = tempDir();
    const file = writeYaml(join(dir, 'crd.yaml'), [miniHelmReleaseCrd(), widgetCrd()]);
    const content = readFileSync(file, 'utf8');
    const schemas = crdFileSchemas([dir], 'test');
    expect(schemas.size()).toBe(2);
    expect(schemas.documentsOf?.(join(dir, '.', 'crd.yaml'), content)).toEqual(parseDocuments(content));
    expect(schemas.documentsOf?.(file, `${content}# edited since\n`)).toBeUndefined();
    expect(schemas.documentsOf?.(join(dir, 'other.yaml'), content)).toBeUndefined();
  });

  it('refuses a damaged cache entry, naming the file and the command that refills it', () => {
    const cache = join(tempDir(), 'cache');
    writeCache(cache, readCrdFiles([writeYaml(join(tempDir(), 'hr.yaml'), [miniHelmReleaseCrd()])]));
    const entry = join(cache, 'helm.toolkit.fluxcd.io', 'HelmRelease', 'v2.json');
    writeFileSync(entry, '{"openAPIV3Schema": {');
    expect(() => readCachedSchema(cache, 'helm.toolkit.fluxcd.io', 'v2', 'HelmRelease')).toThrow(
      /v2\.json: unreadable cached CRD schema: .*\(fix: npm run crds -- --from-cluster\)$/,
    );
    writeFileSync(entry, '{"group": "helm.toolkit.fluxcd.io"}');
    expect(() => readCachedSchema(cache, 'helm.toolkit.fluxcd.io', 'v2', 'HelmRelease')).toThrow(
      /v2\.json: not a cached CRD schema/,
    );
  });
});

describe('reading CRDs from a cluster (loopback API server)', () => {
  let server: Server;
  let kubeconfig = '';
  const requests: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(`${req.method} ${req.url} ${req.headers.authorization ?? '(no credentials)'}`);
      if (req.url?.startsWith('/apis/apiextensions.k8s.io/v1/customresourcedefinitions')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            apiVersion: 'apiextensions.k8s.io/v1',
            kind: 'CustomResourceDefinitionList',
            metadata: {},
            items: [miniHelmReleaseCrd(), widgetCrd()],
          }),
        );
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    kubeconfig = writeKubeconfig(`http://127.0.0.1:${port}`, 'not-a-real-token');
  });
  afterAll(() => {
    rmSync(dirname(kubeconfig), { recursive: true, force: true });
    return new Promise<void>((r) => server.close(() => r()));
  });

  it('lists the CRDs read-only and keeps the x-kubernetes-* keywords of the wire format', async () => {
    const result = await readClusterCrds({ kubeconfig, timeoutMs: 5000 });
    expect(requests).toEqual([
      'GET /apis/apiextensions.k8s.io/v1/customresourcedefinitions?limit=40 Bearer not-a-real-token',
    ]);
    expect(result.schemas.map((s) => `${s.group}/${s.version} ${s.kind}`)).toEqual([
      'helm.toolkit.fluxcd.io/v2 HelmRelease',
      'test.arcade-stack.dev/v1 Widget',
    ]);
    const values = (((result.schemas[0]!.openAPIV3Schema.properties as Rec).spec as Rec).properties as Rec)
      .values as Rec;
    expect(values['x-kubernetes-preserve-unknown-fields']).toBe(true);
    expect(result.schemas[0]!.source).toMatch(/^cluster http:\/\/127\.0\.0\.1:\d+$/);
  });

  // In process, with an environment of its own (the command reads KUBECONFIG and HOME from its io.env, which is
  // the process's when npm runs it; test/scripts/every-script.test.ts spawns the script itself).
  it('npm run crds -- --from-cluster fails closed without a kubeconfig (configuration: exit 2)', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: tempDir('home-') };
    for (const name of ['KUBECONFIG', 'KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT']) delete env[name];
    const cache = join(tempDir(), 'c');
    const r = await runMain(crds, ['--from-cluster', '--cache', cache], { env });
    expect(existsSync(cache)).toBe(false);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no Kubernetes configuration: KUBECONFIG is not set, ~/.kube/config does not exist');
  });
});

describe('npm run crds: what a user gives it by mistake (its command, in process)', () => {
  it('refuses --list with --from-cluster (or another source) instead of ignoring it (exit 2), reading no cluster', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: join(tempDir(), 'no-such-kubeconfig') };
    const r = await runMain(crds, ['--list', '--from-cluster', '--cache', join(tempDir(), 'c')], { env });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'crds: --list prints what the cache holds and reads no CRDs, so it does not go with --from-cluster ' +
        '(fix: fill the cache first without --list, e.g. npm run crds -- --from-cluster, then npm run crds -- --list); ' +
        'usage: npm run crds -- --help\n',
    );
    expect(r.stdout).toBe('');
  });

  it('says a --list --cache that is a file is a file, not an empty cache (exit 2)', async () => {
    const file = writeYaml(join(tempDir(), 'hr.yaml'), [miniHelmReleaseCrd()]);
    const r = await runMain(crds, ['--list', '--cache', file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(`^crds: --cache ${file.replace(/[.]/g, '\\.')}: is a file, not a folder \\(fix: `),
    );
    expect(r.stdout).not.toContain('empty');
  });

  it.each([
    [
      'an alias bomb',
      `a: &a [x, x, x, x, x, x, x, x, x]\n${'bcdefghij'
        .split('')
        .map((k, i) => `${k}: &${k} [${`*${'abcdefghij'[i]}, `.repeat(9).slice(0, -2)}]`)
        .join('\n')}\n`,
      'YAML aliases',
    ],
    ['a syntax error', 'kind: [\n', 'YAML syntax'],
  ])('refuses a --from file holding %s as bad input (exit 2), storing nothing', async (_what, text, problem) => {
    const dir = tempDir();
    const from = join(dir, 'bad.yaml');
    writeFileSync(from, text);
    const cache = join(dir, 'cache');
    const r = await runMain(crds, ['--from', from, '--cache', cache]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`crds: ${from}: ${problem}`);
    expect(r.stderr).toContain(`nothing was stored in ${cache}`);
    expect(existsSync(cache)).toBe(false);
  });
});

describe('npm run crds and npm run check (their commands, in process)', () => {
  it('fill a cache from a file, then check a dist/ against it (exit 1 with the broken line, JSON written)', async () => {
    const dir = tempDir();
    const crdFile = writeYaml(join(dir, 'hr.yaml'), [miniHelmReleaseCrd()]);
    const cache = join(dir, 'cache');
    const filled = await runMain(crds, ['--from', crdFile, '--cache', cache]);
    expect(filled.status).toBe(0);
    expect(filled.stdout).toContain('crds: 1 schema stored');
    const dist = writeDist(dir, 'test', {
      'release.yaml': [
        {
          apiVersion: 'helm.toolkit.fluxcd.io/v2',
          kind: 'HelmRelease',
          metadata: { name: 'arcade', namespace: 'arcade' },
          spec: { interval: '10m', chartRef: { kind: 'OCIRepository', name: 'arcade' }, valuesFrm: [] },
        },
      ],
    });
    const json = join(dir, 'report.json');
    const r = await runMain(check, [
      '--dist',
      dist,
      '--crd-cache',
      cache,
      '--dist-only',
      '--skip-kustomize',
      '--json',
      json,
    ]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(
      /release\.yaml:1 HelmRelease arcade\/arcade spec\.valuesFrm: \[schema\.unknown-field\] unknown field "valuesFrm" \(did you mean "values"\?\)/,
    );
    // The folder is hand-made: no environment file 'test' to synthesize and compare it with (synth.no-environment).
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(/^check: FAILED: 2 errors, 0 warnings/);
    expect(JSON.parse(readFileSync(json, 'utf8'))).toMatchObject({
      passed: false,
      findings: [{ rule: 'synth.no-environment' }, { rule: 'schema.unknown-field', path: 'spec.valuesFrm' }],
    });
  });
});
