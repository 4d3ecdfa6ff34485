/**
 * One `kubectl kustomize` per distinct build in a process. An export builds what a Flux
 * Kustomization applies before and after its change (./preview.ts, ./kustomize.ts); the tracked
 * files are read into memory once per export (readTree), the change is applied to that copy in
 * memory, and each build is kept by the digest of its inputs: every file of the tree the build
 * can read (buildInputs: path and bytes), whether the build root exists, the build root, the
 * Kustomization's transforms and the kubectl. A build of the same inputs is answered from memory
 * without writing the tree to disk or running kubectl again (an export that changes nothing; a
 * second export, whose tree differs from the first one's only by the ownership record no
 * kustomization names; the tests, which export the same few fixtures dozens of times); callers
 * get copies. A checkout holding a symbolic link is written to disk and built every time (the link
 * may lead out of the tree, to content the digest does not cover), and so is a failed build. With
 * ARCADE_KUSTOMIZE_CACHE set, builds are kept on disk too, for other processes (./build-store.ts).
 *
 * The export's plan is applied in one place, in memory (withPlan), links included: a planned file
 * replaces a link at its path and is never written through it (a link on its way is refused
 * before: target.ts blockedOnTheWay). The copy on disk is that tree written out (writeCheckout),
 * files first, then the links that remain, so nothing is ever written through a link: a plan once
 * written into a copy on disk followed a link at a planned path, and overwrote the file it led
 * to, outside the copy, during a preview.
 */
import { createHash } from 'node:crypto';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  type Stats,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { parseAllDocuments, visit } from 'yaml';
import { lookUp } from './build-store.js';
import type { FluxOwner } from './flux-owners.js';
import {
  type BuildOptions,
  type BuiltObject,
  buildFluxView,
  type FluxTransforms,
  KUSTOMIZATION_FILES,
  removeTree,
  startsUtf16,
} from './kustomize.js';

/** What the export changes in the folder: files written (relative to it) and files removed. */
export interface FolderPlan {
  readonly writes: ReadonlyMap<string, string>;
  readonly removes: readonly string[];
}

/** A repository's files in memory: repository-relative `/`-separated path → bytes. */
export type Tree = ReadonlyMap<string, Buffer>;

/** A checkout's tracked files in memory: its files (path → bytes) and its symbolic links (path → where each leads). */
export interface Checkout {
  readonly files: Tree;
  readonly links: ReadonlyMap<string, string>;
}

/** The tracked files of `top` read into memory, links as links (their target as written, never followed). */
export function readCheckout(top: string, files: readonly string[]): Checkout {
  const tree = new Map<string, Buffer>();
  const links = new Map<string, string>();
  for (const f of files) {
    let stat: Stats;
    try {
      stat = lstatSync(join(top, f));
    } catch {
      // Listed but not on disk: a path a sparse checkout leaves out, or one removed since the
      // listing. (A submodule is a folder: lstat finds it, and it is skipped below.)
      continue;
    }
    if (stat.isSymbolicLink()) links.set(f, readlinkSync(join(top, f)));
    else if (stat.isFile()) tree.set(f, readFileSync(join(top, f)));
  }
  return { files: tree, links };
}

/**
 * The checkout written into a new temporary folder: its files, then its links (git tracks no file
 * below a link, withPlan leaves none at a planned path, and the export refuses a plan with a link
 * on the way before it builds: so none is written through one).
 */
function writeCheckout({ files, links }: Checkout): string {
  const dir = mkdtempSync(join(tmpdir(), 'arcade-export-build-'));
  try {
    for (const [path, content] of files) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    for (const [path, target] of links) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      symlinkSync(target, join(dir, path));
    }
    return dir;
  } catch (err) {
    removeTree(dir);
    throw err;
  }
}

