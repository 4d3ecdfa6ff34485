/**
 * export on temporary GitOps repositories: the full adopt-and-commit path, the ownership record,
 * and every refusal, each proven to leave the target untouched.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ExportRefused, exportEnvironment, type ExportOptions, type ExportSource } from '../../src/delivery/export.js';
import { looksTemporary } from '../../src/delivery/export-folder.js';
import { blockedOnTheWay } from '../../src/delivery/target.js';
import { checkoutStatus, ignoredIn, ignoredPaths, parseStatus } from '../../src/delivery/checkout-status.js';
import { OWNERSHIP_FILE, parseOwnership } from '../../src/delivery/ownership.js';
import { sha256 } from '../../src/core/manifests.js';
import { ConfigurationError } from '../../src/core/command-error.js';
import { KUBECTL } from '../support/kubectl.js';
import { KUBECTL_SKIP } from './gitops-fixture.js';
import {
  commitFiles,
  copyRepo,
  handWrittenRelease,
  identityDecision,
  makeRepo,
  plantExport,
  run,
  snapshot,
  sourceOf,
  stagingEnvironment,
} from './support.js';
import { tempDir } from '../support/temp.js';

if (!KUBECTL) console.log(`[export] skipped the tests that preview: ${KUBECTL_SKIP}`);

const BUNDLED = () => sourceOf(stagingEnvironment('bundled'));
const MANAGED = () => sourceOf(stagingEnvironment('managed'));

/** Repositories holding an export, by what was exported (its source commit aside). */
const exported = new Map<string, string>();

/**
 * A fresh repository holding only an earlier export of `first`, committed on branch `first`. The
 * first one of a given export is made by the export; the next ones are copies of that repository
 * (their recorded source commit is the first one's).
 */
async function repoWithExport(first: ExportSource): Promise<string> {
  const key = JSON.stringify({ ...first, sourceCommit: '' });
  let template = exported.get(key);
  if (template === undefined) {
    template = await makeRepo(
      { 'apps/arcade/README.md': 'Arcade, exported by arcade-stack\n' },
      'apps/arcade: placeholder',
    );
    await exportEnvironment(first, { repo: template, commit: true, branch: 'first' });
    exported.set(key, template);
  }
  return copyRepo(template);
}

/**
 * Asserts the export is refused with a message matching `reason`, and nothing changed against
 * `before` (default: a snapshot taken now; refusals in a row on one repository compare with the
 * one snapshot taken before the first). `clean`: the checkout had no changes before.
 */
async function expectRefused(
  repo: string,
  source: ExportSource,
  options: Omit<ExportOptions, 'repo'>,
  reason: RegExp,
  { clean = true, before }: { clean?: boolean; before?: Awaited<ReturnType<typeof snapshot>> } = {},
): Promise<void> {
  const untouched = before ?? (await snapshot(repo));
  const error = await exportEnvironment(source, { repo, ...options }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ExportRefused);
  expect((error as ExportRefused).message).toMatch(reason);
  expect((error as ExportRefused).message).toMatch(/fix:/);
  expect(await snapshot(repo)).toEqual(untouched);
  if (clean) expect(untouched.status).toBe('');
}

