/**
 * Turns a CRD's `openAPIV3Schema` into a JSON schema ajv can enforce the way the API server
 * does, including what the API server does silently: pruning unknown fields. Where the schema
 * declares an object and does not allow free-form content (`x-kubernetes-preserve-unknown-fields`
 * or `additionalProperties`), an unknown field becomes an error instead of a silent drop.
 *
 * Conversions (Kubernetes structural schema -> JSON schema draft 7):
 * - `properties` or `type: object` without `additionalProperties` and without
 *   `x-kubernetes-preserve-unknown-fields: true` -> `additionalProperties: false` (pruning).
 *   Not inside `allOf`/`anyOf`/`oneOf`/`not`, where structural schemas only repeat constraints.
 * - `x-kubernetes-int-or-string: true` -> `anyOf: [integer, string]` (its `type` is dropped).
 * - `nullable: true` -> `null` added to the type (and to `enum`).
 * - `x-kubernetes-embedded-resource: true` -> `apiVersion`, `kind`, `metadata` allowed.
 * - The root `metadata` is left to the ObjectMeta check (the API server validates it itself).
 * - `x-kubernetes-validations` (CEL) are counted, not evaluated (no CEL engine here).
 * @see https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema
 */
import { isRecord } from '../core/is-record.js';

export type JsonSchema = Record<string, unknown>;

export interface StrictSchema {
  readonly schema: JsonSchema;
  /** How many CEL rules (`x-kubernetes-validations`) the schema has that ajv cannot evaluate. */
  readonly celRules: number;
}

const DROPPED = new Set([
  'description',
  'x-kubernetes-validations',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'example',
  'externalDocs',
]);

function convert(node: unknown, inJunctor: boolean, counter: { cel: number }): JsonSchema {
  if (!isRecord(node)) return {};
  const out: JsonSchema = {};
  const cel = node['x-kubernetes-validations'];
  if (Array.isArray(cel)) counter.cel += cel.length;
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED.has(key)) continue;
    switch (key) {
      case 'properties':
        if (isRecord(value))
          out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convert(v, false, counter)]));
        break;
      case 'additionalProperties':
        out.additionalProperties = isRecord(value) ? convert(value, false, counter) : value;
        break;
      case 'items':
        out.items = Array.isArray(value)
          ? value.map((v) => convert(v, false, counter))
          : convert(value, false, counter);
        break;
      case 'allOf':
      case 'anyOf':
      case 'oneOf':
        if (Array.isArray(value)) out[key] = value.map((v) => convert(v, true, counter));
        break;
      case 'not':
        out.not = convert(value, true, counter);
        break;
      default:
        out[key] = value;
    }
  }
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (node['x-kubernetes-int-or-string'] === true) {
    delete out.type;
    if (!out.anyOf) out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (node['x-kubernetes-embedded-resource'] === true) {
    const props = (isRecord(out.properties) ? out.properties : {}) as Record<string, JsonSchema>;
    props.apiVersion ??= { type: 'string' };
    props.kind ??= { type: 'string' };
    props.metadata ??= { type: 'object' };
    out.properties = props;
  }
  if (node.nullable === true) {
    delete out.nullable;
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    if (Array.isArray(out.anyOf)) out.anyOf = [...out.anyOf, { type: 'null' }];
  }
  const isObject =
    out.type === 'object' || (Array.isArray(out.type) && out.type.includes('object')) || isRecord(out.properties);
  if (!inJunctor && isObject && !preserve && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

/** Converts a CRD version's `openAPIV3Schema` into a strict JSON schema (see the file comment). */
export function toStrictSchema(openAPIV3Schema: unknown): StrictSchema {
  const counter = { cel: 0 };
  const schema = convert(openAPIV3Schema, false, counter);
  // metadata is ObjectMeta, checked on its own; the CRD may only constrain name (rarely).
  const props = (isRecord(schema.properties) ? schema.properties : {}) as Record<string, JsonSchema>;
  props.metadata = { type: 'object' };
  props.apiVersion ??= { type: 'string' };
  props.kind ??= { type: 'string' };
  schema.properties = props;
  return { schema, celRules: counter.cel };
}
