/**
 * What Flux applies, built the way kustomize-controller builds it, with kustomize's own code
 * (`kubectl kustomize`, whose kustomize is the library kustomize-controller links):
 *
 * 1. the tree is the repository's tracked files (Flux applies the git tree, never untracked or
 *    ignored files), written into a temporary folder so the checkout is never touched;
 * 2. at the Kustomization's `spec.path`, a missing kustomization file is generated the way
 *    fluxcd/pkg `kustomize/kustomize_generator.go` does (`scanManifests`: every `.yaml`/`.yml`
 *    file below, and a sub-folder holding a kustomization file as one resource, not descended);
 * 3. the Flux Kustomization's own transforms are written into that root kustomization file as the
 *    generator does (`targetNamespace` → `namespace`, then `patches`, `components`,
 *    `patchesStrategicMerge`, `patchesJson6902`, `images`); an existing one is read as kustomize
 *    reads it (UTF-16 with a byte order mark included: yamlText) and written back in UTF-8, and
 *    one that is not a map is refused naming the file (never replaced by the transforms alone);
 * 4. `buildMetadata: [originAnnotations]` is added so every object names the file it came from
 *    (`config.kubernetes.io/origin`); the annotation is read and removed from the result;
 * 5. `kubectl kustomize --load-restrictor LoadRestrictionsNone` (kustomize-controller builds
 *    without the root-only load restriction: fluxcd/pkg `kustomize.Build`).
 *
 * Each build is kept for the process by its tree's content (./build-cache.ts): never built twice.
 *
 * Post-build variable substitution (`spec.postBuild`) is not applied: its values may live in the
 * cluster. Export refuses to read an identity that still holds `${...}` after the build.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, posix } from 'node:path';
import { stringify } from 'yaml';
import { describeChildFailure } from '../core/child-failure.js';
import { git } from '../core/git.js';
import { isRecord } from '../core/is-record.js';
import { yamlDocuments, yamlValue } from '../core/yaml-input.js';
import { isWithin, realPath } from '../core/path-within.mjs';
import type { KubeObject } from '../core/manifests.js';
import { withoutRepositoryLocation } from '../core/git-location.js';
import { runProgram } from '../core/run-program.js';

/** The file names kustomize recognizes, in its order (kustomize `konfig.RecognizedKustomizationFileNames`). */
export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;

/** Annotation kustomize writes with `buildMetadata: [originAnnotations]`. */
const ORIGIN = 'config.kubernetes.io/origin';

/** kubectl is not installed: nothing can be previewed. */
export class KubectlMissing extends Error {
  constructor(readonly kubectl: string) {
    super(`${kubectl} not found on PATH`);
    this.name = 'KubectlMissing';
  }
}

/**
 * The build of `path` failed: why it cannot run (`kubectl kustomize <path> failed: <reason>`), or,
 * when kubectl ran, how it failed, told whole (`ran`: describeChildFailure's message). `side`: which
 * of the preview's two builds it was (./preview.ts), told first (`after the export, kubectl
 * kustomize apps/arcade failed (exit 1): ...`): the repository as it is, or with the export's change.
 */
export class KustomizeFailed extends Error {
  constructor(
    readonly path: string,
    reason: string,
    ran = false,
    readonly side?: 'before' | 'after',
  ) {
    const told = ran ? reason : `kubectl kustomize ${path} failed: ${reason}`;
    super(side === undefined ? told : `${side} the export, ${told}`);
    this.name = 'KustomizeFailed';
  }
}

/** An object as Flux applies it, and the repository file it comes from. */
export interface BuiltObject {
  readonly object: KubeObject;
  /** Repository-relative path of the file (`apps/arcade/namespace.yaml`), when kustomize named one. */
  readonly origin?: string;
}

/** The transforms of a Flux Kustomization the build applies (its `spec`). */
export interface FluxTransforms {
  readonly targetNamespace?: string;
  readonly patches?: readonly unknown[];
  readonly components?: readonly string[];
  readonly patchesStrategicMerge?: readonly unknown[];
  readonly patchesJson6902?: readonly unknown[];
  readonly images?: readonly unknown[];
}

export function kustomizationFileIn(dir: string): string | undefined {
  for (const name of KUSTOMIZATION_FILES) {
    const file = join(dir, name);
    if (existsSync(file) && statSync(file).isFile()) return file;
  }
  return undefined;
}

/**
 * The tracked files of a checkout, repository-relative (`git ls-files`: what Flux's source holds).
 * `signal` may kill it: it only reads the index, and takes no lock.
 */
export async function trackedFiles(top: string, signal?: AbortSignal): Promise<string[]> {
  return (await git(top, ['ls-files', '-z', '--cached'], signal ? { signal } : {})).split('\0').filter(Boolean);
}

