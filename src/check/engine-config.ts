/**
 * The engine configuration the stack renders (`spec.values.engine.extraConfig` of the Arcade
 * HelmRelease), checked section by section against the vendored engine config schema 2.0
 * (`contracts/arcade-engine/arcade-engine-config-2.0.schema.json`, ArcadeAI/schemas, MIT; see
 * contracts/SOURCES.md). Helm passes `extraConfig` to the engine without looking at it, so a
 * mistake here reaches the engine unseen: only this check stands between a typo and a broken pod.
 *
 * - Every top-level key of `extraConfig` (`cache`, `llm`, `security`, `storage`, ...) is validated
 *   against `properties.<key>` of the schema. The root's `required` list is not applied: the chart
 *   merges `extraConfig` into the configuration it renders itself.
 * - A key the schema does not define is an error (`engine-config.unknown-section`). The schema
 *   itself allows it (`additionalProperties: true` at its root); refusing it is our rule.
 * - An `<unresolved: ...>` value stands for a value nobody has confirmed yet: it satisfies any
 *   value schema (the gate lists it as an `unresolved.value` warning), while the structure around
 *   it is still checked (a missing required field beside it, an unknown key next to it).
 * - Of the alternatives of a `oneOf`/`anyOf`, only the one that fits best (fewest errors) is
 *   reported; when several fit equally badly, the junction is reported with each alternative.
 * - Messages are the schema validator's own (ajv, from the schema's keywords), with the field's
 *   `description` from the schema where it has one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { newAjv } from '../shared/ajv.js';
import { UNRESOLVED_TEXT_PREFIX } from '../shared/unresolved-text.js';
import { REPO_ROOT } from '../tooling/bundle.js';
import type { SchemaProblem } from './crd-validate.js';
import { childPath, pointerToPath } from './finding.js';
import { isRecord } from './manifests.js';
import { didYouMean } from './suggest.js';

/** The vendored engine config schema (byte for byte as published; sha256 in contracts/SOURCES.md). */
export const ENGINE_CONFIG_SCHEMA = join(
  REPO_ROOT,
  'contracts',
  'arcade-engine',
  'arcade-engine-config-2.0.schema.json',
);

/** Where the stack renders engine configuration in the Arcade HelmRelease. */
export const EXTRA_CONFIG_VALUES_PATH = 'engine.extraConfig';

/** What the report calls the schema. */
const SCHEMA_NAME = 'engine config schema 2.0';

type Json = Record<string, unknown>;

/** Marks the wrappers `prepare` adds, so their own errors can be told from the schema's. */
const MARK = 'arcade-stack: an <unresolved: ...> value satisfies any value schema';
const UNRESOLVED_VALUE: Json = {
  type: 'string',
  pattern: UNRESOLVED_TEXT_PREFIX.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
};

/** Keywords whose value is one schema or a list of schemas applying to the same place. */
const SAME_PLACE = new Set(['allOf', 'anyOf', 'oneOf', 'not', 'if', 'then', 'else']);
/** Keywords whose value is a map of schemas, each for a child. */
const CHILD_MAPS = new Set(['properties', 'patternProperties']);
/** Keywords whose value is a schema (or a list) for children. */
const CHILD_SCHEMAS = new Set(['additionalProperties', 'items', 'additionalItems', 'contains', 'propertyNames']);

/** `{ if: <unresolved marker>, then: true, else: schema }`: a marker passes, anything else meets `schema`. */
function acceptUnresolved(schema: unknown): unknown {
  if (!isRecord(schema)) return schema;
  // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then/else keywords (draft 7), a schema object and never awaited
  return { $comment: MARK, if: UNRESOLVED_VALUE, then: true, else: schema };
}

/**
 * The schema as ajv checks it here: local `$ref`s inlined (so every error's schema path says
 * where in the schema it comes from, which the `oneOf` reduction needs) and every child schema
 * wrapped by `acceptUnresolved`.
 */
