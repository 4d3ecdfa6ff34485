/**
 * `npm run diff`: the working tree's synthesis against dist/ at a base commit, per environment.
 */
import { loadEnvironment, loadEnvironments } from '../environments/load.js';
import type { Environment } from '../environments/schema.js';
import { synthAll } from '../synth.js';
import { diffManifests, isEmptyDiff, type ManifestDiff } from './diff.js';
import { filesAtRef } from '../core/git.js';
import { type Mismatch, mismatchText, synthMismatches } from '../core/synth-mismatch.js';
import { join } from 'node:path';
import type { ManifestFile } from '../core/manifests.js';
import { NO_CHANGES, renderMarkdown, renderText } from './render.js';
import { codeSpan } from '../core/markdown.js';

export interface ReviewOptions {
  /** Root of the stack's git repository. */
  readonly repoRoot: string;
  /** Commit to compare with (already resolved). */
  readonly base: string;
  /** Only this environment. @default every environment on either side */
  readonly env?: string;
  /** Folder of environment files. @default src/environments */
  readonly environmentsDir?: string;
  /** Told about problems of environments other than `env`, which the review does not need. */
  readonly warn?: (message: string) => void;
}

export interface EnvironmentReview {
  readonly env: string;
  readonly diff: ManifestDiff;
  /**
   * The files of the working tree's dist/<env>/ that are not what synth writes (a hand edit, or a
   * synth not run since src/ changed): the diff compares the synthesis with dist/ at the base, so it
   * cannot show them as changes (src/core/synth-mismatch.ts).
   */
  readonly notSynthesized: readonly Mismatch[];
}

/** Splits `<env>/<file>` paths into per-environment file sets. */
function byEnvironment(files: readonly ManifestFile[]): Map<string, ManifestFile[]> {
  const out = new Map<string, ManifestFile[]>();
  for (const f of files) {
    const slash = f.path.indexOf('/');
    if (slash < 0) continue;
    const env = f.path.slice(0, slash);
    out.set(env, [...(out.get(env) ?? []), { path: f.path.slice(slash + 1), content: f.content }]);
  }
  return out;
}

export async function reviewWorkingTree(options: ReviewOptions): Promise<EnvironmentReview[]> {
  let loaded: Environment[];
  if (options.env) {
    const selected = loadEnvironment(options.env, options.environmentsDir);
    for (const w of selected.warnings) options.warn?.(w);
    loaded = [selected.env];
  } else {
    loaded = loadEnvironments(options.environmentsDir).map((l) => l.env);
  }
  const now = byEnvironment(synthAll(loaded).flatMap((o) => o.files));
  const then = byEnvironment(await filesAtRef(options.repoRoot, options.base, 'dist'));
  const names = [...new Set([...now.keys(), ...then.keys()])].filter((n) => !options.env || n === options.env).sort();
  return names.map((env) => ({
    env,
    diff: diffManifests(then.get(env) ?? [], now.get(env) ?? []),
    notSynthesized: synthMismatches(join(options.repoRoot, 'dist', env), now.get(env) ?? []),
  }));
}

export function hasChanges(reviews: readonly EnvironmentReview[]): boolean {
  return reviews.some((r) => !isEmptyDiff(r.diff));
}

/**
 * One line per environment whose working-tree dist/ folder is not what synth writes, naming its
 * files and the fix; none when every folder is.
 */
export function notSynthesizedLines(reviews: readonly EnvironmentReview[]): string[] {
  return reviews
    .filter((r) => r.notSynthesized.length > 0)
    .map(
      (r) =>
        `dist/${r.env}/ is not what npm run synth writes, and this diff does not show it: ` +
        `${r.notSynthesized.map(mismatchText).join('; ')} (fix: npm run synth, then npm run diff again)`,
    );
}

/** The command's exit: 1 when it would say "no changes" while a dist/ folder is not what synth writes. */
export function diffExit(reviews: readonly EnvironmentReview[]): 0 | 1 {
  return !hasChanges(reviews) && notSynthesizedLines(reviews).length > 0 ? 1 : 0;
}

export function reviewText(reviews: readonly EnvironmentReview[], base: string): string {
  const stale = notSynthesizedLines(reviews);
  if (!hasChanges(reviews)) return [...stale, `${NO_CHANGES} against ${base.slice(0, 12)}`].join('\n');
  return [...stale, ...reviews.map((r) => renderText(r.diff, `== ${r.env} (against ${base.slice(0, 12)})`))].join(
    '\n\n',
  );
}

export function reviewMarkdown(reviews: readonly EnvironmentReview[], base: string): string {
  const stale = notSynthesizedLines(reviews)
    .map((l) => `> **${l}**\n\n`)
    .join('');
  if (!hasChanges(reviews))
    return `### Manifest changes\n\n${stale}${NO_CHANGES} against ${codeSpan(base.slice(0, 12))}\n`;
  return (
    stale +
    reviews
      .filter((r) => !isEmptyDiff(r.diff))
      .map((r) =>
        renderMarkdown(r.diff, `Manifest changes: ${codeSpan(r.env)} (against ${codeSpan(base.slice(0, 12))})`),
      )
      .join('\n')
  );
}
