/**
 * Drift as a pure function: a desired object (from dist/) against the live object as the API
 * server returns it. The semantics, and their sources, are in docs/delivery.md ("What counts as
 * drift"):
 * - Only what dist/ sets is compared, plus, when the live object records an apply by Flux's
 *   field manager, every field Flux applied (so a field an older revision set shows too).
 * - An absent live field equals a desired value that means "absent": the API server's default,
 *   the documented default of an unset field, the zero value of an `omitempty` field, an empty
 *   list or map (src/kube/api-types.ts). Otherwise an absent field is drift.
 * - Quantities of built-in types compare by value (`1000m` = `1`).
 * - Server-owned fields (status, metadata other than labels and annotations, defaults the stack
 *   does not set) and Flux's own owner labels are never compared.
 * - A differing field is attributed to the other field managers that now hold it (`kubectl-edit`).
 *
 * Over 300 lines because it is one walk: the Comparison class descends desired and live objects
 * and the managed-fields tree in step, and each rule above is one branch of that walk.
 */
import { digest, namedItems, segment, sensitiveField, shown, type Shown } from '../review/diff.js';
import { defaultValue, fieldSpec, rootStruct, type FieldSpec } from '../kube/api-types.js';
import { deepEqual, meansAbsent, sameFieldValue } from '../kube/api-values.js';
import {
  FLUX_FIELD_MANAGER,
  FLUX_OWNER_LABEL_PREFIX,
  isLeaf,
  itemLabel,
  keyElement,
  managedFieldsOf,
  parseElement,
  type FieldsV1,
} from '../kube/managed-fields.js';
import { isRecord } from '../core/is-record.js';

export interface FieldDrift {
  readonly path: string;
  /** What dist/ sets (`undefined`: dist/ does not set it). */
  readonly expected: Shown;
  /** What the cluster holds (`undefined` when the field is absent). */
  readonly live: Shown;
  /** Replaces the values in the report (ciphertext, fields only Flux applied). */
  readonly summary?: string;
  /** Field managers other than Flux that hold this field now (who changed it). */
  readonly managers?: readonly string[];
}

export interface CompareOptions {
  /** The field manager whose applied fields are compared too. @default kustomize-controller */
  readonly manager?: string;
}

type Obj = Record<string, unknown>;

/** Top-level metadata fields compared; the rest of metadata is the server's. */
const METADATA_FIELDS = new Set(['labels', 'annotations']);

/** Where a walk stands in each field manager's set. */
interface Cursor {
  readonly applied: FieldsV1 | undefined;
  readonly others: readonly { readonly manager: string; readonly node: FieldsV1 }[];
}

interface Place {
  readonly path: string;
  /** The field's spec in the built-in table (undefined for custom resources and undescribed fields). */
  readonly spec: FieldSpec | undefined;
  /** The desired object holding the field (for defaults that depend on siblings). */
  readonly parent: Obj;
  readonly cursor: Cursor;
}

const NOWHERE: Cursor = { applied: undefined, others: [] };

/** The spec of a map entry (labels: plain strings; ResourceList: quantities) or of a struct field. */
function childSpec(spec: FieldSpec | undefined, struct: string | undefined, key: string): FieldSpec | undefined {
  if (spec?.map === 'quantities') return { quantity: true };
  if (spec?.map === 'strings') return {};
  return fieldSpec(struct, key);
}

class Comparison {
  readonly out: FieldDrift[] = [];
  /** Nodes of the applied set that dist/ reached. */
  private readonly visited = new Set<FieldsV1>();

  constructor(
    private readonly kind: string,
    private readonly manager: string,
  ) {}

  step(cursor: Cursor, element: string): Cursor {
    const applied = cursor.applied?.[element];
    if (applied) this.visited.add(applied);
    const others = cursor.others.flatMap((o) => {
      const node = o.node[element];
      return node ? [{ manager: o.manager, node }] : [];
    });
    return { applied, others };
  }

