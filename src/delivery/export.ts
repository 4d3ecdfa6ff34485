/**
 * `npm run export`: copies one environment's manifests into a GitOps checkout, safely.
 *
 * Every check runs before anything is written; a refusal leaves the target untouched (same
 * HEAD, same files, clean status). All refusals are gathered into one error, each naming the
 * option that overrides it. Export never pushes.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { UnresolvedEntry } from '../environments/unresolved.js';
import { diffObjects, type ManifestDiff } from '../review/diff.js';
import { git, gitTry } from '../review/git.js';
import { indexObjects, isManifestPath, objectKey, parseManifest, sha256, type LocatedObject, type ManifestFile } from '../review/manifests.js';
import { renderText, summaryLine } from '../review/render.js';
import { formatOwnership, OWNERSHIP_FILE, type OwnershipRecord } from './ownership.js';
import { ExportRefused } from './refused.js';
import { openTarget, type Target } from './target.js';
import { datastoreMode, identityChanges, isHelmRelease, releaseIdentity, type DatastoreMode } from './release.js';

/** What is exported: one environment's files (paths relative to dist/<env>/). */
export interface ExportSource {
  readonly env: string;
  readonly files: readonly ManifestFile[];
  readonly unresolved: readonly UnresolvedEntry[];
  /** The environment's datastores.mode. */
  readonly datastores: DatastoreMode;
  /** Commit of the stack the files were synthesized from. */
  readonly sourceCommit: string;
  /** The stack's working tree had uncommitted changes. */
  readonly sourceDirty: boolean;
}

export interface ExportOptions {
  /** The GitOps checkout (k8s-backstage-v2). */
  readonly repo: string;
  /** Folder inside the checkout. @default 'apps/arcade' */
  readonly path?: string;
  /** Create a branch and a commit. @default false (files are left uncommitted for review) */
  readonly commit?: boolean;
  /** Branch name for --commit. @default 'arcade-stack/<env>-<short source commit>' */
  readonly branch?: string;
  readonly adopt?: boolean;
  readonly allowReinstall?: boolean;
  readonly allowDatastoreSwitch?: boolean;
  readonly force?: boolean;
  readonly allowUnresolved?: boolean;
  /** Only plan and print: write nothing. @default false */
  readonly dryRun?: boolean;
}

export interface ExportResult {
  /** Semantic diff from what the target folder holds to what it holds after the export. */
  readonly diff: ManifestDiff;
  readonly written: readonly string[];
  readonly removed: readonly string[];
  readonly warnings: readonly string[];
  /** False when the folder already holds exactly these files. */
  readonly changed: boolean;
  readonly message: string;
  readonly branch?: string;
  readonly commit?: string;
}

export { ExportRefused };

