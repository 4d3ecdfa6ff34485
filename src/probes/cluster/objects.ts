/**
 * Small, total accessors over Kubernetes objects as plain JSON (what KubeReader returns and what
 * fixtures hold), so the pure evaluators never throw on a missing field.
 */
import { printableLine } from '../../core/printable.js';
import { valueAt } from '../../core/values-path.js';

/** The value at a dotted path (no dots inside keys here), or undefined. */
export function field(obj: unknown, path: string): unknown {
  return valueAt(obj, path.split('.'));
}

export function str(obj: unknown, path: string): string | undefined {
  const v = field(obj, path);
  return typeof v === 'string' ? v : undefined;
}

export function num(obj: unknown, path: string): number | undefined {
  const v = field(obj, path);
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function list(obj: unknown, path: string): unknown[] {
  const v = field(obj, path);
  return Array.isArray(v) ? v : [];
}

export function record(obj: unknown, path: string): Record<string, string> {
  const v = field(obj, path);
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return {};
  return Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

export function nameOf(obj: unknown): string {
  return str(obj, 'metadata.name') ?? '(unnamed)';
}

export function labelsOf(obj: unknown): Record<string, string> {
  return record(obj, 'metadata.labels');
}

export interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
}

/** A status condition by type (`Ready`, `Stalled`, `Synced`), or undefined. */
export function condition(obj: unknown, type: string): Condition | undefined {
  const found = list(obj, 'status.conditions').find((c) => str(c, 'type') === type);
  if (!found) return undefined;
  return {
    type,
    status: str(found, 'status') ?? 'Unknown',
    reason: str(found, 'reason'),
    message: str(found, 'message'),
  };
}

/** `reason: message` of a condition, shortened for one line. */
export function describeCondition(c: Condition | undefined): string {
  if (!c) return 'no such condition';
  return printableLine(`${c.status}${c.reason ? ` ${c.reason}` : ''}${c.message ? `: ${c.message}` : ''}`);
}

/** A time field as epoch ms, or undefined. */
export function time(obj: unknown, path: string): number | undefined {
  const v = str(obj, path);
  if (!v) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}
