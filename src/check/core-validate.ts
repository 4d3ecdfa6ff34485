/**
 * Validates built-in Kubernetes kinds (Deployment, Service, ConfigMap, PodDisruptionBudget,
 * NetworkPolicy, ...) in two passes:
 *
 * 1. the `kubernetes-models` validator of the kind (types, enums, required fields), loaded
 *    lazily per kind because the package is large;
 * 2. unknown-field detection, which those validators do not do (their generated schemas have no
 *    `additionalProperties: false`): every field is looked up in the typed model metadata of
 *    `@kubernetes/client-node` (generated from the Kubernetes 1.34 OpenAPI), type by type.
 *
 * The second pass is also the ObjectMeta check for custom resources (`checkTypes: true`).
 */
import type { SchemaProblem } from './crd-validate.js';
import { valueAt } from '../core/values-path.js';
import { childPath, pointerSegments, pointerToPath } from './finding.js';
import { didYouMean } from './suggest.js';
import { at } from '../core/at.js';
import { isRecord } from '../core/is-record.js';

interface Attribute {
  readonly name: string;
  readonly baseName: string;
  readonly type: string;
}

type Models = Readonly<Record<string, unknown>>;
let modelsPromise: Promise<Models> | undefined;

async function models(): Promise<Models> {
  // The package's public entry exports every generated model class (with its attributeTypeMap).
  modelsPromise ??= import('@kubernetes/client-node').then((m) => m as unknown as Models);
  return modelsPromise;
}

function attributesOf(all: Models, typeName: string): readonly Attribute[] | undefined {
  const cls = all[typeName];
  if (typeof cls !== 'function') return undefined;
  const map = (cls as { attributeTypeMap?: unknown }).attributeTypeMap;
  return Array.isArray(map) ? (map as Attribute[]) : undefined;
}

/** Whether the API group is one of Kubernetes' own (core, `apps`, `*.k8s.io`, ...). */
export function isBuiltinGroup(group: string): boolean {
  return group === '' || !group.includes('.') || group.endsWith('.k8s.io');
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.lastIndexOf('/');
  return i < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** client-node model name of a kind: `apps/v1` Deployment -> `V1Deployment`. */
function modelName(all: Models, apiVersion: string, kind: string): string | undefined {
  const { group, version } = splitApiVersion(apiVersion);
  const v = version.charAt(0).toUpperCase() + version.slice(1);
  const prefix =
    group === '' ? 'Core' : at(group.split('.'), 0, 'API group label').replace(/^./, (c) => c.toUpperCase());
  return [`${v}${kind}`, `${prefix}${v}${kind}`].find((n) => attributesOf(all, n) !== undefined);
}

const PRIMITIVE: Readonly<Record<string, (v: unknown) => boolean>> = {
  string: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number',
  boolean: (v) => typeof v === 'boolean',
  Date: (v) => typeof v === 'string' || v instanceof Date,
  V1MicroTime: (v) => typeof v === 'string' || v instanceof Date,
  IntOrString: (v) => typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v)),
  any: () => true,
  object: () => true,
};

function walk(
  all: Models,
  value: unknown,
  type: string,
  path: string,
  checkTypes: boolean,
  out: SchemaProblem[],
): void {
  if (value === null || value === undefined) return;
  const primitive = PRIMITIVE[type];
  if (primitive) {
    if (checkTypes && !primitive(value))
      out.push({
        path,
        rule: 'schema.type',
        message: `${JSON.stringify(value)} is not of type ${type}`,
        fix: `give a value of type ${type}`,
      });
    return;
  }
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (!Array.isArray(value)) {
      if (checkTypes) out.push({ path, rule: 'schema.type', message: 'must be a list', fix: 'give a YAML list' });
      return;
    }
    value.forEach((item, i) => {
      walk(all, item, at(array, 1, 'item type'), childPath(path, i), checkTypes, out);
    });
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (!isRecord(value)) {
      if (checkTypes) out.push({ path, rule: 'schema.type', message: 'must be a map', fix: 'give a YAML mapping' });
      return;
    }
    for (const [k, v] of Object.entries(value))
      walk(all, v, at(map, 1, 'value type'), childPath(path, k), checkTypes, out);
    return;
  }
  const attrs = attributesOf(all, type);
  if (!attrs) {
    // Fail closed: a type the model metadata does not describe is not evidence of a valid value.
    out.push({
      path,
      rule: 'schema.missing',
      message: `the Kubernetes model metadata describes no type ${type}: the value cannot be checked`,
      fix: 'teach src/check/core-validate.ts the type (PRIMITIVE), or remove the field',
    });
    return;
  }
  if (!isRecord(value)) {
    if (checkTypes) out.push({ path, rule: 'schema.type', message: 'must be an object', fix: 'give a YAML mapping' });
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    const attr = attrs.find((a) => a.baseName === key);
    if (!attr) {
      const allowed = attrs.map((a) => a.baseName);
      out.push({
        path: childPath(path, key),
        rule: 'schema.unknown-field',
        message:
          `unknown field "${key}"${didYouMean(key, allowed)}: ` +
          `${type.replace(/^V\d\w*?(?=[A-Z])/, '')} has no such field and the API server would drop it`,
        fix: `remove it or use one of: ${allowed.join(', ')}`,
      });
      continue;
    }
    walk(all, child, attr.type, childPath(path, key), checkTypes, out);
  }
}