/**
 * Builds `rootInRepo` (repository-relative, `.` for the root) of the in-memory `tree` as
 * kustomize-controller would with `transforms`, kept by buildKey (./build-store.ts): in memory for
 * the process, and on disk across processes when ARCADE_KUSTOMIZE_CACHE names a folder. The same
 * inputs are answered without writing the tree to disk or running kubectl again. A failed or
 * interrupted build throws, and is kept nowhere.
 */
export async function buildTree(
  tree: Tree,
  rootInRepo: string,
  transforms: FluxTransforms,
  options: BuildOptions = {},
): Promise<BuiltObject[]> {
  const kubectl = options.kubectl ?? 'kubectl';
  const { kept, keep } = lookUp(buildKey(tree, rootInRepo, transforms, kubectl), kubectl);
  if (kept) return kept;
  const dir = writeCheckout({ files: tree, links: new Map() });
  try {
    const built = await buildFluxView(dir, rootInRepo, transforms, options);
    keep(built);
    return built;
  } finally {
    removeTree(dir);
  }
}

/**
 * What a build is kept by: the sha256 of the files of `tree` the build can read (buildInputs:
 * path and bytes), whether the build root exists, the build root, the transforms and the kubectl.
 */
export function buildKey(tree: Tree, rootInRepo: string, transforms: FluxTransforms, kubectl: string): string {
  const applied = transformsOf(transforms);
  const root = posix.normalize(rootInRepo).replace(/\/+$/, '');
  const rootDir = root === '.' || root === '' ? '' : `${root}/`;
  const rootExists = [...tree.keys()].some((path) => path.startsWith(rootDir));
  return treeDigest(tree, buildInputs(tree, rootDir, applied), [
    kubectl,
    rootInRepo,
    JSON.stringify(applied),
    rootExists ? 'root' : 'no root',
  ]);
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

/** sha256 over `salt` and the files `paths` of `tree` (path and bytes, in a fixed order). */
function treeDigest(tree: Tree, paths: readonly string[], salt: readonly string[]): string {
  const hash = createHash('sha256');
  for (const s of salt) hash.update(`${s}\0`);
  for (const path of [...paths].sort()) {
    const content = tree.get(path) as Buffer;
    hash.update(`f\0${path}\0${content.length}\0`).update(content);
  }
  return hash.digest('hex');
}

const KUSTOMIZATION_NAMES = new Set<string>(KUSTOMIZATION_FILES.map((n) => n.toLowerCase()));

/**
 * The files of `tree` a build at `rootDir` (`''` or `apps/arcade/`) can read: the cache key
 * covers these, path and bytes. kustomize as `kubectl kustomize` runs it (no plugins, no Helm, no
 * KRM functions: none of `--enable-*` is passed) opens only
 * 1. kustomization files (`kustomization.yaml`, `kustomization.yml`, `Kustomization`);
 * 2. at a root without one, the YAML files the generated one lists (./kustomize.ts prepareRoot:
 *    every `.yaml`/`.yml` below the root);
 * 3. files a configuration it reads names by path: resources, components, patches, the
 *    generators' files and envs, crds, configurations, openapi, replacements, generator and
 *    transformer configs (which may name further files).
 * A file whose name no file of the tree and no transform mentions cannot be named by any of them,
 * so it is no input: e.g. a README, or the export's own ownership record, which differs between a
 * first export and the next. "Mentions" over-approximates: the name compared without case (a
 * case-insensitive file system opens `Readme.md` for `README.md`) as a substring of any file's
 * bytes, or of any string a file holds once parsed as YAML (escapes like `"\x52EADME.md"`,
 * folded lines and `!!binary` decoded); a name that is not plain ASCII is always an input.
 */
function buildInputs(tree: Tree, rootDir: string, transforms: unknown): string[] {
  const paths = [...tree.keys()];
  const generated = !paths.some((p) => p.startsWith(rootDir) && KUSTOMIZATION_NAMES.has(p.slice(rootDir.length)));
  const always = (path: string, name: string) =>
    KUSTOMIZATION_NAMES.has(name) ||
    !/^[\x20-\x7e]*$/.test(name) ||
    (generated && path.startsWith(rootDir) && /\.ya?ml$/i.test(name));
  const candidates = paths.filter((path) => !always(path, posix.basename(path).toLowerCase()));
  if (candidates.length === 0) return paths;
  // A file in UTF-16 (a byte order mark: kustomize's YAML reader, go-yaml v3, decodes it) cannot
  // be searched as UTF-8 text: every file is then an input.
  const contents = paths.map((path) => tree.get(path) as Buffer);
  if (contents.some(startsUtf16)) return paths;
  const raw = [
    ...contents.map((c) => c.toString('utf8').toLowerCase()),
    stringsOf(transforms).join('\0').toLowerCase(),
  ];
  // Spelled otherwise than as itself, a name needs a YAML escape or a binary scalar (a backslash,
  // `binary`, a `%TAG` shorthand in the file), or, when it holds a space or a quote, a folded line
  // or a doubled quote: only such files are read as YAML, each content once per process.
  const escaping = contents.filter((_, i) => /\\|binary|%tag/.test(raw[i] as string));
  const mentioned = (name: string): boolean =>
    raw.some((text) => text.includes(name)) ||
    (/[ ']/.test(name) ? contents : escaping).some((c) => parsedStrings(c).includes(name));
  const unread = new Set(candidates.filter((path) => !mentioned(posix.basename(path).toLowerCase())));
  return paths.filter((path) => !unread.has(path));
}

/** Every string in `value` (the transforms: keys and values). */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).flatMap(([k, v]) => [k, ...stringsOf(v)]);
  return [];
}

/** Every scalar of a file read as YAML (keys included, binary decoded), lower case, by content. */
const parsedOf = new WeakMap<Buffer, string>();
function parsedStrings(content: Buffer): string {
  const known = parsedOf.get(content);
  if (known !== undefined) return known;
  const out: string[] = [];
  for (const doc of parseAllDocuments(content.toString('utf8'))) {
    visit(doc, {
      Scalar(_, node) {
        const v: unknown = node.value;
        if (typeof v === 'string') out.push(v);
        else if (v instanceof Uint8Array) out.push(Buffer.from(v).toString('utf8'));
      },
    });
  }
  const text = out.join('\0').toLowerCase();
  parsedOf.set(content, text);
  return text;
}

/**
 * The checkout with the plan applied to `folder` (new maps: the checkout is shared by both builds),
 * the one place a plan is applied: a removed path goes, file or link; a written file replaces a
 * link at its path (as the file would in git's tree), so it is never written through a link that
 * may lead out of the copy. A link, or a file, on the way to a planned path never gets here:
 * the export refuses the plan first (target.ts blockedOnTheWay).
 */
function withPlan(checkout: Checkout, folder: string, plan: FolderPlan): Checkout {
  const files = new Map(checkout.files);
  const links = new Map(checkout.links);
  for (const f of plan.removes) {
    files.delete(posix.join(folder, f));
    links.delete(posix.join(folder, f));
  }
  for (const [f, content] of plan.writes) {
    const path = posix.join(folder, f);
    files.set(path, Buffer.from(content, 'utf8'));
    links.delete(path);
  }
  return { files, links };
}

/**
 * One build of what `owner` applies, with `plan` applied (withPlan) when given: from memory, kept
 * by its inputs (buildTree), or, when a symbolic link remains, from the checkout written to disk,
 * every time (the link may lead to content the key does not cover).
 */
export async function buildOwner(
  checkout: Checkout,
  owner: FluxOwner,
  options: Pick<BuildOptions, 'kubectl' | 'signal'>,
  plan?: { folder: string; plan: FolderPlan },
): Promise<BuiltObject[]> {
  const planned = plan ? withPlan(checkout, plan.folder, plan.plan) : checkout;
  if (planned.links.size === 0) return buildTree(planned.files, owner.path, owner, options);
  const dir = writeCheckout(planned);
  try {
    return await buildFluxView(dir, owner.path, owner, options);
  } finally {
    removeTree(dir);
  }
}
