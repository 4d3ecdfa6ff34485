#!/usr/bin/env tsx
/**
 * npm run synth: bundle the app, synthesize every environment into a temporary folder, and swap
 * it into dist/ only when synthesis succeeded. A failed or interrupted synth leaves the previous
 * dist/ intact; --out never replaces a folder synth did not create (src/tooling/output-dir.ts).
 *
 *   npm run synth
 *   npm run synth -- --out /tmp/preview            # write elsewhere (same swap rule)
 *   npm run synth -- --environments ./my-envs      # another folder of environment files
 */
import { join, resolve } from 'node:path';
import { defineScript, runScript } from '../src/core/script.js';
import { REPO_ROOT, bundleSynthEntry } from '../src/tooling/bundle.js';
import { checkOutputFolder, DIST_MARKER } from '../src/tooling/output-dir.js';
import { removeStaleStaging, synthesizeInto } from '../src/tooling/synth-run.js';

const script = defineScript({
  name: 'synth',
  description: `Synthesizes every environment in src/environments/ into <out>/<environment>/: bundles src/main.ts,
runs it into a temporary folder beside <out> (<out>.synth-<pid>), and swaps that folder into place
only on success. <out> must be missing, empty, or an earlier synth's output (it holds ${DIST_MARKER});
the repository, a folder containing it, and any other folder are refused: synth replaces the whole
folder. Temporary folders left by a killed run are removed.`,
  options: {
    out: { type: 'string', value: '<dir>', description: 'output folder, replaced only on success (default: dist)' },
    environments: {
      type: 'string',
      value: '<dir>',
      description: 'folder of environment files (default: src/environments)',
    },
  },
  exitCodes: {
    0: 'synthesized',
    1: 'synthesis failed or timed out (the previous output is left unchanged)',
    2: 'also: an invalid environment file, or an --out synth must not replace',
  },
  examples: ['npm run synth', 'npm run synth -- --out /tmp/preview', 'npm run synth -- --environments ./my-envs'],
  interruptible: true,
});

await runScript(script, async (options, { signal }) => {
  const out = checkOutputFolder(options.out ?? join(REPO_ROOT, 'dist'), REPO_ROOT);
  for (const line of removeStaleStaging(out)) console.log(`synth: ${line}`);
  const bundle = await bundleSynthEntry();
  await synthesizeInto({
    bundle,
    out,
    environments: options.environments ? resolve(options.environments) : undefined,
    signal,
  });
  console.log(`synth: wrote ${out}`);
  return 0;
});
