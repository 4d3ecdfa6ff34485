/**
 * Issue 16: taking over the live release without losing anything. Each variant of the GitOps
 * fixture (./gitops-fixture.ts) is exported as the runbook says; the outcome (refusal, consent
 * needed, clean adopt) and the summary are asserted, and `kubectl kustomize apps` run on the
 * checkout before and after the commit must lose exactly what the export's printed prune preview
 * listed. Needs kubectl (its kustomize is the one Flux uses); without it the file says it skipped.
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { exportEnvironment, type ExportOptions, type ExportResult } from '../../src/delivery/export.js';
import type { Environment } from '../../src/environments/schema.js';
import { stringify } from 'yaml';
import {
  gitopsFiles,
  gitopsRepo,
  gone,
  KUBECTL_SKIP,
  kustomizeKeys,
  printedPrunes,
  takeoverEnvironment,
  type FixtureOptions,
} from './gitops-fixture.js';
import { KUBECTL } from '../support/kubectl.js';
import { commitFiles, identityDecision, makeRepo, refusal, run, sourceOf } from './support.js';

if (!KUBECTL) console.log(`[export] skipped: ${KUBECTL_SKIP}`);

/**
 * The source commit of every committed export here. No test of this file reads it, and the
 * ownership record that holds it lands in apps/arcade: with a random id per export, `kubectl
 * kustomize apps` after the commit ran once per export even where the results were the same.
 */
const SOURCE_COMMIT = 'c0ffee0000000000000000000000000000000016';

/**
 * Commits the export and checks the preview against kubectl: what `kubectl kustomize apps` loses
 * between the checkout before and after the commit is exactly what the summary's preview printed.
 */
async function committed(
  env: Environment,
  fixture: FixtureOptions,
  options: Omit<ExportOptions, 'repo' | 'commit'> = {},
): Promise<ExportResult & { repo: string; lost: string[] }> {
  const repo = await gitopsRepo(fixture);
  const before = await kustomizeKeys(repo);
  const result = await exportEnvironment(sourceOf(env, SOURCE_COMMIT), { repo, commit: true, ...options });
  const after = await kustomizeKeys(repo);
  const lost = gone(before, after);
  expect(printedPrunes(result.summary)).toEqual(lost);
  expect(result.message).toContain(result.summary);
  return { ...result, repo, lost };
}

/** The identity block of a summary, as printed. */
const identityBlock = (summary: string) => summary.split('\n\n')[0]!;