/** Unknown fields (and, with `checkTypes`, wrong types) of `value` read as client-node type `type`. */
export async function strictFields(
  value: unknown,
  type: string,
  path: string,
  checkTypes: boolean,
): Promise<SchemaProblem[]> {
  const out: SchemaProblem[] = [];
  walk(await models(), value, type, path, checkTypes, out);
  return out;
}

type ModelClass = new (data: unknown) => { validate(): void };

/** Loads the kubernetes-models class of a built-in kind, or undefined when the package has none. */
async function modelClass(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  const { group, version } = splitApiVersion(apiVersion);
  if (!/^[A-Za-z0-9]+$/.test(kind) || !/^[a-z0-9.]*$/.test(group) || !/^v\w+$/.test(version)) return undefined;
  const spec = group === '' ? `kubernetes-models/${version}/${kind}` : `kubernetes-models/${group}/${version}/${kind}`;
  try {
    const mod = (await import(spec)) as Record<string, unknown>;
    const cls = mod[kind];
    return typeof cls === 'function' ? (cls as ModelClass) : undefined;
  } catch {
    return undefined;
  }
}

interface AjvLikeError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
}

function fromModelError(e: AjvLikeError, object: unknown): SchemaProblem {
  const path = pointerToPath(e.instancePath);
  const shown = JSON.stringify(valueAt(object, pointerSegments(e.instancePath))) ?? 'value';
  if (e.keyword === 'required') {
    const field = String(e.params.missingProperty);
    return {
      path: childPath(path, field),
      rule: 'schema.required',
      message: `required field "${field}" is missing`,
      fix: `set ${childPath(path, field)}`,
    };
  }
  if (e.keyword === 'enum') {
    return {
      path,
      rule: 'schema.enum',
      message: `${shown} is not allowed`,
      fix: `use one of: ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
    };
  }
  if (e.keyword === 'type')
    return {
      path,
      rule: 'schema.type',
      message: `${shown} is not of type ${String(e.params.type)}`,
      fix: `give a value of type ${String(e.params.type)}`,
    };
  return {
    path,
    rule: 'schema.invalid',
    message: `${shown} ${e.message ?? 'is invalid'} (${e.keyword})`,
    fix: 'correct the value to satisfy the Kubernetes API schema',
  };
}

export interface CoreResult {
  /** False when neither package knows the kind (the gate then reports a missing schema). */
  readonly known: boolean;
  readonly problems: readonly SchemaProblem[];
}

/** Validates a built-in kind (both passes). */
export async function validateBuiltin(
  object: Record<string, unknown> & { apiVersion: string; kind: string },
): Promise<CoreResult> {
  const [cls, all] = await Promise.all([modelClass(object.apiVersion, object.kind), models()]);
  const type = modelName(all, object.apiVersion, object.kind);
  if (!cls && !type) return { known: false, problems: [] };
  const problems: SchemaProblem[] = [];
  if (cls) {
    try {
      new cls(object).validate();
    } catch (err) {
      const errors = (err as { errors?: unknown }).errors;
      if (!Array.isArray(errors)) throw err;
      for (const e of errors as AjvLikeError[]) problems.push(fromModelError(e, object));
    }
  }
  if (type) problems.push(...(await strictFields(object, type, '', !cls)));
  return { known: true, problems };
}

/** ObjectMeta check for custom resources (the CRD schema leaves metadata to the API server). */
export async function validateMetadata(metadata: unknown): Promise<SchemaProblem[]> {
  return strictFields(metadata, 'V1ObjectMeta', 'metadata', true);
}
