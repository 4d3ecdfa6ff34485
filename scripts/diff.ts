#!/usr/bin/env tsx
/**
 * npm run diff: what the working tree's synthesis changes against dist/ at a base commit,
 * object by object and field by field.
 *
 *   npm run diff
 *   npm run diff -- --base origin/main --env backstage-wus2-v4 --markdown pr.md
 *   npm run diff -- --base origin/main --comment comment.md --gate check.json --post-comment 42
 */
import { UsageError } from '../src/core/command-error.js';
import { forgeVariableHelp } from '../src/delivery/forge-settings.js';
import { reportOnStandardOutput, sameFileProblems, writeOutput } from '../src/core/output-target.js';
import { defineScript, outputFile } from '../src/core/script.js';
import { runCommand, scriptMain } from '../src/core/script-main.js';
import { REPO_ROOT } from '../src/tooling/root.mjs';

const script = defineScript({
  name: 'diff',
  description: `Synthesizes the working tree in memory and compares it with dist/ at the base commit, object by
object: added, removed and changed objects, and for each changed object the field paths with
old and new values (HelmRelease values key by key; ciphertext summarized by its sha256).

--comment writes the pull-request comment: a hidden marker, the gate's findings (--gate, the JSON
of npm run check), the diff, capped to the forge's 65536 characters with a "truncated, see the
artifact" line. --post-comment <number> posts it on that pull request of the stack's repository,
updating the comment that holds the marker instead of adding a second one (STACK_* variables).`,
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
    comment: {
      type: 'string',
      value: '<file>',
      description: 'also write the pull-request comment (marker, gate summary, diff; capped)',
    },
    gate: {
      type: 'string',
      value: '<check.json>',
      description: 'with --comment: summarize this npm run check -- --json report in it',
    },
    'post-comment': {
      type: 'number',
      value: '<number>',
      integer: true,
      min: 1,
      description: 'post the comment on this pull request (updated in place; STACK_* variables)',
    },
    artifact: {
      type: 'string',
      value: '<name>',
      default: 'semantic-diff',
      description: 'the workflow artifact the truncation line points to',
    },
    environments: {
      type: 'string',
      value: '<dir>',
      description: 'folder of environment files (default: src/environments)',
    },
  },
  environment: forgeVariableHelp('STACK', "the stack's own repository (for --post-comment)"),
  gitRepository: "diff uses the stack's own repository, where scripts/diff.ts is",
  interrupted:
    '--markdown and --comment are each written whole or not at all; with --post-comment the comment may or may not ' +
    'have been posted: run it again, it updates in place',
  exitCodes: {
    0: 'compared (also when there are no changes: prints "no changes")',
    1: "git or synthesis failed, or no changes while the working tree's dist/ is not what synth writes (a hand edit: one line names its files)",
  },
  examples: [
    'npm run diff',
    'npm run diff -- --base origin/main --env backstage-wus2-v4 --markdown /tmp/pr.md',
    'npm run diff -- --base origin/main --markdown diff.md --comment comment.md --gate check.json --post-comment 42',
  ],
});

/** The command (src/core/script-main.ts): tests call it in process. */
export const main = scriptMain(script, async (options, { io, path, print, warn }) => {
  // Never one of its inputs: the repository's files (dist/ too), --environments (src/core/command-inputs.ts).
  const inputs = { repoRoot: REPO_ROOT, folders: [{ option: '--environments', path: options.environments }] };
  const markdown =
    options.markdown !== undefined ? outputFile('markdown', options.markdown, inputs, io.cwd) : undefined;
  const comment = options.comment !== undefined ? outputFile('comment', options.comment, inputs, io.cwd) : undefined;
  // No output may name another's file or stream, nor the --gate report read; /dev/null takes any
  // number (src/core/output-target.ts sameFileProblems).
  const named = (['gate', 'markdown', 'comment'] as const).flatMap((o) => {
    const path = options[o];
    return path === undefined ? [] : [{ option: `--${o}`, path }];
  });
  const same = sameFileProblems(named, io.cwd);
  if (same.length > 0) throw new UsageError(same.join('\n'));
  if (options.gate !== undefined && options.comment === undefined && options['post-comment'] === undefined)
    throw new UsageError('--gate goes into the comment: give --comment <file> or --post-comment <number> with it');
  const commentModule =
    options.comment !== undefined || options['post-comment'] !== undefined
      ? await import('../src/delivery/comment.js')
      : undefined;
  const gate = options.gate !== undefined ? commentModule?.readGateJson('gate', options.gate, io.cwd) : undefined;
  // Every setting is checked before the synthesis: a missing variable changes nothing (exit 2).
  const { forgeFromEnvironment } = await import('../src/delivery/forge-settings.js');
  const connection = options['post-comment'] !== undefined ? forgeFromEnvironment('STACK', io.env) : undefined;
  const { defaultBase, gitTry } = await import('../src/core/git.js');
  const { diffExit, reviewMarkdown, reviewText, reviewWorkingTree } = await import('../src/review/review.js');
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
    environmentsDir: options.environments ? path(options.environments) : undefined,
    warn,
  });
  // With --markdown - (or --comment -) that document is stdout's whole text: the text diff goes to stderr.
  if (reportOnStandardOutput([markdown, comment], io.cwd)) io.stderr.write(`${reviewText(reviews, base)}\n`);
  else print(reviewText(reviews, base));
  const diffMarkdown = reviewMarkdown(reviews, base);
  if (markdown) {
    writeOutput(markdown, diffMarkdown, io);
    io.stderr.write(`diff: wrote Markdown to ${options.markdown}\n`);
  }
  if (commentModule) {
    const body = commentModule.commentMarkdown({ diffMarkdown, artifact: options.artifact, ...(gate ? { gate } : {}) });
    if (comment) {
      writeOutput(comment, body, io);
      io.stderr.write(`diff: wrote the pull-request comment (${body.length} characters) to ${options.comment}\n`);
    }
    const number = options['post-comment'];
    if (connection && number !== undefined) {
      const posted = await commentModule.postComment(connection, number, body);
      const { withLink } = await import('../src/delivery/forge-link.js');
      for (const line of withLink(`comment ${posted.action} on pull request #${number}`, posted.link, 'the comment'))
        io.stderr.write(`diff: ${line}\n`);
    }
  }
  // "no changes" would hide a hand edit of dist/: the line above names it, and the exit says it.
  return diffExit(reviews);
});

await runCommand(import.meta.url, script, main);
