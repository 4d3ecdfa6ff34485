#!/usr/bin/env tsx
/**
 * npm run probe: post-deploy evaluation probes (docs/probes.md).
 *
 *   npm run probe -- --env backstage-wus2-v4
 *   npm run probe -- --env backstage-wus2-v4 --wait 600 --revision <sha> --junit probe.xml
 *   npm run probe -- --demo
 *
 * Arguments are parsed by src/probes/cli.ts with node's strict parseArgs rather than zx's argv:
 * minimist would turn an all-digit `--revision 1234567` into a number.
 */
import { runProbeCli } from '../src/probes/cli.js';

try {
  const code = await runProbeCli(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr });
  process.exitCode = code;
} catch (err) {
  console.error(`probe: failed: ${(err as Error).stack ?? String(err)}`);
  process.exitCode = 1;
}
