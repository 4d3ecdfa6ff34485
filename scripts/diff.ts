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
import { UsageError } from '../src/shared/command-error.js';
import { defineScript, outputFile, runScript } from '../src/shared/script.js';
import { REPO_ROOT } from '../src/tooling/bundle.js';

const script = defineScript({
  name: 'diff',
  description: `Synthesizes the working tree in memory and compares it with dist/ at the base commit, object by
object: added, removed and changed objects, and for each changed object the field paths with
old and new values (HelmRelease values key by key; ciphertext summarized by its sha256).`,
  options: {
    base: {
      type: 'string',
      value: '<git-ref>',
      description: 'commit to compare with (default: merge base of HEAD with main/master)',
    },
    env: { type: 'string', value: '<name>', description: 'only this environment (default: all)' },
    markdown: {
      type: 'string',
      value: '<file>',
      description: 'also write the diff as Markdown for a pull-request description',
    },
    environments: {
      type: 'string',
      value: '<dir>',
      description: 'folder of environment files (default: src/environments)',
    },
  },
  exitCodes: { 0: 'compared (also when there are no changes: prints "no changes")', 1: 'git or synthesis failed' },
  examples: ['npm run diff', 'npm run diff -- --base origin/main --env backstage-wus2-v4 --markdown /tmp/pr.md'],
});

await runScript(script, async (options, { warn }) => {
  const markdown = options.markdown !== undefined ? outputFile('markdown', options.markdown) : undefined;
  const { defaultBase, gitTry } = await import('../src/shared/git.js');
  const { reviewMarkdown, reviewText, reviewWorkingTree } = await import('../src/review/review.js');
  let base: string;
  if (options.base !== undefined) {
    const verified = await gitTry(REPO_ROOT, ['rev-parse', '--verify', '--quiet', `${options.base}^{commit}`]);
    if (!verified.ok)
      throw new UsageError(
        `--base ${options.base}: not a commit in this repository (fix: give a branch, tag or commit id)`,
      );
    base = verified.stdout.trim();
  } else {
    base = await defaultBase(REPO_ROOT);
  }
  const reviews = await reviewWorkingTree({
    repoRoot: REPO_ROOT,
    base,
    env: options.env,
    environmentsDir: options.environments ? resolve(options.environments) : undefined,
    warn,
  });
  console.log(reviewText(reviews, base));
  if (markdown) {
    writeFileSync(markdown, reviewMarkdown(reviews, base));
    console.error(`diff: wrote Markdown to ${options.markdown}`);
  }
  return 0;
});
