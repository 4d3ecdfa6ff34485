/**
 * `npm run export`: copies one environment's manifests into a GitOps checkout, safely.
 *
 * Every check runs before anything is written; a refusal leaves the target untouched (same
 * HEAD, same files, clean status), but for the two that come after the write, which say what they
 * leave and a fix that loses nothing (./refused.ts: the commit not made, the branch moved). All
 * refusals are gathered into one error, each naming the option or the environment field that
 * resolves it, and carrying the summary of what the export would do. Export never pushes.
 *
 * What Flux applies is built before and after (src/delivery/preview.ts), so the identity, the
 * values and the prunes are read as Flux will see them. Without kubectl nothing can be built: the
 * export then runs only when it removes nothing (an update of its own earlier export), and
 * refuses everything else (docs/delivery.md, "Without kubectl").
 *
 * The folder is read in export-folder.ts, the refusals are checked in export-checks.ts, the plan is
 * written and staged in export-write.ts. Over 300 lines because exportEnvironment is one
 * transaction, read in the order it runs: plan, preview, every check (all problems gathered into
 * one refusal), then write and commit, or nothing.
 */
import { PART_OF } from '../constructs/labels.js';
import type { UnresolvedEntry } from '../environments/unresolved.js';
import { diffObjects, type ManifestDiff } from '../review/diff.js';
import { Interrupted, interruptedBy } from '../core/command-error.js';
import { shellWord } from '../core/shell-word.js';
import { gitTry } from '../core/git.js';
import { lastLines } from '../core/child-failure.js';
import { indexObjects, sha256, type ManifestFile } from '../core/manifests.js';
import { KubectlMissing, KustomizeFailed } from './kustomize.js';
import { formatOwnership, type OwnershipRecord } from './ownership.js';
import type { FolderPlan } from './build-cache.js';
import { buildPreview, type Preview, type PreviewReport } from './preview.js';
import { writeExport } from './export-write.js';
import { checkValuesFrom, compareIdentity, consentToPrunes, failClosed } from './export-checks.js';
import {
  classifyFolder,
  folderIndex,
  ignoredWrites,
  looksTemporary,
  releasesOf,
  statefulObjects,
  withKept,
} from './export-folder.js';
import { ExportRefused } from './refused.js';
import { datastoreMode, isHelmRelease, releaseIdentity, type DatastoreMode } from './release.js';
import { commitSubject, renderSummary, type IdentityPair, type SummaryInput } from './summary.js';
import { blockedOnTheWay, type CheckoutState, openTarget } from './target.js';
import { diffValues, resolveValues, type ValueDiff } from './values.js';

export { ExportRefused };

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
  /** The environment file, as a refusal names it. @default 'src/environments/<env>.yaml' */
  readonly envFile?: string;
}

export interface ExportOptions {
  /** The GitOps checkout (k8s-backstage-v2). */
  readonly repo: string;
  /** A relative `repo` resolves against it. @default process.cwd() */
  readonly cwd?: string;
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
  /** `Kind/name` or `Kind/namespace/name` of each dangerous object Flux may delete. @default [] */
  readonly allowPrune?: readonly string[];
  /** Hand-written files (relative to the folder) to leave in it and in its kustomization.yaml. @default [] */
  readonly keep?: readonly string[];
  /** Only plan and print: write nothing. @default false */
  readonly dryRun?: boolean;
  /** kubectl to build with. @default 'kubectl' (on PATH) */
  readonly kubectl?: string;
  /**
   * Aborted (reason: the signal name) by SIGINT/SIGTERM: the export stops before it writes
   * anything, a running kubectl or git read killed at once (never a git that writes the checkout:
   * see exportEnvironment), its temporary build trees removed (Interrupted). With exportAndPublish
   * it stops the push's git too (./push.ts). @default never aborted
   */
  readonly signal?: AbortSignal;
  /**
   * The checkout's root and status, and whether the export's branch exists, when the caller asked
   * git already (publish). @default asked by the export
   */
  readonly checkout?: CheckoutState;
}

export interface ExportResult {
  /** Semantic diff of the folder's objects as Flux applies them, before → after. */
  readonly diff: ManifestDiff;
  readonly written: readonly string[];
  readonly removed: readonly string[];
  readonly warnings: readonly string[];
  /** False when the folder already holds exactly these files. */
  readonly changed: boolean;
  /** The prune preview (absent when kubectl is not installed). */
  readonly preview?: PreviewReport;
  readonly identity: readonly IdentityPair[];
  readonly values?: ValueDiff;
  /** What the export does, worst first (printed, and the body of the commit message). */
  readonly summary: string;
  readonly message: string;
  readonly branch?: string;
  readonly commit?: string;
  /**
   * Why the commit git stored is not the one the export wrote (./trailers.ts notAsWritten: no hook ran
   * and what git's UTF-8 check rewrites was escaped, so this names something else that rewrote it); a
   * push would refuse it as changed.
   */
  readonly commitProblem?: string;
}