/** Latest commit subjects that mark a temporary or teardown change of the folder. */
const TEMPORARY_COMMIT = /\b(temp|temporary|tmp|teardown|tear[- ]down|wip|do not merge|don'?t merge|revert me|hotfix|scale[ds]? (down|to zero)|disable[ds]?|suspend(ed)?)\b/i;

function releases(index: ReadonlyMap<string, LocatedObject>): LocatedObject[] {
  return [...index.values()].filter((l) => isHelmRelease(l.object));
}

function commitMessage(source: ExportSource, target: Target, diff: ManifestDiff, adopted: readonly string[]): string {
  const lines = [
    `arcade-stack: export ${source.env} (${summaryLine(diff)})`,
    '',
    `Source commit: ${source.sourceCommit}${source.sourceDirty ? ' (plus uncommitted changes in the source working tree)' : ''}`,
    `Environment: ${source.env}`,
    `Target folder: ${target.folderInRepo}`,
    '',
    renderText(diff, 'Semantic diff:'),
  ];
  if (adopted.length > 0) lines.push('', 'Adopted hand-written files (--adopt):', ...adopted.map((f) => `  - ${f}`));
  if (source.unresolved.length > 0) {
    lines.push('', `Unresolved values (exported with --allow-unresolved, rendered as <unresolved: ...>):`, ...source.unresolved.map((u) => `  - ${u.path}: ${u.reason}`));
  }
  return `${lines.join('\n')}\n`;
}

/** Plans, checks and (unless refused or dry-run) performs the export. */
export async function exportEnvironment(source: ExportSource, options: ExportOptions): Promise<ExportResult> {
  const target = await openTarget(options.repo, options.path);
  const problems: string[] = [];
  const warnings: string[] = [];
  const path = target.folderInRepo;
  const owned = new Map(Object.entries(target.record?.files ?? {}));

  // Files this stack wrote before and that were edited by hand since (overridden by --force).
  for (const [file, hash] of owned) {
    const content = target.files.get(file);
    if (content !== undefined && sha256(content) !== hash && !options.force) {
      problems.push(`${path}/${file} was exported by arcade-stack and then edited by hand (sha256 no longer matches ${OWNERSHIP_FILE}) (fix: move the change into the stack, or pass --force to overwrite it)`);
    }
  }
  if (target.record && target.record.environment !== source.env && !options.force) {
    problems.push(`${path} holds an export of environment '${target.record.environment}', not '${source.env}' (fix: check --env and --path, or pass --force to replace it)`);
  }

  // Hand-written files: everything in the folder the record does not list.
  const handWritten = [...target.files.keys()].filter((f) => !owned.has(f));
  const handManifests: ManifestFile[] = [];
  const ours = new Map(source.files.map((f) => [f.path, f.content]));
  const sourceIndex = indexObjects(source.files);
  const adopted: string[] = [];
  for (const file of handWritten) {
    const content = target.files.get(file)!;
    if (!isManifestPath(file)) continue;
    let keys: string[];
    try {
      keys = parseManifest(content, `${path}/${file}`).map(objectKey);
    } catch (err) {
      problems.push((err as Error).message);
      continue;
    }
    handManifests.push({ path: file, content });
    if (options.adopt) {
      adopted.push(file);
      continue;
    }
    const colliding = keys.filter((k) => sourceIndex.has(k));
    if (colliding.length > 0) {
      problems.push(`${colliding.join(', ')} in ${path}/${file} was not exported by arcade-stack (hand-written); this export defines the same object (fix: review it, then pass --adopt to take it over)`);
    } else if (ours.has(file)) {
      problems.push(`${path}/${file} exists and was not exported by arcade-stack; the export would overwrite it (fix: review it, then pass --adopt to take it over)`);
    } else if (keys.length > 0) {
      problems.push(`${path}/${file} holds objects arcade-stack did not export (${keys.join(', ')}); the exported kustomization.yaml would stop Flux applying them (fix: move them out of ${path}, or pass --adopt to take over the folder: they are removed and listed in the diff)`);
    }
  }

  // What the folder holds now, and after the export.
  let before: Map<string, LocatedObject>;
  try {
    before = indexObjects([...[...owned.keys()].filter((f) => target.files.has(f)).map((f) => ({ path: f, content: target.files.get(f)! })), ...handManifests]);
  } catch (err) {
    throw new ExportRefused([...problems, (err as Error).message]);
  }

  // Release identity and datastore mode against the release in the target.
  const sourceReleases = releases(sourceIndex);
  for (const t of releases(before)) {
    const match = sourceReleases.find((s) => s.key === t.key) ?? (sourceReleases.length === 1 ? sourceReleases[0] : undefined);
    if (!match) {
      if (!options.allowReinstall) problems.push(`${t.key} (${path}/${t.file}) would be removed: Flux would uninstall the release (fix: keep it in the environment, or pass --allow-reinstall)`);
      continue;
    }
    const changes = identityChanges(releaseIdentity(t.object), releaseIdentity(match.object));
    if (changes.length > 0 && !options.allowReinstall) {
      problems.push(`release identity changes against ${t.key} in ${path}/${t.file} (${changes.join('; ')}): Flux would uninstall and reinstall the release (fix: set release.* in the environment to the target's values, or pass --allow-reinstall)`);
    }
    const targetMode = datastoreMode(t.object);
    if (targetMode === 'bundled' && source.datastores === 'managed' && !options.allowDatastoreSwitch) {
      problems.push(`datastores switch from bundled (the release in ${path}/${t.file}) to managed: data not migrated is lost and the engine root key must stay the same (fix: follow the takeover runbook in docs/delivery.md, then pass --allow-datastore-switch)`);
    }
  }

  if (source.unresolved.length > 0 && !options.allowUnresolved) {
    problems.push(`environment ${source.env} has ${source.unresolved.length} unresolved value(s), e.g. ${source.unresolved[0]!.path} (fix: resolve them (npm run synth lists them), or pass --allow-unresolved to export them as visible <unresolved: ...> markers, listed in the commit message)`);
  }

  const branch = options.branch ?? `arcade-stack/${source.env}-${source.sourceCommit.slice(0, 12)}`;
  if (options.commit) {
    const exists = await gitTry(target.top, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`]);
    if (exists.ok) problems.push(`branch ${branch} already exists in ${options.repo} (fix: pass --branch <new name>, or delete the old branch)`);
    const ident = await gitTry(target.top, ['var', 'GIT_COMMITTER_IDENT']);
    if (!ident.ok) problems.push(`${options.repo}: git has no committer identity (fix: git config user.name / user.email in that checkout)`);
  }
  if (problems.length > 0) throw new ExportRefused(problems);

  const [last, current] = await Promise.all([
    gitTry(target.top, ['log', '-1', '--format=%h %s', '--', target.folderInRepo]),
    gitTry(target.top, ['rev-parse', '--abbrev-ref', 'HEAD']),
  ]);
  if (last.ok && TEMPORARY_COMMIT.test(last.stdout)) {
    warnings.push(`the latest commit on ${path} looks temporary or a teardown ("${last.stdout.trim()}"): exporting may undo or be undone by it; check with its author before merging`);
  }
  const onBranch = current.stdout.trim();
  if (current.ok && onBranch !== 'master' && onBranch !== 'main') {
    warnings.push(`the checkout is on '${onBranch}', not master: the export starts from it (fix: git checkout master && git pull in that checkout, unless this is intended)`);
  }

  const after = indexObjects(source.files);
  const diff = diffObjects(before, after);
  const removed = [...new Set([...[...owned.keys()].filter((f) => !ours.has(f) && target.files.has(f)), ...adopted.filter((f) => !ours.has(f))])].sort();
  const written = source.files.filter((f) => target.files.get(f.path) !== f.content).map((f) => f.path);
  const changed = written.length > 0 || removed.length > 0 || !target.record;
  const message = commitMessage(source, target, diff, adopted);
  if (!changed || options.dryRun) return { diff, written: options.dryRun ? written : [], removed: options.dryRun ? removed : [], warnings, changed, message };

  if (options.commit) await git(target.top, ['checkout', '-q', '-b', branch]);
  for (const f of removed) rmSync(join(target.folder, f));
  for (const f of source.files) {
    const full = join(target.folder, f.path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, f.content);
  }
  const record: OwnershipRecord = {
    generatedBy: 'arcade-stack',
    environment: source.env,
    sourceCommit: source.sourceCommit,
    sourceDirty: source.sourceDirty,
    files: Object.fromEntries(source.files.map((f) => [f.path, sha256(f.content)])),
  };
  writeFileSync(join(target.folder, OWNERSHIP_FILE), formatOwnership(record));
  if (!options.commit) return { diff, written, removed, warnings, changed, message };

  await git(target.top, ['add', '-A', '--', target.folderInRepo]);
  await git(target.top, ['commit', '-q', '--no-verify', '-m', message]);
  const commit = (await git(target.top, ['rev-parse', 'HEAD'])).trim();
  return { diff, written, removed, warnings, changed, message, branch, commit };
}
