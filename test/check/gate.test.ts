/**
 * The whole gate, in process: a temporary dist/ with deliberately broken objects (each reported
 * with its rule on one line), the Flux build check, unresolved values as warnings, and the
 * committed dist/ passing the full gate against the vendored contracts (always: no cluster, no
 * sibling folder, no skip), engine config violations planted into a copy of it included.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { errorsOf, runGate, type GateOptions } from '../../src/check/gate.js';
import { checkFluxBuild } from '../../src/check/flux-build.js';
import type { Finding } from '../../src/check/finding.js';
import { loadDist } from '../../src/check/manifests.js';
import { lsFilesFix, TrackedFilesError, trackedTextFiles } from '../../src/check/secrets.js';
import { runProgram } from '../../src/core/run-program.js';
import { formatFinding, formatReport, reportJson, summaryLine } from '../../src/check/report.js';
import { unresolvedMarker } from '../../src/core/unresolved-text.js';
import { cachedCrds } from '../../src/check/crd-cache.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { CHILD_TIMEOUT_MS } from '../support/deadlines.js';
import { KUBECTL, kubectlNotingSignals } from '../support/kubectl.js';
import { clone, hardenedWorkload, randomFrom, tempDir, testCache, writeDist, writeYaml } from './support.js';

type Rec = Record<string, unknown>;
const cache = cachedCrds(testCache());
// kubectl on PATH, found without starting it (a `kubectl version` was one more process per run).
const hasKubectl = KUBECTL;

const release = (spec: Rec = {}): Rec => ({
  apiVersion: 'helm.toolkit.fluxcd.io/v2',
  kind: 'HelmRelease',
  metadata: { name: 'arcade', namespace: 'arcade' },
  spec: {
    interval: '10m',
    releaseName: 'arcade',
    chartRef: { kind: 'OCIRepository', name: 'arcade' },
    values: { features: { chatEnabled: false } },
    ...spec,
  },
});

function gate(root: string, extra: Partial<GateOptions> = {}) {
  return runGate({ root, crds: cache, scanRepository: false, kubectl: false, exceptions: [], ...extra });
}

/**
 * The message and fix of the TrackedFilesError that trackedTextFiles(root) rejects with; fails the
 * test when it lists the files instead. `whileStarting` runs right after git is asked for (its
 * environment taken), before anything is awaited.
 */
async function trackedFilesFailure(root: string, whileStarting = () => {}): Promise<{ message: string; fix: string }> {
  const listing = trackedTextFiles(root);
  whileStarting();
  try {
    await listing;
  } catch (err) {
    expect(err).toBeInstanceOf(TrackedFilesError);
    const { message, fix } = err as TrackedFilesError;
    return { message, fix };
  }
  throw new Error(`trackedTextFiles(${root}) listed the files instead of failing`);
}

