/**
 * One `kubectl kustomize` per distinct tree in a process. An export builds what a Flux
 * Kustomization applies before and after its change (./preview.ts, ./kustomize.ts); the tracked
 * files are read into memory once per export (readTree), the change is applied to that copy in
 * memory, and each build is kept by the digest of its tree (every path and byte), the build
 * root, the Kustomization's transforms and the kubectl. A tree already built is answered from
 * memory without being written to disk or built again (an export that changes nothing; the
 * tests, which export the same few fixtures dozens of times); callers get copies. A checkout
 * holding a symbolic link is copied to disk and built every time (the link may lead out of the
 * tree, to content the digest does not cover), and so is a failed build.
 */
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, type Stats, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import type { FluxOwner } from './flux-owners.js';
import {
  type BuildOptions,
  type BuiltObject,
  buildFluxView,
  copyTree,
  type FluxTransforms,
  removeTree,
} from './kustomize.js';

/** What the export changes in the folder: files written (relative to it) and files removed. */
export interface FolderPlan {
  readonly writes: ReadonlyMap<string, string>;
  readonly removes: readonly string[];
}

/** A repository's files in memory: repository-relative `/`-separated path → bytes. */
export type Tree = ReadonlyMap<string, Buffer>;

/**
 * The tracked files of `top` read into memory (what copyTree would copy), or undefined when one
 * of them is a symbolic link: such a tree is built from a copy on disk, every time (buildFluxView).
 */
export function readTree(top: string, files: readonly string[]): Map<string, Buffer> | undefined {
  const tree = new Map<string, Buffer>();
  for (const f of files) {
    let stat: Stats;
    try {
      stat = lstatSync(join(top, f));
    } catch {
      continue; // listed but gone: the checkout is clean, so only a submodule path lands here
    }
    if (stat.isSymbolicLink()) return undefined;
    if (stat.isFile()) tree.set(f, readFileSync(join(top, f)));
  }
  return tree;
}

/** Builds by tree digest (treeDigest), oldest first; each a copy no caller holds. */
const builds = new Map<string, BuiltObject[]>();
const MAX_BUILDS = 64;

/**
 * Builds `rootInRepo` (repository-relative, `.` for the root) of the in-memory `tree` as
 * kustomize-controller would with `transforms`. The result is kept for the process by the digest
 * of the tree, the build root, the transforms and the kubectl: the same inputs are answered
 * without writing the tree to disk or running kubectl again. A failed build is not kept.
 */
export function buildTree(
  tree: Tree,
  rootInRepo: string,
  transforms: FluxTransforms,
  options: BuildOptions = {},
): BuiltObject[] {
  const kubectl = options.kubectl ?? 'kubectl';
  const digest = treeDigest(tree, [kubectl, rootInRepo, JSON.stringify(transformsOf(transforms))]);
  const cached = builds.get(digest);
  if (cached) return structuredClone(cached);
  const dir = mkdtempSync(join(tmpdir(), 'arcade-export-build-'));
  try {
    for (const [path, content] of tree) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    const built = buildFluxView(dir, rootInRepo, transforms, options);
    if (builds.size >= MAX_BUILDS) builds.delete(builds.keys().next().value as string);
    builds.set(digest, structuredClone(built));
    return built;
  } finally {
    removeTree(dir);
  }
}

/**
 * Only the transforms the build applies, in a fixed order (a Kustomization's other fields do not
 * change it). Every key of FluxTransforms is required here: a transform added there and not here
 * is a type error, never a build answered from the cache of another transform.
 */
function transformsOf(t: FluxTransforms): Record<keyof FluxTransforms, unknown> {
  return {
    targetNamespace: t.targetNamespace,
    patches: t.patches,
    components: t.components,
    patchesStrategicMerge: t.patchesStrategicMerge,
    patchesJson6902: t.patchesJson6902,
    images: t.images,
  };
}

/** sha256 over `salt` and every file of `tree` (path and bytes, in a fixed order). */
function treeDigest(tree: Tree, salt: readonly string[]): string {
  const hash = createHash('sha256');
  for (const s of salt) hash.update(`${s}\0`);
  for (const path of [...tree.keys()].sort()) {
    const content = tree.get(path) as Buffer;
    hash.update(`f\0${path}\0${content.length}\0`).update(content);
  }
  return hash.digest('hex');
}

/** Writes the plan into a copy of the tree. */
function applyPlan(dir: string, folder: string, plan: FolderPlan): void {
  for (const f of plan.removes) rmSync(join(dir, folder, f), { force: true });
  for (const [f, content] of plan.writes) {
    const to = join(dir, folder, f);
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, content);
  }
}

/** `tree` with the plan applied to `folder` (a new map: the tree is shared by both builds). */
function withPlan(tree: Tree, folder: string, plan: FolderPlan): Tree {
  const out = new Map(tree);
  for (const f of plan.removes) out.delete(posix.join(folder, f));
  for (const [f, content] of plan.writes) out.set(posix.join(folder, f), Buffer.from(content, 'utf8'));
  return out;
}

/**
 * One build of what `owner` applies: from the tracked files in memory (`tree`), or, when the
 * checkout holds a symbolic link (`tree` undefined), from a copy on disk, uncached.
 */
export function buildOwner(
  top: string,
  files: readonly string[],
  tree: Tree | undefined,
  owner: FluxOwner,
  kubectl: string | undefined,
  plan?: { folder: string; plan: FolderPlan },
): BuiltObject[] {
  const options = kubectl ? { kubectl } : {};
  if (tree) return buildTree(plan ? withPlan(tree, plan.folder, plan.plan) : tree, owner.path, owner, options);
  const dir = copyTree(top, files);
  try {
    if (plan) applyPlan(dir, plan.folder, plan.plan);
    return buildFluxView(dir, owner.path, owner, options);
  } finally {
    removeTree(dir);
  }
}
