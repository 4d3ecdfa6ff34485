/**
 * `npm run export`: copies one environment's manifests into a GitOps checkout, safely.
 *
 * Every check runs before anything is written; a refusal leaves the target untouched (same
 * HEAD, same files, clean status). All refusals are gathered into one error, each naming the
 * option or the environment field that resolves it, and carrying the summary of what the export
 * would do. Export never pushes.
 *
 * What Flux applies is built before and after (src/delivery/preview.ts), so the identity, the
 * values and the prunes are read as Flux will see them. Without kubectl nothing can be built: the
 * export then runs only when it removes nothing (an update of its own earlier export), and
 * refuses everything else (docs/delivery.md, "Without kubectl").
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { parse, stringify } from 'yaml';
import { providedObjects } from '../check/references.js';
import { PART_OF } from '../constructs/labels.js';
import type { UnresolvedEntry } from '../environments/unresolved.js';
import { diffObjects, type ManifestDiff } from '../review/diff.js';
import { git, gitTry } from '../shared/git.js';
import {
  indexObjects,
  isManifestPath,
  KUSTOMIZATION_FILE,
  objectKey,
  parseManifest,
  sha256,
  type KubeObject,
  type LocatedObject,
  type ManifestFile,
} from '../shared/manifests.js';
import { KUSTOMIZATION_FILES, KubectlMissing, KustomizeFailed, type BuiltObject } from './kustomize.js';
import { formatOwnership, OWNERSHIP_FILE, type OwnershipRecord } from './ownership.js';
import {
  buildPreview,
  consents,
  inFolder,
  inventoryId,
  parseConsent,
  type FolderPlan,
  type Preview,
  type PreviewReport,
  type PruneEntry,
  type PruneConsent,
} from './preview.js';
import { ExportRefused } from './refused.js';
import {
  datastoreMode,
  describeChange,
  environmentField,
  identityChanges,
  isHelmRelease,
  releaseIdentity,
  type DatastoreMode,
  type IdentityChange,
  type ReleaseIdentity,
} from './release.js';
import { commitSubject, renderSummary, type IdentityPair, type StatefulLine, type SummaryInput } from './summary.js';
import { openTarget, type Target } from './target.js';
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
}

/** A verb that stops something, then what it stops: "suspend the release", "stopped flux sync". */
const STOPPED = /\b(suspend(s|ed|ing)?|disabl(e|es|ed|ing)|turn(s|ed)? off|stop(s|ped)?|pause[ds]?)\s+/.source;
const STOPPED_WHAT = /(the\s+)?(arcade|release|helm ?release|flux|reconcil\w*|sync\w*|deploy\w*)\b/.source;