describe.skipIf(!KUBECTL)('export: adopting the hand-written release and committing', () => {
  it('replaces the hand-written release, records hashes, and commits the semantic diff on a new branch', async () => {
    const repo = await makeRepo({
      'apps/arcade/helmrelease.yaml': handWrittenRelease(),
      'apps/other/app.yaml': 'kind: ConfigMap\n',
    });
    const source = BUNDLED();
    const head = (await run(repo, ['rev-parse', 'HEAD'])).trim();

    const result = await exportEnvironment(source, { repo, adopt: true, commit: true });

    expect(result.branch).toBe(`arcade-stack/staging-${source.sourceCommit.slice(0, 12)}`);
    expect((await run(repo, ['rev-parse', '--abbrev-ref', 'HEAD'])).trim()).toBe(result.branch);
    expect((await run(repo, ['rev-parse', 'HEAD~1'])).trim()).toBe(head);
    expect(await run(repo, ['status', '--porcelain', '--untracked-files=all'])).toBe('');
    expect(await run(repo, ['remote'])).toBe('');
    // The hand-written file is gone; the stack's files and the record are in place.
    expect(existsSync(join(repo, 'apps/arcade/helmrelease.yaml'))).toBe(false);
    for (const f of source.files) expect(readFileSync(join(repo, 'apps/arcade', f.path), 'utf8')).toBe(f.content);
    const record = parseOwnership(readFileSync(join(repo, 'apps/arcade', OWNERSHIP_FILE), 'utf8'), OWNERSHIP_FILE);
    expect(record.sourceCommit).toBe(source.sourceCommit);
    expect(record.files).toEqual(Object.fromEntries(source.files.map((f) => [f.path, sha256(f.content)])));
    // The diff: HelmRelease changed field by field, the OCI source and the LLM key's Secret added,
    // the continuous-evidence dashboard's ConfigMap and alert rules' PrometheusRule (the fixture has
    // the continuous mode on) and its probe runner (CronJob, ServiceAccount, Role and binding, targets,
    // API key, NetworkPolicy), the HelmRepository removed. (The collector and its ServiceMonitors,
    // collector.yaml and monitoring.yaml, are new as well.)
    const collectorAdded = result.diff.added.filter((a) => a.key.includes('/arcade-otel-collector'));
    expect(collectorAdded.map((a) => a.key)).toContain('Service arcade-staging/arcade-otel-collector');
    expect(result.diff.added.filter((a) => !collectorAdded.includes(a)).map((a) => a.key)).toEqual([
      'ConfigMap arcade-staging/arcade-probe-runner-targets',
      'ConfigMap observability/arcade-evidence-dashboard-staging',
      'CronJob arcade-staging/arcade-probe-runner',
      'ExternalSecret arcade-staging/arcade-llm',
      'ExternalSecret arcade-staging/arcade-probes-api-key',
      'NetworkPolicy arcade-staging/arcade-probe-runner',
      'OCIRepository arcade-staging/arcade',
      'PrometheusRule arcade-staging/arcade-evidence-alerts',
      'Role arcade-staging/arcade-probe-runner',
      'RoleBinding arcade-staging/arcade-probe-runner',
      'ServiceAccount arcade-staging/arcade-probe-runner',
    ]);
    expect(result.diff.removed.map((r) => r.key)).toEqual(['HelmRepository arcade-staging/arcade-charts']);
    const release = result.diff.changed.find((c) => c.key === 'HelmRelease arcade-staging/arcade');
    expect(release?.fields.map((f) => f.path)).toContain('spec.values.gateway.hostname');
    expect(release?.fields.find((f) => f.path === 'spec.values.gateway.hostname')).toMatchObject({
      before: undefined,
      after: 'api.arcade-staging.example.com',
    });
    // The commit message carries the summary, the diff and the source commit.
    const message = await run(repo, ['log', '-1', '--format=%B']);
    expect(message).toContain(`Source commit: ${source.sourceCommit}`);
    expect(message).toContain(`${11 + collectorAdded.length} added, 1 removed, 1 changed`);
    expect(message).toContain('spec.values.gateway.hostname: (absent) → "api.arcade-staging.example.com"');
    expect(message).toContain('helmrelease.yaml');
    // Nothing outside the folder was touched.
    expect(readFileSync(join(repo, 'apps/other/app.yaml'), 'utf8')).toBe('kind: ConfigMap\n');
  });

  it('reports no change and writes nothing on a second identical export', async () => {
    const repo = await repoWithExport(BUNDLED());
    const source = BUNDLED();
    const second = await exportEnvironment(
      {
        ...source,
        sourceCommit: JSON.parse(readFileSync(join(repo, 'apps/arcade', OWNERSHIP_FILE), 'utf8')).sourceCommit,
      },
      { repo },
    );
    expect(second.changed).toBe(false);
    expect(second.diff).toEqual({ added: [], removed: [], changed: [] });
    expect(await run(repo, ['status', '--porcelain'])).toBe('');
  });

  it('removes files it exported before and no longer produces, and deletes each Secret only with its own --allow-prune (managed -> bundled)', async () => {
    const managed = MANAGED();
    // An earlier export with a file this one no longer produces.
    const extra = {
      path: 'extra.yaml',
      content: 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: extra, namespace: arcade-staging }\n',
    };
    const repo = await repoWithExport({ ...managed, files: [...managed.files, extra] });
    expect(existsSync(join(repo, 'apps/arcade/extra.yaml'))).toBe(true);
    // Bundled keeps secrets.yaml for the LLM key's Secret only: the four datastore Secrets go, each with its own consent.
    const secrets = ['arcade-engine-root-key', 'arcade-oidc', 'arcade-postgres', 'arcade-redis'];
    const refused = await exportEnvironment(BUNDLED(), {
      repo,
      allowPrune: secrets.slice(1).map((n) => `ExternalSecret/${n}`),
    }).catch((e: unknown) => e as ExportRefused);
    expect((refused as ExportRefused).problems).toEqual([
      expect.stringMatching(
        new RegExp(
          /would delete ExternalSecret arcade-staging\/arcade-engine-root-key/.source +
            / \(apps\/arcade\/secrets\.yaml\): an object that owns a Secret \(ExternalSecret: its/.source +
            / controller deletes the Secret with it\).*--allow-prune ExternalSecret\/arcade-engine-root-key\)$/.source,
        ),
      ),
    ]);
    const result = await exportEnvironment(BUNDLED(), { repo, allowPrune: secrets.map((n) => `ExternalSecret/${n}`) });
    expect(result.preview?.prunes.map((p) => [p.key, p.allowedBy])).toEqual(
      expect.arrayContaining(secrets.map((n) => [`ExternalSecret arcade-staging/${n}`, `ExternalSecret/${n}`])),
    );
    expect(result.removed).toEqual(['extra.yaml']);
    expect(existsSync(join(repo, 'apps/arcade/extra.yaml'))).toBe(false);
    expect(existsSync(join(repo, 'apps/arcade/secrets.yaml'))).toBe(true);
    expect(result.diff.removed.map((r) => r.key).sort()).toEqual(
      secrets.map((n) => `ExternalSecret arcade-staging/${n}`),
    );
    expect(await run(repo, ['status', '--porcelain'])).toMatch(/D apps\/arcade\/extra\.yaml/);
    expect(readFileSync(join(repo, 'apps/arcade/README.md'), 'utf8')).toBe('Arcade, exported by arcade-stack\n');
  });

  it('warns when the latest commit of the folder is marked temporary or teardown', async () => {
    const repo = await repoWithExport(BUNDLED());
    await commitFiles(repo, { 'apps/arcade/NOTES.md': 'scaled down\n' }, 'TEMP: teardown arcade for the weekend');
    const env = stagingEnvironment('bundled');
    const result = await exportEnvironment(sourceOf({ ...env, release: { ...env.release, interval: '5m' } }), {
      repo,
      dryRun: true,
    });
    expect(result.warnings).toHaveLength(2);
    expect(result.warnings[0]).toMatch(/looks temporary or a teardown .*TEMP: teardown arcade/);
    expect(result.warnings[1]).toMatch(/the checkout is on 'first', not master/);
    expect(result.diff.changed[0]?.fields).toEqual([{ path: 'spec.interval', before: '10m', after: '5m' }]);
    expect(await run(repo, ['status', '--porcelain'])).toBe('');
  });
});