export function removeTree(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** fluxcd/pkg `scanManifests`: YAML files below `root`, and sub-folders with a kustomization file (not descended). */
function scanManifests(root: string, dir = root): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (kustomizationFileIn(full))
        out.push(`./${posix.relative(root.split('\\').join('/'), full.split('\\').join('/'))}`);
      else out.push(...scanManifests(root, full));
    } else if (/\.ya?ml$/.test(entry.name)) {
      out.push(`./${posix.relative(root.split('\\').join('/'), full.split('\\').join('/'))}`);
    }
  }
  return out;
}

/** Whether `bytes` start with a UTF-16 byte order mark (either order). */
export function startsUtf16(bytes: Uint8Array): boolean {
  return (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
}

/**
 * A YAML file's text as kustomize reads it: its YAML reader, go-yaml, takes a UTF-16 byte order
 * mark (either order) for UTF-16 and anything else for UTF-8 (go-yaml `readerc.go`,
 * `yaml_parser_determine_encoding`; `kubectl kustomize` builds a root kustomization in UTF-16 with
 * a mark, and refuses one without: "control characters are not allowed"). Undefined for UTF-16 of
 * an odd length (go-yaml: "incomplete UTF-16 character sequence").
 */
export function yamlText(bytes: Buffer): string | undefined {
  if (!startsUtf16(bytes)) return bytes.toString('utf8');
  if (bytes.length % 2 !== 0) return undefined;
  const body = Buffer.from(bytes.subarray(2));
  return (bytes[0] === 0xfe ? body.swap16() : body).toString('utf16le');
}

/**
 * The root kustomization as a map, read as kustomize reads it (yamlText); an empty one (no
 * document, or only comments) is an empty map. Anything else that is not a map throws
 * KustomizeFailed naming the file and the fix (not YAML, or more than one document: the yaml
 * reader's line, ../core/yaml-input.ts): writing the transforms over it would silently drop what it lists.
 */
function readRootKustomization(file: string, fileInRepo: string, rootInRepo: string): Record<string, unknown> {
  const refuse = (why: string) =>
    new KustomizeFailed(
      rootInRepo,
      `${fileInRepo} ${why} (fix: write it as a YAML map in UTF-8, or in UTF-16 with a byte order mark, as kustomize reads it)`,
    );
  const text = yamlText(readFileSync(file));
  if (text === undefined) throw refuse('is UTF-16 of an odd length: its last character is cut');
  const parsed = yamlValue(text, { file: fileInRepo, refuse: (p) => new KustomizeFailed(rootInRepo, p.join('; ')) });
  if (parsed === null) return {};
  if (!isRecord(parsed))
    throw refuse(
      `is not a kustomization: its YAML is ${Array.isArray(parsed) ? 'a list' : `a ${typeof parsed}`}, not a map`,
    );
  return parsed;
}

/** Writes the Flux Kustomization's transforms and the origin annotations into the root kustomization. */
function prepareRoot(root: string, rootInRepo: string, transforms: FluxTransforms): void {
  let file = kustomizationFileIn(root);
  let k: Record<string, unknown>;
  if (!file) {
    file = join(root, 'kustomization.yaml');
    k = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: scanManifests(root) };
  } else {
    k = readRootKustomization(file, posix.join(rootInRepo, basename(file)), rootInRepo);
  }
  const append = (key: string, items: readonly unknown[] | undefined) => {
    if (!items || items.length === 0) return;
    k[key] = [...(Array.isArray(k[key]) ? (k[key] as unknown[]) : []), ...items];
  };
  if (transforms.targetNamespace) k.namespace = transforms.targetNamespace;
  append('patches', transforms.patches);
  append('components', transforms.components);
  append('patchesStrategicMerge', transforms.patchesStrategicMerge);
  append('patchesJson6902', transforms.patchesJson6902);
  append('images', transforms.images);
  const metadata = Array.isArray(k.buildMetadata) ? (k.buildMetadata as unknown[]) : [];
  if (!metadata.includes('originAnnotations')) k.buildMetadata = [...metadata, 'originAnnotations'];
  // Written as a file of the copy: a symbolic link there (which may lead out of the copy, and was
  // read through above, as kustomize reads it) is replaced, never written through.
  rmSync(file, { force: true });
  writeFileSync(file, stringify(k));
}

/** The file an origin annotation names, repository-relative (`path`, or the generator's `configuredIn`). */
function originOf(annotation: unknown, rootInRepo: string): string | undefined {
  if (typeof annotation !== 'string') return undefined;
  const o = yamlDocuments(annotation)[0]?.value;
  if (typeof o !== 'object' || o === null) return undefined;
  const rec = o as Record<string, unknown>;
  if (typeof rec.repo === 'string') return undefined; // a remote base: not in this repository
  const path =
    typeof rec.path === 'string' ? rec.path : typeof rec.configuredIn === 'string' ? rec.configuredIn : undefined;
  return path === undefined ? undefined : posix.normalize(posix.join(rootInRepo, path));
}

