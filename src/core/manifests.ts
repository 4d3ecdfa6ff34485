/**
 * Manifest sets as data: YAML streams parsed into Kubernetes objects, keyed by the identity
 * Kubernetes (and Flux's kustomize-controller) uses, kind + namespace + name.
 */
import { createHash } from 'node:crypto';
import { CommandError } from './command-error.js';
import { at } from './at.js';
import { yamlValues } from './yaml-input.js';

/**
 * A Kubernetes object: only the identity fields (and labels) are typed, the rest is JSON. The one
 * object type of the stack; where a meaning differs, a type derived from it says so by its name:
 * - `KubeObject`: a checked object, identity present (a manifest read from YAML, a dist/ file);
 * - `EditableKubeObject`: one a loopback stand-in or a test builds and changes in place;
 * - `UncheckedKubeObject`: one as an API server or a fixture gave it, before any check (the
 *   probes read it through total accessors, src/probes/cluster/objects.ts).
 */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly [key: string]: unknown;
  };
  readonly [key: string]: unknown;
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** A KubeObject whose fields and metadata may be changed in place: what a loopback stand-in stores and a test edits. */
export type EditableKubeObject = {
  -readonly [K in keyof KubeObject]: K extends 'metadata' ? Writable<KubeObject['metadata']> : KubeObject[K];
};

/** A KubeObject as an API server or a fixture gave it, before any check: no field is guaranteed, not even its type. */
export type UncheckedKubeObject = { readonly [K in keyof KubeObject]?: unknown };

/** One manifest file, its path relative to the set's root (e.g. `release.yaml`). */
export interface ManifestFile {
  readonly path: string;
  readonly content: string;
}

/** An object and the file it came from. */
export interface LocatedObject {
  readonly key: string;
  readonly file: string;
  readonly object: KubeObject;
}

/** `Kind namespace/name` (`Kind name` when cluster-scoped or namespace-less). */
export function objectKey(o: Pick<KubeObject, 'kind' | 'metadata'>): string {
  const ns = o.metadata.namespace;
  return ns ? `${o.kind} ${ns}/${o.metadata.name}` : `${o.kind} ${o.metadata.name}`;
}

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

function isKubeObject(value: unknown): value is KubeObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  const meta = v.metadata as Record<string, unknown> | undefined;
  return typeof v.apiVersion === 'string' && typeof v.kind === 'string' && typeof meta?.name === 'string';
}

/** The file listing a folder's manifests, as kustomize and Flux's kustomize-controller read it. */
export const KUSTOMIZATION_FILE = 'kustomization.yaml';
/** The apiVersion synth writes in it. */
export const KUSTOMIZE_API_VERSION = 'kustomize.config.k8s.io/v1beta1';

/** A kustomize `Kustomization` file is build configuration, not an object Flux applies. */
export function isKustomizeConfig(o: KubeObject | Record<string, unknown>): boolean {
  return typeof o.apiVersion === 'string' && o.apiVersion.startsWith('kustomize.config.k8s.io/');
}

/** A manifest folder that cannot be read as objects (a YAML error, an object defined twice). */
export class ManifestError extends CommandError {}

/** Objects parsed from a file's content, by that content, oldest first; each a copy no caller holds. */
const parsed = new Map<string, KubeObject[]>();
const MAX_PARSED = 256;

/**
 * Parses a YAML stream into the Kubernetes objects it holds. Empty documents and kustomize
 * configuration are skipped; a syntax error throws naming the file. The same content is parsed
 * once per process (an export reads its source files three times, the review both sides of every
 * unchanged file): callers get copies, and content that fails is parsed, and named, every time.
 */
export function parseManifest(content: string, file: string): KubeObject[] {
  const known = parsed.get(content);
  if (known) return structuredClone(known);
  const objects = parseObjects(content, file);
  if (parsed.size >= MAX_PARSED) parsed.delete(parsed.keys().next().value as string);
  parsed.set(content, structuredClone(objects));
  return objects;
}

function parseObjects(content: string, file: string): KubeObject[] {
  const objects: KubeObject[] = [];
  // The first problem (a syntax error, an alias bomb: src/core/yaml-input.ts) refuses the file.
  const values = yamlValues(content, {
    file,
    refuse: (problems) => new ManifestError(at(problems, 0, `${file}: not YAML`)),
    otherwise: 'move the file out of the folder',
  });
  for (const value of values) {
    if (value === null || value === undefined) continue;
    if (isKubeObject(value) && !isKustomizeConfig(value)) objects.push(value);
  }
  return objects;
}

/** Is this file one kustomize/Flux would read as manifests? */
export function isManifestPath(path: string): boolean {
  return /\.ya?ml$/i.test(path);
}

/** Every object of a set of files, keyed; a duplicate key throws naming both files. */
export function indexObjects(files: readonly ManifestFile[]): Map<string, LocatedObject> {
  const index = new Map<string, LocatedObject>();
  for (const f of files) {
    if (!isManifestPath(f.path)) continue;
    for (const object of parseManifest(f.content, f.path)) {
      const key = objectKey(object);
      const seen = index.get(key);
      if (seen)
        throw new ManifestError(`${key} is defined twice, in ${seen.file} and ${f.path} (fix: keep one definition)`);
      index.set(key, { key, file: f.path, object });
    }
  }
  return index;
}
