/**
 * Which Flux Kustomizations apply the export's folder: the `kustomize.toolkit.fluxcd.io`
 * Kustomization objects defined in the repository whose `spec.path` is the folder or one of its
 * parents (k8s-backstage-v2 plausibly has one `apps` with `path: ./apps`, `prune: true`, and
 * `apps/kustomization.yaml` listing `arcade`). Whether one really applies the folder is decided
 * after its build: some object must come from a file in the folder (export's preview).
 *
 * When none is defined in the repository (it may live in a fleet repository), the export assumes
 * the worst case and says so: the topmost parent folder whose kustomization reaches the folder is
 * applied by a Kustomization with `prune: true`.
 */
import { readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { FluxTransforms } from './kustomize.js';
import { kustomizationFileIn, yamlText } from './kustomize.js';
import { isRecord } from '../core/is-record.js';
import { yamlDocuments } from '../core/yaml-input.js';

export interface FluxOwner extends FluxTransforms {
  /** `namespace/name` of the Flux Kustomization, or a description of the assumed one. */
  readonly ref: string;
  /** Repository file defining it (absent when assumed). */
  readonly file?: string;
  /** `spec.path`, repository-relative (`apps`; `.` for the root). */
  readonly path: string;
  /** `spec.prune`: whether Flux deletes what leaves the build. */
  readonly prune: boolean;
  /** Set when no Kustomization in the repository was found: why this one is assumed. */
  readonly assumed?: string;
  /** `spec.postBuild` is set: variables may be substituted after the build (not previewed). */
  readonly postBuild: boolean;
}

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (isRecord(v) ? v : {});

/** `./apps/` → `apps`; `` or `./` → `.`. */
export function normalizeFluxPath(path: unknown): string {
  const p = posix.normalize(typeof path === 'string' && path !== '' ? path : '.').replace(/\/+$/, '');
  return p === '' || p === './' ? '.' : p.replace(/^\.\//, '');
}

/** `a` is `b` or one of its parent folders (repository-relative, `.` is the root). */
export function covers(a: string, b: string): boolean {
  return a === '.' || a === b || b.startsWith(`${a}/`);
}

/** The Flux Kustomizations in the repository's tracked YAML files whose path covers `folder`. */
export function findOwners(top: string, files: readonly string[], folder: string): FluxOwner[] {
  const owners: FluxOwner[] = [];
  for (const file of files) {
    if (!/\.ya?ml$/.test(file)) continue;
    let text: string | undefined;
    try {
      if (statSync(join(top, file)).size > 2 * 1024 * 1024) continue;
      // As kustomize reads it (UTF-16 with a byte order mark included): kustomize-controller
      // applies a Kustomization defined in such a file.
      text = yamlText(readFileSync(join(top, file)));
    } catch {
      continue;
    }
    if (text === undefined || !text.includes('kustomize.toolkit.fluxcd.io')) continue;
    for (const doc of yamlDocuments(text)) {
      if (doc.problem !== undefined) continue;
      const o = rec(doc.value);
      if (
        o.kind !== 'Kustomization' ||
        typeof o.apiVersion !== 'string' ||
        !o.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/')
      )
        continue;
      const spec = rec(o.spec);
      const path = normalizeFluxPath(spec.path);
      if (!covers(path, folder)) continue;
      const meta = rec(o.metadata);
      const list = (v: unknown) => (Array.isArray(v) ? v : undefined);
      owners.push({
        ref: `${typeof meta.namespace === 'string' ? meta.namespace : '(no namespace)'}/${String(meta.name)}`,
        file,
        path,
        prune: spec.prune === true,
        postBuild: spec.postBuild !== undefined,
        ...(typeof spec.targetNamespace === 'string' && spec.targetNamespace !== ''
          ? { targetNamespace: spec.targetNamespace }
          : {}),
        ...(list(spec.patches) ? { patches: list(spec.patches) } : {}),
        ...(list(spec.components) ? { components: (spec.components as unknown[]).map(String) } : {}),
        ...(list(spec.patchesStrategicMerge) ? { patchesStrategicMerge: list(spec.patchesStrategicMerge) } : {}),
        ...(list(spec.patchesJson6902) ? { patchesJson6902: list(spec.patchesJson6902) } : {}),
        ...(list(spec.images) ? { images: list(spec.images) } : {}),
      });
    }
  }
  return owners.sort((a, b) => a.path.length - b.path.length || a.ref.localeCompare(b.ref));
}

/**
 * Does the kustomization file of `dir` list `child` (a direct sub-folder) as a resource? Read as
 * kustomize reads it (yamlText: UTF-16 with a byte order mark included); UTF-16 of an odd length,
 * which kustomize refuses to build, lists nothing.
 */
function lists(top: string, dir: string, child: string): boolean {
  const file = kustomizationFileIn(join(top, dir));
  const text = file === undefined ? undefined : yamlText(readFileSync(file));
  if (text === undefined) return false;
  for (const doc of yamlDocuments(text)) {
    const resources = rec(doc.value).resources;
    if (!Array.isArray(resources)) continue;
    if (
      resources.some((r) => typeof r === 'string' && posix.normalize(posix.join(dir, r)).replace(/\/+$/, '') === child)
    )
      return true;
  }
  return false;
}

/**
 * The worst case when the repository defines no owner: the topmost parent whose kustomization
 * file lists the way down to the folder, applied with `prune: true`.
 */
export function assumedOwner(top: string, folder: string): FluxOwner & { readonly assumed: string } {
  let path = folder;
  for (;;) {
    const parent = posix.dirname(path);
    if (parent === path || !lists(top, parent === '' ? '.' : parent, path)) break;
    path = parent === '' ? '.' : parent;
    if (path === '.') break;
  }
  return {
    ref: `(assumed) a Flux Kustomization with path ./${path === '.' ? '' : path}, prune: true`,
    path,
    prune: true,
    postBuild: false,
    assumed:
      `no Flux Kustomization in the repository has a spec.path covering ${folder} (it may live ` +
      `in another repository): the preview assumes the worst, ./${path === '.' ? '' : path} ` +
      `applied with prune: true; check what applies it with flux get kustomizations -A`,
  };
}
