/**
 * The CRD schema cache the gate validates custom resources against: one JSON file per served
 * version, `<cache>/<group>/<Kind>/<version>.json`, holding that version's `openAPIV3Schema`.
 * Filled from CRD files (`npm run crds -- --from <dir|file>`) or from a cluster
 * (`--from-cluster`); git-ignored (`.cache/`). A schema that is not in the cache is never
 * assumed: the gate fails and says how to fill it.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../tooling/bundle.js';
import { isRecord, parseDocuments } from './manifests.js';
import { CommandError } from '../shared/command-error.js';

/** Default cache folder (git-ignored). */
export const DEFAULT_CRD_CACHE = join(REPO_ROOT, '.cache', 'crds');

/** The command that fills the cache from the CRD files CI uses. */
export const FILL_CACHE_COMMAND = 'npm run crds -- --from ../shared/crds';

export interface CachedSchema {
  readonly group: string;
  readonly kind: string;
  readonly version: string;
  readonly plural: string;
  readonly scope: string;
  /** Where the CRD came from (a file path, or `cluster <server>`). */
  readonly source: string;
  readonly openAPIV3Schema: Record<string, unknown>;
}

export class CrdError extends CommandError {}

/** The served versions of one CustomResourceDefinition object (any other object gives none). */
export function schemasOfCrd(value: unknown, source: string): CachedSchema[] {
  if (!isRecord(value) || value.kind !== 'CustomResourceDefinition') return [];
  if (value.apiVersion !== 'apiextensions.k8s.io/v1') {
    throw new CrdError(`${source}: CustomResourceDefinition ${String(value.apiVersion)} is not supported (fix: use an apiextensions.k8s.io/v1 CRD)`);
  }
  const spec = isRecord(value.spec) ? value.spec : {};
  const names = isRecord(spec.names) ? spec.names : {};
  const group = spec.group;
  const kind = names.kind;
  if (typeof group !== 'string' || typeof kind !== 'string') throw new CrdError(`${source}: CRD without spec.group or spec.names.kind`);
  const versions = Array.isArray(spec.versions) ? spec.versions : [];
  const out: CachedSchema[] = [];
  for (const v of versions) {
    if (!isRecord(v) || v.served !== true || typeof v.name !== 'string') continue;
    const schema = isRecord(v.schema) ? v.schema.openAPIV3Schema : undefined;
    if (!isRecord(schema)) throw new CrdError(`${source}: ${kind}.${group} ${v.name} is served without schema.openAPIV3Schema`);
    out.push({ group, kind, version: v.name, plural: String(names.plural ?? ''), scope: String(spec.scope ?? ''), source, openAPIV3Schema: schema });
  }
  return out;
}

function listFiles(path: string): string[] {
  if (!existsSync(path)) throw new CrdError(`${path} does not exist (fix: give a CRD file or a folder of CRD files)`);
  if (statSync(path).isFile()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? listFiles(join(path, e.name)) : /\.(ya?ml|json)$/.test(e.name) ? [join(path, e.name)] : []));
}

/** Reads every CRD in the given files or folders (YAML streams or JSON, other objects ignored). */
export function readCrdFiles(paths: readonly string[]): CachedSchema[] {
  const out: CachedSchema[] = [];
  for (const path of paths) {
    for (const file of listFiles(path)) {
      for (const doc of parseDocuments(readFileSync(file, 'utf8'))) {
        if (doc.problem?.startsWith('YAML syntax')) throw new CrdError(`${file}: ${doc.problem}`);
        out.push(...schemasOfCrd(doc.value, file));
      }
    }
  }
  return out;
}

function entryPath(cacheDir: string, group: string, kind: string, version: string): string {
  return join(cacheDir, group, kind, `${version}.json`);
}

/** Writes schemas into the cache (overwriting the same group/kind/version). Returns the paths. */
export function writeCache(cacheDir: string, schemas: readonly CachedSchema[]): string[] {
  return schemas.map((s) => {
    const path = entryPath(cacheDir, s.group, s.kind, s.version);
    mkdirSync(join(cacheDir, s.group, s.kind), { recursive: true });
    writeFileSync(path, `${JSON.stringify(s)}\n`);
    return path;
  });
}

/** The cached schema of `group/version` `kind`, or undefined. */
export function readCachedSchema(cacheDir: string, group: string, version: string, kind: string): CachedSchema | undefined {
  const path = entryPath(cacheDir, group, kind, version);
  if (!existsSync(path)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CrdError(`${path}: unreadable cached CRD schema: ${(err as Error).message} (fix: ${FILL_CACHE_COMMAND})`);
  }
  if (!isRecord(parsed) || !isRecord(parsed.openAPIV3Schema)) throw new CrdError(`${path}: not a cached CRD schema (fix: ${FILL_CACHE_COMMAND})`);
  return parsed as unknown as CachedSchema;
}

/** Every group/Kind/version in the cache. */
export function listCache(cacheDir: string): string[] {
  if (!existsSync(cacheDir)) return [];
  const out: string[] = [];
  for (const group of readdirSync(cacheDir).sort()) {
    const g = join(cacheDir, group);
    if (!statSync(g).isDirectory()) continue;
    for (const kind of readdirSync(g).sort()) {
      for (const file of readdirSync(join(g, kind)).sort()) {
        if (file.endsWith('.json')) out.push(`${group}/${file.slice(0, -5)} ${kind}`);
      }
    }
  }
  return out;
}
