#!/usr/bin/env tsx
/**
 * npm run export: copy one environment's dist/ into the GitOps checkout (k8s-backstage-v2),
 * show the semantic diff, and optionally commit it on a new branch. Never pushes.
 *
 *   npm run export -- --repo ../k8s-backstage-v2 --env backstage-wus2-v4
 *   npm run export -- --repo ../k8s-backstage-v2 --env backstage-wus2-v4 --commit
 */
import { resolve } from 'node:path';
import { defineScript, runScript } from '../src/shared/script.js';
import { REPO_ROOT } from '../src/tooling/bundle.js';

const script = defineScript({
  name: 'export',
  description: `Copies dist/<env>/ into <repo>/<path>, removes files an earlier export wrote and this one no
longer produces, records what it wrote (with sha256) in <path>/.arcade-stack-export.json, and
prints what it does, worst first: the release identity, what Flux would prune (kubectl kustomize
of what applies the folder, before and after), the stateful objects, the chart values against
the live release's, then the object-by-object diff. Never pushes.

Without kubectl nothing can be previewed: the export then only updates its own earlier export
when nothing leaves the folder, and refuses everything else.`,
  options: {
    repo: { type: 'string', value: '<dir>', required: true, description: 'the GitOps checkout (must be clean)' },
    env: { type: 'string', value: '<name>', description: 'environment (default: the only one)' },
    path: {
      type: 'string',
      value: '<folder>',
      description: 'folder inside the checkout (default: apps/arcade; must exist)',
    },
    commit: { type: 'boolean', description: 'create a branch and a commit carrying the diff and source commit' },
    branch: {
      type: 'string',
      value: '<name>',
      description: 'branch for --commit (default: arcade-stack/<env>-<source sha>)',
    },
    'dry-run': { type: 'boolean', description: 'check and print the diff, write nothing' },
    adopt: { type: 'boolean', description: 'take over hand-written files and objects in the folder' },
    keep: {
      type: 'list',
      value: '<file>',
      description: `leave a hand-written file in the folder and in its kustomization.yaml
(e.g. namespace.yaml; recorded, kept by later exports)`,
    },
    'allow-prune': {
      type: 'list',
      value: '<Kind/name>',
      description: `let Flux delete this Namespace, cluster-scoped, stateful, Secret,
HelmRelease or other app's object (Kind/namespace/name also works); one per object`,
    },
    'allow-reinstall': {
      type: 'boolean',
      description: 'allow a release identity change (Flux uninstalls + reinstalls)',
    },
    'allow-datastore-switch': {
      type: 'boolean',
      description: 'allow bundled -> managed datastores (takeover runbook step)',
    },
    force: { type: 'boolean', description: 'overwrite exported files that were edited by hand' },
    'allow-unresolved': { type: 'boolean', description: 'export unresolved values (listed in the commit message)' },
    environments: {
      type: 'string',
      value: '<dir>',
      description: 'folder of environment files (default: src/environments)',
    },
    dist: { type: 'string', value: '<dir>', description: 'synthesized output (default: dist)' },
  },
  exitCodes: { 0: 'exported (also "no changes")', 1: 'refused (nothing was changed) or failed' },
  examples: [
    'npm run export -- --repo ../k8s-backstage-v2 --env backstage-wus2-v4 --dry-run',
    'npm run export -- --repo ../k8s-backstage-v2 --env backstage-wus2-v4 --adopt --keep namespace.yaml --dry-run',
    'npm run export -- --repo ../k8s-backstage-v2 --env backstage-wus2-v4 --adopt --keep namespace.yaml --commit',
  ],
});

await runScript(script, async (options, { warn }) => {
  const { exportEnvironment } = await import('../src/delivery/export.js');
  const { ExportRefused } = await import('../src/delivery/refused.js');
  const { exportSource } = await import('../src/delivery/source.js');
  const repo = options.repo;
  const source = await exportSource({
    repoRoot: REPO_ROOT,
    env: options.env,
    environmentsDir: options.environments ? resolve(options.environments) : undefined,
    distDir: options.dist ? resolve(options.dist) : undefined,
    warn,
  });
  const result = await exportEnvironment(source, {
    repo,
    path: options.path,
    branch: options.branch,
    commit: options.commit,
    dryRun: options['dry-run'],
    adopt: options.adopt,
    allowReinstall: options['allow-reinstall'],
    allowDatastoreSwitch: options['allow-datastore-switch'],
    force: options.force,
    allowUnresolved: options['allow-unresolved'],
    keep: [...options.keep],
    allowPrune: [...options['allow-prune']],
  }).catch((err: unknown) => {
    // A refusal after the plan was made shows what the export would have done, then why not.
    if (err instanceof ExportRefused && err.summary) console.log(`what the export would do:\n${err.summary}\n`);
    throw err;
  });
  for (const w of result.warnings) warn(w);
  console.log(`export ${source.env} -> ${repo}:\n${result.summary}`);
  if (!result.changed) console.log('export: the folder already holds this export; nothing written');
  else if (options['dry-run'])
    console.log(`export: dry run: would write ${result.written.length} file(s), remove ${result.removed.length}`);
  else {
    console.log(
      `export: wrote ${result.written.length} file(s)${result.removed.length ? `, removed ${result.removed.join(', ')}` : ''}`,
    );
    if (result.commit)
      console.log(`export: committed ${result.commit.slice(0, 12)} on branch ${result.branch} (not pushed)`);
    else console.log('export: files left uncommitted for review (use --commit for a branch and commit)');
  }
  return 0;
});
