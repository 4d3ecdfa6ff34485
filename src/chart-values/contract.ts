/**
 * The chart-values contract: does each override path exist in the chart's default values
 * (`helm show values`) and in its `values.schema.json`? Helm silently ignores an unknown key, so
 * a path that exists in neither is an override that does nothing.
 */
import { ConfigurationError } from '../core/command-error.js';
import { formatPath, parsePath, type Segment } from '../core/values-path.js';
import { closestWithin } from '../core/edit-distance.js';
import { at, ends } from '../core/at.js';
import { isRecord } from '../core/is-record.js';

/**
 * A chart values or schema file given to check-values cannot be used: what the person gave is
 * wrong (exit 2, one line naming the file, where in it, and the fix; no stack trace).
 */
export class ChartValuesFileError extends ConfigurationError {}

/** The file name a schema problem is reported under when the caller gave none. */
const SCHEMA_FILE = 'values.schema.json';
const SCHEMA_FIX =
  "fix: give the chart's own values.schema.json, at the top of what helm pull <chart> --version <version> --untar unpacks, or leave out --schema";

export type PathStatus =
  /** The path exists (its leaf key is in the defaults / declared by the schema). */
  | { readonly kind: 'ok' }
  /** Below a free-form map or list (`{}`, `[]`, `null`, or a schema allowing any keys): cannot be checked deeper. */
  | { readonly kind: 'free-form'; readonly at: string }
  /** No such key: Helm would silently ignore the override. */
  | { readonly kind: 'missing'; readonly at: string; readonly hint?: string }
  /** The path descends into a scalar. */
  | { readonly kind: 'not-a-map'; readonly at: string; readonly found: string };

type Tree = unknown;

function typeName(v: Tree): string {
  return v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v;
}

/** Every path in a defaults tree (maps and leaves), for nearest-path hints. */
export function defaultPaths(tree: Tree, prefix: Segment[] = [], out: string[] = [], limit = 20_000): string[] {
  if (out.length >= limit) return out;
  if (isRecord(tree)) {
    for (const [k, v] of Object.entries(tree)) {
      const path = [...prefix, k];
      out.push(formatPath(path));
      defaultPaths(v, path, out, limit);
    }
  } else if (Array.isArray(tree) && tree.length > 0) {
    defaultPaths(tree[0], [...prefix, 0], out, limit);
  }
  return out;
}

/** The existing path closest to `path` (case-insensitive edit distance), if any is reasonably close. */
export function nearestPath(path: string, candidates: readonly string[]): string | undefined {
  return closestWithin(path, candidates, Math.max(3, Math.ceil(path.length / 3)));
}

/** Checks one override path against the chart's default values. */
export function checkAgainstDefaults(
  path: string,
  defaults: Tree,
  candidates: readonly string[] = defaultPaths(defaults),
): PathStatus {
  const segments = parsePath(path);
  let node: Tree = defaults;
  for (const [i, s] of segments.entries()) {
    const here = formatPath(segments.slice(0, i)) || '(top level)';
    if (
      node === null ||
      (isRecord(node) && Object.keys(node).length === 0) ||
      (Array.isArray(node) && node.length === 0)
    ) {
      return { kind: 'free-form', at: here };
    }
    if (typeof s === 'number') {
      if (!Array.isArray(node)) return { kind: 'not-a-map', at: here, found: typeName(node) };
      node = node[Math.min(s, node.length - 1)];
      continue;
    }
    if (!isRecord(node)) return { kind: 'not-a-map', at: here, found: typeName(node) };
    if (!Object.hasOwn(node, s)) {
      return { kind: 'missing', at: formatPath(segments.slice(0, i + 1)), hint: nearestPath(path, candidates) };
    }
    node = node[s];
  }
  return { kind: 'ok' };
}