describe('npm run check over a dist/ folder', () => {
  it('passes a valid, hardened environment (unresolved values are warnings)', async () => {
    const root = tempDir();
    writeDist(root, 'test', {
      'release.yaml': [
        release({
          values: {
            auth: { clientId: unresolvedMarker('client id not recorded, read it from <the app registration>') },
          },
        }),
      ],
      'app.yaml': hardenedWorkload(),
    });
    const report = await gate(root);
    expect(errorsOf(report)).toEqual([]);
    expect(report.findings).toEqual([
      expect.objectContaining({
        severity: 'warning',
        rule: 'unresolved.value',
        path: 'spec.values.auth.clientId',
        message: 'unresolved: client id not recorded, read it from <the app registration>',
      }),
    ]);
    expect(report.stats).toEqual({ environments: 1, objects: 5, workloads: 1, filesScanned: 3 });
    expect(report.notes).toContain(
      'CRD CEL rules (x-kubernetes-validations) not evaluated: HelmRelease ' +
        'helm.toolkit.fluxcd.io/v2 (1); kubectl apply --dry-run=server against the cluster is the proof',
    );
    expect(summaryLine(report)).toBe(
      'check: passed: 0 errors, 1 warning, 0 exceptions (1 environment, 5 objects, 1 workload, 3 files scanned for secrets)',
    );
  });

  it('reports each deliberately broken input with the right rule, one line per finding', async () => {
    const root = tempDir();
    // Random each run; one digit placed so it never reads as words (mixed letters and digits, like a real one).
    const pw = `${randomFrom('ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789', 23)}${randomFrom('23456789', 1)}`;
    const app = clone(hardenedWorkload());
    const pod = ((app[1]!.spec as Rec).template as Rec).spec as Rec;
    const container = (pod.containers as Rec[])[0]!;
    delete container.readinessProbe; // missing probe
    container.securityContext = { ...(container.securityContext as Rec), runAsUser: 0 }; // root container
    delete pod.securityContext;
    pod.securityContext = { seccompProfile: { type: 'RuntimeDefault' } };
    writeDist(root, 'test', {
      'release.yaml': [
        release({ relaseName: 'arcade' }), // misspelled field
        {
          ...release({ chartRef: { kind: 'GitRepository', name: 'arcade' } }),
          metadata: { name: 'wrong-kind', namespace: 'arcade' },
        }, // wrong sourceRef kind
        { ...release({ interval: 'ten minutes' }), metadata: { name: 'bad-interval', namespace: 'arcade' } }, // bad interval
      ],
      'app.yaml': app,
      'secret.yaml': [
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'db', namespace: 'arcade' },
          stringData: { password: pw },
        },
      ], // plaintext password
    });
    const report = await gate(root);
    const lines = report.findings.map(formatFinding);
    const rules = errorsOf(report).map((f) => `${f.object?.name} ${f.path} ${f.rule}`);
    expect([...rules].sort()).toEqual([
      'arcade spec.relaseName schema.unknown-field', // misspelled HelmRelease field
      'bad-interval spec.interval schema.pattern', // bad interval
      'db stringData secret.kubernetes-secret', // plaintext password in a Secret
      'db stringData.password secret.high-entropy',
      'demo spec.template.spec.containers[0].readinessProbe no-readiness-probe', // missing probe
      'demo spec.template.spec.containers[0].securityContext.runAsUser run-as-non-root', // root container
      'wrong-kind spec.chartRef.kind schema.enum', // wrong source kind
    ]);
    expect(lines.find((l) => l.includes('relaseName'))).toMatch(
      new RegExp(
        /^error {3}dist\/test\/release\.yaml:1 HelmRelease arcade\/arcade spec\.relaseName:/.source +
          / \[schema\.unknown-field\] unknown field "relaseName" \(did you mean/.source +
          / "releaseName"\?\).*\(fix: .*\)$/.source,
      ),
    );
    expect(lines.find((l) => l.includes('runAsUser'))).toContain(
      '{kube-linter run-as-non-root, Polaris runAsRootAllowed, Checkov CKV_K8S_23}',
    );
    expect(formatReport(report)).not.toContain(pw);
    expect(reportJson(report)).not.toContain(pw);
    expect(JSON.parse(reportJson(report))).toMatchObject({ passed: false, stats: { objects: 8 } });
    expect(summaryLine(report)).toMatch(/^check: FAILED: 7 errors, 0 warnings/);
  });

  it('fails when a schema is missing from the cache (never passes for want of evidence)', async () => {
    const root = tempDir();
    writeDist(root, 'test', { 'release.yaml': [release()] });
    const report = await gate(root, { crds: cachedCrds(join(root, 'no-cache')) });
    expect(errorsOf(report).map((f) => f.rule)).toEqual(['schema.missing']);
    expect(report.notes.join('\n')).toContain('npm run crds -- --from-cluster');
  });

  it('checks that kustomization.yaml lists exactly the files of the folder', async () => {
    const root = tempDir();
    const dist = writeDist(root, 'test', { 'release.yaml': [release()] });
    writeYaml(join(dist, 'test', 'extra.yaml'), hardenedWorkload().slice(0, 1));
    writeYaml(join(dist, 'test', 'kustomization.yaml'), [
      {
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        namePrefix: 'x-',
        resources: ['release.yaml', 'gone.yaml'],
      },
    ]);
    const report = await gate(root);
    expect(
      errorsOf(report)
        .map((f) => `${f.rule} ${f.message.split(':')[0]}`)
        .sort(),
    ).toEqual([
      'flux.kustomization-transform kustomization.yaml sets "namePrefix"',
      'flux.missing-file resources lists gone.yaml, which is not in the folder',
      'flux.unlisted-file extra.yaml is in the folder but not listed in resources',
    ]);
  });

  it('reports what kustomize would silently ignore in kustomization.yaml: a second document', async () => {
    const root = tempDir();
    const dist = writeDist(root, 'test', { 'release.yaml': [release()] });
    const kfile = join(dist, 'test', 'kustomization.yaml');
    writeFileSync(kfile, `${readFileSync(kfile, 'utf8')}---\n${stringify({ resources: ['extra.yaml'] })}`);
    const report = await gate(root);
    expect(errorsOf(report).map((f) => `${f.file} ${f.rule}`)).toEqual([
      'dist/test/kustomization.yaml flux.kustomization-extra-document',
      'dist/test/kustomization.yaml schema.not-an-object',
    ]);
  });

  it('notes that the kustomize build was skipped when kubectl is not on PATH', async () => {
    const root = tempDir();
    writeDist(root, 'test', { 'release.yaml': [release()] });
    const report = await gate(root, { kubectl: join(root, 'no-such-kubectl') });
    expect(errorsOf(report)).toEqual([]);
    expect(report.notes).toContainEqual(expect.stringContaining('not on PATH'));
  });

  it.skipIf(!hasKubectl)('builds the folder with kubectl kustomize and reports a broken build', async () => {
    const root = tempDir();
    const dist = writeDist(root, 'test', { 'release.yaml': [release()] });
    expect(errorsOf(await gate(root, { kubectl: 'kubectl' }))).toEqual([]);
    writeFileSync(join(dist, 'test', 'release.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a\n');
    const report = await gate(root, { kubectl: 'kubectl' });
    const build = errorsOf(report).find((f) => f.rule === 'flux.kustomize-build');
    // The command and folder, kubectl's exit code and its last lines (src/core/child-failure.ts).
    expect(build?.message).toMatch(/^kubectl kustomize dist\/test failed \(exit 1\): \S.*release\.yaml/);
  });

  it('stops a Flux build at its timeout with SIGKILL, never SIGTERM, and says its fix once', async () => {
    const root = tempDir();
    const dist = writeDist(root, 'test', { 'release.yaml': [release()] });
    const standIn = kubectlNotingSignals(tempDir());
    const envs = loadDist(dist, root);
    expect(envs.map((e) => e.name)).toEqual(['test']);
    const build = await checkFluxBuild(envs[0]!, {
      root,
      kubectl: standIn.kubectl,
      timeoutMs: 200,
    });
    expect(build.findings).toEqual([
      {
        severity: 'error',
        area: 'flux',
        file: 'dist/test/kustomization.yaml',
        rule: 'flux.kustomize-build',
        message: 'kubectl kustomize dist/test timed out after 200 ms and was stopped',
        fix: 'run kubectl kustomize dist/test to see where it waits',
      },
    ]);
    expect(standIn.caught()).toBeUndefined(); // stopped, by no signal it could catch: SIGKILL
    expect(formatFinding(build.findings[0] as Finding).match(/\(fix: /g)).toHaveLength(1);
  });

  it('scans every tracked file for secrets and notes the ones too large to scan', async () => {
    const root = tempDir();
    writeDist(root, 'test', { 'release.yaml': [release()] });
    const token = `${'gh'}p_${randomFrom('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 36)}`;
    writeFileSync(join(root, 'notes.md'), `token: ${token}\n`);
    writeFileSync(join(root, 'big.log'), 'x'.repeat(2 * 1024 * 1024 + 1));
    writeFileSync(join(root, 'untracked.md'), `token: ${token}\n`);
    const git = (...args: string[]) =>
      expect(spawnSync('git', args, { cwd: root, encoding: 'utf8', timeout: CHILD_TIMEOUT_MS }).status).toBe(0);
    git('init', '-q');
    git('add', 'dist', 'notes.md', 'big.log');
    const report = await gate(root, { scanRepository: true });
    expect(errorsOf(report).map((f) => `${f.file}:${f.line} ${f.rule}`)).toEqual(['notes.md:1 secretlint/github']);
    expect(report.notes).toContain('not scanned for secrets, over 2 MB: big.log');
    expect(report.stats.filesScanned).toBe(3); // release.yaml, kustomization.yaml, notes.md
    expect(formatReport(report)).not.toContain(token);
  });

  it("finds a well-known token shape in every tracked file: an environment file's value and comment, a Markdown file; file, line, last 4", async () => {
    const root = tempDir();
    writeDist(root, 'test', { 'release.yaml': [release()] });
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    // GitLab's and Arcade's shapes, which secretlint's preset does not know (src/core/known-tokens.ts).
    const [inValue, inComment, inMarkdown] = ['glpat-', 'glft-', 'arc_'].map(
      (prefix) => `${prefix}${randomFrom(alphabet, 24)}9WXYZ`,
    ) as [string, string, string];
    mkdirSync(join(root, 'src', 'environments'), { recursive: true });
    writeFileSync(
      join(root, 'src', 'environments', 'test.yaml'),
      `name: test\nnote: ${inValue}\n# the old feed token: ${inComment}\n`,
    );
    writeFileSync(join(root, 'README.md'), `# Notes\n\nThe deploy key is ${inMarkdown} for now.\n`);
    const git = (...args: string[]) =>
      expect(spawnSync('git', args, { cwd: root, encoding: 'utf8', timeout: CHILD_TIMEOUT_MS }).status).toBe(0);
    git('init', '-q');
    git('add', 'dist', 'src', 'README.md');
    const report = await gate(root, { scanRepository: true });
    const shape = 'a well-known API key or token shape: …WXYZ (a key shows its last 4 characters only)';
    expect(
      errorsOf(report)
        .filter((f) => f.rule === 'secret.known-token')
        .map((f) => `${f.file}:${f.line} ${f.message}`),
    ).toEqual([
      `README.md:3 ${shape}`,
      `src/environments/test.yaml:2 ${shape}`,
      `src/environments/test.yaml:3 ${shape}`,
    ]);
    const shown = formatReport(report);
    for (const token of [inValue, inComment, inMarkdown]) expect(shown).not.toContain(token.slice(0, -4));
  });

  it("tells why git could not list the tracked files, in git's words, with the fix: a folder that is no checkout", async () => {
    const root = tempDir(); // in the system's temporary folder, which no git checkout holds
    writeDist(root, 'test', { 'release.yaml': [release()] });
    const report = await gate(root, { scanRepository: true });
    expect(errorsOf(report).map(formatFinding)).toEqual([
      `error   .: [secret.scan-failed] git ls-files -z in ${root} failed (exit 128): fatal: not a git repository ` +
        '(or any of the parent directories): .git (fix: run the gate in a git checkout of the stack (or pass ' +
        '--dist-only to scan dist/ only))',
    ]);
  });

  it('tells why git could not list the tracked files, with the fix: no git on the PATH', async () => {
    const root = tempDir();
    const path = process.env.PATH;
    // An empty folder as PATH: no git. git's environment is taken when it is asked for, so PATH is
    // restored before anything is awaited and no other test sees it.
    process.env.PATH = tempDir();
    let failure: Promise<{ message: string; fix: string }>;
    try {
      failure = trackedFilesFailure(root, () => {
        process.env.PATH = path;
      });
    } finally {
      process.env.PATH = path;
    }
    expect(await failure).toEqual({
      message: `git ls-files -z in ${root} could not start: git was not found on the PATH`,
      fix: 'install git and put it on the PATH (or pass --dist-only to scan dist/ only)',
    });
  });

  it('names the fix for each way the listing can end: a timeout, an output past its limit, a signal, a refusal', async () => {
    // Real ends from the runner git goes through (src/core/run-program.ts, as gitTry runs git):
    // a program past its timeout, one printing past its limit, one a signal stops, one that fails.
    const root = tempDir();
    const endOf = async (script: string, limits: { timeoutMs?: number; maxBuffer?: number } = {}) => {
      const { error, stderr } = await runProgram('sh', ['-c', script], {
        encoding: 'utf8',
        timeoutMs: limits.timeoutMs ?? 20_000,
        maxBuffer: limits.maxBuffer ?? 1 << 20,
      });
      return { error, stderr };
    };
    const dist = '(or pass --dist-only to scan dist/ only)';
    expect(lsFilesFix(root, await endOf('exec sleep 30', { timeoutMs: 200 }))).toBe(
      `run git ls-files in ${root} to see why it takes so long ${dist}`,
    );
    expect(lsFilesFix(root, await endOf('head -c 4096 /dev/zero', { maxBuffer: 16 }))).toBe(
      `the gate reads a listing of at most 64 MiB: run it in the stack's own checkout, not a larger repository holding it ${dist}`,
    );
    expect(lsFilesFix(root, await endOf('kill -TERM $$'))).toBe(
      `run the gate again; if git is stopped again, run git ls-files in ${root} to see why ${dist}`,
    );
    expect(lsFilesFix(root, await endOf('exit 128'))).toBe(`run the gate in a git checkout of the stack ${dist}`);
  });

  it('tells why git could not list the tracked files, with the fix: a folder that does not exist', async () => {
    const root = join(tempDir(), 'gone'); // never made
    expect(await trackedFilesFailure(root)).toEqual({
      message: `git ls-files -z in ${root} could not start: its working folder ${root} does not exist`,
      fix:
        'run the gate on a folder that exists: the root of a git checkout of the stack (or pass --dist-only ' +
        'to scan dist/ only)',
    });
  });

  it('reports documents that are not Kubernetes objects and duplicate objects', async () => {
    const root = tempDir();
    const dist = writeDist(root, 'test', { 'a.yaml': [release()], 'b.yaml': [release()] });
    writeFileSync(
      join(dist, 'test', 'a.yaml'),
      `${readFileSync(join(dist, 'test', 'a.yaml'), 'utf8')}---\n${stringify({ kind: 'ConfigMap', data: {} })}`,
    );
    const report = await gate(root);
    expect(errorsOf(report).map((f) => f.rule)).toEqual(['schema.not-an-object', 'flux.duplicate-object']);
  });
});