  report(place: Place, expected: unknown, live: unknown): void {
    const managers = place.cursor.others.map((o) => o.manager);
    this.out.push({
      path: place.path,
      expected: shown(expected),
      live: shown(live),
      ...(managers.length > 0 ? { managers } : {}),
    });
  }

  walk(desired: unknown, live: unknown, place: Place, struct: string | undefined): void {
    const { path } = place;
    const sensitive = sensitiveField(this.kind, path);
    if (sensitive) {
      if (!deepEqual(desired, live)) {
        const e = `sha256 ${digest(desired)}…`;
        const l = live === undefined ? undefined : `sha256 ${digest(live)}…`;
        this.out.push({
          path,
          expected: e,
          live: l,
          summary: `${sensitive} differs (dist ${e}, cluster ${l ?? 'absent'})`,
        });
      }
      return;
    }
    if (live === undefined && !isRecord(desired)) {
      if (!meansAbsent(place.spec, place.parent, desired)) this.report(place, desired, live);
      return;
    }
    if (isRecord(desired)) {
      // An absent struct or map: each field is judged on its own (an absent field may mean its default).
      const fields = live === undefined ? {} : live;
      if (!isRecord(fields)) {
        this.report(place, desired, live);
        return;
      }
      for (const [k, v] of Object.entries(desired)) {
        if (path === '' && (k === 'status' || k === 'apiVersion' || k === 'kind')) continue;
        if (path === 'metadata' && !METADATA_FIELDS.has(k)) continue;
        const spec = childSpec(place.spec, struct, k);
        const cursor = this.step(place.cursor, `f:${k}`);
        this.walk(v, fields[k], { path: segment(path, k), spec, parent: desired, cursor }, spec?.struct);
      }
      return;
    }
    if (Array.isArray(desired)) {
      if (!Array.isArray(live)) {
        this.report(place, desired, live);
        return;
      }
      const keys = place.spec?.list;
      if (Array.isArray(keys)) {
        this.walkKeyed(desired, live, place, keys);
        return;
      }
      if (desired.every((d) => !isRecord(d) && !Array.isArray(d))) {
        if (!deepEqual(desired, live)) this.report(place, desired, live);
        return;
      }
      const itemStruct = place.spec?.struct;
      const d = namedItems(desired);
      const l = namedItems(live);
      if (d && l && !itemStruct) {
        for (const [name, item] of d)
          this.walk(
            item,
            l.get(name),
            { path: `${path}[name=${name}]`, spec: undefined, parent: {}, cursor: NOWHERE },
            undefined,
          );
        return;
      }
      desired.forEach((item, i) => {
        this.walk(item, live[i], { path: `${path}[${i}]`, spec: undefined, parent: {}, cursor: NOWHERE }, itemStruct);
      });
      if (live.length > desired.length)
        this.out.push({ path: `${path}.length`, expected: desired.length, live: live.length });
      return;
    }
    if (!sameFieldValue(place.spec, desired, live)) this.report(place, desired, live);
  }

  /** An associative list (`+listType=map`): items matched by their key fields, defaults included. */
  private walkKeyed(desired: unknown[], live: unknown[], place: Place, keys: readonly string[]): void {
    const struct = place.spec?.struct;
    const keyOf = (item: Obj): Obj =>
      Object.fromEntries(
        keys.map((k) => [k, item[k] ?? defaultValue(fieldSpec(struct, k), item)]).filter(([, v]) => v !== undefined),
      );
    for (const item of desired) {
      if (!isRecord(item)) continue;
      const key = keyOf(item);
      const match = live.find((l) => isRecord(l) && deepEqual(keyOf(l), key));
      const cursor = this.step(place.cursor, keyElement(key));
      if (cursor.applied?.['.']) this.visited.add(cursor.applied['.']);
      const shownKey = keys.length > 1 && typeof item.name === 'string' ? { name: item.name } : key;
      const itemPlace: Place = { path: `${place.path}${itemLabel(shownKey)}`, spec: undefined, parent: {}, cursor };
      if (match === undefined) this.report(itemPlace, item, undefined);
      else this.walk(item, match, itemPlace, struct);
    }
  }

