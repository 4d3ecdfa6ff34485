/**
 * Typed @kubernetes/client-node models back to the API's wire form.
 *
 * The client deserializes a core object into its generated model classes, which rename fields
 * that are reserved words in TypeScript (`NetworkPolicyIngressRule.from` becomes `_from`,
 * `ListMeta.continue` becomes `_continue`) and turn timestamps into `Date`s. Comparing such an
 * object with a manifest would report `from` as missing. The package does not export its
 * serializer, but every model class carries its own attribute map (`getAttributeTypeMap()`, with
 * `name` → `baseName`), which is all it takes to rename the fields back.
 *
 * toWire recurses, one call a level (two for an array): about 2100 levels of arrays overflow node's
 * stack. No answer it is given nests deeper than 1000: ./bounded-client.ts refuses those (./json-depth.ts).
 */

interface AttributeMap {
  readonly name: string;
  readonly baseName: string;
}

/** A deep copy of `value` with model field names as the API writes them, and no `undefined`s. */
export function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString().replace(/\.000Z$/, 'Z');
  if (Array.isArray(value)) return value.map(toWire);
  if (value === null || typeof value !== 'object') return value;
  const model = value.constructor as { getAttributeTypeMap?: () => readonly AttributeMap[] };
  const renames = new Map((model.getAttributeTypeMap?.() ?? []).map((a) => [a.name, a.baseName]));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    out[renames.get(key) ?? key] = toWire(v);
  }
  return out;
}