function prepare(node: unknown, defs: Json, depth: number): unknown {
  if (depth > 50)
    throw new Error(`${SCHEMA_NAME}: $ref nesting deeper than 50 (a recursive schema is not supported here)`);
  if (Array.isArray(node)) return node.map((n) => prepare(n, defs, depth));
  if (!isRecord(node)) return node;
  if (typeof node.$ref === 'string') {
    const match = /^#\/\$defs\/([^/]+)$/.exec(node.$ref);
    const target = match ? defs[match[1]!] : undefined;
    if (target === undefined) throw new Error(`${SCHEMA_NAME}: unsupported or unknown $ref ${node.$ref}`);
    const { $ref: _ref, ...siblings } = node;
    const inlined = prepare(target, defs, depth + 1);
    return Object.keys(siblings).length === 0 ? inlined : { allOf: [inlined, prepare(siblings, defs, depth)] };
  }
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$defs' || key === '$schema') continue;
    if (CHILD_MAPS.has(key) && isRecord(value)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([k, v]) => [k, acceptUnresolved(prepare(v, defs, depth))]),
      );
    } else if (CHILD_SCHEMAS.has(key)) {
      out[key] = Array.isArray(value)
        ? value.map((v) => acceptUnresolved(prepare(v, defs, depth)))
        : acceptUnresolved(prepare(value, defs, depth));
    } else if (SAME_PLACE.has(key)) {
      out[key] = prepare(value, defs, depth);
    } else {
      out[key] = value;
    }
  }
  return out;
}

interface Compiled {
  /** The section names the schema defines (`properties` of its root). */
  readonly names: readonly string[];
  /** The validator of one section, compiled on first use. */
  validator(name: string): Promise<ValidateFunction>;
}

const compiledBySchema = new Map<string, Compiled>();

function compile(schemaFile: string): Compiled {
  const known = compiledBySchema.get(schemaFile);
  if (known) return known;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(schemaFile, 'utf8'));
  } catch (err) {
    throw new Error(
      `${schemaFile}: cannot read the ${SCHEMA_NAME}: ${(err as Error).message} (fix: restore it from contracts/SOURCES.md)`,
    );
  }
  if (!isRecord(raw) || !isRecord(raw.properties))
    throw new Error(`${schemaFile}: not the ${SCHEMA_NAME} (no root properties)`);
  const properties = raw.properties;
  const defs = isRecord(raw.$defs) ? raw.$defs : {};
  const ajv = newAjv();
  const validators = new Map<string, Promise<ValidateFunction>>();
  const compiled: Compiled = {
    names: Object.keys(properties),
    validator(name) {
      let v = validators.get(name);
      if (!v) {
        const prepared = prepare(properties[name], defs, 0) as Json;
        v = ajv.then((a) => a.compile(prepared));
        validators.set(name, v);
      }
      return v;
    },
  };
  compiledBySchema.set(schemaFile, compiled);
  return compiled;
}

function isWrapperError(e: ErrorObject): boolean {
  return e.keyword === 'if' && isRecord(e.parentSchema) && e.parentSchema.$comment === MARK;
}

function isJunction(e: ErrorObject): boolean {
  return e.keyword === 'oneOf' || e.keyword === 'anyOf';
}

/** The alternative (`<junction schema path>/<index>/...`) an error comes from, or undefined. */
function branchOf(e: ErrorObject, junction: ErrorObject): string | undefined {
  const prefix = `${junction.schemaPath}/`;
  if (e === junction || !e.schemaPath.startsWith(prefix) || !e.instancePath.startsWith(junction.instancePath))
    return undefined;
  return e.schemaPath.slice(prefix.length).split('/')[0];
}

interface Reduced {
  readonly errors: ErrorObject[];
  /** For junctions kept because no single alternative fits best: each alternative's first message. */
  readonly alternatives: Map<ErrorObject, string[]>;
}