/** A JSON schema node (only the keywords the walk reads are typed). */
export interface JsonSchema {
  readonly $ref?: string;
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchema | boolean>>;
  readonly patternProperties?: Readonly<Record<string, JsonSchema | boolean>>;
  readonly additionalProperties?: JsonSchema | boolean;
  readonly items?: JsonSchema | boolean | readonly (JsonSchema | boolean)[];
  readonly allOf?: readonly (JsonSchema | boolean)[];
  readonly anyOf?: readonly (JsonSchema | boolean)[];
  readonly oneOf?: readonly (JsonSchema | boolean)[];
  readonly [key: string]: unknown;
}

/** What a local `$ref` (`#/...`, a JSON pointer) points to; throws naming `where` when it points nowhere. */
function refTarget(root: JsonSchema, ref: string, where: string): JsonSchema | boolean {
  let target: unknown = root;
  for (const part of ref.slice(1).split('/').filter(Boolean)) {
    target = isRecord(target) ? target[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  }
  if (target === undefined) throw new ChartValuesFileError(`${where}: $ref ${ref} points nowhere (${SCHEMA_FIX})`);
  return target as JsonSchema | boolean;
}

/** A `patternProperties` key as the regular expression it must be; throws naming `where`. */
function patternOf(pattern: string, where: string): RegExp {
  try {
    return new RegExp(pattern, 'u');
  } catch (err) {
    throw new ChartValuesFileError(
      `${where}: patternProperties key ${JSON.stringify(pattern)} is not a regular expression (${(err as Error).message}) (${SCHEMA_FIX})`,
    );
  }
}

function resolveRef(root: JsonSchema, node: JsonSchema | boolean): JsonSchema | boolean {
  let current = node;
  for (let depth = 0; typeof current === 'object' && current.$ref && depth < 20; depth++) {
    const ref = current.$ref;
    if (!ref.startsWith('#')) return true; // remote refs cannot be followed offline: treat as free-form
    current = refTarget(root, ref, SCHEMA_FILE);
  }
  return current;
}

/** The keywords whose value is a map of schemas, a list of schemas, or one schema. */
const SCHEMA_MAPS = ['properties', 'patternProperties', '$defs', 'definitions'] as const;
const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf'] as const;

/**
 * Checks that the walk below can read all of `root`: every local `$ref` points somewhere, every
 * `patternProperties` key is a regular expression, and each keyword it reads has its shape (a map
 * of schemas, a list of schemas). Throws ChartValuesFileError naming `file`, the JSON pointer of
 * the node and the fix, so a broken schema is exit 2 with one line, before any path is checked.
 */
export function assertWalkableSchema(root: JsonSchema, file: string): void {
  const visit = (node: unknown, pointer: string): void => {
    if (typeof node === 'boolean') return;
    const where = `${file} at ${pointer || '/'}`;
    if (!isRecord(node))
      throw new ChartValuesFileError(
        `${where}: a schema is an object or a boolean, not a ${typeName(node)} (${SCHEMA_FIX})`,
      );
    const ref = node.$ref;
    if (ref !== undefined) {
      if (typeof ref !== 'string') throw new ChartValuesFileError(`${where}: $ref is not a string (${SCHEMA_FIX})`);
      if (ref.startsWith('#')) refTarget(root, ref, where);
    }
    for (const keyword of SCHEMA_MAPS) {
      const map = node[keyword];
      if (map === undefined) continue;
      if (!isRecord(map))
        throw new ChartValuesFileError(`${where}: ${keyword} is not a map of schemas (${SCHEMA_FIX})`);
      for (const [key, sub] of Object.entries(map)) {
        if (keyword === 'patternProperties') patternOf(key, where);
        visit(sub, `${pointer}/${keyword}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
      }
    }
    for (const keyword of SCHEMA_LISTS) {
      const list = node[keyword];
      if (list === undefined) continue;
      if (!Array.isArray(list))
        throw new ChartValuesFileError(`${where}: ${keyword} is not a list of schemas (${SCHEMA_FIX})`);
      for (const [i, sub] of list.entries()) visit(sub, `${pointer}/${keyword}/${i}`);
    }
    if (node.additionalProperties !== undefined) visit(node.additionalProperties, `${pointer}/additionalProperties`);
    const items = node.items;
    if (Array.isArray(items)) for (const [i, sub] of items.entries()) visit(sub, `${pointer}/items/${i}`);
    else if (items !== undefined) visit(items, `${pointer}/items`);
  };
  visit(root, '');
}

/** Every declared property path in a schema, for hints. */
export function schemaPaths(
  root: JsonSchema,
  node: JsonSchema | boolean = root,
  prefix: Segment[] = [],
  out: string[] = [],
  depth = 0,
): string[] {
  const n = resolveRef(root, node);
  if (typeof n !== 'object' || depth > 30) return out;
  for (const [k, v] of Object.entries(n.properties ?? {})) {
    out.push(formatPath([...prefix, k]));
    schemaPaths(root, v, [...prefix, k], out, depth + 1);
  }
  for (const sub of [...(n.allOf ?? []), ...(n.anyOf ?? []), ...(n.oneOf ?? [])])
    schemaPaths(root, sub, prefix, out, depth + 1);
  if (n.items && !Array.isArray(n.items))
    schemaPaths(root, n.items as JsonSchema | boolean, [...prefix, 0], out, depth + 1);
  return out;
}

function walkSchema(
  root: JsonSchema,
  node: JsonSchema | boolean,
  segments: readonly Segment[],
  i: number,
  path: string,
  candidates: readonly string[],
): PathStatus {
  const n = resolveRef(root, node);
  const here = formatPath(segments.slice(0, i)) || '(top level)';
  if (i === segments.length) return { kind: 'ok' };
  if (n === true) return { kind: 'free-form', at: here };
  if (n === false)
    return { kind: 'missing', at: formatPath(segments.slice(0, i + 1)), hint: nearestPath(path, candidates) };
  const combined = [...(n.allOf ?? []), ...(n.anyOf ?? []), ...(n.oneOf ?? [])];
  const own = { ...n, allOf: undefined, anyOf: undefined, oneOf: undefined };
  if (combined.length > 0) {
    const results = [own, ...combined].map((sub) => walkSchema(root, sub, segments, i, path, candidates));
    return (
      results.find((r) => r.kind === 'ok') ??
      results.find((r) => r.kind === 'free-form') ??
      results.find((r) => r.kind === 'missing' && n.properties) ??
      ends(results, 'schema branches').last
    );
  }
  const s = at(segments, i, 'path segment');
  const types = n.type === undefined ? [] : Array.isArray(n.type) ? n.type : [n.type];
  if (typeof s === 'number') {
    if (types.length > 0 && !types.includes('array')) return { kind: 'not-a-map', at: here, found: types.join('|') };
    if (n.items === undefined) return { kind: 'free-form', at: here };
    const item = Array.isArray(n.items) ? (n.items[s] ?? true) : n.items;
    return walkSchema(root, item as JsonSchema | boolean, segments, i + 1, path, candidates);
  }
  if (types.length > 0 && !types.includes('object')) return { kind: 'not-a-map', at: here, found: types.join('|') };
  const declared = n.properties?.[s];
  if (declared !== undefined) return walkSchema(root, declared, segments, i + 1, path, candidates);
  for (const [pattern, sub] of Object.entries(n.patternProperties ?? {})) {
    if (patternOf(pattern, SCHEMA_FILE).test(s)) return walkSchema(root, sub, segments, i + 1, path, candidates);
  }
  if (typeof n.additionalProperties === 'object')
    return walkSchema(root, n.additionalProperties, segments, i + 1, path, candidates);
  if (n.additionalProperties === false || n.properties) {
    return { kind: 'missing', at: formatPath(segments.slice(0, i + 1)), hint: nearestPath(path, candidates) };
  }
  return { kind: 'free-form', at: here };
}

/** Checks one override path against the chart's values.schema.json. */
export function checkAgainstSchema(
  path: string,
  schema: JsonSchema,
  candidates: readonly string[] = schemaPaths(schema),
): PathStatus {
  return walkSchema(schema, schema, parsePath(path), 0, path, candidates);
}
