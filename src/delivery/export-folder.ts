/**
 * The export's target folder, read before anything is written: which files are whose (written
 * by an earlier export, hand-written, kept, adopted), the objects a build takes from the folder,
 * the fate of its stateful objects, and whether its latest commit looks temporary.
 */

import { posix } from 'node:path';
import { parse, stringify } from 'yaml';
import {
  indexObjects,
  isManifestPath,
  KUSTOMIZATION_FILE,
  objectKey,
  parseManifest,
  sha256,
  type LocatedObject,
  type ManifestFile,
} from '../core/manifests.js';
import { ignoredPaths } from './checkout-status.js';
import { KUSTOMIZATION_FILES, type BuiltObject } from './kustomize.js';
import { OWNERSHIP_FILE } from './ownership.js';
import { inventoryId, type PruneEntry } from './preview.js';
import { inFolder } from './prune-danger.js';
import { isHelmRelease } from './release.js';
import type { StatefulLine } from './summary.js';
import type { Target } from './target.js';

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
export function withKept(files: readonly ManifestFile[], kept: readonly string[]): ManifestFile[] {
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
export function folderIndex(built: readonly BuiltObject[], folder: string): Map<string, LocatedObject> {
  const out = new Map<string, LocatedObject>();
  for (const b of built) {
    if (b.origin === undefined || !inFolder(b.origin, folder)) continue;
    const key = objectKey(b.object);
    out.set(key, { key, file: posix.relative(folder, b.origin), object: b.object });
  }
  return out;
}

export function releasesOf(index: ReadonlyMap<string, LocatedObject>): LocatedObject[] {
  return [...index.values()].filter((l) => isHelmRelease(l.object));
}

/** The fate of every stateful object of the folder (and the new ones). */
export function statefulObjects(
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
 * The refusals for the folder's files git ignores (docs/delivery.md, "Ignored files"): git never
 * held them, so nothing brings back one the export overwrites or removes, and Flux, which reads
 * git, never applied one. Refused, in every mode (--dry-run and plain too, so they predict an
 * --adopt run): a file at a path the export writes (its files, the ownership record), and every
 * YAML file, which a kustomization could name: --adopt would remove it, --keep would name a file
 * Flux cannot read. Any other ignored file (a local .env, an editor's swap file) is left alone,
 * as every file that is not YAML is: the export never writes, names or removes it.
 */
function ignoredRefusals(target: Target, writes: ReadonlySet<string>, adopt: boolean): string[] {
  const folder = target.folderInRepo;
  return target.ignored.flatMap((file) => {
    // A written path is refused by ignoredWrites, whether the file is there or not.
    const fate =
      writes.has(file) || !isManifestPath(file)
        ? undefined
        : adopt
          ? '--adopt would remove it as a hand-written file'
          : '--adopt would remove it and --keep would name a file Flux cannot read';
    return fate === undefined
      ? []
      : [
          `${folder}/${file} is ignored by git: ${fate}, and git cannot bring back a file it never ` +
            `held (Flux never applied it either) (fix: move it out of ${folder}, or stop ignoring it ` +
            'and commit it, then export again)',
        ];
  });
}

/**
 * The refusals for the paths the export writes (`writes`, relative to the folder: every planned
 * file and the ownership record, as classifyFolder returns them) that git ignores, there or not yet (ignoredPaths, asked before
 * anything is written, in every mode): `git add` would leave such a file out of the commit, which
 * would still list it in kustomization.yaml (or hash it in the record), so Flux's build of the
 * merged branch fails. One there is an ignored file the export would also overwrite.
 */
export async function ignoredWrites(
  target: Target,
  writes: ReadonlySet<string>,
  options: { readonly signal?: AbortSignal } = {},
): Promise<string[]> {
  const folder = target.folderInRepo;
  const paths = [...writes].sort();
  const hits = await ignoredPaths(
    target.top,
    paths.map((f) => `${folder}/${f}`),
    options,
  );
  return paths.flatMap((file) => {
    if (!hits.has(`${folder}/${file}`)) return [];
    const there = target.ignored.includes(file);
    const why =
      file === OWNERSHIP_FILE
        ? 'the commit would leave out the record of what the export wrote, and the next export would read its files as hand-written'
        : 'the commit would leave it out while kustomization.yaml lists it';
    return [
      `${folder}/${file} is ignored by git: the export writes that path, and git ignores it, so ${why}` +
        (there ? ', and it would overwrite the ignored file there, which git never held' : '') +
        ` (fix: remove the rule from .gitignore, or add a negation !${folder}/${file}` +
        (there ? `, after moving the file out of ${folder}` : '') +
        ', then export again)',
    ];
  });
}

/**
 * Which files of the folder are whose: files an earlier export wrote (refused when edited by hand,
 * unless --force), kept hand-written files (recorded, and --keep), hand-written files to adopt,
 * and hand-written manifests the export would otherwise drop (refused). Files git ignores are none
 * of these (target.ts leaves them out of `files`): ignoredRefusals. Appends to `problems`. Also the
 * paths the export writes (`writes`: the source's files, which --keep only edits, and the
 * ownership record), for ignoredWrites.
 */
export function classifyFolder(
  target: Target,
  source: { readonly env: string; readonly files: readonly ManifestFile[] },
  options: { readonly keep?: readonly string[]; readonly adopt?: boolean; readonly force?: boolean },
  problems: string[],
): { keep: Set<string>; handWritten: string[]; adopted: string[]; handManifests: ManifestFile[]; writes: Set<string> } {
  const folder = target.folderInRepo;
  const writes = new Set([...source.files.map((f) => f.path), OWNERSHIP_FILE]);
  problems.push(...ignoredRefusals(target, writes, options.adopt ?? false));
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
    const ignored = target.ignored.includes(file);
    if (!target.files.has(file) && !ignored)
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
    else if (!ignored) keep.add(file); // an ignored one is refused above (ignoredRefusals)
  }

  // Hand-written files: everything in the folder the record does not list.
  const handWritten = [...target.files.keys()].filter((f) => !owned.has(f));
  const ours = new Map(source.files.map((f) => [f.path, f.content]));
  const sourceIndex = indexObjects(source.files);
  const adopted: string[] = [];
  const handManifests: ManifestFile[] = [];
  for (const file of handWritten) {
    const content = target.files.get(file);
    if (content === undefined || !isManifestPath(file)) continue;
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
  return { keep, handWritten, adopted, handManifests, writes };
}
