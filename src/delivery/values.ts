/**
 * The values a HelmRelease gives Helm, resolved the way helm-controller resolves them
 * (`ChartValuesFromReferences`, fluxcd/helm-controller internal/chartutil/values.go):
 *
 * - `spec.valuesFrom` entries in order, each read from the HelmRelease's namespace: the key
 *   `valuesKey` (default `values.yaml`) of a ConfigMap's `data` or a Secret's `data`/`stringData`;
 *   with `targetPath` the text is set at that path with Helm's `--set` typing (`true`/`false`,
 *   `null` and integers are typed, a quoted value stays a string), without it the key holds a YAML
 *   document that is merged in;
 * - then `spec.values` on top. Maps merge key by key; lists and scalars are replaced.
 *
 * The objects come from the same build (what Flux applies from the repository). A value read
 * from a Secret is never kept as text: it becomes an opaque marker compared by digest and shown
 * as `(from Secret ns/name, key k: not shown)`. A SealedSecret is encrypted in the repository: its
 * values are unknown, and so are those of an object the repository does not hold; both are listed.
 * Not mirrored: `--set`'s comma splitting of a targetPath value (a value with a comma).
 */
import { createHash } from 'node:crypto';
import { parsePath, setAt } from '../core/values-path.js';
import { namedItems, segment } from '../review/diff.js';
import type { KubeObject } from '../core/manifests.js';
import { isRecord } from '../core/is-record.js';
import { yamlDocuments } from '../core/yaml-input.js';

/** A value that must not be shown: where it comes from, and a digest to compare it by (never printed). */
export class Opaque {
  constructor(
    readonly source: string,
    readonly digest: string,
  ) {}
}

type Tree = unknown;

export interface ResolvedValues {
  /** Merged values; Secret-sourced leaves are Opaque. */
  readonly tree: Record<string, Tree>;
  /** Value sources that could not be read, each with why. */
  readonly unknown: readonly string[];
}

function rec(v: Tree): Record<string, Tree> {
  return isRecord(v) ? v : {};
}

/** helm-controller's `transform.MergeMaps`: maps merge recursively, anything else is replaced. */
export function mergeMaps(a: Record<string, Tree>, b: Record<string, Tree>): Record<string, Tree> {
  const out: Record<string, Tree> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const mine = out[k];
    out[k] =
      isRecord(mine) && isRecord(v) && !(mine instanceof Opaque) && !(v instanceof Opaque) ? mergeMaps(mine, v) : v;
  }
  return out;
}

/** Helm `--set` typing of one value (strvals.ParseInto): quoted stays text, else bool/null/int. */
export function setTyped(text: string): Tree {
  if (/^'.*'$|^".*"$/s.test(text) && text.length >= 2) return text.slice(1, -1);
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text === 'null') return null;
  if (/^-?(0|[1-9]\d*)$/.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
  return text;
}

const digestOf = (text: string) => createHash('sha256').update(text).digest('hex');

/** Every leaf of a tree as Opaque (a document read from a Secret). */
function opaqueLeaves(tree: Tree, source: string): Tree {
  if (Array.isArray(tree)) return tree.map((t) => opaqueLeaves(t, source));
  if (isRecord(tree)) return Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, opaqueLeaves(v, source)]));
  return new Opaque(source, digestOf(JSON.stringify(tree)));
}

/** The text of `key` in a ConfigMap or Secret object, or why it cannot be read. */
function readKey(o: KubeObject, key: string): { text: string } | { why: string } {
  if (o.kind === 'ConfigMap') {
    const v = rec(o.data)[key];
    return typeof v === 'string' ? { text: v } : { why: `has no data key ${key}` };
  }
  const plain = rec(o.stringData)[key];
  if (typeof plain === 'string') return { text: plain };
  const encoded = rec(o.data)[key];
  if (typeof encoded === 'string') return { text: Buffer.from(encoded, 'base64').toString('utf8') };
  return { why: `has no key ${key}` };
}

/**
 * The values `release` gives Helm, with its valuesFrom objects looked up among `objects` (the
 * same build) in the release's namespace.
 */