describe.skipIf(!KUBECTL)('export refusals leave the target untouched', () => {
  it('refuses a dirty checkout, naming the first changed path in full', async () => {
    const repo = await repoWithExport(BUNDLED());
    writeFileSync(join(repo, 'stray.txt'), 'work in progress\n');
    const dirty = await snapshot(repo);
    await expectRefused(repo, BUNDLED(), {}, /uncommitted changes.*stray\.txt/, { clean: false, before: dirty });
    await expectRefused(repo, BUNDLED(), { adopt: true, force: true, allowReinstall: true }, /uncommitted changes/, {
      clean: false,
      before: dirty,
    });
    // A modified tracked file: git prints ` M apps/arcade/README.md` (leading space kept).
    const tracked = await repoWithExport(BUNDLED());
    writeFileSync(join(tracked, 'apps/arcade/README.md'), 'edited\n');
    await expectRefused(
      tracked,
      BUNDLED(),
      {},
      /uncommitted changes \(1 path\(s\), e\.g\. apps\/arcade\/README\.md\)/,
      { clean: false },
    );
  });

  /** A --path the export cannot use: a usage error (exit 2, ConfigurationError) naming the fix, nothing written. */
  async function expectBadPath(
    repo: string,
    options: Omit<ExportOptions, 'repo'>,
    reason: RegExp,
    before: Awaited<ReturnType<typeof snapshot>>,
  ): Promise<void> {
    const error = await exportEnvironment(BUNDLED(), { repo, ...options }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).exitCode).toBe(2);
    expect((error as ConfigurationError).message).toMatch(reason);
    expect((error as ConfigurationError).message).toMatch(/fix:/);
    expect(await snapshot(repo)).toEqual(before);
  }

  it('refuses a --path that resolves into .git, a dot-folder, the root or outside the checkout', async () => {
    const repo = await repoWithExport(BUNDLED());
    mkdirSync(join(repo, '.github/workflows'), { recursive: true });
    writeFileSync(join(repo, '.github/workflows/ci.yaml'), 'on: push\n');
    await commitFiles(repo, {}, 'ci');
    const outside = tempDir('outside-');
    symlinkSync(outside, join(repo, 'apps/elsewhere'));
    symlinkSync(join(repo, '.git'), join(repo, 'apps/gitlink'));
    // apps/b -> <far>/deep/z and apps/trick -> b/../sub: node's JavaScript realpathSync took
    // apps/trick as the checkout's apps/sub; the kernel, and every write through it, as <far>/deep/sub.
    const far = tempDir('far-');
    mkdirSync(join(far, 'deep/z'), { recursive: true });
    mkdirSync(join(far, 'deep/sub'));
    symlinkSync(join(far, 'deep/z'), join(repo, 'apps/b'));
    symlinkSync('b/../sub', join(repo, 'apps/trick'));
    await commitFiles(repo, { 'apps/sub/README.md': 'a folder of the checkout\n' }, 'links');
    const before = await snapshot(repo);
    for (const [path, reason] of [
      ['.git/refs', /--path \.git\/refs: resolves to \.git\/refs, inside git's own storage \(\.git\)/],
      ['.git', /inside git's own storage/],
      ['apps/gitlink/refs', /resolves to \.git\/refs, inside git's own storage/],
      ['.github/workflows', /inside the dot-folder \.github/],
      ['.', /resolves to the checkout's root/],
      ['apps/..', /resolves to the checkout's root/],
      ['..', /outside the checkout/],
      ['apps/elsewhere', /outside the checkout/],
      [outside, /outside the checkout/],
      ['apps/trick', new RegExp(`--path apps/trick: resolves to ${far}/deep/sub, outside the checkout`)],
    ] as const) {
      await expectBadPath(repo, { path, commit: true, adopt: true, force: true }, reason, before);
    }
    expect(readdirSync(far, { recursive: true }).sort()).toEqual(['deep', 'deep/sub', 'deep/z']);
    // The --commit above never ran: the checkout is still on its branch with its refs intact.
    expect((await run(repo, ['rev-parse', '--abbrev-ref', 'HEAD'])).trim()).toBe('first');
    expect(await run(repo, ['fsck', '--no-progress'])).toBe('');
  });

  it('refuses a path that does not exist and a repository that is not a git checkout', async () => {
    const repo = await repoWithExport(BUNDLED());
    await expectBadPath(repo, { path: 'apps/arcdae' }, /--path apps\/arcdae: .* does not exist/, await snapshot(repo));
    await expect(exportEnvironment(BUNDLED(), { repo: join(repo, 'nope') })).rejects.toThrow(/does not exist/);
    const plain = tempDir('not-git-');
    await expect(exportEnvironment(BUNDLED(), { repo: plain, path: '.' })).rejects.toThrow(/not a git checkout/);
    // With --commit the same git asks whether the branch exists: outside a checkout it is the same usage error.
    await expect(exportEnvironment(BUNDLED(), { repo: plain, path: '.', commit: true })).rejects.toThrow(
      expect.objectContaining({ exitCode: 2, message: expect.stringMatching(/--repo .*: not a git checkout \(fix:/) }),
    );
  });

  it('refuses a hand-written object with the same kind, namespace and name unless --adopt', async () => {
    const repo = await makeRepo({ 'apps/arcade/helmrelease.yaml': handWrittenRelease() });
    await expectRefused(
      repo,
      BUNDLED(),
      {},
      /HelmRelease arcade-staging\/arcade in apps\/arcade\/helmrelease\.yaml was not exported by arcade-stack.*--adopt/,
    );
  });

  it('refuses other hand-written manifests the exported kustomization would stop applying unless --adopt', async () => {
    const repo = await repoWithExport(BUNDLED());
    await commitFiles(
      repo,
      {
        'apps/arcade/extra.yaml':
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n  namespace: arcade-staging\n',
      },
      'add a config map',
    );
    await expectRefused(
      repo,
      BUNDLED(),
      {},
      /extra\.yaml holds objects arcade-stack did not export \(ConfigMap arcade-staging\/extra\)/,
    );
  });

  /** The refusal an identity change gets, naming the change and the environment field that keeps it. */
  const identityRefusal = (change: RegExp, field: string) =>
    new RegExp(
      `${change.source}[\\s\\S]*helm-controller would uninstall the release and install a new ` +
        `one \\(fix: set in src/environments/staging\\.yaml: ${field.replace('.', '\\.')}.*--allow-reinstall`,
    );

  it('a first-ever export: its subject says NEW release as its body does, and the assumed owner is named once', async () => {
    const repo = await makeRepo({ 'apps/arcade/README.md': 'x\n' });
    const result = await exportEnvironment(BUNDLED(), { repo, dryRun: true });
    expect(result.message.split('\n')[0]).toMatch(
      /^arcade-stack: export staging \(NEW release; Flux deletes nothing; /,
    );
    expect(result.summary).toContain(
      '  + HelmRelease arcade-staging/arcade: a NEW release (nothing in the folder before): helm-controller installs it',
    );
    expect(result.summary.split('\n')).toContain(
      '  (assumed) a Flux Kustomization with path ./apps/arcade, prune: true: nothing leaves what it applies',
    );
  });

  // Named as the release (arcade) too: the name once let it through, committed as deleted without consent.
  it.each(['billing', 'arcade'])(
    "--adopt --path apps/other: a Deployment billing/%s, in a namespace the export's objects do not use, is another app's: its own --allow-prune",
    async (name) => {
      const billing = stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace: 'billing' },
        spec: { selector: { matchLabels: { app: 'billing' } }, template: { metadata: { labels: { app: 'billing' } } } },
      });
      const repo = await makeRepo({ 'apps/other/billing.yaml': billing });
      await expectRefused(
        repo,
        BUNDLED(),
        { adopt: true, path: 'apps/other', commit: true },
        new RegExp(
          String.raw`would delete Deployment billing/${name} \(apps/other/billing\.yaml\): an object of another app \(in ` +
            String.raw`namespace billing, which none of the export's objects use, and not labelled app\.kubernetes\.io/` +
            String.raw`part-of this app\) \(fix: .*--allow-prune Deployment/${name}\)`,
        ),
      );
      const allowed = await exportEnvironment(BUNDLED(), {
        repo,
        adopt: true,
        path: 'apps/other',
        commit: true,
        allowPrune: [`Deployment/billing/${name}`],
      });
      expect(allowed.commit).toBeDefined();
    },
  );

  it('a release only removed (a second HelmRelease the export drops): its subject says release REMOVED, as its body does', async () => {
    const legacy = stringify({
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'legacy', namespace: 'arcade-staging' },
      spec: { chart: { spec: { chart: 'legacy', sourceRef: { kind: 'HelmRepository', name: 'arcade-charts' } } } },
    });
    const repo = await makeRepo({
      'apps/arcade/helmrelease.yaml': handWrittenRelease(),
      'apps/arcade/legacy.yaml': legacy,
    });
    const result = await exportEnvironment(BUNDLED(), {
      repo,
      adopt: true,
      allowReinstall: true,
      allowPrune: ['HelmRelease/arcade-staging/legacy'],
      dryRun: true,
    });
    expect(result.summary).toContain('  - HelmRelease arcade-staging/legacy (apps/arcade/legacy.yaml): REMOVED: ');
    expect(result.message.split('\n')[0]).toBe(
      'arcade-stack: export staging (release REMOVED; Flux deletes 2 object(s); values 11 added, 0 changed, 0 dropped)',
    );
  });

  it("a namespace move: the old namespace's ConfigMap of the folder's own HelmRelease is the app's, not another app's", async () => {
    const values = stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'arcade-values', namespace: 'arcade-old' },
    });
    const repo = await makeRepo({
      'apps/arcade/helmrelease.yaml': handWrittenRelease({}, { namespace: 'arcade-old' }),
      'apps/arcade/values.yaml': values,
    });
    const moved = await exportEnvironment(BUNDLED(), {
      repo,
      adopt: true,
      allowReinstall: true,
      allowPrune: ['HelmRelease/arcade-old/arcade'],
      commit: true,
    });
    expect(moved.commit).toBeDefined();
    expect(moved.preview?.prunes.map((p) => `${p.key}${p.danger ? ' (consent)' : ''}`)).toContain(
      'ConfigMap arcade-old/arcade-values',
    );
  });

  it('refuses a release identity change unless --allow-reinstall, naming the environment field (namespace: a new HelmRelease object too)', async () => {
    // End to end once (the refusal, the checkout untouched, the consents, the summary); the other
    // identity fields are decided by the same compareIdentity, in the next test.
    const repo = await makeRepo({
      'apps/arcade/helmrelease.yaml': handWrittenRelease({}, { namespace: 'flux-system' }),
    });
    await expectRefused(
      repo,
      BUNDLED(),
      { adopt: true },
      identityRefusal(/namespace: flux-system → arcade-staging/, 'release.namespace: flux-system'),
    );
    // A new object namespace is also a new HelmRelease object: the old one's deletion needs its own consent.
    const allowed = await exportEnvironment(BUNDLED(), {
      repo,
      adopt: true,
      allowReinstall: true,
      allowPrune: ['HelmRelease/flux-system/arcade'],
    });
    expect(allowed.changed).toBe(true);
    expect(allowed.summary).toContain('! REINSTALL: helm-controller uninstalls release');
  });

  it.each([
    [{ releaseName: 'arcade-old' }, /releaseName: arcade-old → arcade/, 'release.releaseName: arcade-old'],
    [{ targetNamespace: 'arcade' }, /targetNamespace: arcade → arcade-staging/, 'release.targetNamespace: arcade'],
    [
      { storageNamespace: 'flux-system' },
      /storageNamespace: flux-system → arcade-staging/,
      'release.storageNamespace: flux-system',
    ],
  ] as const)(
    'refuses each other identity field changed unless --allow-reinstall, decided by the check the export runs (%o)',
    (spec, change, field) => {
      // compareIdentity, as exportEnvironment calls it, on the hand-written release (a plain file:
      // kustomize builds it unchanged) and the exported one.
      const decide = (allowReinstall: boolean) =>
        identityDecision(
          [{ path: 'helmrelease.yaml', content: handWrittenRelease(spec) }],
          BUNDLED().files,
          'src/environments/staging.yaml',
          allowReinstall,
        );
      const refused = decide(false);
      expect(refused.problems).toEqual([expect.stringMatching(identityRefusal(change, field))]);
      expect(refused.problems[0]).toMatch(/fix:/);
      // With --allow-reinstall: no refusal, the change kept for the summary's REINSTALL lines.
      const allowed = decide(true);
      expect(allowed.problems).toEqual([]);
      expect(allowed.identity).toEqual(refused.identity);
      expect(allowed.identity[0]?.changes.length).toBeGreaterThan(0);
    },
  );

  it('compares effective identity: an unset releaseName that defaults to the same name is no change', async () => {
    const repo = await makeRepo({ 'apps/arcade/helmrelease.yaml': handWrittenRelease({ releaseName: undefined }) });
    const result = await exportEnvironment(BUNDLED(), { repo, adopt: true, dryRun: true });
    expect(result.diff.changed.find((c) => c.kind === 'HelmRelease')?.fields).toContainEqual({
      path: 'spec.releaseName',
      before: undefined,
      after: 'arcade',
    });
  });

  it('refuses switching the datastores from bundled to managed unless --allow-datastore-switch', async () => {
    const repo = await makeRepo({ 'apps/arcade/helmrelease.yaml': handWrittenRelease() });
    await expectRefused(
      repo,
      MANAGED(),
      { adopt: true },
      /datastores switch from bundled .* to managed.*--allow-datastore-switch/,
    );
    const exported = await repoWithExport(BUNDLED());
    await expectRefused(exported, MANAGED(), {}, /datastores switch from bundled/);
    const allowed = await exportEnvironment(MANAGED(), { repo: exported, allowDatastoreSwitch: true, commit: true });
    expect(allowed.commit).toMatch(/^[a-f0-9]{40}$/);
  });

  it('refuses overwriting an exported file edited by hand unless --force', async () => {
    const repo = await repoWithExport(BUNDLED());
    const file = join(repo, 'apps/arcade/release.yaml');
    await commitFiles(
      repo,
      { 'apps/arcade/release.yaml': readFileSync(file, 'utf8').replace('interval: 10m', 'interval: 1m') },
      'hotfix interval',
    );
    await expectRefused(
      repo,
      BUNDLED(),
      {},
      /release\.yaml was exported by arcade-stack and then edited by hand.*--force/,
    );
    const forced = await exportEnvironment(BUNDLED(), { repo, force: true });
    expect(forced.diff.changed[0]?.fields).toContainEqual({ path: 'spec.interval', before: '1m', after: '10m' });
  });

  it('replaces a symbolic link at a planned path or at the ownership record, never writing through it', async () => {
    // Links leading out of the checkout (a hostile or careless commit): the export must write the
    // folder's own files, as its preview built them, and nothing outside.
    const repo = await repoWithExport(BUNDLED());
    const outside = tempDir('arcade-export-outside-');
    const release = join(repo, 'apps/arcade/release.yaml');
    const record = join(repo, 'apps/arcade', OWNERSHIP_FILE);
    const edited = readFileSync(release, 'utf8').replace('interval: 10m', 'interval: 1m');
    writeFileSync(join(outside, 'release.yaml'), edited);
    writeFileSync(join(outside, OWNERSHIP_FILE), readFileSync(record, 'utf8'));
    for (const [link, to] of [
      [release, 'release.yaml'],
      [record, OWNERSHIP_FILE],
    ] as const) {
      rmSync(link);
      symlinkSync(join(outside, to), link);
    }
    await run(repo, ['add', '-A']);
    await run(repo, ['commit', '-q', '-m', 'links out of the checkout']);
    const before = { release: edited, record: readFileSync(join(outside, OWNERSHIP_FILE), 'utf8') };

    // A linked record is not read (the folder looks hand-written): --adopt, and --force for the edit.
    const options = { repo, adopt: true, force: true, commit: true, branch: 'relinked' };
    const result = await exportEnvironment(BUNDLED(), options);
    expect(result.written).toContain('release.yaml');
    // Nothing written outside; each link replaced by the folder's own file, committed so.
    expect(readFileSync(join(outside, 'release.yaml'), 'utf8')).toBe(before.release);
    expect(readFileSync(join(outside, OWNERSHIP_FILE), 'utf8')).toBe(before.record);
    for (const file of [release, record]) expect(lstatSync(file).isFile()).toBe(true);
    expect(readFileSync(release, 'utf8')).toContain('interval: 10m');
    expect(parseOwnership(readFileSync(record, 'utf8'), OWNERSHIP_FILE).files['release.yaml']).toBe(
      sha256(readFileSync(release, 'utf8')),
    );
    expect(await run(repo, ['ls-tree', 'HEAD', 'apps/arcade/release.yaml', `apps/arcade/${OWNERSHIP_FILE}`])).toMatch(
      /^100644 blob [0-9a-f]+\tapps\/arcade\/\S+\n100644 blob [0-9a-f]+\tapps\/arcade\/\S+\n$/,
    );
  });

  it('refuses unresolved values unless --allow-unresolved, then lists them in the commit message', async () => {
    const repo = await repoWithExport(BUNDLED());
    const source = sourceOf(stagingEnvironment('bundled', { keepUnresolved: true }));
    await expectRefused(repo, source, {}, /1 unresolved value\(s\), e\.g\. oidc\.clientId.*--allow-unresolved/);
    await exportEnvironment(source, { repo, allowUnresolved: true, commit: true });
    expect(await run(repo, ['log', '-1', '--format=%B'])).toContain(
      'oidc.clientId: fixture: client id deliberately unresolved',
    );
  });

  it('refuses --commit onto a branch that exists, before writing anything', async () => {
    const repo = await repoWithExport(BUNDLED());
    const env = stagingEnvironment('bundled');
    await expectRefused(
      repo,
      // The change the teardown warning's test exports too: one build of the tree for both.
      sourceOf({ ...env, release: { ...env.release, interval: '5m' } }),
      { commit: true, branch: 'first' },
      /branch first already exists/,
    );
  });

  it('gathers every refusal into one message', async () => {
    const repo = await makeRepo({ 'apps/arcade/helmrelease.yaml': handWrittenRelease({ releaseName: 'legacy' }) });
    const source = sourceOf(stagingEnvironment('managed', { keepUnresolved: true }));
    const error = (await exportEnvironment(source, { repo }).catch((e: unknown) => e)) as ExportRefused;
    expect(error.problems).toHaveLength(4);
    expect(error.message).toMatch(/was not exported[\s\S]*identity changes[\s\S]*datastores switch[\s\S]*unresolved/);
  });
});