/** The committed environment files: a copy of dist/ is judged by them (the scrape convention). */
const ENVIRONMENTS = join(REPO_ROOT, 'src', 'environments');

/** A copy of the committed dist/ whose release.yaml is changed by `edit` (HelmRelease spec). */
function editedDist(edit: (spec: Rec) => void): string {
  const root = tempDir();
  const env = join(root, 'dist', 'backstage-wus2-v4');
  cpSync(join(REPO_ROOT, 'dist', 'backstage-wus2-v4'), env, { recursive: true });
  const file = join(env, 'release.yaml');
  const docs = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Rec);
  edit(docs.find((d) => d.kind === 'HelmRelease')!.spec as Rec);
  writeFileSync(file, docs.map((d) => stringify(d)).join('---\n'));
  return root;
}

const extraConfigOf = (spec: Rec) => ((spec.values as Rec).engine as Rec).extraConfig as Rec;

describe('with the vendored contracts (contracts/: no cluster, no sibling folder)', () => {
  it('the committed dist/ passes the full gate (schemas, engine config, policies, repository secret scan, kustomize build)', async () => {
    const report = await runGate({ root: REPO_ROOT, kubectl: hasKubectl ? 'kubectl' : false });
    expect(errorsOf(report).map(formatFinding)).toEqual([]);
    expect(report.stats.objects).toBeGreaterThan(5);
    expect(report.stats.filesScanned).toBeGreaterThan(50);
    // Unresolved values inside the engine config are warnings, never engine-config errors.
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        severity: 'warning',
        rule: 'unresolved.value',
        path: 'spec.values.engine.extraConfig.llm.models[0].openai.base_url',
      }),
    );
  });

  it('the broken HelmRelease inputs fail against the real HelmRelease v2 CRD too', async () => {
    const root = editedDist((spec) => {
      spec.intervl = spec.interval; // misspelled field
      spec.interval = '10 minutes'; // bad interval
      (spec.chartRef as Rec).kind = 'HelmRepository'; // wrong source kind
      (spec.install as Rec).remediation = { retries: 'three' };
    });
    const report = await runGate({ root, scanRepository: false, kubectl: false, environmentsDir: ENVIRONMENTS });
    expect(
      errorsOf(report)
        .map((f) => `${f.path} ${f.rule}`)
        .sort(),
    ).toEqual([
      'spec.chartRef.kind schema.enum',
      'spec.install.remediation.retries schema.type',
      'spec.interval schema.pattern',
      'spec.intervl schema.unknown-field',
    ]);
  });

  it("engine config that leaves the vendored engine schema fails, naming the path and the schema's message", async () => {
    const root = editedDist((spec) => {
      const config = extraConfigOf(spec);
      const model = ((config.llm as Rec).models as Rec[])[0]!;
      delete (model.openai as Rec).api_key;
      ((config.storage as Rec).postgres as Rec).hostname = 'db.example.com';
      config.deployments = { worker: {} }; // a block the chart owns (chart 1.11 refuses it in extraConfig)
    });
    const report = await runGate({ root, scanRepository: false, kubectl: false, environmentsDir: ENVIRONMENTS });
    const errors = errorsOf(report).map((f) => `${f.area} ${f.path} [${f.rule}] ${f.message}`);
    expect(errors).toEqual([
      'engine-config spec.values.engine.extraConfig.llm.models[0].openai.api_key ' +
        "[engine-config.required] must have required property 'api_key' (api_key: \"The API key " +
        'for the model.")',
      'engine-config spec.values.engine.extraConfig.storage.postgres.hostname ' +
        '[engine-config.unknown-field] must NOT have additional properties: "hostname": the engine ' +
        'config schema 2.0 does not declare it here',
      'engine-config spec.values.engine.extraConfig.deployments [engine-config.unknown-section] ' +
        'the engine config schema 2.0 defines no section "deployments": nothing in the engine is ' +
        'documented to read it',
    ]);
    expect(formatReport(report)).toContain('(fix: remove it or use one of: host, port, user, password, db, sslmode)');
  });

  it('an engine config value set from a Secret through valuesFrom is named as not checked', async () => {
    const root = editedDist((spec) => {
      (spec.valuesFrom as Rec[]).push({
        kind: 'Secret',
        name: 'x',
        valuesKey: 'k',
        targetPath: 'engine.extraConfig.llm.models[0].openai.api_key',
      });
    });
    const report = await runGate({ root, scanRepository: false, kubectl: false, environmentsDir: ENVIRONMENTS });
    expect(errorsOf(report)).toEqual([]);
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        severity: 'warning',
        rule: 'engine-config.not-validated',
        message: expect.stringContaining('engine.extraConfig.llm.models[0].openai.api_key is set from a Secret'),
      }),
    );
  });
});
