/**
 * `npm run diff`: the working tree's synthesis against dist/ at a base commit, per environment.
 */
import { loadEnvironment, loadEnvironments } from '../environments/load.js';
import type { Environment } from '../environments/schema.js';
import { synthAll } from '../synth.js';
import { diffManifests, isEmptyDiff, type ManifestDiff } from './diff.js';
import { filesAtRef } from '../core/git.js';
import type { ManifestFile } from '../core/manifests.js';
import { NO_CHANGES, renderMarkdown, renderText } from './render.js';

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
  return names.map((env) => ({ env, diff: diffManifests(then.get(env) ?? [], now.get(env) ?? []) }));
}

export function hasChanges(reviews: readonly EnvironmentReview[]): boolean {
  return reviews.some((r) => !isEmptyDiff(r.diff));
}

export function reviewText(reviews: readonly EnvironmentReview[], base: string): string {
  if (!hasChanges(reviews)) return `${NO_CHANGES} against ${base.slice(0, 12)}`;
  return reviews.map((r) => renderText(r.diff, `== ${r.env} (against ${base.slice(0, 12)})`)).join('\n\n');
}

export function reviewMarkdown(reviews: readonly EnvironmentReview[], base: string): string {
  if (!hasChanges(reviews)) return `### Manifest changes\n\n${NO_CHANGES} against \`${base.slice(0, 12)}\`\n`;
  return reviews
    .filter((r) => !isEmptyDiff(r.diff))
    .map((r) => renderMarkdown(r.diff, `Manifest changes: \`${r.env}\` (against \`${base.slice(0, 12)}\`)`))
    .join('\n');
}
