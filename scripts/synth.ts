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
import { $, argv } from 'zx';
import { REPO_ROOT, bundleSynthEntry } from '../src/tooling/bundle.js';
import { swapDirectory } from '../src/tooling/swap-dir.js';

if (argv.help || argv.h) {
  console.log(`Usage: npm run synth -- [--out <dir>] [--environments <dir>]

Synthesizes every environment in src/environments/ into dist/<environment>/.
  --out <dir>            output folder (default: dist); replaced only on success
  --environments <dir>   folder of environment files (default: src/environments)`);
  process.exit(0);
}

const out = resolve(typeof argv.out === 'string' ? argv.out : join(REPO_ROOT, 'dist'));
const envArgs = typeof argv.environments === 'string' ? ['--environments', resolve(argv.environments)] : [];
const bundle = await bundleSynthEntry();
const staging = `${out}.synth-${process.pid}`;
rmSync(staging, { recursive: true, force: true });
mkdirSync(staging, { recursive: true });

const run = await $({ nothrow: true, timeout: '120s', stdio: ['ignore', 'inherit', 'inherit'] })`node ${bundle} --out ${staging} ${envArgs}`;
if (run.exitCode !== 0) {
  rmSync(staging, { recursive: true, force: true });
  const why = run.exitCode === null ? 'timed out' : `exit code ${run.exitCode}`;
  console.error(`synth: failed (${why}); ${out} was left unchanged`);
  process.exit(1);
}
swapDirectory(staging, out);
console.log(`synth: wrote ${out}`);