/** Latest commit subjects that mark a temporary or teardown change of the folder (a bare "disabled" is not one). */
const TEMPORARY_COMMIT = new RegExp(
  [
    /\b(temp|temporary|tmp|wip|teardown|tear[- ]down|do not merge|don'?t merge|revert me|hotfix)\b/.source,
    /\bscal(e|ed|es|ing) (it |arcade |the release )?(down|to zero)\b/.source,
    STOPPED + STOPPED_WHAT,
  ].join('|'),
  'i',
);

/** Is this commit subject one of a temporary or teardown change? */
export function looksTemporary(subject: string): boolean {
  return TEMPORARY_COMMIT.test(subject);
}

/** Kinds listed as stateful in the summary. */
const STATEFUL = new Set([
  'Namespace',
  'PersistentVolumeClaim',
  'PersistentVolume',
  'StatefulSet',
  'Secret',
  'SealedSecret',
  'ExternalSecret',
]);

/** The source's kustomization.yaml with the kept files added to its resources. */
function withKept(files: readonly ManifestFile[], kept: readonly string[]): ManifestFile[] {
  if (kept.length === 0) return [...files];
  return files.map((f) => {
    if (f.path !== KUSTOMIZATION_FILE) return f;
    const header = f.content.split('\n').filter((l) => l.startsWith('#'));
    const k = parse(f.content) as { resources?: string[] };
    const body = stringify({ ...k, resources: [...(k.resources ?? []), ...kept] });
    return {
      path: f.path,
      content: `${[...header, `# Hand-written files kept in the folder (npm run export --keep): ${kept.join(', ')}`].join('\n')}\n${body}`,
    };
  });
}

/** `apps/arcade/namespace.yaml` or `namespace.yaml` → `namespace.yaml`. */
function keepPath(value: string, folder: string): string {
  const p = posix.normalize(value.split('\\').join('/'));
  return p.startsWith(`${folder}/`) ? p.slice(folder.length + 1) : p;
}

/** Objects of a build that come from the folder, keyed as diff prints them, file relative to the folder. */
function folderIndex(built: readonly BuiltObject[], folder: string): Map<string, LocatedObject> {
  const out = new Map<string, LocatedObject>();
  for (const b of built) {
    if (!inFolder(b.origin, folder)) continue;
    const key = objectKey(b.object);
    out.set(key, { key, file: posix.relative(folder, b.origin!), object: b.object });
  }
  return out;
}

function releasesOf(index: ReadonlyMap<string, LocatedObject>): LocatedObject[] {
  return [...index.values()].filter((l) => isHelmRelease(l.object));
}

/** The refusal for a dangerous deletion, with the safe move for where the object comes from. */
function pruneProblem(
  p: PruneEntry,
  folder: string,
  ctx: { kept: ReadonlySet<string>; removedOwned: ReadonlySet<string>; handWritten: ReadonlySet<string> },
): string {
  const file = p.origin && inFolder(p.origin, folder) ? posix.relative(folder, p.origin) : undefined;
  const consent = `--allow-prune ${p.kind}/${p.name}`;
  let fix: string;
  if (p.kind === 'HelmRelease' || p.kind === 'Kustomization') {
    fix =
      `the export's ${p.kind} replaces it under another name or namespace: make the ` +
      `environment's release fields match the live one (the identity refusal names them)`;
  } else if (file && ctx.kept.has(file)) {
    fix =
      `${p.origin} is kept, but without the folder's old kustomization file it builds into ` +
      `another object: write what that file added (namespace:, namePrefix:, patches) into ` +
      `${p.origin} itself, in its own commit`;
  } else if (file && ctx.handWritten.has(file)) {
    fix =
      `keep it: --keep ${file} leaves the file in ${folder} and in its kustomization.yaml; or ` +
      `move the file where the stack does not own it, with the annotation ` +
      `kustomize.toolkit.fluxcd.io/prune: disabled, in its own commit`;
  } else if (file && ctx.removedOwned.has(file)) {
    fix =
      `the stack no longer writes ${p.origin}: keep it in the environment, or move the object ` +
      `where the stack does not own it (with kustomize.toolkit.fluxcd.io/prune: disabled) in its own commit`;
  } else {
    fix = `find what stops building it${p.origin ? ` (it comes from ${p.origin})` : ''} and keep it`;
  }
  const from = p.origin ? ` (${p.origin})` : '';
  return `Flux Kustomization ${p.owner} (prune: true) would delete ${p.key}${from}: ${p.danger} (fix: ${fix}; only if the deletion is intended: ${consent})`;
}

/**
 * The environment fields that give the live identity back. A release object in another namespace
 * than its workloads also needs `release.targetNamespace` (the schema refuses it without one).
 */
function fieldsToSet(changes: readonly IdentityChange[], live: ReleaseIdentity): string[] {
  const fields = changes.map(environmentField);
  if (
    changes.some((c) => c.field === 'namespace') &&
    !changes.some((c) => c.field === 'targetNamespace') &&
    live.targetNamespace !== live.namespace
  ) {
    fields.push(`release.targetNamespace: ${live.targetNamespace}`);
  }
  return fields;
}

/** Without a preview the export fails closed: it refuses a takeover and anything that leaves the folder. */
function failClosed(input: {
  previewMissing: string;
  rawBefore: ReadonlyMap<string, LocatedObject>;
  after: ReadonlyMap<string, LocatedObject>;
  target: Target;
  owned: ReadonlyMap<string, string>;
  handWritten: readonly string[];
  adopted: readonly string[];
  removed: readonly string[];
}): string | undefined {
  const { rawBefore, after, target, owned, handWritten, adopted, removed } = input;
  const afterIds = new Set([...after.values()].map((a) => inventoryId(a.object)));
  const lost = [...rawBefore.values()].filter((l) => !afterIds.has(inventoryId(l.object))).map((l) => l.key);
  const ownKustomization =
    target.record !== undefined &&
    owned.has(KUSTOMIZATION_FILE) &&
    !handWritten.some((f) => (KUSTOMIZATION_FILES as readonly string[]).includes(f));
  const takeover = adopted.length > 0 || !ownKustomization;
  if (!takeover && lost.length === 0 && removed.length === 0) return undefined;
  const what = [
    ...(takeover
      ? [
          `it takes over a folder the stack does not own yet${adopted.length ? ` (adopting ${adopted.join(', ')})` : ''}`,
        ]
      : []),
    ...(lost.length > 0 ? [`${lost.join(', ')} would leave what Flux applies`] : []),
    ...(removed.length > 0 ? [`it removes ${removed.join(', ')}`] : []),
  ];
  return (
    `${input.previewMissing}, so the export cannot build what Flux applies and preview what it would prune, and ${what.join('; ')} ` +
    '(fix: install kubectl, whose built-in kustomize is the one Flux uses, and run the export ' +
    'again; without it the export only updates its own earlier export when nothing leaves the folder)'
  );
}

/** Pairs the releases before and after, compares their identities, and refuses a reinstall unless allowed. */
function compareIdentity(input: {
  beforeReleases: readonly LocatedObject[];
  afterReleases: readonly LocatedObject[];
  allBefore: readonly KubeObject[];
  allAfter: readonly KubeObject[];
  folder: string;
  envFile: string;
  allowReinstall: boolean;
}): { identity: IdentityPair[]; problems: string[] } {
  const { beforeReleases, afterReleases, folder } = input;
  const identity: IdentityPair[] = [];
  const problems: string[] = [];
  const pairedAfter = new Set<string>();
  for (const b of beforeReleases) {
    const match =
      afterReleases.find((a) => a.key === b.key) ??
      (beforeReleases.length === 1 && afterReleases.length === 1 ? afterReleases[0] : undefined);
    const file = `${folder}/${b.file}`;
    const old = releaseIdentity(b.object, input.allBefore);
    if (Object.values(old).some((v) => v.includes('${'))) {
      problems.push(
        `${b.key} (${file}) has an identity field holding \${...} after the build: Flux ` +
          `substitutes it after the build from values the repository may not hold, so it cannot be ` +
          `compared (fix: write the value into the file, in its own commit)`,
      );
    }
    if (!match) {
      identity.push({ key: b.key, before: old, file, changes: [] });
      if (!input.allowReinstall)
        problems.push(
          `${b.key} (${file}) would be removed: helm-controller would uninstall the release (fix: keep it in the environment, or pass --allow-reinstall)`,
        );
      continue;
    }
    pairedAfter.add(match.key);
    const now = releaseIdentity(match.object, input.allAfter);
    const changes = identityChanges(old, now);
    identity.push({
      key: b.key === match.key ? b.key : `${b.key} → ${match.key}`,
      before: old,
      after: now,
      file,
      changes,
    });
    if (changes.length > 0 && !input.allowReinstall) {
      problems.push(
        `release identity changes against ${b.key} in ${file} ` +
          `(${changes.map(describeChange).join('; ')}): helm-controller would uninstall the release ` +
          `and install a new one ` +
          `(fix: set in ${input.envFile}: ${fieldsToSet(changes, old).join(', ')}; or pass ` +
          `--allow-reinstall to reinstall on purpose: the summary then shows every field)`,
      );
    }
  }
  for (const a of afterReleases)
    if (!pairedAfter.has(a.key))
      identity.push({ key: a.key, after: releaseIdentity(a.object, input.allAfter), changes: [] });
  return { identity, problems };
}

/** Applies each --allow-prune to the deletion it names; a dangerous deletion without one, or a consent matching nothing, is a problem. */
function consentToPrunes(
  raw: readonly PruneEntry[],
  ctx: {
    allowPrune: readonly string[];
    folder: string;
    keptOrigins: ReadonlySet<string>;
    problemContext: Parameters<typeof pruneProblem>[2];
  },
): { prunes: PruneEntry[]; problems: string[] } {
  const problems: string[] = [];
  const given: PruneConsent[] = [];
  for (const text of ctx.allowPrune) {
    const c = parseConsent(text);
    if (c) given.push(c);
    else
      problems.push(
        `--allow-prune ${text}: give Kind/name or Kind/namespace/name (fix: e.g. --allow-prune Namespace/arcade)`,
      );
  }
  const used = new Set<PruneConsent>();
  const prunes = raw.map((entry) => {
    // A kept file's object must stay: if it leaves, the file lost a transform of the old kustomization.
    const p =
      entry.fate === 'deleted' && !entry.danger && entry.origin && ctx.keptOrigins.has(entry.origin)
        ? { ...entry, danger: 'its file is kept (--keep), yet the object leaves what Flux applies' }
        : entry;
    if (p.fate !== 'deleted' || !p.danger) return p;
    const c = given.find((g) => consents(g, p));
    if (!c) return p;
    used.add(c);
    return { ...p, allowedBy: c.text };
  });
  for (const p of prunes)
    if (p.fate === 'deleted' && p.danger && !p.allowedBy)
      problems.push(pruneProblem(p, ctx.folder, ctx.problemContext));
  for (const c of given) {
    if (used.has(c)) continue;
    const deletable = prunes.filter((p) => p.fate === 'deleted' && p.danger).map((p) => `${p.kind}/${p.name}`);
    problems.push(
      `--allow-prune ${c.text} matches nothing this export deletes ` +
        `(${deletable.length ? `it would delete ${deletable.join(', ')}` : 'it deletes no object that needs consent'}) ` +
        '(fix: drop it, or check the spelling)',
    );
  }
  return { prunes, problems };
}

/** Every valuesFrom of the exported releases must resolve where helm-controller reads it (their own namespace). */
function checkValuesFrom(
  releases: readonly LocatedObject[],
  ctx: {
    before: readonly BuiltObject[];
    allAfter: readonly KubeObject[];
    keptOrigins: ReadonlySet<string>;
    folder: string;
  },
): { problems: string[]; warnings: string[] } {
  const problems: string[] = [];
  const warnings: string[] = [];
  const providedBefore = providedObjects(ctx.before.map((b) => ({ object: b.object, file: '', line: 0 })));
  const providedAfter = providedObjects(ctx.allAfter.map((object) => ({ object, file: '', line: 0 })));
  for (const a of releases) {
    const ns = a.object.metadata.namespace ?? '';
    const spec = (a.object.spec ?? {}) as Record<string, unknown>;
    const refs = Array.isArray(spec.valuesFrom) ? (spec.valuesFrom as Record<string, unknown>[]) : [];
    refs.forEach((r, i) => {
      if (r.optional === true || (r.kind !== 'Secret' && r.kind !== 'ConfigMap')) return;
      const name = String(r.name);
      const now = providedAfter.get(`${r.kind}/${name}`) ?? [];
      if (now.includes(ns)) return;
      const ref = `${a.key} reads ${r.kind} ${ns}/${name} (valuesFrom[${i}])`;
      if ((providedBefore.get(`${r.kind}/${name}`) ?? []).includes(ns)) {
        const holder = ctx.before.find(
          (b) => b.object.kind === r.kind && b.object.metadata.name === name && b.object.metadata.namespace === ns,
        )?.origin;
        const fix =
          holder && ctx.keptOrigins.has(holder)
            ? `${holder} is kept, but it no longer builds into namespace ${ns} without the folder's old ` +
              `kustomization file: write metadata.namespace: ${ns} into it, in its own commit`
            : `--keep ` +
              `${holder && inFolder(holder, ctx.folder) ? posix.relative(ctx.folder, holder) : 'the file that holds it'}, or ` +
              `move it out of ${ctx.folder} in its own commit`;
        problems.push(
          `${ref}, which this export removes from what Flux applies: the release would fail to reconcile (fix: ${fix})`,
        );
      } else if (now.length > 0) {
        problems.push(
          `${ref}, but Flux applies it only in ${now.join(', ')}: helm-controller reads valuesFrom ` +
            `from the HelmRelease's own namespace (fix: put it in ${ns}, or set release.namespace)`,
        );
      } else {
        warnings.push(
          `${ref}, which the repository does not hold: it must exist in the cluster, or the release fails to reconcile`,
        );
      }
    });
  }
  return { problems, warnings };
}

/** The fate of every stateful object of the folder (and the new ones). */
function statefulObjects(
  before: ReadonlyMap<string, LocatedObject>,
  after: ReadonlyMap<string, LocatedObject>,
  prunes: readonly PruneEntry[],
  keep: ReadonlySet<string>,
  folder: string,
): StatefulLine[] {
  const lines: StatefulLine[] = [];
  const afterById = new Map([...after.values()].map((l) => [inventoryId(l.object), l]));
  const beforeIds = new Set([...before.values()].map((l) => inventoryId(l.object)));
  for (const l of before.values()) {
    if (!STATEFUL.has(l.object.kind)) continue;
    const prune = prunes.find((p) => p.key === l.key && p.origin === `${folder}/${l.file}`);
    const a = afterById.get(inventoryId(l.object));
    let fate: string;
    if (a)
      fate = `${JSON.stringify(a.object) === JSON.stringify(l.object) ? 'unchanged' : 'changed'}${keep.has(l.file) ? ' (kept: --keep)' : ''}`;
    else if (!prune) fate = 'leaves the folder';
    else if (prune.fate === 'orphaned') fate = `left in the cluster, no longer applied (${prune.reason})`;
    else
      fate = prune.allowedBy ? `DELETED (--allow-prune ${prune.allowedBy})` : 'DELETED (needs --allow-prune: refused)';
    lines.push({ key: l.key, file: `${folder}/${l.file}`, fate });
  }
  for (const l of after.values())
    if (STATEFUL.has(l.object.kind) && !beforeIds.has(inventoryId(l.object)))
      lines.push({ key: l.key, file: `${folder}/${l.file}`, fate: 'new' });
  return lines;
}

/**
 * Which files of the folder are whose: files an earlier export wrote (refused when edited by hand,
 * unless --force), kept hand-written files (recorded, and --keep), hand-written files to adopt,
 * and hand-written manifests the export would otherwise drop (refused). Appends to `problems`.
 */
function classifyFolder(
  target: Target,
  source: ExportSource,
  options: ExportOptions,
  problems: string[],
): { keep: Set<string>; handWritten: string[]; adopted: string[]; handManifests: ManifestFile[] } {
  const folder = target.folderInRepo;
  const owned = new Map(Object.entries(target.record?.files ?? {}));
  // Files this stack wrote before and that were edited by hand since (overridden by --force).
  for (const [file, hash] of owned) {
    const content = target.files.get(file);
    if (content !== undefined && sha256(content) !== hash && !options.force) {
      problems.push(
        `${folder}/${file} was exported by arcade-stack and then edited by hand (sha256 no longer ` +
          `matches ${OWNERSHIP_FILE}) (fix: move the change into the stack, or pass --force to overwrite it)`,
      );
    }
  }
  if (target.record && target.record.environment !== source.env && !options.force) {
    problems.push(
      `${folder} holds an export of environment '${target.record.environment}', not ` +
        `'${source.env}' (fix: check --env and --path, or pass --force to replace it)`,
    );
  }

  // Kept files: recorded by an earlier export (while they still exist), and --keep.
  const keep = new Set((target.record?.kept ?? []).filter((f) => target.files.has(f)));
  for (const value of options.keep ?? []) {
    const file = keepPath(value, folder);
    if (!target.files.has(file))
      problems.push(
        `--keep ${value}: no file ${folder}/${file} (fix: give a file of the folder, relative to it, e.g. --keep namespace.yaml)`,
      );
    else if (owned.has(file))
      problems.push(
        `--keep ${value}: ${folder}/${file} was written by arcade-stack, not by hand (fix: drop --keep ${value})`,
      );
    else if ((KUSTOMIZATION_FILES as readonly string[]).includes(file))
      problems.push(
        `--keep ${value}: the folder's kustomization file is the export's own (fix: keep the files it lists instead)`,
      );
    else if (!isManifestPath(file))
      problems.push(
        `--keep ${value}: not a manifest, and files that are not YAML stay in the folder anyway (fix: drop --keep ${value})`,
      );
    else keep.add(file);
  }

  // Hand-written files: everything in the folder the record does not list.
  const handWritten = [...target.files.keys()].filter((f) => !owned.has(f));
  const ours = new Map(source.files.map((f) => [f.path, f.content]));
  const sourceIndex = indexObjects(source.files);
  const adopted: string[] = [];
  const handManifests: ManifestFile[] = [];
  for (const file of handWritten) {
    const content = target.files.get(file)!;
    if (!isManifestPath(file)) continue;
    let keys: string[];
    try {
      keys = parseManifest(content, `${folder}/${file}`).map(objectKey);
    } catch (err) {
      problems.push((err as Error).message);
      continue;
    }
    handManifests.push({ path: file, content });
    const colliding = keys.filter((k) => sourceIndex.has(k));
    if (keep.has(file)) {
      if (colliding.length > 0)
        problems.push(
          `--keep ${file}: it defines ${colliding.join(', ')}, which the export defines too (fix: take it over with --adopt instead of keeping it)`,
        );
      continue;
    }
    if (options.adopt) {
      adopted.push(file);
      continue;
    }
    if (colliding.length > 0) {
      problems.push(
        `${colliding.join(', ')} in ${folder}/${file} was not exported by arcade-stack ` +
          `(hand-written); this export defines the same object (fix: review it, then pass --adopt to take it over)`,
      );
    } else if (ours.has(file)) {
      problems.push(
        `${folder}/${file} exists and was not exported by arcade-stack; the export would overwrite it (fix: review it, then pass --adopt to take it over)`,
      );
    } else if (keys.length > 0) {
      problems.push(
        `${folder}/${file} holds objects arcade-stack did not export (${keys.join(', ')}); the ` +
          `exported kustomization.yaml would stop Flux applying them (fix: --keep ${file} to leave ` +
          `them applied, move them out of ${folder}, or --adopt to take over the folder: the prune ` +
          `preview then lists what Flux deletes)`,
      );
    }
  }
  return { keep, handWritten, adopted, handManifests };
}

/** Plans, checks and (unless refused or dry-run) performs the export. */
export async function exportEnvironment(source: ExportSource, options: ExportOptions): Promise<ExportResult> {
  const target = await openTarget(options.repo, options.path);
  const folder = target.folderInRepo;
  const envFile = source.envFile ?? `src/environments/${source.env}.yaml`;
  const problems: string[] = [];
  const warnings: string[] = [];
  const owned = new Map(Object.entries(target.record?.files ?? {}));

  const { keep, handWritten, adopted, handManifests } = classifyFolder(target, source, options, problems);

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
    });
  } catch (err) {
    if (err instanceof KubectlMissing) previewMissing = `${err.kubectl} is not on PATH`;
    else if (err instanceof KustomizeFailed)
      throw new ExportRefused([
        ...problems,
        `${err.message} (fix: make the repository build as Flux builds it; the export previews every change with kubectl kustomize)`,
      ]);
    else throw err;
  }

  // The folder's objects as Flux applies them (without kubectl: as the files say).
  const rawBefore = (() => {
    try {
      return indexObjects([
        ...[...owned.keys()]
          .filter((f) => target.files.has(f))
          .map((f) => ({ path: f, content: target.files.get(f)! })),
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

  if (!preview) {
    const refusal = failClosed({
      previewMissing: previewMissing!,
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
  const beforeMode = beforeReleases[0] ? datastoreMode(beforeReleases[0].object) : undefined;
  if (beforeMode === 'bundled' && source.datastores === 'managed' && !options.allowDatastoreSwitch) {
    problems.push(
      `datastores switch from bundled (the release in ${folder}/${beforeReleases[0]!.file}) to ` +
        `managed: data not migrated is lost and the engine root key must stay the same (fix: ` +
        `follow the takeover runbook in docs/delivery.md, then pass --allow-datastore-switch)`,
    );
  }

  if (source.unresolved.length > 0 && !options.allowUnresolved) {
    problems.push(
      `environment ${source.env} has ${source.unresolved.length} unresolved value(s), e.g. ` +
        `${source.unresolved[0]!.path} (fix: resolve them (npm run synth lists them), or pass ` +
        `--allow-unresolved to export them as visible <unresolved: ...> markers, listed in the ` +
        `commit message)`,
    );
  }

  const branch = options.branch ?? `arcade-stack/${source.env}-${source.sourceCommit.slice(0, 12)}`;
  if (options.commit) {
    const exists = await gitTry(target.top, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`]);
    if (exists.ok)
      problems.push(
        `branch ${branch} already exists in ${options.repo} (fix: pass --branch <new name>, or delete the old branch)`,
      );
    const ident = await gitTry(target.top, ['var', 'GIT_COMMITTER_IDENT']);
    if (!ident.ok)
      problems.push(
        `${options.repo}: git has no committer identity (fix: git config user.name / user.email in that checkout)`,
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
  if (problems.length > 0) throw new ExportRefused(problems, summary);

  const [last, current] = await Promise.all([
    gitTry(target.top, ['log', '-1', '--format=%h %s', '--', folder]),
    gitTry(target.top, ['rev-parse', '--abbrev-ref', 'HEAD']),
  ]);
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
  const onBranch = current.stdout.trim();
  if (current.ok && onBranch !== 'master' && onBranch !== 'main') {
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

  if (options.commit) await git(target.top, ['checkout', '-q', '-b', branch]);
  write(target, planned, removed, recordText);
  if (!options.commit) return { ...base, written, removed };

  await git(target.top, ['add', '-A', '--', folder]);
  await git(target.top, ['commit', '-q', '--no-verify', '-m', message]);
  const commit = (await git(target.top, ['rev-parse', 'HEAD'])).trim();
  return { ...base, written, removed, branch, commit };
}

function write(target: Target, planned: readonly ManifestFile[], removed: readonly string[], record: string): void {
  for (const f of removed) rmSync(join(target.folder, f));
  for (const f of planned) {
    const full = join(target.folder, f.path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, f.content);
  }
  writeFileSync(join(target.folder, OWNERSHIP_FILE), record);
}
