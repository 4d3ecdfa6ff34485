// The repository's root folder: the one place src/, scripts/ and test/ compute it, and the one
// module they import it from (the plain-node tools, launch.mjs, script-bundles.mjs,
// static-checks.mjs and typecheck.mjs; the bundlers; the scripts, src/check, src/bench, the probes'
// src/contracts/engine-api.ts; and the tests that need it), so that none brings the bundler, its
// build record and esbuild's API into its graph only for the root. Plain JavaScript (types in
// root.d.mts) so node runs it without tsx.
//
// Two folders up from this file, with a trailing separator (`/work/arcade-stack/`), so that
// `${REPO_ROOT}.build/main.cjs` and `join(REPO_ROOT, ...)` both name files under it. Inside a bundle
// `import.meta.url` is this source file's URL (script-bundle.ts defines it so), except in the
// probe runner's one-file bundle (bundle.ts bundleProbeRunner), where it is the bundle's own: a
// root that no file of the runner reads (the engine API contract is bundled into it).
import { fileURLToPath } from 'node:url';

/** The repository's root folder, ending in a separator. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
