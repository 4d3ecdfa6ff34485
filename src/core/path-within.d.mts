// Types of path-within.mjs (plain JavaScript so the plain-node launcher's build record runs it too).
import type { Stats } from 'node:fs';

/** `path`'s status, links followed, or undefined when it does not exist (ENOTDIR too); other failures are thrown. */
export function statOf(path: string): Stats | undefined;

/** The nearest of `path` and its parent folders that exists, with its status (links followed). */
export function nearestExisting(path: string): { readonly path: string; readonly stat: Stats | undefined };

/**
 * The symbolic link that leads nowhere on `path`'s missing part, with its target as written, or the
 * link that starts a loop of links on it (`loop`); undefined when none.
 */
export function linkToNothing(
  path: string,
): { readonly link: string; readonly target: string; readonly loop: boolean } | undefined;

/**
 * The real path of `path` (absolute): its existing part's links resolved, the missing rest appended;
 * `existing`: the real path of that existing part, `stat` its status (links followed).
 */
export function realPath(path: string): { readonly path: string; readonly existing: string; readonly stat: Stats | undefined };

/** Whether `inner` is `outer` or below it, as written (absolute, `..` lexical, no link followed). */
export function isWithin(outer: string, inner: string): boolean;

/** Whether `inner` is `outer` or below it by real paths (realPath of each). */
export function isWithinReal(outer: string, inner: string): boolean;

/** Where the symbolic link `link` leads, one hop, as the kernel follows it; undefined when its target's folder does not resolve. */
export function linkTarget(link: string): string | undefined;