describe('export without kubectl: fail closed, never remove what it could not preview', () => {
  const kubectl = '/nonexistent/kubectl';

  it("refuses a takeover (nothing of the folder is the stack's yet), naming kubectl", async () => {
    const repo = await makeRepo({ 'apps/arcade/helmrelease.yaml': handWrittenRelease() });
    await expectRefused(
      repo,
      BUNDLED(),
      { adopt: true, kubectl },
      new RegExp(
        /^(?![\s\S]*fix: install kubectl[\s\S]*fix: install kubectl)[\s\S]*\/nonexistent\/kubectl/.source +
          / is not on PATH, so the export cannot build what Flux applies and preview what it would/.source +
          / prune, and it takes over a folder the stack does not own yet \(adopting/.source +
          / helmrelease\.yaml\).*fix: install kubectl/.source,
      ),
    );
  });

  it('updates its own earlier export when nothing leaves the folder, and says the preview was not built', async () => {
    const repo = await makeRepo({ 'apps/arcade/README.md': 'x\n' });
    await plantExport(repo, BUNDLED());
    const env = stagingEnvironment('bundled');
    const result = await exportEnvironment(sourceOf({ ...env, release: { ...env.release, interval: '5m' } }), {
      repo,
      kubectl,
      commit: true,
      branch: 'interval',
    });
    expect(result.preview).toBeUndefined();
    expect(result.summary).toContain(
      'Prune preview: not built (/nonexistent/kubectl is not on PATH: nothing leaves the folder, so Flux prunes nothing it applied from here)',
    );
    expect(result.diff.changed.map((c) => [c.key, c.fields.map((f) => f.path)])).toEqual([
      ['HelmRelease arcade-staging/arcade', ['spec.interval']],
    ]);
    expect((await run(repo, ['log', '-1', '--format=%s'])).trim()).toMatch(
      /^arcade-stack: export staging \(identity unchanged; no prune preview; values 0 added, 0 changed, 0 dropped\)$/,
    );
  });

  it('refuses an update that removes objects (managed -> bundled drops the Secrets)', async () => {
    const repo = await makeRepo({ 'apps/arcade/README.md': 'x\n' });
    await plantExport(repo, MANAGED());
    await expectRefused(
      repo,
      BUNDLED(),
      { kubectl, allowPrune: ['ExternalSecret/arcade-postgres'] },
      /not on PATH.*ExternalSecret arcade-staging\/arcade-engine-root-key.* would leave what Flux applies \(fix: install kubectl/,
    );
  });
});

describe('export and symbolic links in the folder: nothing written or removed outside the checkout', () => {
  it('refuses a folder on the way that is a link (out of the checkout, or inside it) before anything is written', async () => {
    const outside = tempDir('export-outside-');
    writeFileSync(join(outside, 'extra.yaml'), 'outside: untouched\n');
    const base = BUNDLED();
    const extra = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n  namespace: arcade-staging\n';
    const source: ExportSource = { ...base, files: [...base.files, { path: 'base/extra.yaml', content: extra }] };
    for (const to of [outside, '../other']) {
      const repo = await makeRepo({ 'apps/other/extra.yaml': 'inside: untouched\n' });
      await plantExport(repo, base);
      symlinkSync(to, join(repo, 'apps/arcade/base'));
      await commitFiles(repo, {}, 'a link on the way');
      const before = await snapshot(repo); // read through the link: the files it leads to included
      const outsideBefore = readFileSync(join(outside, 'extra.yaml'));
      const reason = new RegExp(
        `apps/arcade/base is a symbolic link \\(to ${to.replace(/[.]/g, '\\.')}, on the way to ` +
          'apps/arcade/base/extra\\.yaml\\): the export would write through it, possibly outside the checkout ' +
          '\\(fix: replace the link with a folder holding its files',
      );
      await expectRefused(repo, source, { adopt: true, force: true, commit: true }, reason, { before });
      expect(readFileSync(join(outside, 'extra.yaml')).equals(outsideBefore)).toBe(true);
      expect(await snapshot(repo)).toEqual(before);
    }
  });

  it('refuses a file where the export needs a folder, and a folder where it writes a file, before anything is written', async () => {
    const base = BUNDLED();
    const extra = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n  namespace: arcade-staging\n';
    const source: ExportSource = {
      ...base,
      files: [
        ...base.files,
        { path: 'base/extra.yaml', content: extra },
        { path: 'other.yaml', content: extra.replace('name: extra', 'name: other') },
      ],
    };
    const repo = await makeRepo({});
    await plantExport(repo, base);
    // Hand-written, not manifests: the export leaves them be, but cannot write where they are.
    await commitFiles(
      repo,
      { 'apps/arcade/base': 'notes\n', 'apps/arcade/other.yaml/notes.txt': 'notes\n' },
      'in the way',
    );
    const problems = [
      'apps/arcade/base is a file where the export needs a folder, on the way to apps/arcade/base/extra.yaml ' +
        '(fix: rename or remove the file (git mv, git rm), commit that, and export again)',
      'apps/arcade/other.yaml is a folder where the export writes a file (fix: move what the folder holds ' +
        'elsewhere (git mv), commit that, and export again)',
    ];
    // The old code failed on a raw mkdir error (EEXIST) while writing the preview's copy.
    await expectRefused(repo, source, { adopt: true, force: true, commit: true }, /apps\/arcade\/base is a file/);
    const refusal = await exportEnvironment(source, { repo, adopt: true, force: true }).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ExportRefused);
    expect((refusal as ExportRefused).problems).toEqual(problems);
    expect((refusal as ExportRefused).exitCode).toBe(1);
    // A file the plan removes is no obstacle: it goes before the folder is made.
    expect(blockedOnTheWay(repo, 'apps/arcade', ['base/extra.yaml'], ['base'])).toEqual([]);
  });

  it('refuses a folder where the export writes its ownership record, as any written path (not a raw EISDIR)', () => {
    // blockedOnTheWay is what every export runs first (the tests above, end to end).
    const top = tempDir('arcade-owner-');
    mkdirSync(join(top, 'apps/arcade', OWNERSHIP_FILE), { recursive: true });
    expect(blockedOnTheWay(top, 'apps/arcade', ['base/extra.yaml'], [])).toEqual([
      `apps/arcade/${OWNERSHIP_FILE} is a folder where the export writes a file (fix: move what the folder ` +
        'holds elsewhere (git mv), commit that, and export again)',
    ]);
  });
});

