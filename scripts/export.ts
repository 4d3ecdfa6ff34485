#!/usr/bin/env tsx
/**
 * npm run export: copy one environment's dist/ into the GitOps checkout (k8s-backstage-v2),
 * show the semantic diff, and optionally commit it on a new branch. Never pushes.
 *
 *   npm run export -- --repo ../k8s-backstage-v2 --env backstage-wus2-v4
 *   npm run export -- --repo ../k8s-backstage-v2 --env backstage-wus2-v4 --commit
 */
import { resolve } from 'node:path';
import { argv } from 'zx';
import { ExportRefused, exportEnvironment } from '../src/delivery/export.js';
import { exportSource } from '../src/delivery/source.js';
import { EnvironmentError } from '../src/environments/load.js';
import { parseCli, UsageError } from '../src/review/cli.js';
import { REPO_ROOT } from '../src/tooling/bundle.js';

const USAGE = `Usage: npm run export -- --repo <path-to-k8s-backstage-v2> [--env <name>] [options]

Copies dist/<env>/ into <repo>/<path>, removes files an earlier export wrote and this one no
longer produces, records what it wrote (with sha256) in <path>/.arcade-stack-export.json, and
prints what it does, worst first: the release identity, what Flux would prune (kubectl kustomize
of what applies the folder, before and after), the stateful objects, the chart values against
the live release's, then the object-by-object diff. Never pushes.

  --repo <dir>               the GitOps checkout (required; must be clean)
  --env <name>               environment (default: the only one)
  --path <folder>            folder inside the checkout (default: apps/arcade; must exist)
  --commit                   create a branch and a commit carrying the diff and source commit
  --branch <name>            branch for --commit (default: arcade-stack/<env>-<source sha>)
  --dry-run                  check and print the diff, write nothing
  --adopt                    take over hand-written files and objects in the folder
  --keep <file>              leave a hand-written file in the folder and in its kustomization.yaml
                             (e.g. namespace.yaml; recorded, kept by later exports); repeatable
  --allow-prune <Kind/name>  let Flux delete this Namespace, cluster-scoped, stateful, Secret,
                             HelmRelease or other app's object (Kind/namespace/name also works);
                             one per object, repeatable
  --allow-reinstall          allow a release identity change (Flux uninstalls + reinstalls)
  --allow-datastore-switch   allow bundled -> managed datastores (takeover runbook step)
  --force                    overwrite exported files that were edited by hand
  --allow-unresolved         export unresolved values (listed in the commit message)
  --environments <dir>       folder of environment files (default: src/environments)
  --dist <dir>               synthesized output (default: dist)

Without kubectl nothing can be previewed: the export then only updates its own earlier export
when nothing leaves the folder, and refuses everything else.

Exit code 0 on success (also "no changes"), 1 when refused or on an error, 2 on bad usage.

Examples:
  npm run export -- --repo ../k8s-backstage-v2 --env backstage-wus2-v4 --dry-run
  npm run export -- --repo ../k8s-backstage-v2 --env backstage-wus2-v4 --adopt --keep namespace.yaml --dry-run
  npm run export -- --repo ../k8s-backstage-v2 --env backstage-wus2-v4 --adopt --keep namespace.yaml --commit`;

const FLAGS = ['commit', 'dry-run', 'adopt', 'allow-reinstall', 'allow-datastore-switch', 'force', 'allow-unresolved'];
const OPTIONS = ['repo', 'env', 'path', 'branch', 'environments', 'dist', 'keep', 'allow-prune'];

try {
  const { help, option, options, flag } = parseCli(argv, { options: OPTIONS, flags: FLAGS });
  if (help) {
    console.log(USAGE);
    process.exit(0);
  }
  const repo = option('repo');
  if (!repo) throw new UsageError('--repo is required');
  const environments = option('environments');
  const dist = option('dist');
  const source = await exportSource({
    repoRoot: REPO_ROOT,
    env: option('env'),
    environmentsDir: environments ? resolve(environments) : undefined,
    distDir: dist ? resolve(dist) : undefined,
  });
  const result = await exportEnvironment(source, {
    repo,
    path: option('path'),
    branch: option('branch'),
    commit: flag('commit'),
    dryRun: flag('dry-run'),
    adopt: flag('adopt'),
    allowReinstall: flag('allow-reinstall'),
    allowDatastoreSwitch: flag('allow-datastore-switch'),
    force: flag('force'),
    allowUnresolved: flag('allow-unresolved'),
    keep: options('keep'),
    allowPrune: options('allow-prune'),
  });
  for (const w of result.warnings) console.error(`export: warning: ${w}`);
  console.log(`export ${source.env} -> ${repo}:\n${result.summary}`);
  if (!result.changed) console.log('export: the folder already holds this export; nothing written');
  else if (flag('dry-run')) console.log(`export: dry run: would write ${result.written.length} file(s), remove ${result.removed.length}`);
  else {
    console.log(`export: wrote ${result.written.length} file(s)${result.removed.length ? `, removed ${result.removed.join(', ')}` : ''}`);
    if (result.commit) console.log(`export: committed ${result.commit.slice(0, 12)} on branch ${result.branch} (not pushed)`);
    else console.log('export: files left uncommitted for review (use --commit for a branch and commit)');
  }
} catch (err) {
  if (err instanceof UsageError) console.error(`export: ${err.message}\n\n${USAGE}`);
  else if (err instanceof ExportRefused) {
    if (err.summary) console.log(`what the export would do:\n${err.summary}\n`);
    console.error(`export: ${err.message}`);
  } else if (err instanceof EnvironmentError) console.error(`export: ${err.message}`);
  else console.error(`export failed: ${(err as Error).message}`);
  process.exit(err instanceof UsageError ? 2 : 1);
}
