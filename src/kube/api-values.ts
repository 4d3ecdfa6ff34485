/**
 * Walks over the field table of api-types.ts (what the API server does with each field of the
 * built-in types the stack renders): which fields of a dist/ object equal their default
 * (`omitApiDefaults`, `inspectBuiltIn`), quantities in canonical form, whether an absent live
 * field means the desired value (`meansAbsent`, for drift), and JSON value helpers.
 */
import { defaultValue, fieldSpec, isAtomicStruct, OBJECT_FIELDS, rootStruct, type FieldSpec } from './api-types.js';
import { sameQuantity, canonicalQuantity, canonicalResourceQuantity } from '../core/quantity.js';
import { isRecord } from '../core/is-record.js';

type Obj = Record<string, unknown>;

export function isEmpty(v: unknown): boolean {
  return (Array.isArray(v) && v.length === 0) || (isRecord(v) && Object.keys(v).length === 0);
}

export function isZero(v: unknown): boolean {
  return v === 0 || v === false || v === '' || v === null || isEmpty(v);
}

/** Deep equality of JSON values, key order ignored. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

/** Are two values of a field the same (quantities by value)? */
export function sameFieldValue(spec: FieldSpec | undefined, a: unknown, b: unknown): boolean {
  if (spec?.quantity) return sameQuantity(a, b) || deepEqual(a, b);
  if (spec?.map === 'quantities' && isRecord(a) && isRecord(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => sameQuantity(a[k], b[k]) || deepEqual(a[k], b[k]));
  }
  return deepEqual(a, b);
}

/**
 * Does `value` at this field mean the same as the field being absent? True for the default
 * (server-filled or documented), for the zero value of an `omitempty` value field, and for an
 * empty list or map (never returned by the API server). Fields the table does not describe: zero
 * and empty values only.
 */
export function meansAbsent(spec: FieldSpec | undefined, parent: Obj, value: unknown): boolean {
  if (spec?.required) return false;
  const d = defaultValue(spec, parent);
  if (d !== undefined) return sameFieldValue(spec, value, d);
  if (isEmpty(value)) return true;
  if (spec === undefined || spec.omitZero) return isZero(value);
  return false;
}

/** A field of a dist/ object whose value the API server would supply anyway. */
export interface DefaultedField {
  readonly path: string;
  readonly value: unknown;
  readonly reason: string;
}

function reasonOf(spec: FieldSpec | undefined, parent: Obj, value: unknown): string | undefined {
  if (spec?.required) return undefined;
  const d = spec?.default;
  const dv = defaultValue(spec, parent);
  if (d && dv !== undefined && sameFieldValue(spec, value, dv)) {
    return d.by === 'server'
      ? `the API server defaults it to ${JSON.stringify(dv)} (${d.source})`
      : `absent means ${JSON.stringify(dv)} (${d.source})`;
  }
  if (spec && (spec.list || spec.map) && isEmpty(value))
    return 'empty: the API server omits empty lists and maps (omitempty)';
  if (spec?.omitZero && isZero(value)) return 'zero value of an omitempty field: the API server never returns it';
  return undefined;
}

