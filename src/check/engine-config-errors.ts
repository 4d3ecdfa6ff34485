/**
 * How the engine config check (engine-config.ts) turns ajv's errors into problems a person can
 * act on: of a failed `oneOf`/`anyOf` only the best-fitting alternative's errors are kept (or, on a
 * tie, the junction with each alternative's first message); errors of our own `<unresolved: ...>`
 * wrappers are dropped; each message carries ajv's detail, the field's `description` from the
 * schema, a nearest-name hint for an unknown field, and a fix.
 */
import type { ErrorObject } from 'ajv';
import type { SchemaProblem } from './crd-validate.js';
import { childPath, pointerToPath } from './finding.js';
import { didYouMean } from './suggest.js';
import { at } from '../core/at.js';
import { isRecord } from '../core/is-record.js';

/** What the report calls the schema. */
export const SCHEMA_NAME = 'engine config schema 2.0';

/** Marks the wrappers engine-config.ts adds around value schemas, so their own errors can be told from the schema's. */
export const MARK = 'arcade-stack: an <unresolved: ...> value satisfies any value schema';

type Json = Record<string, unknown>;

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
export function reduceJunctions(all: readonly ErrorObject[]): Reduced {
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
    const [only, ...tied] = best;
    if (only && tied.length === 0) {
      for (const e of only) dropped.delete(e);
      dropped.add(junction);
    } else {
      alternatives.set(
        junction,
        [...branches.values()].map((b) => describeError(at(b, 0, 'error of the branch'))),
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

/** A value for a message, cut at 80 characters. */
export function show(value: unknown): string {
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

/** One readable problem for an ajv error of section `section` (a top-level key of extraConfig). */
export function toProblem(section: string, e: ErrorObject, alternatives: readonly string[] | undefined): SchemaProblem {
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
