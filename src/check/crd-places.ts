/**
 * Where CRD schemas come from by default, and the command that fills a cache from a cluster: plain
 * constants, apart from crd-cache.ts (which loads yaml), so `npm run check` and `npm run crds` can
 * print their help and refuse a mistyped option without loading what only the work needs.
 */
import { join } from 'node:path';
import { REPO_ROOT } from '../tooling/root.mjs';

/** Default cache folder (git-ignored). */
export const DEFAULT_CRD_CACHE = join(REPO_ROOT, '.cache', 'crds');

/** The vendored CRD files (contracts/SOURCES.md): the gate's default schemas and `npm run crds`'s default source. */
export const VENDORED_CRDS = join(REPO_ROOT, 'contracts', 'crds');

/** The command that fills the default cache from a cluster. */
export const FILL_CACHE_COMMAND = 'npm run crds -- --from-cluster';