function child(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/**
 * Fields the stack states even when they equal their default, by kind. Server-side apply gives a
 * field to the manager that sends it: a field left out of the manifest is not Flux's, so Flux
 * would not restore it and drift would not compare it. `spec.replicas` is the field other actors
 * change (`kubectl scale`, an autoscaler), and the collector's delta conversion is only correct on
 * exactly one replica (src/collector/build.ts), so the stack always owns it.
 */
export const ALWAYS_STATED: Readonly<Record<string, readonly string[]>> = { Deployment: ['spec.replicas'] };

/**
 * Walks a built-in object depth first: `onDefault` for every field whose value is what its
 * absence means (children before their parent, so with `remove` a struct emptied of its defaults
 * is then judged as `{}`), `onUndescribed` for every field the table does not describe.
 */
function walkBuiltIn(
  obj: Obj,
  remove: boolean,
  onDefault: (f: DefaultedField) => void,
  onUndescribed: (path: string) => void,
): void {
  const root = rootStruct(String(obj.apiVersion), String(obj.kind));
  if (!root) return;
  const stated = new Set(ALWAYS_STATED[String(obj.kind)] ?? []);
  const walkStruct = (o: Obj, struct: string, path: string): void => {
    for (const [key, value] of Object.entries(o)) {
      if (path === '' && OBJECT_FIELDS.has(key) && key !== 'metadata') continue;
      const spec = fieldSpec(struct, key);
      const p = child(path, key);
      if (!spec) {
        onUndescribed(p);
        continue;
      }
      const inner = spec.struct;
      if (inner && !isAtomicStruct(inner)) {
        if (spec.list && Array.isArray(value))
          value.forEach((item, i) => {
            if (isRecord(item)) walkStruct(item, inner, `${p}[${i}]`);
          });
        else if (isRecord(value)) walkStruct(value, inner, p);
      }
      const reason = stated.has(p) ? undefined : reasonOf(spec, o, value);
      if (reason) {
        onDefault({ path: p, value: structuredClone(value), reason });
        if (remove) delete o[key];
      }
    }
  };
  walkStruct(obj, root, '');
}

/**
 * Every field of a built-in object that equals what its absence means, with the reason, and every
 * field the table does not describe (`undescribed`). Lists are walked by index.
 */
export function inspectBuiltIn(obj: Obj): { defaulted: DefaultedField[]; undescribed: string[] } {
  const defaulted: DefaultedField[] = [];
  const undescribed: string[] = [];
  walkBuiltIn(
    obj,
    false,
    (f) => defaulted.push(f),
    (p) => undescribed.push(p),
  );
  return { defaulted, undescribed };
}

/**
 * The canonical text of a quantity field's value, or undefined when it is not a quantity. With
 * `roundResources`, a ResourceList entry is first rounded up to milli units, as the API server's
 * `SetDefaults_ResourceList` does (Flux's typed round trip prints canonically without rounding).
 */
export function canonicalFieldQuantity(value: unknown, resource: boolean, roundResources = true): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  return resource && roundResources ? canonicalResourceQuantity(String(value)) : canonicalQuantity(String(value));
}

/** Quantity fields of a built-in object whose text is not the API server's canonical form. */
export function nonCanonicalQuantities(obj: Obj): { path: string; value: unknown; canonical: string | undefined }[] {
  const out: { path: string; value: unknown; canonical: string | undefined }[] = [];
  forEachQuantity(obj, (path, value, resource) => {
    const canonical = canonicalFieldQuantity(value, resource);
    if (canonical !== value) out.push({ path, value, canonical });
  });
  return out;
}

/** Writes every quantity of a built-in object in canonical form, in place (values that are not quantities stay). */
export function canonicalizeQuantities(obj: Obj, roundResources = true): void {
  forEachQuantity(obj, (_path, value, resource, holder, key) => {
    const canonical = canonicalFieldQuantity(value, resource, roundResources);
    if (canonical !== undefined) holder[key] = canonical;
  });
}

/** Calls `fn` for every quantity of a built-in object (`resource`: in a ResourceList). */
export function forEachQuantity(
  obj: Obj,
  fn: (path: string, value: unknown, resource: boolean, holder: Obj, key: string) => void,
): void {
  const root = rootStruct(String(obj.apiVersion), String(obj.kind));
  if (!root) return;
  const walkStruct = (o: Obj, struct: string, path: string): void => {
    for (const [key, value] of Object.entries(o)) {
      const spec = fieldSpec(struct, key);
      const p = child(path, key);
      if (!spec) continue;
      if (spec.quantity) fn(p, value, false, o, key);
      else if (spec.map === 'quantities' && isRecord(value))
        for (const [k, v] of Object.entries(value)) fn(`${p}.${k}`, v, true, value, k);
      else if (spec.struct && spec.list && Array.isArray(value)) {
        const inner = spec.struct;
        value.forEach((item, i) => {
          if (isRecord(item)) walkStruct(item, inner, `${p}[${i}]`);
        });
      } else if (spec.struct && isRecord(value)) walkStruct(value, spec.struct, p);
    }
  };
  walkStruct(obj, root, '');
}

/**
 * The post-processing step synth applies to every object the stack builds: removes each field of
 * a built-in kind whose value is what its absence means (a server default, a documented default,
 * an omitted zero or empty value) and writes quantities in canonical form, so dist/ carries only
 * what the stack means and reads like what the API server returns. Libraries (cdk8s-plus) write
 * such fields verbatim (`minReadySeconds: 0`, `hostNetwork: false`, `externalIPs: []`,
 * `cpu: 1000m`). Custom resources are returned unchanged. Returns a new object.
 */
export function omitApiDefaults<T>(object: T): T {
  if (!isRecord(object)) return object;
  const copy = structuredClone(object) as Obj;
  if (!rootStruct(String(copy.apiVersion), String(copy.kind))) return copy as T;
  canonicalizeQuantities(copy);
  walkBuiltIn(
    copy,
    true,
    () => undefined,
    () => undefined,
  );
  return copy as T;
}
