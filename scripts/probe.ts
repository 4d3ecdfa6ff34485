#!/usr/bin/env tsx
/**
 * npm run probe: post-deploy evaluation probes (docs/probes.md).
 *
 *   npm run probe -- --env backstage-wus2-v4
 *   npm run probe -- --env backstage-wus2-v4 --wait 600 --revision <sha> --junit probe.xml
 *   npm run probe -- --demo
 *
 * The command lives in src/probes/cli.ts (tests run it in-process); its options are parsed by
 * the script harness from PROBE_SCRIPT's table, like every other script's.
 */
import { runProbeCli } from '../src/probes/cli.js';
import { runEntry } from '../src/core/script.js';

await runEntry('probe', () =>
  runProbeCli(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr }),
);
