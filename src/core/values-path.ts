/**
 * Paths into plain data trees (parsed YAML or JSON, Helm values): the one accessor the code uses
 * to read (`valueAt`), set (`setAt`) and delete (`deleteAt`) by a list of keys and list indexes.
 * Their text form is the Helm values path as Flux `targetPath` and `helm --set` write it:
 * dot-separated keys, `\.` for a literal dot inside a key, `[n]` for a list index (`a.b\.c[0].d`).
 * (Paths into managedFields, `f:`/`k:` elements, are a different language: src/kube/managed-fields.ts.)
 */
import { ends } from './at.js';
import { isRecord } from './is-record.js';

export type Segment = string | number;

/** Parses a values path into keys and list indexes. Throws on an empty key or a bad index. */
export function parsePath(path: string): Segment[] {
  const segments: Segment[] = [];
  let key = '';
  let started = false;
  const flush = () => {
    if (!started) return;
    if (key === '') throw new Error(`values path '${path}': empty key (fix: remove the doubled or trailing '.')`);
    segments.push(key);
    key = '';
    started = false;
  };
  for (let i = 0; i < path.length; i++) {
    const c = path.charAt(i);
    if (c === '\\' && i + 1 < path.length) {
      key += path[++i];
      started = true;
    } else if (c === '.') {
      if (!started && segments.length > 0 && typeof segments[segments.length - 1] === 'number') continue;
      started = true;
      flush();
    } else if (c === '[') {
      flush();
      const end = path.indexOf(']', i);
      const index = end < 0 ? NaN : Number(path.slice(i + 1, end));
      if (!Number.isInteger(index) || index < 0)
        throw new Error(`values path '${path}': bad list index at position ${i} (fix: write [0], [1], ...)`);
      segments.push(index);
      i = end;
    } else {
      key += c;
      started = true;
    }
  }
  flush();
  if (segments.length === 0) throw new Error(`values path '${path}': empty`);
  return segments;
}

/** Formats segments back into a path (dots inside keys escaped). */
export function formatPath(segments: readonly Segment[]): string {
  return segments
    .map((s, i) => (typeof s === 'number' ? `[${s}]` : `${i === 0 ? '' : '.'}${s.replace(/\./g, '\\.')}`))
    .join('');
}

type Tree = unknown;

/** The value at `segments` (a key of a map or an index of a list at each step), or undefined. */
export function valueAt(tree: Tree, segments: readonly Segment[]): unknown {
  let node = tree;
  for (const s of segments) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string | number, Tree>)[s];
  }
  return node;
}

/** Sets `value` at `segments`, creating maps and lists on the way. */
export function setAt(tree: Record<string, Tree>, segments: readonly Segment[], value: Tree): void {
  let node: Tree = tree;
  segments.forEach((s, i) => {
    const last = i === segments.length - 1;
    const next = segments[i + 1];
    const container = node as Record<string | number, Tree>;
    if (last) {
      container[s] = value;
      return;
    }
    const child = container[s];
    if (typeof next === 'number' ? !Array.isArray(child) : !isRecord(child))
      container[s] = typeof next === 'number' ? [] : {};
    node = container[s];
  });
}

/** Deletes the value at `segments` (no-op when absent). */
export function deleteAt(tree: Tree, segments: readonly Segment[]): void {
  let node: Tree = tree;
  for (const s of segments.slice(0, -1)) {
    if (typeof node !== 'object' || node === null) return;
    node = (node as Record<string | number, Tree>)[s];
  }
  const { last } = ends(segments, 'path');
  if (Array.isArray(node) && typeof last === 'number') node.splice(last, 1);
  else if (isRecord(node) && typeof last === 'string') delete node[last];
}