describe.skipIf(!KUBECTL)('takeover of the live release (issue 16), previewed with kubectl kustomize', () => {
  it('namespace file: --adopt alone is refused: Flux would delete Namespace arcade and the other app in it', async () => {
    const env = takeoverEnvironment();
    const repo = await gitopsRepo();
    const refused = await refusal(sourceOf(env), { repo, adopt: true });
    expect(refused.problems).toEqual([
      expect.stringMatching(
        new RegExp(
          /^Flux Kustomization flux-system\/apps \(prune: true\) would delete Namespace arcade/.source +
            / \(apps\/arcade\/namespace\.yaml\): deleting a Namespace deletes everything in it: .*1/.source +
            / object\(s\) of other apps Flux applies there \(Deployment arcade\/other/.source +
            / \(apps\/other\/deployment\.yaml\)\) \(fix: keep it: --keep namespace\.yaml leaves the/.source +
            / file in apps\/arcade and in its kustomization\.yaml; or move the file where the stack/.source +
            / does not own it, with the annotation kustomize\.toolkit\.fluxcd\.io\/prune: disabled,/.source +
            / in its own commit; only if the deletion is intended: --allow-prune Namespace\/arcade\)$/.source,
        ),
      ),
    ]);
    // The refusal carries the whole summary, identity first, then the preview naming the Namespace.
    expect(refused.summary).toMatch(/^Release identity/);
    expect(refused.summary).toContain(
      '    - Namespace arcade (apps/arcade/namespace.yaml): DELETED, needs --allow-prune Namespace/arcade: deleting a Namespace',
    );
    expect(printedPrunes(refused.summary!)).toEqual(['HelmRepository arcade/arcade', 'Namespace arcade']);
  });

  it('namespace file: --keep namespace.yaml adopts cleanly, the summary and commit lead with identity, and later exports keep the file', async () => {
    const env = takeoverEnvironment();
    const kept = await committed(env, {}, { adopt: true, keep: ['namespace.yaml'] });
    expect(kept.lost).toEqual(['HelmRepository arcade/arcade']);
    expect(identityBlock(kept.summary)).toContain(
      '= unchanged: helm-controller upgrades release arcade in arcade in place',
    );
    expect(kept.summary).toContain('  Namespace arcade (apps/arcade/namespace.yaml): unchanged (kept: --keep)');
    expect(kept.summary).toContain('  datastores: bundled → bundled');
    expect(kept.summary).toContain(
      'kept hand-written files (--keep, listed in its kustomization.yaml and recorded): namespace.yaml',
    );
    expect(await run(kept.repo, ['show', 'HEAD:apps/arcade/kustomization.yaml'])).toMatch(/- namespace\.yaml\n/);
    // Subject and body lead with identity, then prunes, then stateful objects, then values.
    const [subject, , ...body] = kept.message.split('\n');
    expect(subject).toMatch(
      /^arcade-stack: export backstage-wus2-v4 \(identity unchanged; Flux deletes 1 object\(s\); values \d+ added, 0 changed, 0 dropped\)$/,
    );
    const order = [
      'Release identity',
      'Prune preview',
      'Stateful objects',
      'Values',
      'Objects',
      'Files',
      'Source commit',
    ].map((h) => body.findIndex((l) => l.startsWith(h)));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order.every((i) => i >= 0)).toBe(true);

    // The next export keeps namespace.yaml without being told again (the ownership record says so):
    // the same environment again changes nothing (a record without the kept file would have the
    // kustomization.yaml rewritten without it, the Namespace pruned and the file refused as
    // hand-written), and needs no build: both trees were built by the export above.
    const next = await exportEnvironment(sourceOf(env), { repo: kept.repo, dryRun: true });
    expect(next.changed).toBe(false);
    expect(next.preview?.prunes).toEqual([]);
    expect(next.summary).toContain(
      'kept hand-written files (--keep, listed in its kustomization.yaml and recorded): namespace.yaml',
    );
  });

  it('namespace file: --allow-prune Namespace/arcade is the only way to let Flux delete it, and the summary says so', async () => {
    const env = takeoverEnvironment();
    const result = await committed(env, {}, { adopt: true, allowPrune: ['Namespace/arcade'] });
    expect(result.lost).toEqual(['HelmRepository arcade/arcade', 'Namespace arcade']);
    expect(result.summary).toContain(
      '    - Namespace arcade (apps/arcade/namespace.yaml): DELETED, allowed by --allow-prune Namespace/arcade',
    );
    expect(result.summary).toContain(
      '  Namespace arcade (apps/arcade/namespace.yaml): DELETED (--allow-prune Namespace/arcade)',
    );
    // A consent that matches nothing is a mistake, not a no-op.
    const typo = await refusal(sourceOf(env), {
      repo: await gitopsRepo(),
      adopt: true,
      keep: ['namespace.yaml'],
      allowPrune: ['Namespace/arcdae'],
    });
    expect(typo.problems).toEqual([
      expect.stringMatching(
        /^--allow-prune Namespace\/arcdae matches nothing this export deletes \(it deletes no object that needs consent\)/,
      ),
    ]);
  });

  it('namespace by kustomize transform: identity read after the transform, no false refusal', async () => {
    const fixture: FixtureOptions = { namespaceBy: 'transform' };
    const clean = await committed(takeoverEnvironment(), fixture, { adopt: true, keep: ['namespace.yaml'] });
    expect(clean.lost).toEqual(['HelmRepository arcade/arcade']);
    expect(clean.identity).toEqual([expect.objectContaining({ key: 'HelmRelease arcade/arcade', changes: [] })]);
    expect(identityBlock(clean.summary)).toContain('    namespace        arcade → arcade');
    // The semantic diff compares the release as Flux applies it: changed field by field, not removed and added.
    expect(clean.diff.removed.map((r) => r.key)).toEqual(['HelmRepository arcade/arcade']);
    expect(clean.diff.changed.map((c) => c.key)).toContain('HelmRelease arcade/arcade');
  });

  it('namespace by kustomize transform: a real reinstall is refused naming the field, and shown field by field even with --allow-reinstall', async () => {
    const fixture: FixtureOptions = { namespaceBy: 'transform' };
    const wrong = takeoverEnvironment({ releaseName: 'arcade-new' });
    const refused = await refusal(sourceOf(wrong), {
      repo: await gitopsRepo(fixture),
      adopt: true,
      keep: ['namespace.yaml'],
    });
    expect(refused.problems).toEqual([
      expect.stringMatching(
        new RegExp(
          /^release identity changes against HelmRelease arcade\/arcade in/.source +
            / apps\/arcade\/helmrelease\.yaml \(releaseName: arcade → arcade-new\): .*\(fix: set in/.source +
            / src\/environments\/backstage-wus2-v4\.yaml: release\.releaseName: arcade; or pass --allow-reinstall/
              .source,
        ),
      ),
    ]);
    // Allowed: a dry run, previewed with kubectl (that the printed preview is what kubectl loses
    // after the commit, on this fixture, is the previous test's: the same object leaves here).
    const allowed = await exportEnvironment(sourceOf(wrong, SOURCE_COMMIT), {
      repo: await gitopsRepo(fixture),
      adopt: true,
      keep: ['namespace.yaml'],
      allowReinstall: true,
      dryRun: true,
    });
    expect(printedPrunes(allowed.summary)).toEqual(['HelmRepository arcade/arcade']);
    expect(identityBlock(allowed.summary)).toContain('  ! releaseName      arcade → arcade-new');
    expect(identityBlock(allowed.summary)).toContain(
      '  ! REINSTALL: helm-controller uninstalls release arcade (arcade) and installs arcade-new (arcade) (allowed by --allow-reinstall)',
    );
    expect(allowed.message.split('\n')[0]).toContain('(REINSTALL;');
  });

  it('release in flux-system: the default environment is refused naming the exact fields; release.namespace/targetNamespace/releaseName adopt it', async () => {
    const fixture: FixtureOptions = { releaseNamespace: 'flux-system' };
    const refused = await refusal(sourceOf(takeoverEnvironment()), {
      repo: await gitopsRepo(fixture),
      adopt: true,
      keep: ['namespace.yaml'],
    });
    expect(refused.problems).toEqual([
      expect.stringMatching(
        new RegExp(
          /^release identity changes against HelmRelease flux-system\/arcade .*\(namespace:/.source +
            / flux-system → arcade; releaseName: arcade-arcade → arcade; storageNamespace:/.source +
            / flux-system → arcade\).*\(fix: set in src\/environments\/backstage-wus2-v4\.yaml:/.source +
            / release\.namespace: flux-system, release\.releaseName: arcade-arcade,/.source +
            / release\.storageNamespace: flux-system, release\.targetNamespace: arcade;/.source,
        ),
      ),
      // A new object namespace is a new HelmRelease: the old one would be deleted (an uninstall).
      expect.stringMatching(
        new RegExp(
          /would delete HelmRelease flux-system\/arcade \(apps\/arcade\/helmrelease\.yaml\): a/.source +
            / HelmRelease: helm-controller uninstalls the release.*\(fix: the export's HelmRelease/.source +
            / replaces it under another name or namespace/.source,
        ),
      ),
    ]);
    const env = takeoverEnvironment({
      namespace: 'flux-system',
      targetNamespace: 'arcade',
      releaseName: 'arcade-arcade',
    });
    const clean = await committed(env, fixture, { adopt: true, keep: ['namespace.yaml'] });
    expect(clean.lost).toEqual(['HelmRepository flux-system/arcade']);
    expect(clean.identity[0]?.changes).toEqual([]);
    expect(identityBlock(clean.summary)).toContain('    storageNamespace flux-system → flux-system');
    // The collector and monitors stay in arcade beside the engine.
    const applied = await kustomizeKeys(clean.repo);
    expect(applied).toEqual(
      expect.arrayContaining([
        'HelmRelease flux-system/arcade',
        'OCIRepository flux-system/arcade',
        'Service arcade/arcade-otel-collector',
      ]),
    );
  });

  it('values in a valuesFrom ConfigMap: adopting without them lists every dropped value, never silently', async () => {
    const fixture: FixtureOptions = { valuesFrom: true };
    // Adopting without the values: the ConfigMap is pruned and its values are listed as dropped.
    const dropping = await committed(takeoverEnvironment(), fixture, { adopt: true, keep: ['namespace.yaml'] });
    expect(dropping.lost).toEqual(['ConfigMap arcade/arcade-values', 'HelmRepository arcade/arcade']);
    expect(dropping.values?.changes.filter((c) => c.change === 'dropped')).toEqual([
      { path: 'replicaCount', change: 'dropped', before: '2' },
      { path: 'worker.count', change: 'dropped', before: '4' },
    ]);
    expect(dropping.summary).toContain('  - worker.count: 4');
    expect(dropping.message.split('\n')[0]).toMatch(/values \d+ added, 0 changed, 2 dropped\)$/);
  });

  it('values in a valuesFrom ConfigMap: carried by release.valuesFrom, refused while its file would be pruned, "unchanged" proven with --keep', async () => {
    const fixture: FixtureOptions = { valuesFrom: true };
    // Carrying the reference but removing the file would break the release: refused.
    const carrying = takeoverEnvironment({ valuesFrom: [{ kind: 'ConfigMap', name: 'arcade-values' }] });
    const refused = await refusal(sourceOf(carrying), {
      repo: await gitopsRepo(fixture),
      adopt: true,
      keep: ['namespace.yaml'],
    });
    expect(refused.problems).toEqual([
      expect.stringMatching(
        /^HelmRelease arcade\/arcade reads ConfigMap arcade\/arcade-values \(valuesFrom\[0\]\), which this export removes from what Flux applies.*--keep/,
      ),
    ]);

    const kept = await committed(carrying, fixture, { adopt: true, keep: ['namespace.yaml', 'values-configmap.yaml'] });
    expect(kept.lost).toEqual(['HelmRepository arcade/arcade']);
    expect(kept.values?.changes.filter((c) => c.change !== 'added')).toEqual([]);
    expect(kept.values?.changes.map((c) => c.path)).not.toContain('replicaCount');
  });

  it('values from a Secret in the repository are compared but never printed', async () => {
    const canary = `canary-${randomBytes(12).toString('hex')}`;
    const fixture: FixtureOptions = { secretValue: canary };
    // Not carried: the value is listed as dropped, by its source only.
    const dropping = await exportEnvironment(sourceOf(takeoverEnvironment()), {
      repo: await gitopsRepo(fixture),
      adopt: true,
      keep: ['namespace.yaml', 'smtp-secret.yaml'],
      dryRun: true,
    });
    expect(dropping.values?.changes).toContainEqual({
      path: 'smtp.password',
      change: 'dropped',
      before: '(from Secret arcade/arcade-smtp, key password: not shown)',
    });
    // Carried by the environment: the same Secret, the same value: unchanged, still not printed.
    const carrying = takeoverEnvironment({
      valuesFrom: [{ kind: 'Secret', name: 'arcade-smtp', valuesKey: 'password', targetPath: 'smtp.password' }],
    });
    const kept = await exportEnvironment(sourceOf(carrying), {
      repo: await gitopsRepo(fixture),
      adopt: true,
      keep: ['namespace.yaml', 'smtp-secret.yaml'],
      dryRun: true,
    });
    expect(kept.values?.changes.map((c) => c.path)).not.toContain('smtp.password');
    for (const r of [dropping, kept]) {
      expect(JSON.stringify(r)).not.toContain(canary);
      expect(r.message).not.toContain(canary.slice(7, 19));
    }
  });

  it("a release name over 53 characters: helm-controller's shortened name is the identity, and the refusal names it", async () => {
    const name = 'arcade-gateway-evaluation-platform-release-wus2-v4';
    const fixture: FixtureOptions = { releaseName: name, targetNamespace: 'arcade' };
    const full = `arcade-${name}`;
    const shortened = `${full.slice(0, 40)}-${createHash('sha256').update(full).digest('hex').slice(0, 12)}`;
    expect(full.length).toBeGreaterThan(53);
    // The refusal is decided by compareIdentity, the check exportEnvironment runs, on the fixture's
    // release (namespace by file: kustomize builds it unchanged) and the exported one; identity
    // refusals stay end to end for a release the build changes (namespace by transform, release in
    // flux-system, above) and in export.test.ts.
    const refused = identityDecision(
      Object.entries(gitopsFiles(fixture))
        .filter(([path]) => path.startsWith('apps/arcade/'))
        .map(([path, content]) => ({ path: path.slice('apps/arcade/'.length), content })),
      sourceOf(takeoverEnvironment({ name, targetNamespace: 'arcade' })).files,
      'src/environments/backstage-wus2-v4.yaml',
      false,
    );
    expect(refused.problems).toEqual([expect.stringContaining(`(releaseName: ${shortened} → arcade)`)]);
    expect(refused.problems[0]).toContain(`release.releaseName: ${shortened}`);
    expect(refused.problems[0]).toMatch(
      new RegExp(
        `^release identity changes against HelmRelease arcade/${name} in apps/arcade/helmrelease\\.yaml .*` +
          /\(fix: set in src\/environments\/backstage-wus2-v4\.yaml:/.source,
      ),
    );
    // With the shortened name the takeover is clean, previewed with kubectl (a dry run: that the
    // printed preview is what kubectl loses after the commit, with --keep namespace.yaml, is the
    // second test's, on the same fixture but for the release's name).
    const clean = await exportEnvironment(
      sourceOf(takeoverEnvironment({ name, targetNamespace: 'arcade', releaseName: shortened }), SOURCE_COMMIT),
      { repo: await gitopsRepo(fixture), adopt: true, keep: ['namespace.yaml'], dryRun: true },
    );
    expect(printedPrunes(clean.summary)).toEqual(['HelmRepository arcade/arcade']);
    expect(clean.identity[0]).toMatchObject({ changes: [], after: { releaseName: shortened } });
  });

  it('names a folder applied twice (a Kustomization for ./apps/arcade beside apps listing it), and previews both', async () => {
    const repo = await gitopsRepo();
    await commitFiles(
      repo,
      {
        'clusters/backstage-wus2-v4/arcade.yaml': stringify({
          apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
          kind: 'Kustomization',
          metadata: { name: 'arcade', namespace: 'flux-system' },
          spec: {
            interval: '10m',
            path: './apps/arcade',
            prune: true,
            sourceRef: { kind: 'GitRepository', name: 'flux-system' },
          },
        }),
      },
      'add a second Kustomization',
    );
    const result = await exportEnvironment(sourceOf(takeoverEnvironment()), {
      repo,
      adopt: true,
      keep: ['namespace.yaml'],
      dryRun: true,
    });
    expect(result.preview?.owners.map((o) => o.ref)).toEqual(['flux-system/apps', 'flux-system/arcade']);
    expect(result.preview?.notes).toContainEqual(
      expect.stringMatching(
        /^apps\/arcade is applied by 2 Flux Kustomizations \(flux-system\/apps, flux-system\/arcade\)/,
      ),
    );
    expect(result.preview?.prunes.map((p) => `${p.owner} ${p.key}`)).toEqual([
      'flux-system/apps HelmRepository arcade/arcade',
      'flux-system/arcade HelmRepository arcade/arcade',
    ]);
  });

  it('assumes the worst when the repository defines no Kustomization for the folder, and says so', async () => {
    const files = gitopsFiles();
    delete (files as Record<string, string>)['clusters/backstage-wus2-v4/apps.yaml'];
    const result = await exportEnvironment(sourceOf(takeoverEnvironment()), {
      repo: await makeRepo(files),
      adopt: true,
      keep: ['namespace.yaml'],
      dryRun: true,
    });
    expect(result.preview?.owners.map((o) => [o.path, o.prune])).toEqual([['apps', true]]);
    expect(result.preview?.notes[0]).toMatch(
      /^no Flux Kustomization in the repository has a spec\.path covering apps\/arcade .*assumes the worst, \.\/apps applied with prune: true/,
    );
  });

  it('warns when the live release is suspended in the folder', async () => {
    const result = await exportEnvironment(sourceOf(takeoverEnvironment()), {
      repo: await gitopsRepo({ suspend: true }),
      adopt: true,
      keep: ['namespace.yaml'],
      dryRun: true,
    });
    expect(result.warnings).toContainEqual(
      expect.stringMatching(
        /^HelmRelease arcade\/arcade \(apps\/arcade\/helmrelease\.yaml\) is suspended \(spec\.suspend: true\)/,
      ),
    );
  });
});
