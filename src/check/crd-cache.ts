/**
 * Where the gate finds the schemas of custom resources (`CrdSchemas`):
 * - by default the CRD files vendored in `contracts/crds/` (pinned upstream copies, listed with
 *   their provenance in contracts/SOURCES.md): a fresh clone validates with no cluster at hand;
 * - or a CRD schema cache, one JSON file per served version, `<cache>/<group>/<Kind>/<version>.json`,
 *   holding that version's `openAPIV3Schema`, filled by `npm run crds` from CRD files or from a
 *   cluster (`--from-cluster`: the versions the API server really serves); git-ignored (`.cache/`).
 * A schema that is not there is never assumed: the gate fails and says how to get it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  cacheLinkRefusal,
  cacheWriteRefusal,
  cachedEntry,
  CrdPathError,
  entryToWrite,
  markCache,
  writeEntry,
} from './crd-cache-paths.js';
import { FILL_CACHE_COMMAND, VENDORED_CRDS } from './crd-places.js';
import { badCrdNames } from './crd-names.js';
import { parseDocuments, type ManifestDocument } from './manifests.js';
import { CommandError, ConfigurationError } from '../core/command-error.js';
import { isRecord } from '../core/is-record.js';
import { printableLine } from '../core/printable.js';
import { yamlProblemLine } from '../core/yaml-input.js';

/** How to get a CRD the vendored contracts lack. */
export const VENDOR_CRD_FIX =
  'vendor the CRD file into contracts/crds with its row in contracts/SOURCES.md (or validate ' +
  'against the cluster: npm run crds -- --from-cluster, then npm run check -- --crd-cache .cache/crds)';

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

/** A CRD file that cannot be read as YAML or JSON (a syntax error, an alias bomb): bad input, exit 2. */
export class CrdInputError extends ConfigurationError {}

/**
 * The served versions of one CustomResourceDefinition object (any other object gives none).
 * `document` says which one it is in `source` (`document 2 (line 40)`), for the refusal of a name
 * the API server would refuse too (./crd-names.ts): those names become the cache's paths.
 */
export function schemasOfCrd(value: unknown, source: string, document?: string): CachedSchema[] {
  if (!isRecord(value) || value.kind !== 'CustomResourceDefinition') return [];
  if (value.apiVersion !== 'apiextensions.k8s.io/v1') {
    throw new CrdError(
      `${source}: CustomResourceDefinition ${String(value.apiVersion)} is not supported (fix: use an apiextensions.k8s.io/v1 CRD)`,
    );
  }
  const spec = isRecord(value.spec) ? value.spec : {};
  const names = isRecord(spec.names) ? spec.names : {};
  const group = spec.group;
  const kind = names.kind;
  if (typeof group !== 'string' || typeof kind !== 'string')
    throw new CrdError(`${source}: CRD without spec.group or spec.names.kind`);
  const versions = Array.isArray(spec.versions) ? spec.versions : [];
  const named = versions.flatMap((v, index) =>
    isRecord(v) && typeof v.name === 'string' ? [{ index, name: v.name }] : [],
  );
  const bad = badCrdNames(group, kind, named);
  if (bad.length > 0) {
    const where = [
      document,
      isRecord(value.metadata)
        ? `CustomResourceDefinition ${printableLine(JSON.stringify(value.metadata.name) ?? 'undefined', 200)}`
        : '',
    ]
      .filter(Boolean)
      .join(', ');
    throw new CrdError(
      `${source}${where ? ` (${where})` : ''}: ${bad
        .map(
          (b) =>
            `${b.field} ${printableLine(JSON.stringify(b.value) ?? 'undefined', 200)} ${b.problem} (fix: ${b.fix})`,
        )
        .join('; ')} (the API server refuses such a CRD too)`,
    );
  }
  const out: CachedSchema[] = [];
  for (const v of versions) {
    if (!isRecord(v) || v.served !== true || typeof v.name !== 'string') continue;
    const schema = isRecord(v.schema) ? v.schema.openAPIV3Schema : undefined;
    if (!isRecord(schema))
      throw new CrdError(`${source}: ${kind}.${group} ${v.name} is served without schema.openAPIV3Schema`);
    out.push({
      group,
      kind,
      version: v.name,
      plural: String(names.plural ?? ''),
      scope: String(spec.scope ?? ''),
      source,
      openAPIV3Schema: schema,
    });
  }
  return out;
}