/** The branch an export that commits creates: `options.branch`, or `arcade-stack/<env>-<short source commit>`. */
export function exportBranch(source: ExportSource, options: Pick<ExportOptions, 'branch'>): string {
  return options.branch ?? `arcade-stack/${source.env}-${source.sourceCommit.slice(0, 12)}`;
}

/** Plans, checks and (unless refused or dry-run) performs the export. */
export async function exportEnvironment(source: ExportSource, options: ExportOptions): Promise<ExportResult> {
  const branch = exportBranch(source, options);
  // With --commit, the git that prints the checkout's root also answers whether the branch exists.
  const target = await openTarget(
    options.repo,
    options.path,
    options.cwd,
    options.checkout,
    options.commit ? branch : undefined,
  );
  const folder = target.folderInRepo;
  // The export's git reads (rev-parse, var, config, log: none takes a lock) are killed by an interrupt.
  const reads = options.signal ? { signal: options.signal } : {};
  const envFile = source.envFile ?? `src/environments/${source.env}.yaml`;
  const problems: string[] = [];
  const warnings: string[] = [];
  const owned = new Map(Object.entries(target.record?.files ?? {}));

  const { keep, handWritten, adopted, handManifests, writes } = classifyFolder(target, source, options, problems);

  // The folder after the export.
  const kept = [...keep].sort();
  const planned = withKept(source.files, kept);
  const plannedPaths = new Set(planned.map((f) => f.path));
  const removed = [
    ...new Set([
      ...[...owned.keys()].filter((f) => !plannedPaths.has(f) && target.files.has(f)),
      ...adopted.filter((f) => !plannedPaths.has(f)),
    ]),
  ].sort();
  const written = planned.filter((f) => target.files.get(f.path) !== f.content).map((f) => f.path);
  const plan: FolderPlan = { writes: new Map(planned.map((f) => [f.path, f.content])), removes: removed };
  // A link (or a file) on the way to a written path first: git cannot tell whether a path beyond a link is ignored.
  const blocked = blockedOnTheWay(target.top, folder, plan.writes.keys(), plan.removes);
  if (blocked.length > 0) throw new ExportRefused([...problems, ...blocked]);
  problems.push(...(await ignoredWrites(target, writes, reads)));

  // What Flux applies, before and after.
  let preview: Preview | undefined;
  let previewMissing: string | undefined;
  const ownNames = new Set([PART_OF]);
  for (const l of [...indexObjects(source.files).values(), ...indexObjects(handManifests).values()]) {
    if (isHelmRelease(l.object))
      for (const n of [l.object.metadata.name, releaseIdentity(l.object).releaseName]) ownNames.add(n);
  }
  try {
    preview = await buildPreview({
      top: target.top,
      folder,
      plan,
      ownNames,
      ...(options.kubectl ? { kubectl: options.kubectl } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (err) {
    // An interrupt kills the running kubectl (options.signal): its build fails because the export is being interrupted.
    await stopIfInterrupted(options.signal);
    if (err instanceof KubectlMissing) previewMissing = `${err.kubectl} is not on PATH`;
    else if (err instanceof KustomizeFailed)
      throw new ExportRefused([
        ...problems,
        `${err.message} (fix: make the repository build as Flux builds it; the export previews every change with kubectl kustomize)`,
      ]);
    else throw err;
  }

  await stopIfInterrupted(options.signal);

  // The folder's objects as Flux applies them (without kubectl: as the files say).
  const rawBefore = (() => {
    try {
      return indexObjects([
        ...[...owned.keys()].flatMap((f) => {
          const content = target.files.get(f);
          return content === undefined ? [] : [{ path: f, content }];
        }),
        ...handManifests,
      ]);
    } catch (err) {
      throw new ExportRefused([...problems, (err as Error).message]);
    }
  })();
  const primary = preview?.views[0];
  const before = primary ? folderIndex(primary.before, folder) : rawBefore;
  const after = primary ? folderIndex(primary.after, folder) : indexObjects(planned);
  const allBefore = primary ? primary.before.map((b) => b.object) : [...before.values()].map((l) => l.object);
  const allAfter = primary ? primary.after.map((b) => b.object) : [...after.values()].map((l) => l.object);

  // No preview (buildPreview threw KubectlMissing: any other error was rethrown above).
  if (previewMissing !== undefined) {
    const refusal = failClosed({
      previewMissing,
      rawBefore,
      after,
      target,
      owned,
      handWritten,
      adopted,
      removed,
    });
    if (refusal) problems.push(refusal);
  }

  // Release identity, read from the built view with helm-controller's defaults.
  const beforeReleases = releasesOf(before);
  const afterReleases = releasesOf(after);
  const { identity, problems: identityProblems } = compareIdentity({
    beforeReleases,
    afterReleases,
    allBefore,
    allAfter,
    folder,
    envFile,
    allowReinstall: options.allowReinstall ?? false,
  });
  problems.push(...identityProblems);

  // Prunes: each dangerous deletion needs its own --allow-prune.
  const keptOrigins = new Set(kept.map((f) => `${folder}/${f}`));
  const consented = consentToPrunes(preview?.prunes ?? [], {
    allowPrune: options.allowPrune ?? [],
    folder,
    keptOrigins,
    problemContext: {
      kept: keep,
      removedOwned: new Set(removed.filter((f) => owned.has(f))),
      handWritten: new Set(handWritten),
    },
  });
  const prunes = consented.prunes;
  problems.push(...consented.problems);
  const finalPreview: PreviewReport | undefined = preview
    ? { owners: preview.views.map((v) => v.owner), prunes, notes: preview.notes }
    : undefined;

  // Every valuesFrom of the exported release must still resolve where helm-controller reads it.
  if (primary) {
    const refs = checkValuesFrom(afterReleases, { before: primary.before, allAfter, keptOrigins, folder });
    problems.push(...refs.problems);
    warnings.push(...refs.warnings);
  }

  // Datastores: bundled → managed needs the runbook first.
  const firstBefore = beforeReleases[0];
  const beforeMode = firstBefore ? datastoreMode(firstBefore.object) : undefined;
  if (firstBefore && beforeMode === 'bundled' && source.datastores === 'managed' && !options.allowDatastoreSwitch) {
    problems.push(
      `datastores switch from bundled (the release in ${folder}/${firstBefore.file}) to ` +
        `managed: data not migrated is lost and the engine root key must stay the same (fix: ` +
        `follow the takeover runbook in docs/delivery.md, then pass --allow-datastore-switch)`,
    );
  }

  const firstUnresolved = source.unresolved[0];
  if (firstUnresolved && !options.allowUnresolved) {
    problems.push(
      `environment ${source.env} has ${source.unresolved.length} unresolved value(s), e.g. ` +
        `${firstUnresolved.path} (fix: resolve them (npm run synth lists them), or pass ` +
        `--allow-unresolved to export them as visible <unresolved: ...> markers, listed in the ` +
        `commit message)`,
    );
  }

  // Whether the export's commit is signed, as `git commit` would sign it (commit-tree signs only with -S).
  let sign = false;
  if (options.commit) {
    // Asked here only when a caller handed over the root without the answer: openTarget did not run rev-parse.
    const exists =
      target.branchExists ??
      (await gitTry(target.top, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], reads)).ok;
    if (exists)
      problems.push(
        `branch ${branch} already exists in ${options.repo} (fix: pass --branch <new name>, or delete the old branch)`,
      );
    const ident = await gitTry(target.top, ['var', 'GIT_COMMITTER_IDENT'], reads);
    if (!ident.ok)
      problems.push(
        `${options.repo}: git has no committer identity (fix: git config user.name / user.email in that checkout)`,
      );
    // Exit 1: not set (not signed); 128: a value git takes for no boolean, which git commit refuses too.
    const signing = await gitTry(target.top, ['config', '--type=bool', '--get', 'commit.gpgsign'], reads);
    if (signing.ok) sign = signing.stdout.trim() === 'true';
    else if (signing.exitCode !== 1)
      problems.push(
        `${options.repo}: commit.gpgsign cannot be read as true or false (${lastLines(signing.stderr) || signing.failure}) ` +
          `(fix: git -C ${shellWord(options.repo)} config commit.gpgsign true, or false)`,
      );
  }

  // Values against the live release's, and the stateful objects.
  const values =
    beforeReleases[0] && afterReleases[0]
      ? diffValues(resolveValues(beforeReleases[0].object, allBefore), resolveValues(afterReleases[0].object, allAfter))
      : undefined;
  const stateful = statefulObjects(before, after, prunes, keep, folder);

  const diff = diffObjects(before, after);
  const summaryInput: SummaryInput = {
    env: source.env,
    folder,
    identity,
    allowReinstall: options.allowReinstall ?? false,
    ...(finalPreview ? { preview: finalPreview } : {}),
    ...(previewMissing
      ? {
          previewMissing: `${previewMissing}: ${
            removed.length === 0 && adopted.length === 0
              ? 'nothing leaves the folder, so Flux prunes nothing it applied from here'
              : 'refused'
          }`,
        }
      : {}),
    datastores: {
      ...(beforeMode ? { before: beforeMode } : {}),
      ...(afterReleases[0] ? { after: datastoreMode(afterReleases[0].object) } : {}),
    },
    stateful,
    ...(values ? { values } : {}),
    diff,
    written,
    removed,
    adopted,
    kept,
    unresolved: source.unresolved,
  };
  const summary = renderSummary(summaryInput);
  // A git the interrupt killed above answered nothing: interrupted, not refused.
  await stopIfInterrupted(options.signal);
  if (problems.length > 0) throw new ExportRefused(problems, summary);

  // Literal pathspecs: a folder named `apps/a*` is that folder, never a pattern matching apps/arcade too.
  const last = await gitTry(target.top, ['--literal-pathspecs', 'log', '-1', '--format=%h %s', '--', folder], reads);
  // An interrupt that killed this git leaves no answer, not an export to go on with (a dry run, or
  // one with nothing to change, would return below as if it had ended).
  await stopIfInterrupted(options.signal);
  if (last.ok && looksTemporary(last.stdout)) {
    warnings.push(
      `the latest commit on ${folder} looks temporary or a teardown ("${last.stdout.trim()}"): ` +
        `exporting may undo or be undone by it; check with its author before merging`,
    );
  }
  for (const l of before.values()) {
    if (
      (isHelmRelease(l.object) || l.object.kind === 'Kustomization') &&
      (l.object.spec as Record<string, unknown> | undefined)?.suspend === true
    ) {
      warnings.push(
        `${l.key} (${folder}/${l.file}) is suspended (spec.suspend: true): the exported one is ` +
          `not, so merging resumes reconciliation; check why it was suspended`,
      );
    }
  }
  const onBranch = target.head;
  if (onBranch !== undefined && onBranch !== 'master' && onBranch !== 'main') {
    warnings.push(
      `the checkout is on '${onBranch}', not master: the export starts from it (fix: git ` +
        `checkout master && git pull in that checkout, unless this is intended)`,
    );
  }

  const record: OwnershipRecord = {
    generatedBy: 'arcade-stack',
    environment: source.env,
    sourceCommit: source.sourceCommit,
    sourceDirty: source.sourceDirty,
    files: Object.fromEntries(planned.map((f) => [f.path, sha256(f.content)])),
    ...(kept.length > 0 ? { kept } : {}),
  };
  const recordText = formatOwnership(record);
  const changed =
    written.length > 0 ||
    removed.length > 0 ||
    !target.record ||
    formatOwnership({ ...target.record, sourceCommit: record.sourceCommit, sourceDirty: record.sourceDirty }) !==
      recordText;
  const message =
    `${commitSubject(summaryInput)}\n\n${summary}\n\nSource commit: ` +
    `${source.sourceCommit}${source.sourceDirty ? ' (plus uncommitted changes in the source working tree)' : ''}\nEnvironment: ${source.env}\nTarget ` +
    `folder: ${folder}\n`;
  const base = {
    diff,
    warnings,
    changed,
    identity,
    summary,
    message,
    ...(finalPreview ? { preview: finalPreview } : {}),
    ...(values ? { values } : {}),
  };
  if (!changed || options.dryRun)
    return { ...base, written: options.dryRun ? written : [], removed: options.dryRun ? removed : [] };
  await stopIfInterrupted(options.signal);

  // From here on no git is aborted by an interrupt, and none is reached by a terminal's Ctrl-C: each
  // step runs to its end, then the export ends Interrupted saying what it left and how to undo it
  // (./export-write.ts); a --push is not begun. One that comes later stops the push (./push.ts).
  const wrote = await writeExport({
    target,
    commit: options.commit ?? false,
    branch,
    planned,
    removed,
    record: recordText,
    message,
    reflog: `arcade-stack export: ${commitSubject(summaryInput)}`,
    trailers: { environment: source.env, source: source.sourceCommit },
    sign,
    repo: options.repo,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  warnings.push(...wrote.warnings);
  if (wrote.commit === undefined) return { ...base, written, removed };
  const { commit, commitProblem } = wrote;
  return { ...base, written, removed, branch, commit, ...(commitProblem ? { commitProblem } : {}) };
}

/**
 * Throws Interrupted when `signal` was aborted (SIGINT/SIGTERM): first lets a signal that arrived
 * while a build blocked the process be delivered. Called before anything is written.
 */
async function stopIfInterrupted(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return;
  await new Promise((resolve) => setImmediate(resolve));
  if (!signal.aborted) return;
  const by = interruptedBy(signal);
  throw new Interrupted(by, `interrupted by ${by} before anything was written: the checkout is as it was`);
}