/**
 * Keeps, for every `oneOf`/`anyOf` that failed, only the errors of its best alternative (the one
 * with the fewest errors) and drops the junction itself; on a tie the junction stays, with the
 * alternatives' messages, and their errors go. Innermost junctions first, so an outer choice
 * counts the errors that remain.
 */
function reduceJunctions(all: readonly ErrorObject[]): Reduced {
  let errors = all.filter((e) => !isWrapperError(e));
  const alternatives = new Map<ErrorObject, string[]>();
  const junctions = errors.filter(isJunction).sort((a, b) => b.schemaPath.length - a.schemaPath.length);
  for (const junction of junctions) {
    if (!errors.includes(junction)) continue;
    const branches = new Map<string, ErrorObject[]>();
    for (const e of errors) {
      const branch = branchOf(e, junction);
      if (branch !== undefined) branches.set(branch, [...(branches.get(branch) ?? []), e]);
    }
    const dropped = new Set([...branches.values()].flat());
    // A oneOf that several alternatives satisfy: no alternative is wrong, the junction is the finding.
    const passing = (junction.params as { passingSchemas?: unknown }).passingSchemas;
    if (branches.size === 0 || Array.isArray(passing)) {
      errors = errors.filter((e) => !dropped.has(e));
      continue;
    }
    const fewest = Math.min(...[...branches.values()].map((b) => b.length));
    const best = [...branches.values()].filter((b) => b.length === fewest);
    if (best.length === 1) {
      for (const e of best[0]!) dropped.delete(e);
      dropped.add(junction);
    } else {
      alternatives.set(
        junction,
        [...branches.values()].map((b) => describeError(b[0]!)),
      );
    }
    errors = errors.filter((e) => !dropped.has(e));
  }
  return { errors, alternatives };
}

/** A schema node without our wrapper around it. */
function unwrap(schema: unknown): Json | undefined {
  if (!isRecord(schema)) return undefined;
  return schema.$comment === MARK && isRecord(schema.else) ? schema.else : schema;
}

function description(schema: unknown): string | undefined {
  const d = unwrap(schema)?.description;
  return typeof d === 'string' && d !== '' ? d : undefined;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** ajv's message with the detail its params carry. */
function describeError(e: ErrorObject): string {
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return `${e.message ?? 'must NOT have additional properties'}: "${String(params.additionalProperty)}"`;
    case 'enum':
      return `${e.message ?? 'must be equal to one of the allowed values'}: ${(params.allowedValues as unknown[]).map(show).join(', ')}`;
    default:
      return e.message ?? `fails ${e.keyword}`;
  }
}

/** `section` + a path inside it: `llm` + `models[0]` = `llm.models[0]`. */
function under(section: string, path: string): string {
  return path === '' ? section : `${section}${path.startsWith('[') ? '' : '.'}${path}`;
}

function toProblem(section: string, e: ErrorObject, alternatives: readonly string[] | undefined): SchemaProblem {
  const path = under(section, pointerToPath(e.instancePath));
  const params = e.params as Record<string, unknown>;
  const own = describeError(e);
  switch (e.keyword) {
    case 'required': {
      const field = String(params.missingProperty);
      const parent = unwrap(e.parentSchema);
      const about = description(isRecord(parent?.properties) ? parent.properties[field] : undefined);
      return {
        path: childPath(path, field),
        rule: 'engine-config.required',
        message: `${own}${about ? ` (${field}: "${about}")` : ''}`,
        fix: `set ${childPath(path, field)} (${SCHEMA_NAME})`,
      };
    }
    case 'additionalProperties': {
      const field = String(params.additionalProperty);
      const parent = unwrap(e.parentSchema);
      const allowed = Object.keys(isRecord(parent?.properties) ? parent.properties : {});
      return {
        path: childPath(path, field),
        rule: 'engine-config.unknown-field',
        message: `${own}${didYouMean(field, allowed)}: the ${SCHEMA_NAME} does not declare it here`,
        fix:
          allowed.length > 0
            ? `remove it or use one of: ${allowed.join(', ')}`
            : 'remove it: this object takes no fields',
      };
    }
    case 'oneOf':
    case 'anyOf':
      return {
        path,
        rule: 'engine-config.one-of',
        message: `${show(e.data)} ${own}${alternatives && alternatives.length > 0 ? ` (the alternatives: ${alternatives.join('; ')})` : ''}`,
        fix: `give exactly one of the forms the ${SCHEMA_NAME} allows at ${path}`,
      };
    default: {
      const about = description(e.parentSchema);
      const rule = ['type', 'format', 'pattern', 'enum'].includes(e.keyword)
        ? `engine-config.${e.keyword}`
        : 'engine-config.invalid';
      return {
        path,
        rule,
        message: `${show(e.data)} ${own}${about ? ` (${about})` : ''}`,
        fix: `give a value the ${SCHEMA_NAME} accepts at ${path}`,
      };
    }
  }
}