function listFiles(path: string): string[] {
  if (!existsSync(path)) throw new CrdError(`${path} does not exist (fix: give a CRD file or a folder of CRD files)`);
  if (statSync(path).isFile()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) =>
      e.isDirectory() ? listFiles(join(path, e.name)) : /\.(ya?ml|json)$/.test(e.name) ? [join(path, e.name)] : [],
    );
}

/** One CRD file as read: its text and its documents. */
interface ReadCrdFile {
  readonly content: string;
  readonly documents: readonly ManifestDocument[];
}

/** The CRDs in the given files or folders, and each file as read (absolute path -> text and documents). */
function readCrds(paths: readonly string[]): { schemas: CachedSchema[]; files: Map<string, ReadCrdFile> } {
  const schemas: CachedSchema[] = [];
  const files = new Map<string, ReadCrdFile>();
  for (const path of paths) {
    for (const file of listFiles(path)) {
      const content = readFileSync(file, 'utf8');
      const documents = parseDocuments(content);
      for (const doc of documents) {
        // A YAML problem (parseDocuments sets `fix` for those only) refuses the file.
        const notYaml = yamlProblemLine(file, doc);
        if (notYaml !== undefined) throw new CrdInputError(notYaml);
        schemas.push(...schemasOfCrd(doc.value, file, `document ${doc.index + 1} (line ${doc.line})`));
      }
      files.set(resolve(file), { content, documents });
    }
  }
  return { schemas, files };
}

/** Reads every CRD in the given files or folders (YAML streams or JSON, other objects ignored). */
export function readCrdFiles(paths: readonly string[]): CachedSchema[] {
  return readCrds(paths).schemas;
}

/**
 * Writes schemas into the cache (overwriting the same group/kind/version), each file replaced
 * atomically. Every path is checked before the first is written, and each again as it is written
 * (./crd-cache-paths.ts: what that guards, and the window node leaves open). Returns the paths.
 */
export function writeCache(cacheDir: string, schemas: readonly CachedSchema[]): string[] {
  return cachePaths(() => {
    const refused = cacheLinkRefusal(cacheDir, 'folder') ?? cacheWriteRefusal(cacheDir, `the cache ${cacheDir}`);
    if (refused) throw new CrdPathError(refused);
    const entries = schemas.map((s) => ({ s, path: entryToWrite(cacheDir, s) }));
    markCache(cacheDir);
    for (const { s, path } of entries) writeEntry(cacheDir, s, path, `${JSON.stringify(s)}\n`);
    return entries.map((e) => e.path);
  });
}

/** What `run` returns, a refused cache path (CrdPathError) thrown as a CrdError. */
function cachePaths<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof CrdPathError) throw new CrdError(err.message);
    throw err;
  }
}

/**
 * The cached schema of `group/version` `kind` (from a manifest's apiVersion and kind), or undefined:
 * also for names no CRD can have. An entry whose real path lies outside the cache is refused
 * (./crd-cache-paths.ts).
 */
export function readCachedSchema(
  cacheDir: string,
  group: string,
  version: string,
  kind: string,
): CachedSchema | undefined {
  const path = cachePaths(() => cachedEntry(cacheDir, group, version, kind));
  if (path === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CrdError(`${path}: unreadable cached CRD schema: ${(err as Error).message} (fix: ${FILL_CACHE_COMMAND})`);
  }
  if (!isRecord(parsed) || !isRecord(parsed.openAPIV3Schema))
    throw new CrdError(`${path}: not a cached CRD schema (fix: ${FILL_CACHE_COMMAND})`);
  return parsed as unknown as CachedSchema;
}

