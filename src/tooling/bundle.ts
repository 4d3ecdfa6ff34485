/**
 * Bundles the synth entry (src/main.ts) into one ES module outside dist/, so synth runs plain
 * JavaScript: no TypeScript transpiling on the synth path. Packages stay external (node loads
 * cdk8s from node_modules as usual); only our code and the generated imports/ are bundled.
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Where the bundle lives: ignored by git, never inside dist/. */
export const SYNTH_BUNDLE = `${REPO_ROOT}.build/main.mjs`;

/** Builds .build/main.mjs from src/main.ts (about 50-100 ms). Returns the bundle path. */
export async function bundleSynthEntry(outfile: string = SYNTH_BUNDLE): Promise<string> {
  await build({
    entryPoints: [`${REPO_ROOT}src/main.ts`],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    logLevel: 'error',
    legalComments: 'none',
  });
  return outfile;
}
