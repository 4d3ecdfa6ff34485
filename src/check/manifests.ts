/**
 * Reads what the gate checks: every environment folder under dist/, every YAML document in it,
 * with the line it starts on. Documents that are not Kubernetes objects are kept (as `object:
 * undefined` plus a problem) so the gate can report them instead of skipping them silently.
 *
 * The object type and its identity are the ones diff, export and drift use
 * (`src/core/manifests.ts`); this file adds what only the gate needs: line numbers, and the
 * documents `parseManifest` skips, each with the reason it is not an object.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isManifestPath, type KubeObject } from '../core/manifests.js';
import type { ObjectRef } from './finding.js';
import { isRecord } from '../core/is-record.js';
import { isWithin, realPath, statOf } from '../core/path-within.mjs';
import { yamlDocuments } from '../core/yaml-input.js';

/** The one object type (diff/export/drift's), re-exported for readers of dist/ through this file. */
export type { KubeObject };

export interface ManifestDocument {
  /** 0-based index of the document in its file. */
  readonly index: number;
  /** 1-based line where the document starts. */
  readonly line: number;
  /** The object, when the document is one. */
  readonly object?: KubeObject;
  /** Why the document is not a usable object (YAML error, missing kind/name...). */
  readonly problem?: string;
  /** What to do about a YAML problem (the yaml reader's fix), when the document is not YAML at all. */
  readonly fix?: string;
  /** The raw parsed value (for secret scanning of non-object documents). */
  readonly value: unknown;
}

export interface ManifestFile {
  /** Path as reported in findings (relative to the repository root when under it). */
  readonly file: string;
  /** Absolute path. */
  readonly absolute: string;
  readonly content: string;
  readonly documents: readonly ManifestDocument[];
}

export interface EnvironmentFolder {
  readonly name: string;
  readonly dir: string;
  /** Every file in the folder (names only), kustomization.yaml included. */
  readonly entries: readonly string[];
  /** The YAML files, parsed (never one that `linksOutside` names). */
  readonly files: readonly ManifestFile[];
  /**
   * Entries that are symbolic links leading outside the dist folder (`.`: the environment folder
   * itself), with the real path each leads to: never read (flux.link-outside).
   */
  readonly linksOutside: readonly { readonly entry: string; readonly target: string }[];
}

export function refOf(o: KubeObject): ObjectRef {
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    name: o.metadata.name,
    ...(typeof o.metadata.namespace === 'string' ? { namespace: o.metadata.namespace } : {}),
  };
}

function toObject(value: unknown): { object?: KubeObject; problem?: string } {
  if (value === null || value === undefined) return { problem: 'empty document' };
  if (!isRecord(value)) return { problem: 'document is not a mapping' };
  const missing = ['apiVersion', 'kind'].filter((k) => typeof value[k] !== 'string' || value[k] === '');
  const meta = value.metadata;
  if (!isRecord(meta) || typeof meta.name !== 'string' || meta.name === '') missing.push('metadata.name');
  if (missing.length > 0) return { problem: `missing ${missing.join(', ')}` };
  return { object: value as KubeObject };
}

/** Parses one YAML stream into documents (never throws on bad YAML: it becomes a problem, src/core/yaml-input.ts). */
export function parseDocuments(content: string): ManifestDocument[] {
  const out: ManifestDocument[] = [];
  for (const doc of yamlDocuments(content)) {
    const { index, line } = doc;
    if (doc.problem !== undefined) {
      out.push({ index, line, value: undefined, problem: doc.problem, fix: doc.fix });
      continue;
    }
    const value = doc.value;
    if (value === null || value === undefined) continue; // empty document (e.g. trailing ---)
    out.push({ index, line, value, ...toObject(value) });
  }
  return out;
}

export function readManifestFile(absolute: string, root: string): ManifestFile {
  const content = readFileSync(absolute, 'utf8');
  const file = isWithin(root, absolute) ? relative(root, absolute) : absolute;
  return { file, absolute, content, documents: parseDocuments(content) };
}

/**
 * Every environment folder in `distDir` (sorted), with its YAML files parsed. A folder or file that
 * is a symbolic link leading outside `distDir` (by real paths: path-within's realPath) is not read,
 * and is named in `linksOutside`: synth writes plain files, and a link to a file elsewhere would
 * have the gate pass what it never reviewed (session 16: with --skip-kustomize, nothing refused it).
 */
export function loadDist(distDir: string, root: string): EnvironmentFolder[] {
  const real = realPath(distDir).path;
  // A link that cannot be followed (a loop: `ln -s loop loop`, ELOOP; EACCES) leads to nothing
  // reviewed either: it is named as leading outside, with the error code, and not read.
  const outside = (path: string) => {
    let target: string;
    try {
      target = realPath(path).path;
    } catch (err) {
      return `nothing it can be followed to (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
    }
    return isWithin(real, target) ? undefined : target;
  };
  // A name of dist/ that cannot be followed (a link to itself) is listed too: outside() names it, one
  // finding (flux.link-outside), where its stat threw and stopped the gate until session 17.
  const folderOrUnfollowable = (path: string) => {
    try {
      return statOf(path)?.isDirectory() === true;
    } catch {
      return true;
    }
  };
  return readdirSync(distDir)
    .filter((name) => folderOrUnfollowable(join(distDir, name)))
    .sort()
    .map((name) => {
      const dir = join(distDir, name);
      const away = outside(dir);
      if (away !== undefined)
        return { name, dir, entries: [], files: [], linksOutside: [{ entry: '.', target: away }] };
      const entries = readdirSync(dir).sort();
      const linksOutside = entries.flatMap((entry) => {
        const target = outside(join(dir, entry));
        return target === undefined ? [] : [{ entry, target }];
      });
      const files = entries
        .filter((f) => !linksOutside.some((l) => l.entry === f))
        .filter((f) => isManifestPath(f) && statOf(join(dir, f))?.isFile())
        .map((f) => readManifestFile(join(dir, f), root));
      return { name, dir, entries, files, linksOutside };
    });
}