  /**
   * Fields the applied set holds that dist/ did not reach: an older revision's field, or an item
   * dist/ no longer has. Flux's owner labels, server-owned metadata and values that mean
   * "absent" (Flux's own normalization, server defaults) are not drift.
   */
  appliedOnly(
    node: FieldsV1,
    live: unknown,
    path: string,
    struct: string | undefined,
    spec: FieldSpec | undefined,
  ): void {
    for (const [element, child] of Object.entries(node)) {
      const e = parseElement(element);
      if (!e || e.kind === 'self') continue;
      let value: unknown;
      let label: string;
      let childSpecOf: FieldSpec | undefined;
      if (e.kind === 'field') {
        if (path === 'metadata' && !METADATA_FIELDS.has(e.name)) continue;
        if (
          (path === 'metadata.labels' || path === 'metadata.annotations') &&
          e.name.startsWith(FLUX_OWNER_LABEL_PREFIX)
        )
          continue;
        value = isRecord(live) ? live[e.name] : undefined;
        label = segment(path, e.name);
        childSpecOf = childSpec(spec, struct, e.name);
      } else if (e.kind === 'key') {
        value = Array.isArray(live)
          ? live.find((i) => isRecord(i) && Object.entries(e.key).every(([k, v]) => deepEqual(i[k], v)))
          : undefined;
        label = `${path}${itemLabel(e.key)}`;
        childSpecOf = undefined;
        if (!this.visited.has(child)) {
          if (value !== undefined) this.appliedOnlyField(label, value, 'list item');
          continue;
        }
        this.appliedOnly(child, value, label, spec?.struct, undefined);
        continue;
      } else if (e.kind === 'value') {
        value = Array.isArray(live) ? live.find((i) => deepEqual(i, e.value)) : undefined;
        label = `${path}[${JSON.stringify(e.value)}]`;
      } else {
        value = Array.isArray(live) ? live[e.index] : undefined;
        label = `${path}[${e.index}]`;
      }
      if (isLeaf(child)) {
        if (this.visited.has(child) || value === undefined) continue;
        if (meansAbsent(childSpecOf, isRecord(live) ? live : {}, value)) continue;
        this.appliedOnlyField(label, value, 'field');
        continue;
      }
      this.appliedOnly(
        child,
        value,
        label,
        childSpecOf?.struct ?? (e.kind === 'field' ? undefined : struct),
        childSpecOf,
      );
    }
  }

  private appliedOnlyField(path: string, value: unknown, what: string): void {
    const sensitive = sensitiveField(this.kind, path);
    const live = sensitive ? `sha256 ${digest(value)}…` : shown(value);
    this.out.push({
      path,
      expected: undefined,
      live,
      summary:
        `${what} applied by Flux (${this.manager}) but not in dist/: ` +
        `${typeof live === 'string' && !sensitive ? JSON.stringify(live) : String(live)} (the ` +
        `cluster holds another revision)`,
    });
  }
}

/**
 * Differences between what `desired` (dist/) sets and the live object, in the desired object's
 * order, then the fields only Flux's last apply holds.
 */
export function compareFields(
  desired: Record<string, unknown>,
  live: Record<string, unknown>,
  options: CompareOptions = {},
): FieldDrift[] {
  const manager = options.manager ?? FLUX_FIELD_MANAGER;
  const entries = managedFieldsOf(live);
  const applied = entries.find((e) => e.manager === manager && e.operation === 'Apply')?.fields;
  const others = entries.filter((e) => e.manager !== manager).map((e) => ({ manager: e.manager, node: e.fields }));
  const comparison = new Comparison(String(desired.kind), manager);
  const struct = rootStruct(String(desired.apiVersion), String(desired.kind));
  comparison.walk(desired, live, { path: '', spec: undefined, parent: {}, cursor: { applied, others } }, struct);
  if (applied) comparison.appliedOnly(applied, live, '', struct, undefined);
  return comparison.out;
}
