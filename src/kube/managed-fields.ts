/**
 * Server-side apply's record of who set which field: `metadata.managedFields[]`, each entry a
 * field manager, an operation (`Apply` or `Update`) and a `fieldsV1` set.
 *
 * `fieldsV1` is a trie of path elements (sigs.k8s.io/structured-merge-diff `fieldpath`
 * serialization; kubernetes.io "Server-Side Apply", "Field management"):
 * - `f:<name>`: a field of a struct or a key of a map;
 * - `k:<json>`: the item of an associative list whose key fields have these values
 *   (`k:{"containerPort":4317,"protocol":"TCP"}`);
 * - `v:<json>`: the item of a set list with this value;
 * - `i:<n>`: the item at an index (rare);
 * - `.`: the list item itself (present for every `k:`/`v:` item a manager set).
 * A node with no children is a field owned whole (a scalar, an atomic list or struct).
 *
 * Flux applies with server-side apply as the field manager `kustomize-controller`
 * (fluxcd/kustomize-controller `main.go`: `const controllerName = "kustomize-controller"`, passed
 * as `ssa.Owner{Field: r.ControllerName}` in `internal/controller/kustomization_controller.go`;
 * fluxcd/pkg `ssa/manager_apply.go` patches with `client.Apply`, `client.ForceOwnership` and
 * `client.FieldOwner(m.owner.Field)`), and labels what it applies
 * `kustomize.toolkit.fluxcd.io/name` and `.../namespace` (fluxcd/pkg `ssa/manager.go`
 * `SetOwnerLabels`, owner group `kustomize.toolkit.fluxcd.io`).
 */
import { isRecord } from '../core/is-record.js';

/** A fieldsV1 trie. */
export interface FieldsV1 {
  readonly [element: string]: FieldsV1;
}

/** The field manager Flux's kustomize-controller applies with. */
export const FLUX_FIELD_MANAGER = 'kustomize-controller';
/** Labels Flux adds to every object it applies (`<owner group>/name`, `<owner group>/namespace`). */
export const FLUX_OWNER_LABEL_PREFIX = 'kustomize.toolkit.fluxcd.io/';

export interface ManagedFieldsEntry {
  readonly manager: string;
  readonly operation: string;
  readonly fields: FieldsV1;
}

/** The managedFields entries of a live object that carry a FieldsV1 set. */
export function managedFieldsOf(live: Record<string, unknown>): ManagedFieldsEntry[] {
  const meta = isRecord(live.metadata) ? live.metadata : {};
  const entries = Array.isArray(meta.managedFields) ? meta.managedFields : [];
  const out: ManagedFieldsEntry[] = [];
  for (const e of entries) {
    if (!isRecord(e) || typeof e.manager !== 'string' || !isRecord(e.fieldsV1)) continue;
    if (e.fieldsType !== undefined && e.fieldsType !== 'FieldsV1') continue;
    // Subresource entries (status, scale) describe another endpoint's fields.
    if (typeof e.subresource === 'string' && e.subresource !== '') continue;
    out.push({ manager: e.manager, operation: String(e.operation ?? ''), fields: e.fieldsV1 as FieldsV1 });
  }
  return out;
}

export type PathElement =
  | { readonly kind: 'field'; readonly name: string }
  | { readonly kind: 'key'; readonly key: Readonly<Record<string, unknown>> }
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'self' };

/** Reads one serialized path element; undefined for a form this code does not know. */
export function parseElement(element: string): PathElement | undefined {
  if (element === '.') return { kind: 'self' };
  const body = element.slice(2);
  try {
    if (element.startsWith('f:')) return { kind: 'field', name: body };
    if (element.startsWith('k:')) {
      const key: unknown = JSON.parse(body);
      return isRecord(key) ? { kind: 'key', key } : undefined;
    }
    if (element.startsWith('v:')) return { kind: 'value', value: JSON.parse(body) as unknown };
    if (element.startsWith('i:')) return { kind: 'index', index: Number(body) };
  } catch {
    return undefined;
  }
  return undefined;
}

/** The `k:` element of a list item with these key fields (keys sorted, as structured-merge-diff writes them). */
export function keyElement(key: Readonly<Record<string, unknown>>): string {
  const sorted = Object.fromEntries(
    Object.keys(key)
      .sort()
      .map((k) => [k, key[k]]),
  );
  return `k:${JSON.stringify(sorted)}`;
}

/** How a list item is shown in a drift path: `[name=x]`, `[containerPort=4317,protocol=TCP]`. */
export function itemLabel(key: Readonly<Record<string, unknown>>): string {
  return `[${Object.entries(key)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(',')}]`;
}

/** Is this node a leaf (owned whole)? A list item's `.` alone does not make it a parent. */
export function isLeaf(node: FieldsV1): boolean {
  return Object.keys(node).every((k) => k === '.');
}