describe('a FIFO at a path the export writes (session 17: writing it waited, midway, until something read it)', () => {
  it('is refused in one line naming it and the fix, before anything is built or written: the record and a manifest', () => {
    // blockedOnTheWay is what every export runs first (the tests above, end to end), before its preview.
    const top = tempDir('arcade-fifo-');
    mkdirSync(join(top, 'apps/arcade'), { recursive: true });
    for (const path of [OWNERSHIP_FILE, 'release.yaml']) execFileSync('mkfifo', [join(top, 'apps/arcade', path)]);
    const refusal = (path: string) =>
      `apps/arcade/${path} is a FIFO (a named pipe), not a file, where the export writes a file: writing it would wait ` +
      `until something reads it (fix: remove it (rm ${join(top, 'apps/arcade', path)}): git holds no such thing; then export again)`;
    expect(blockedOnTheWay(top, 'apps/arcade', ['release.yaml', 'other.yaml'], [])).toEqual([
      refusal('release.yaml'),
      refusal(OWNERSHIP_FILE),
    ]);
  });
});

describe("the checkout's status (one git status for the branch, every changed path and every ignored one)", () => {
  it('reads each kind of entry with its whole path, the ignored ones apart, and the branch or a detached HEAD', async () => {
    const repo = await makeRepo({
      '.gitignore': 'local secret.yaml\nscratch/\n',
      'apps/a b.yaml': 'a\n',
      'apps/edited.yaml': 'e\n',
      'apps/gone.yaml': 'g\n',
    });
    await run(repo, ['mv', 'apps/a b.yaml', 'apps/c d.yaml']);
    writeFileSync(join(repo, 'apps/edited.yaml'), 'edited\n');
    await run(repo, ['rm', '-q', 'apps/gone.yaml']);
    writeFileSync(join(repo, 'new file.txt'), 'n\n');
    writeFileSync(join(repo, 'apps/local secret.yaml'), 's\n');
    mkdirSync(join(repo, 'scratch/deeper'), { recursive: true });
    writeFileSync(join(repo, 'scratch/deeper/one.yaml'), '1\n');
    const status = async (dir: string) => parseStatus(await checkoutStatus(dir));
    // An ignored folder is one entry (ending with /), not walked: ignoredIn finds the files under it.
    expect(await status(repo)).toEqual({
      head: 'master',
      commit: (await run(repo, ['rev-parse', 'HEAD'])).trim(),
      paths: ['apps/c d.yaml', 'apps/edited.yaml', 'apps/gone.yaml', 'new file.txt'],
      ignored: ['apps/local secret.yaml', 'scratch/'],
    });
    const listed = ['local secret.yaml', 'c d.yaml', 'deeper/one.yaml'];
    expect(ignoredIn(listed, 'apps', ['apps/local secret.yaml', 'scratch/'])).toEqual(['local secret.yaml']);
    expect(ignoredIn(listed, 'scratch', ['apps/local secret.yaml', 'scratch/'])).toEqual([
      'local secret.yaml',
      'c d.yaml',
      'deeper/one.yaml',
    ]);
    await run(repo, ['checkout', '-q', '--detach']);
    expect((await status(repo)).head).toBe('HEAD');
    // An entry of a kind it does not know is still a change (the dirty check fails closed).
    expect(parseStatus('# branch.oid 0123\0# branch.head main\0X some future entry\0')).toEqual({
      head: 'main',
      commit: '0123',
      paths: ['X some future entry'],
      ignored: [],
    });
    // A branch with no commit yet: no parent for the export's commit.
    expect(parseStatus('# branch.oid (initial)\0# branch.head main\0')).toEqual({
      head: 'main',
      paths: [],
      ignored: [],
    });
  });
});

