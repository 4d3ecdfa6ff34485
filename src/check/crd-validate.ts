/**
 * Validates custom resources against their CRD's schema (from the cache) with ajv, after
 * `toStrictSchema` has made pruned (unknown) fields errors. Validators are compiled once per
 * group/version/kind and reused.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { type AjvInstance, newAjv, type RegExpEngine } from '../core/ajv.js';
import type { CachedSchema } from './crd-cache.js';
import { childPath, pointerToPath } from './finding.js';
import { toStrictSchema } from './structural.js';
import { didYouMean } from './suggest.js';

/** A schema problem before it is tied to a file and object. */
export interface SchemaProblem {
  readonly path: string;
  readonly rule: string;
  readonly message: string;
  readonly fix: string;
}

/** Formats Kubernetes' CRD validation knows that ajv-formats does not: accepted as given. */
const LENIENT_FORMATS = [
  'bsonobjectid',
  'cidr',
  'mac',
  'uuid3',
  'uuid4',
  'uuid5',
  'isbn',
  'isbn10',
  'isbn13',
  'creditcard',
  'ssn',
  'hexcolor',
  'rgbcolor',
  'datetime',
];
/** A Go duration (`time.ParseDuration`, plus strfmt's d and w), as Kubernetes' `format: duration`. */
const GO_DURATION = /^-?(\d+(\.\d+)?\s*(ns|us|µs|ms|s|m|h|d|w))+$|^0$/;

/**
 * A CRD's `pattern` is a Go regular expression (the API server validates with Go's regexp). Go
 * writes flags as a group, `(?i)`, which JavaScript refuses; a leading flag group (after an
 * optional `^`) becomes the JavaScript flag, e.g. prometheus-operator's
 * `partial_response_strategy: ^(?i)(abort|warn)?$`. Any other Go-only construct still fails to
 * compile, loudly.
 */
export const goRegExp: RegExpEngine = Object.assign(
  (pattern: string, flags: string) => {
    const lead = /^(\^?)\(\?([ims]+)\)/.exec(pattern);
    return lead
      ? new RegExp(`${lead[1]}${pattern.slice(lead[0].length)}`, `${flags}${lead[2]}`)
      : new RegExp(pattern, flags);
  },
  { code: 'goRegExp' },
);

let ajvPromise: Promise<AjvInstance> | undefined;

/** ajv with the formats of Kubernetes' CRD validation. */
async function ajv(): Promise<AjvInstance> {
  ajvPromise ??= newAjv({ regExp: goRegExp }).then((instance) => {
    for (const name of LENIENT_FORMATS) instance.addFormat(name, true);
    instance.addFormat('duration', GO_DURATION);
    return instance;
  });
  return ajvPromise;
}

interface Compiled {
  readonly validate: Promise<ValidateFunction>;
  readonly celRules: number;
}

const compiled = new Map<string, Compiled>();

/** The strict schema of a CRD version, converted and compiled once per group/version/kind. */
function compile(schema: CachedSchema): Compiled {
  const key = `${schema.source}|${schema.group}/${schema.version}/${schema.kind}`;
  let c = compiled.get(key);
  if (!c) {
    const strict = toStrictSchema(schema.openAPIV3Schema);
    c = { validate: ajv().then((a) => a.compile(strict.schema)), celRules: strict.celRules };
    compiled.set(key, c);
  }
  return c;
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function durationHint(pattern: string): string {
  return /\(ms\|s\|m\|h\)|\(ns\|us/.test(pattern) ? ' (a Go duration such as 30s, 10m or 1h)' : '';
}

function toProblem(err: ErrorObject, kind: string): SchemaProblem {
  const path = pointerToPath(err.instancePath);
  switch (err.keyword) {
    case 'additionalProperties': {
      const field = String((err.params as { additionalProperty: string }).additionalProperty);
      const parent = err.parentSchema as { properties?: Record<string, unknown> } | undefined;
      const allowed = Object.keys(parent?.properties ?? {});
      return {
        path: childPath(path, field),
        rule: 'schema.unknown-field',
        message: `unknown field "${field}"${didYouMean(field, allowed)}: the ${kind} schema does not declare it and the API server would drop it silently`,
        fix:
          allowed.length > 0
            ? `remove it or use one of: ${allowed.join(', ')}`
            : 'remove it: this object takes no fields here',
      };
    }
    case 'required': {
      const field = String((err.params as { missingProperty: string }).missingProperty);
      return {
        path: childPath(path, field),
        rule: 'schema.required',
        message: `required field "${field}" is missing`,
        fix: `set ${childPath(path, field)}`,
      };
    }
    case 'enum': {
      const allowed = (err.params as { allowedValues: unknown[] }).allowedValues;
      return {
        path,
        rule: 'schema.enum',
        message: `${show(err.data)} is not allowed`,
        fix: `use one of: ${allowed.map((a) => show(a)).join(', ')}`,
      };
    }
    case 'pattern': {
      const pattern = String((err.params as { pattern: string }).pattern);
      return {
        path,
        rule: 'schema.pattern',
        message: `${show(err.data)} does not match ${pattern}${durationHint(pattern)}`,
        fix: `give a value matching ${pattern}${durationHint(pattern)}`,
      };
    }
    case 'anyOf':
      return {
        path,
        rule: 'schema.type',
        message: `${show(err.data)} matches none of the allowed forms (e.g. an integer or a string)`,
        fix: 'give a value of an allowed type',
      };
    case 'type':
      return {
        path,
        rule: 'schema.type',
        message: `${show(err.data)} ${err.message ?? 'has the wrong type'}`,
        fix: `give a value of type ${String((err.params as { type: unknown }).type)}`,
      };
    case 'format':
      return {
        path,
        rule: 'schema.format',
        message: `${show(err.data)} is not a valid ${String((err.params as { format: string }).format)}`,
        fix: `give a valid ${String((err.params as { format: string }).format)}`,
      };
    default:
      return {
        path,
        rule: 'schema.invalid',
        message: `${show(err.data)} ${err.message ?? 'is invalid'} (${err.keyword})`,
        fix: 'correct the value to satisfy the CRD schema',
      };
  }
}

/**
 * Drops errors that only restate another one: branch errors under an `anyOf`/`oneOf` that is
 * itself reported at the same place.
 */
function collapse(errors: readonly ErrorObject[]): ErrorObject[] {
  const junctions = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  return errors.filter((e) => {
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf') return true;
    return !junctions.some(
      (j) => e.instancePath.startsWith(j.instancePath) && e.schemaPath.startsWith(`${j.schemaPath}/`),
    );
  });
}

/** Validates one object against its cached CRD schema; returns the problems (none when valid). */
export async function validateCustomResource(
  object: Record<string, unknown>,
  schema: CachedSchema,
): Promise<SchemaProblem[]> {
  const validate = await compile(schema).validate;
  if (validate(object)) return [];
  const seen = new Set<string>();
  const out: SchemaProblem[] = [];
  for (const err of collapse(validate.errors ?? [])) {
    const p = toProblem(err, schema.kind);
    const key = `${p.path}|${p.rule}|${p.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(p);
    }
  }
  return out;
}

/** How many CEL rules of the schema were not evaluated (listed in the report's notes). */
export function celRuleCount(schema: CachedSchema): number {
  return compile(schema).celRules;
}