export interface BuildOptions {
  /** @default 'kubectl' */
  readonly kubectl?: string;
  /** @default 60000 */
  readonly timeoutMs?: number;
  /** Aborted (an interrupted export): kubectl is killed at once, with SIGKILL as at its timeout. @default never aborted */
  readonly signal?: AbortSignal;
}

/**
 * Builds `rootInRepo` (repository-relative, `.` for the root) in the tree on disk `dir` (which it
 * modifies: a copy written by ./build-cache.ts), as kustomize-controller would with
 * `transforms`. Not cached: a tree on disk may hold symbolic links leading out of it.
 */
export async function buildFluxView(
  dir: string,
  rootInRepo: string,
  transforms: FluxTransforms,
  options: BuildOptions = {},
): Promise<BuiltObject[]> {
  const root = join(dir, rootInRepo);
  if (!existsSync(root) || !statSync(root).isDirectory())
    throw new KustomizeFailed(rootInRepo, `${rootInRepo} is not a folder of the repository`);
  // The root kustomization is written into the build root: a root reached through a symbolic
  // link leading out of the copy would have it written outside the copy, so it is refused.
  // The real paths are the kernel's (../core/path-within.mjs): a link whose target climbs out with
  // `..` after another link is followed as the write would follow it.
  const real = realPath(root).path;
  if (!isWithin(realPath(dir).path, real))
    throw new KustomizeFailed(
      rootInRepo,
      `${rootInRepo} leads out of the repository through a symbolic link (fix: point spec.path at a folder of the repository)`,
    );
  prepareRoot(real, rootInRepo, transforms); // written where it was checked
  return kustomize(options.kubectl ?? 'kubectl', dir, root, rootInRepo, options);
}

/** The most a build may print: every object of the tree, as YAML. */
const MAX_OUTPUT = 256 * 1024 * 1024;

/**
 * `kubectl kustomize` of the prepared `root`, its objects with their origin read and removed. A
 * failure names the build root, how kubectl ended and its last lines (describeChildFailure), the
 * temporary folder left out of them.
 */
async function kustomize(
  kubectl: string,
  dir: string,
  root: string,
  rootInRepo: string,
  { timeoutMs = 60_000, signal }: BuildOptions,
): Promise<BuiltObject[]> {
  // As git and helm (src/core/run-program.ts): SIGKILL at its timeout or `signal`'s abort. No GIT_DIR
  // and the like (core/git-location.ts): they would point the git that clones a URL base elsewhere.
  const run = await runProgram(kubectl, ['kustomize', '--load-restrictor', 'LoadRestrictionsNone', root], {
    env: withoutRepositoryLocation(process.env),
    timeoutMs,
    maxBuffer: MAX_OUTPUT,
    encoding: 'utf8',
    ...(signal ? { signal } : {}),
  });
  if (run.error?.code === 'ENOENT') throw new KubectlMissing(kubectl);
  if (run.error) {
    const command = {
      command: `kubectl kustomize ${rootInRepo}`,
      program: kubectl,
      timeoutMs,
      maxBuffer: MAX_OUTPUT,
      timeoutFix:
        `a resource or base a kustomization names by URL may not answer: build it with kubectl kustomize ${rootInRepo} ` +
        'in the checkout to see where it waits, or copy what it fetches into the repository',
    };
    const stderr = run.stderr.split(`${dir}/`).join('');
    throw new KustomizeFailed(rootInRepo, describeChildFailure(command, { error: run.error, stderr }), true);
  }
  const out: BuiltObject[] = [];
  for (const doc of yamlDocuments(run.stdout)) {
    // Unreadable output fails the build, never skipped: an object missing from it would prune unseen.
    const { problem, value } = doc;
    if (problem !== undefined) throw new KustomizeFailed(rootInRepo, `its output cannot be read as YAML: ${problem}`);
    if (typeof value !== 'object' || value === null) continue;
    const o = value as KubeObject & { metadata: { annotations?: Record<string, string> } };
    const annotations = { ...(o.metadata.annotations ?? {}) };
    const origin = originOf(annotations[ORIGIN], rootInRepo);
    delete annotations[ORIGIN];
    const { annotations: _dropped, ...metadata } = o.metadata;
    const object = { ...o, metadata: Object.keys(annotations).length > 0 ? { ...metadata, annotations } : metadata };
    out.push(origin === undefined ? { object } : { object, origin });
  }
  return out;
}