export function resolveValues(release: KubeObject, objects: readonly KubeObject[]): ResolvedValues {
  const spec = rec(release.spec);
  const namespace = release.metadata.namespace;
  const unknown: string[] = [];
  let result: Record<string, Tree> = {};
  const refs = Array.isArray(spec.valuesFrom) ? spec.valuesFrom : [];
  refs.forEach((raw, i) => {
    const ref = rec(raw);
    const kind = ref.kind === 'Secret' || ref.kind === 'ConfigMap' ? ref.kind : undefined;
    const name = typeof ref.name === 'string' ? ref.name : undefined;
    if (!kind || !name) return;
    const key = typeof ref.valuesKey === 'string' && ref.valuesKey !== '' ? ref.valuesKey : 'values.yaml';
    const where = `${kind} ${namespace ?? ''}/${name}, key ${key} (valuesFrom[${i}])`;
    const sealed =
      kind === 'Secret' &&
      objects.find((o) => o.kind === 'SealedSecret' && o.metadata.name === name && o.metadata.namespace === namespace);
    if (sealed) {
      unknown.push(`${where}: a SealedSecret in the repository (encrypted), its values cannot be compared`);
      return;
    }
    const object = objects.find(
      (o) => o.kind === kind && o.apiVersion === 'v1' && o.metadata.name === name && o.metadata.namespace === namespace,
    );
    if (!object) {
      if (ref.optional !== true)
        unknown.push(
          `${where}: not in what Flux applies from the repository (it must exist in the cluster), its values cannot be compared`,
        );
      return;
    }
    const read = readKey(object, key);
    if ('why' in read) {
      if (ref.optional !== true) unknown.push(`${where}: ${read.why}`);
      return;
    }
    const source = `${kind} ${namespace ?? ''}/${name}, key ${key}`;
    if (typeof ref.targetPath === 'string' && ref.targetPath !== '') {
      const typed = setTyped(read.text);
      setAt(
        result,
        parsePath(ref.targetPath),
        kind === 'Secret' ? new Opaque(source, digestOf(JSON.stringify(typed))) : typed,
      );
      return;
    }
    const [first, ...more] = yamlDocuments(read.text);
    if (first?.problem !== undefined || more.length > 0) {
      const why = first?.problem ?? `${more.length + 1} YAML documents`;
      unknown.push(`${where}: not a YAML values document (${why})`);
      return;
    }
    const doc = first?.value as Tree;
    if (doc === null || doc === undefined) return;
    if (!isRecord(doc)) {
      unknown.push(`${where}: not a values map`);
      return;
    }
    result = mergeMaps(result, kind === 'Secret' ? (opaqueLeaves(doc, source) as Record<string, Tree>) : doc);
  });
  return { tree: mergeMaps(result, rec(spec.values)), unknown };
}

/** A leaf as a reviewer sees it: scalars as YAML-ish text, lists/maps as JSON, Opaque by its source. */
function shownValue(v: Tree): string {
  if (v instanceof Opaque) return `(from ${v.source}: not shown)`;
  if (v === undefined) return '(absent)';
  return typeof v === 'string'
    ? JSON.stringify(v)
    : JSON.stringify(v, (_k, x: unknown) => (x instanceof Opaque ? `(from ${x.source}: not shown)` : x));
}

function sameLeaf(a: Tree, b: Tree): boolean {
  if (a instanceof Opaque || b instanceof Opaque)
    return a instanceof Opaque && b instanceof Opaque && a.digest === b.digest;
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Leaves of a values tree by path; lists of named items (env variables, containers) are keyed by
 * name (`extraEnv[name=X].value`, the name itself not repeated), other lists are leaves.
 */
export function leaves(tree: Tree, path = '', out = new Map<string, Tree>(), named = false): Map<string, Tree> {
  const items = Array.isArray(tree) && tree.length > 0 ? namedItems(tree) : undefined;
  if (isRecord(tree) && !(tree instanceof Opaque) && Object.keys(tree).length > (named ? 1 : 0)) {
    for (const [k, v] of Object.entries(tree)) if (!(named && k === 'name')) leaves(v, segment(path, k), out);
  } else if (items) {
    for (const [name, item] of items) leaves(item, `${path}[name=${name}]`, out, true);
  } else out.set(path, tree);
  return out;
}

export interface ValueChange {
  readonly path: string;
  readonly change: 'added' | 'changed' | 'dropped';
  /** As shown (never a Secret's value). */
  readonly before?: string;
  readonly after?: string;
}

export interface ValueDiff {
  readonly changes: readonly ValueChange[];
  /** Sources of either side whose values could not be read. */
  readonly unknown: readonly string[];
}

/** Every value the new release adds, changes or drops against the old one's. */
export function diffValues(before: ResolvedValues, after: ResolvedValues): ValueDiff {
  const b = leaves(before.tree);
  const a = leaves(after.tree);
  const changes: ValueChange[] = [];
  for (const path of [...new Set([...b.keys(), ...a.keys()])].sort()) {
    const has = (m: Map<string, Tree>) => m.has(path);
    if (!has(b)) changes.push({ path, change: 'added', after: shownValue(a.get(path)) });
    else if (!has(a)) changes.push({ path, change: 'dropped', before: shownValue(b.get(path)) });
    else if (!sameLeaf(b.get(path), a.get(path)))
      changes.push({ path, change: 'changed', before: shownValue(b.get(path)), after: shownValue(a.get(path)) });
  }
  return {
    changes,
    unknown: [
      ...before.unknown.map((u) => `live release: ${u}`),
      ...after.unknown.map((u) => `exported release: ${u}`),
    ],
  };
}

/** `12 added, 1 changed, 0 dropped` */
export function valueCounts(d: ValueDiff): string {
  const n = (c: ValueChange['change']) => d.changes.filter((x) => x.change === c).length;
  return `${n('added')} added, ${n('changed')} changed, ${n('dropped')} dropped`;
}