export interface EngineConfigOptions {
  /** @default ENGINE_CONFIG_SCHEMA (the vendored schema) */
  readonly schemaFile?: string;
}

/**
 * Validates an `extraConfig` tree. Problem paths are relative to it (`llm.models[0].openai.api_key`).
 * Throws when the schema itself cannot be read (the gate reports that as a failure, never a pass).
 */
export async function validateEngineConfig(
  extraConfig: unknown,
  options: EngineConfigOptions = {},
): Promise<SchemaProblem[]> {
  if (!isRecord(extraConfig)) {
    return [
      {
        path: '',
        rule: 'engine-config.type',
        message: `${show(extraConfig)} is not a map of engine config sections`,
        fix: 'give engine.extraConfig as a map (cache, llm, security, storage, ...)',
      },
    ];
  }
  const schema = compile(options.schemaFile ?? ENGINE_CONFIG_SCHEMA);
  const out: SchemaProblem[] = [];
  for (const [name, value] of Object.entries(extraConfig)) {
    if (!schema.names.includes(name)) {
      out.push({
        path: name,
        rule: 'engine-config.unknown-section',
        message: `the ${SCHEMA_NAME} defines no section "${name}"${didYouMean(name, schema.names)}: nothing in the engine is documented to read it`,
        fix: `remove it or use one of: ${schema.names.join(', ')}`,
      });
      continue;
    }
    const validate = await schema.validator(name);
    if (validate(value)) continue;
    const { errors, alternatives } = reduceJunctions(validate.errors ?? []);
    const seen = new Set<string>();
    for (const e of errors) {
      const problem = toProblem(name, e, alternatives.get(e));
      const key = `${problem.path}|${problem.rule}|${problem.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(problem);
    }
  }
  return out;
}

/** What a HelmRelease renders into the engine's configuration. */
export interface RenderedEngineConfig {
  /** `spec.values.engine.extraConfig` as written inline. */
  readonly config: unknown;
  /** `valuesFrom` target paths under `engine.extraConfig`: set from a Secret or ConfigMap at deploy time, not checkable here. */
  readonly fromReferences: readonly string[];
}

/** The engine config a HelmRelease renders, or undefined when it renders none (not the Arcade release). */
export function renderedEngineConfig(object: {
  readonly kind: string;
  readonly spec?: unknown;
}): RenderedEngineConfig | undefined {
  if (object.kind !== 'HelmRelease' || !isRecord(object.spec)) return undefined;
  const values = isRecord(object.spec.values) ? object.spec.values : {};
  const engine = isRecord(values.engine) ? values.engine : {};
  const from = Array.isArray(object.spec.valuesFrom) ? object.spec.valuesFrom : [];
  const fromReferences = from
    .map((entry) => (isRecord(entry) && typeof entry.targetPath === 'string' ? entry.targetPath : ''))
    .filter((path) => path === EXTRA_CONFIG_VALUES_PATH || path.startsWith(`${EXTRA_CONFIG_VALUES_PATH}.`));
  if (!('extraConfig' in engine) && fromReferences.length === 0) return undefined;
  return { config: engine.extraConfig, fromReferences };
}