describe('which paths the export writes git ignores (one git check-ignore)', () => {
  it('names the ignored ones (there or not, under an ignored folder), none, or fails on an error: never "none"', async () => {
    const repo = await makeRepo({
      '.gitignore': 'secret.yaml\nscratch/\n',
      'apps/kept.yaml': 'k\n',
      'elsewhere/a.yaml': 'a\n',
    });
    // A tracked file a rule matches is not ignored: git commits its changes.
    await commitFiles(repo, { '.gitignore': 'secret.yaml\nscratch/\nkept.yaml\n' }, 'ignore kept.yaml too');
    const asked = ['apps/secret.yaml', 'apps/a b.yaml', 'apps/scratch/deep/x.yaml', 'apps/kept.yaml'];
    expect(await ignoredPaths(repo, asked)).toEqual(new Set(['apps/secret.yaml', 'apps/scratch/deep/x.yaml']));
    // Exit 1: none ignored.
    expect(await ignoredPaths(repo, ['apps/a b.yaml', 'apps/kept.yaml'])).toEqual(new Set());
    // Exit 128 (a path beyond a symbolic link): an error, not "none ignored".
    symlinkSync('../elsewhere', join(repo, 'apps/link'));
    await expect(ignoredPaths(repo, ['apps/link/secret.yaml'])).rejects.toThrow(
      /^git check-ignore -z --stdin in \S+ failed \(exit 128\): fatal: pathspec '\.\/apps\/link\/secret\.yaml' is beyond a symbolic link$/,
    );
  });

  it('a path starting with ":" is that path, not pathspec magic (a --path :arcade)', async () => {
    const repo = await makeRepo({ '.gitignore': ':arcade/secret.yaml\n', ':arcade/README.md': 'x\n' });
    expect(await ignoredPaths(repo, [':arcade/secret.yaml', ':arcade/kept.yaml'])).toEqual(
      new Set([':arcade/secret.yaml']),
    );
  });
});

describe('the teardown heuristic', () => {
  it('flags temporary and teardown subjects, not a feature that is "disabled"', () => {
    for (const subject of [
      'TEMP: teardown arcade for the weekend',
      'wip',
      'Scale down arcade',
      'scaled to zero',
      'suspend the release during the migration',
      'disable arcade until Monday',
      'hotfix: bump memory',
      'DO NOT MERGE',
    ] as const) {
      expect(looksTemporary(subject), subject).toBe(true);
    }
    for (const subject of [
      'features: chat disabled for the evaluation',
      'arcade: usage tracking disabled',
      'add template for the gateway',
      'disabled the playground',
      'temperature sensor dashboards',
    ] as const) {
      expect(looksTemporary(subject), subject).toBe(false);
    }
  });
});
