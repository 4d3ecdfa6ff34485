#!/usr/bin/env tsx
/**
 * npm run export: copy one environment's dist/ into the GitOps checkout (k8s-backstage-v2),
 * show the semantic diff, and optionally commit it on a new branch, push the branch and open or
 * update its pull request (src/delivery/publish.ts).
 *
 *   npm run export -- --repo ../k8s-backstage-v2 --env backstage-wus2-v4
 *   npm run export -- --repo ../k8s-backstage-v2 --env backstage-wus2-v4 --commit
 *   npm run export -- --repo ../k8s-backstage-v2 --env backstage-wus2-v4 --push --pull-request
 */
import { ConfigurationError, UsageError } from '../src/core/command-error.js';
import {
  forgeFromEnvironment,
  forgeVariableHelp,
  PLAIN_HTTP,
  plainHttpAllowed,
  tokenProblem,
} from '../src/delivery/forge-settings.js';
import { branchNameProblem } from '../src/delivery/branch-name.js';
import { defineScript } from '../src/core/script.js';
import { runCommand, scriptMain } from '../src/core/script-main.js';
import { REPO_ROOT } from '../src/tooling/root.mjs';

const script = defineScript({
  name: 'export',
  description: `Copies dist/<env>/ into <repo>/<path>, removes files an earlier export wrote and this one no
longer produces, records what it wrote (with sha256) in <path>/.arcade-stack-export.json, and
prints what it does, worst first: the release identity, what Flux would prune (kubectl kustomize
of what applies the folder, before and after), the stateful objects, the chart values against
the live release's, then the object-by-object diff. Pushes only with --push.

--push commits (as --commit) and pushes the branch: a new branch, or one that holds this tool's
own unchanged export of the same environment (its Arcade-Stack-* trailers); anything else on the
remote branch is refused, never overwritten (the push carries --force-with-lease on the tip it
checked). --pull-request then opens the pull request into the branch the checkout was on, or
updates the open one from the same branch (never a second). The token travels in an HTTP header
given to git through its environment: never on a command line, in .git/config or in output.

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
    push: { type: 'boolean', description: 'commit (as --commit) and push the branch (token: GITOPS_TOKEN, if set)' },
    'pull-request': {
      type: 'boolean',
      description: 'with --push: open or update the pull request (GITOPS_* variables below)',
    },
    remote: { type: 'string', value: '<name>', description: 'remote to push to (default: origin)' },
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
  environment: {
    ...forgeVariableHelp('GITOPS', 'the GitOps repository'),
    GITOPS_TOKEN: 'with --push: the token for the push (optional without --pull-request); never printed',
    [PLAIN_HTTP]:
      'exactly 1: let a plain-http forge (API URL, remote) through with the token, which then crosses the network readable (warned each run)',
    ARCADE_KUSTOMIZE_CACHE:
      "a folder keeping the prune preview's kustomize builds across runs (opt-in; docs/delivery.md)",
  },
  interruptible: true,
  gitRepository: 'the export uses the checkout given by --repo',
  exitCodes: {
    0: 'exported (also "no changes")',
    1: 'refused (nothing was changed) or failed',
    2:
      '--repo missing or not a git checkout, --path missing or outside the checkout, a damaged ownership record, ' +
      'a GITOPS_* variable',
    130:
      'interrupted by SIGINT or SIGTERM: before writing, nothing changed; once writing, it finishes first and ' +
      'names what it left and the fix that undoes it',
  },
  examples: [
    'npm run export -- --repo ../k8s-backstage-v2 --env backstage-wus2-v4 --dry-run',
    'npm run export -- --repo ../k8s-backstage-v2 --env backstage-wus2-v4 --adopt --keep namespace.yaml --dry-run',
    'npm run export -- --repo ../k8s-backstage-v2 --env backstage-wus2-v4 --adopt --keep namespace.yaml --commit',
    'npm run export -- --repo ../k8s-backstage-v2 --env backstage-wus2-v4 --push --pull-request   # GITOPS_* set',
  ],
});

/** The command (src/core/script-main.ts): tests call it in process. */
export const main = scriptMain(script, async (options, { io, path, print, signal, warn }) => {
  if (options['pull-request'] && !options.push)
    throw new UsageError('--pull-request needs --push (the pull request is opened from the pushed branch)');
  if (options.push && options['dry-run']) throw new UsageError('--push and --dry-run exclude each other');
  const badBranch = options.branch === undefined ? undefined : branchNameProblem(options.branch);
  if (badBranch !== undefined)
    throw new UsageError(
      `--branch ${JSON.stringify(options.branch)} ${badBranch}: git takes no such branch name (fix: a name such as arcade-stack/staging-upgrade)`,
    );
  const { committedOtherwise, ExportRefused } = await import('../src/delivery/refused.js');
  const { exportSource } = await import('../src/delivery/source.js');
  const { exportAndPublish, publishLines } = await import('../src/delivery/publish.js');
  // Every setting is checked before any work: a missing variable changes nothing (exit 2).
  const pullRequest = options['pull-request'] ? forgeFromEnvironment('GITOPS', io.env) : undefined;
  const token = io.env.GITOPS_TOKEN || undefined;
  // --push alone checks the token and the opt-in as forgeFromEnvironment does: git would send either as is.
  const plain = plainHttpAllowed(io.env);
  if (options.push && plain.problem) throw new ConfigurationError(plain.problem);
  const badToken = options.push && token !== undefined ? tokenProblem('GITOPS_TOKEN', token) : undefined;
  if (badToken) throw new ConfigurationError(badToken);
  const forgeType = pullRequest?.type ?? forgeTypeOf(io.env.GITOPS_FORGE, token !== undefined && options.push);
  if (options.push && token !== undefined && plain.allowed)
    warn(
      `${PLAIN_HTTP}=1: a plain-http forge API or remote is let through, and GITOPS_TOKEN crosses the network ` +
        'readable to it (fix: https, then unset it)',
    );
  const repo = options.repo;
  const source = await exportSource({
    repoRoot: REPO_ROOT,
    env: options.env,
    environmentsDir: options.environments ? path(options.environments) : undefined,
    distDir: options.dist ? path(options.dist) : undefined,
    warn,
  });
  const exportOptions = {
    repo,
    cwd: io.cwd,
    path: options.path,
    branch: options.branch,
    adopt: options.adopt,
    allowReinstall: options['allow-reinstall'],
    allowDatastoreSwitch: options['allow-datastore-switch'],
    force: options.force,
    allowUnresolved: options['allow-unresolved'],
    keep: [...options.keep],
    allowPrune: [...options['allow-prune']],
    signal,
  };
  const { exportEnvironment } = await import('../src/delivery/export.js');
  const published: import('../src/delivery/publish.js').PublishResult = await (options.push
    ? exportAndPublish(source, exportOptions, {
        push: true,
        ...(pullRequest ? { pullRequest } : {}),
        ...(token !== undefined ? { token } : {}),
        ...(forgeType !== undefined ? { forgeType } : {}),
        ...(options.remote !== undefined ? { remote: options.remote } : {}),
        ...(plain.allowed ? { allowPlainHttp: true } : {}),
      })
    : exportEnvironment(source, { ...exportOptions, commit: options.commit, dryRun: options['dry-run'] }).then(
        (result) => ({ export: result }),
      )
  ).catch((err: unknown) => {
    // A refusal after the plan was made shows what the export would have done, then why not.
    if (err instanceof ExportRefused && err.summary) print(`what the export would do:\n${err.summary}\n`);
    throw err;
  });
  const result = published.export;
  for (const w of result.warnings) warn(w);
  print(`export ${source.env} -> ${repo}:\n${result.summary}`);
  if (!result.changed) print('export: the folder already holds this export; nothing written');
  else if (options['dry-run'])
    print(`export: dry run: would write ${result.written.length} file(s), remove ${result.removed.length}`);
  else {
    print(
      `export: wrote ${result.written.length} file(s)${result.removed.length ? `, removed ${result.removed.join(', ')}` : ''}`,
    );
    if (result.commit) {
      print(
        `export: committed ${result.commit.slice(0, 12)} on branch ${result.branch}${options.push ? '' : ' (not pushed)'}`,
      );
      // Only without --push: with it, the push is refused and says so.
      if (result.commitProblem) warn(committedOtherwise(repo, result.commit, result.commitProblem, false));
    } else print('export: files left uncommitted for review (use --commit for a branch and commit)');
  }
  if (options.push && !result.commit) print('export: nothing to push');
  for (const line of publishLines(published)) print(`export: ${line}`);
  return 0;
});

await runCommand(import.meta.url, script, main);

/** The forge type for a push with a token (how the token is presented to git). */
function forgeTypeOf(value: string | undefined, needed: boolean): 'github' | 'gitea' | undefined {
  if (value === 'github' || value === 'gitea') return value;
  if (needed)
    throw new ConfigurationError(
      `GITOPS_TOKEN is set but GITOPS_FORGE is ${value ? `'${value}'` : 'not set'}: each forge takes a ` +
        `token in its own form (fix: set GITOPS_FORGE to github or gitea)`,
    );
  return undefined;
}
