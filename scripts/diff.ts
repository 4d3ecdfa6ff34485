#!/usr/bin/env tsx
/**
 * npm run diff: what the working tree's synthesis changes against dist/ at a base commit,
 * object by object and field by field.
 *
 *   npm run diff
 *   npm run diff -- --base origin/main --env backstage-wus2-v4 --markdown pr.md
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { argv } from 'zx';
import { EnvironmentError } from '../src/environments/load.js';
import { defaultBase, git } from '../src/review/git.js';
import { parseCli, UsageError } from '../src/review/cli.js';
import { reviewMarkdown, reviewText, reviewWorkingTree } from '../src/review/review.js';
import { REPO_ROOT } from '../src/tooling/bundle.js';

const USAGE = `Usage: npm run diff -- [--base <git-ref>] [--env <name>] [--markdown <file>]

Synthesizes the working tree in memory and compares it with dist/ at the base commit, object by
object: added, removed and changed objects, and for each changed object the field paths with
old and new values (HelmRelease values key by key; ciphertext summarized by its sha256).

  --base <git-ref>        commit to compare with (default: merge base of HEAD with main/master)
  --env <name>            only this environment (default: all)
  --markdown <file>       also write the diff as Markdown for a pull-request description
  --environments <dir>    folder of environment files (default: src/environments)

Exit code 0 (also when there are no changes: prints "no changes"), 1 on an error, 2 on bad usage.

Examples:
  npm run diff
  npm run diff -- --base origin/main --env backstage-wus2-v4 --markdown /tmp/pr.md`;

try {
  const { help, option } = parseCli(argv, { options: ['base', 'env', 'markdown', 'environments'] });
  if (help) {
    console.log(USAGE);
    process.exit(0);
  }
  const baseArg = option('base');
  const base = baseArg ? (await git(REPO_ROOT, ['rev-parse', '--verify', `${baseArg}^{commit}`]).catch(() => {
    throw new Error(`--base ${baseArg}: not a commit in this repository (fix: give a branch, tag or commit id)`);
  })).trim() : await defaultBase(REPO_ROOT);
  const environments = option('environments');
  const reviews = await reviewWorkingTree({ repoRoot: REPO_ROOT, base, env: option('env'), environmentsDir: environments ? resolve(environments) : undefined });
  console.log(reviewText(reviews, base));
  const markdown = option('markdown');
  if (markdown) {
    writeFileSync(resolve(markdown), reviewMarkdown(reviews, base));
    console.error(`diff: wrote Markdown to ${markdown}`);
  }
} catch (err) {
  console.error(`diff: ${err instanceof EnvironmentError ? err.message : (err as Error).message}${err instanceof UsageError ? `\n\n${USAGE}` : ''}`);
  process.exit(err instanceof UsageError ? 2 : 1);
}
