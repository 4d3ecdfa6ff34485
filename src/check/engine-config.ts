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
import type { ValidateFunction } from 'ajv';
import { newAjv } from '../core/ajv.js';
import { UNRESOLVED_TEXT_PREFIX } from '../core/unresolved-text.js';
import { REPO_ROOT } from '../tooling/root.mjs';
import type { SchemaProblem } from './crd-validate.js';
import { MARK, reduceJunctions, SCHEMA_NAME, show, toProblem } from './engine-config-errors.js';
import { didYouMean } from './suggest.js';
import { isRecord } from '../core/is-record.js';

/** The vendored engine config schema (byte for byte as published; sha256 in contracts/SOURCES.md). */
export const ENGINE_CONFIG_SCHEMA = join(
  REPO_ROOT,
  'contracts',
  'arcade-engine',
  'arcade-engine-config-2.0.schema.json',
);

/** Where the stack renders engine configuration in the Arcade HelmRelease. */
export const EXTRA_CONFIG_VALUES_PATH = 'engine.extraConfig';

type Json = Record<string, unknown>;

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
    const name = match?.[1];
    const target = name !== undefined ? defs[name] : undefined;
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
