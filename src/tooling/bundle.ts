/**
 * Bundles the synth entry (src/main.ts) into one ES module outside dist/, so synth runs plain
 * JavaScript: no TypeScript transpiling on the synth path. Packages stay external (node loads
 * cdk8s from node_modules as usual) except zod; our code and the generated imports/ are bundled.
 *
 * Start-up cost, measured by `npm run bench` (docs/benchmarks.md): zod is ESM spread over about
 * a hundred files, so loading it as one bundled module saves about 15-20 ms per synth; the
 * source map is a separate file (.build/main.mjs.map, used with `node --enable-source-maps`)
 * because an inline map makes node read and scan megabytes on every run.
 */
import { build, type Plugin } from 'esbuild';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Where the bundle lives: ignored by git, never inside dist/. */
export const SYNTH_BUNDLE = `${REPO_ROOT}.build/main.mjs`;

/** Packages bundled into the entry; every other package is loaded from node_modules. */
const BUNDLED_PACKAGES = /^zod(\/|$)/;

/** Marks every bare import (a package or a node: builtin) external, except BUNDLED_PACKAGES. */
const externalPackages: Plugin = {
  name: 'external-packages-except-bundled',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (BUNDLED_PACKAGES.test(args.path) ? undefined : { path: args.path, external: true }));
  },
};

/** Builds .build/main.mjs from src/main.ts (about 50-100 ms). Returns the bundle path. */
export async function bundleSynthEntry(outfile: string = SYNTH_BUNDLE): Promise<string> {
  await build({
    entryPoints: [`${REPO_ROOT}src/main.ts`],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    plugins: [externalPackages],
    sourcemap: 'linked',
    logLevel: 'error',
    legalComments: 'none',
  });
  return outfile;
}
