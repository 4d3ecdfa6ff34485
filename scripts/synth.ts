#!/usr/bin/env tsx
/**
 * npm run synth: bundle the app, synthesize every environment into a temporary folder, and swap
 * it into dist/ only when synthesis succeeded. A failed synth leaves the previous dist/ intact.
 *
 *   npm run synth
 *   npm run synth -- --out /tmp/preview            # write elsewhere (same swap rule)
 *   npm run synth -- --environments ./my-envs      # another folder of environment files
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { $ } from 'zx';
import { defineScript, runScript } from '../src/shared/script.js';
import { REPO_ROOT, bundleSynthEntry } from '../src/tooling/bundle.js';
import { swapDirectory } from '../src/tooling/swap-dir.js';

const script = defineScript({
  name: 'synth',
  description: `Synthesizes every environment in src/environments/ into <out>/<environment>/: bundles src/main.ts,
runs it into a temporary folder beside <out>, and swaps that folder into place only on success.`,
  options: {
    out: { type: 'string', value: '<dir>', description: 'output folder, replaced only on success (default: dist)' },
    environments: { type: 'string', value: '<dir>', description: 'folder of environment files (default: src/environments)' },
  },
  exitCodes: {
    0: 'synthesized',
    1: 'synthesis failed (the previous output is left unchanged)',
    2: 'also: an invalid environment file (the previous output is left unchanged)',
  },
  examples: ['npm run synth', 'npm run synth -- --out /tmp/preview', 'npm run synth -- --environments ./my-envs'],
});

await runScript(script, async (options) => {
  const out = options.out ? resolve(options.out) : join(REPO_ROOT, 'dist');
  const envArgs = options.environments ? ['--environments', resolve(options.environments)] : [];
  const bundle = await bundleSynthEntry();
  const staging = `${out}.synth-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });

  const run = await $({ nothrow: true, timeout: '120s', stdio: ['ignore', 'inherit', 'inherit'] })`node ${bundle} --out ${staging} ${envArgs}`;
  if (run.exitCode !== 0) {
    rmSync(staging, { recursive: true, force: true });
    const why = run.exitCode === null ? 'timed out' : `exit code ${run.exitCode}`;
    console.error(`synth: failed (${why}); ${out} was left unchanged`);
    return run.exitCode === 2 ? 2 : 1;
  }
  swapDirectory(staging, out);
  console.log(`synth: wrote ${out}`);
  return 0;
});