/** Every group, Kind and version in the cache, sorted by group, then Kind, then version. */
function cacheEntries(cacheDir: string): { group: string; kind: string; version: string }[] {
  if (!existsSync(cacheDir) || !statSync(cacheDir).isDirectory()) return [];
  const out: { group: string; kind: string; version: string }[] = [];
  for (const group of readdirSync(cacheDir).sort()) {
    const g = join(cacheDir, group);
    if (!statSync(g).isDirectory()) continue;
    for (const kind of readdirSync(g).sort()) {
      // A stray file where a Kind's folder belongs (`<group>/x.json`) is no entry (it was ENOTDIR).
      if (!statSync(join(g, kind)).isDirectory()) continue;
      for (const file of readdirSync(join(g, kind)).sort()) {
        if (file.endsWith('.json')) out.push({ group, kind, version: file.slice(0, -5) });
      }
    }
  }
  return out;
}

/** Every group/Kind/version in the cache. */
export function listCache(cacheDir: string): string[] {
  return cacheEntries(cacheDir).map((e) => `${e.group}/${e.version} ${e.kind}`);
}

/** The schemas the gate validates custom resources against, wherever they come from. */
export interface CrdSchemas {
  /** Where they come from, for messages (`contracts/crds`, `the cache .cache/crds`). */
  readonly where: string;
  /** How to get a schema that is missing. */
  readonly fix: string;
  /** The schema of `group/version` `kind`, or undefined. */
  lookup(group: string, version: string, kind: string): CachedSchema | undefined;
  /** How many group/Kind/version schemas there are. */
  size(): number;
  /**
   * The documents of a file these schemas were read from, when `content` is still its text (the
   * gate's secret scan reads the vendored CRDs too: parsed once, not twice). @default none
   */
  documentsOf?(absolutePath: string, content: string): readonly ManifestDocument[] | undefined;
}

/** Schemas read from CRD files: the gate's reader, and the list of what it read. */
export interface CrdFileSchemas extends CrdSchemas {
  /**
   * Every group/Kind/version schema, in the order the files were read: what the tests' loopback
   * API server defaults custom resources with (vendoredCrds(), parsed once per process).
   */
  schemas(): readonly CachedSchema[];
}

/** Schemas read from CRD files or folders (read once, on first use). */
export function crdFileSchemas(paths: readonly string[], where: string, fix = VENDOR_CRD_FIX): CrdFileSchemas {
  let read: { index: Map<string, CachedSchema>; files: Map<string, ReadCrdFile> } | undefined;
  const all = () => {
    if (!read) {
      const { schemas, files } = readCrds(paths);
      read = { index: new Map(schemas.map((s) => [`${s.group}/${s.version}/${s.kind}`, s])), files };
    }
    return read;
  };
  return {
    where,
    fix,
    lookup: (group, version, kind) => all().index.get(`${group}/${version}/${kind}`),
    size: () => all().index.size,
    schemas: () => [...all().index.values()],
    documentsOf: (absolutePath, content) => {
      const file = all().files.get(resolve(absolutePath));
      return file?.content === content ? file.documents : undefined;
    },
  };
}

let vendored: CrdFileSchemas | undefined;

/**
 * The vendored CRDs in contracts/crds: the gate's default. One reader per process, so its files
 * are parsed once however many gates run (the suite runs eleven with it, in two workers: each
 * parse of the 250 kB of CRD YAML cost about 0.3 s of CPU); they are the repository's pinned
 * copies, which nothing changes while a process runs.
 */
export function vendoredCrds(): CrdFileSchemas {
  vendored ??= crdFileSchemas([VENDORED_CRDS], 'contracts/crds');
  return vendored;
}

/** Schemas from a cache folder filled by `npm run crds`. */
export function cachedCrds(cacheDir: string): CrdSchemas {
  return {
    where: `the cache ${cacheDir}`,
    fix: `fill it: ${FILL_CACHE_COMMAND} (or --from <the CRD file>) with --cache ${cacheDir}`,
    lookup: (group, version, kind) => readCachedSchema(cacheDir, group, version, kind),
    size: () => listCache(cacheDir).length,
  };
}
