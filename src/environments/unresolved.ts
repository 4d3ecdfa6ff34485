/**
 * The typed "unresolved" marker: how an environment says "this value is not known yet".
 *
 * A value the facts do not give (an Entra tenant id, a LiteLLM URL, a secret-store key name,
 * ciphertext nobody has sealed yet) is never invented. The environment file writes
 *
 *     clientId: { unresolved: "Entra app registration client id not recorded in FACTS.md" }
 *
 * and everything downstream handles the marker explicitly: synth renders it as the visible text
 * `<unresolved: reason>` (never a plausible value), lists it on every run, probes whose target is
 * unresolved report `skip` with the reason, and `export` refuses it unless told otherwise.
 */
import { z } from 'zod';
import { unresolvedMarker } from '../core/unresolved-text.js';

/** An explicitly unknown value, with the reason and (optionally) how to resolve it. */
export interface Unresolved {
  readonly unresolved: string;
}

export const UnresolvedSchema = z
  .object({
    unresolved: z.string().min(8, 'give the reason the value is unknown and how to find it (at least 8 characters)'),
  })
  .strict();

/** A value of type T, or an explicit unresolved marker. */
export type Resolvable<T> = T | Unresolved;

/** Zod schema for "T or an unresolved marker". */
export function resolvable<T extends z.ZodType>(schema: T) {
  return z.union([schema, UnresolvedSchema]);
}

export function isUnresolved(value: unknown): value is Unresolved {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    typeof (value as { unresolved?: unknown }).unresolved === 'string'
  );
}

/** The text synth writes in place of an unresolved value: visible, never plausible. */
export function unresolvedText(value: Unresolved): string {
  return unresolvedMarker(value.unresolved);
}

/** Renders a resolvable value for output: the value itself, or the visible marker text. */
export function render<T>(value: Resolvable<T>): T | string {
  return isUnresolved(value) ? unresolvedText(value) : value;
}

/** One unresolved value found in a data tree, with its dotted path. */
export interface UnresolvedEntry {
  readonly path: string;
  readonly reason: string;
}

/** Walks any data tree and lists every unresolved marker with its path (e.g. `oidc.clientId`). */
export function findUnresolved(tree: unknown, prefix = ''): UnresolvedEntry[] {
  if (isUnresolved(tree)) return [{ path: prefix || '(root)', reason: tree.unresolved }];
  if (Array.isArray(tree)) {
    return tree.flatMap((item, i) => findUnresolved(item, `${prefix}[${i}]`));
  }
  if (typeof tree === 'object' && tree !== null) {
    return Object.entries(tree).flatMap(([key, value]) => findUnresolved(value, prefix ? `${prefix}.${key}` : key));
  }
  return [];
}
