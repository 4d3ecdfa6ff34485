#!/usr/bin/env tsx
/**
 * npm run probe: post-deploy evaluation probes (docs/probes.md).
 *
 *   npm run probe -- --env backstage-wus2-v4
 *   npm run probe -- --env backstage-wus2-v4 --wait 600 --revision <sha> --junit probe.xml
 *   npm run probe -- --demo
 *
 * The command lives in src/probes/cli.ts (tests run it in-process); its options are parsed by
 * the script harness from PROBE_SCRIPT's table, like every other script's. --help and bad usage
 * are answered from that table before the command (every probe, zod, yaml) is loaded.
 */
import { runEntry } from '../src/core/script.js';
import { answerUsage } from '../src/probes/cli-options.js';

await runEntry('probe', async () => {
  const args = process.argv.slice(2);
  const io = { env: process.env, stdout: process.stdout, stderr: process.stderr };
  const answered = answerUsage(args, io);
  if (answered !== undefined) return answered;
  const { runProbeCli } = await import('../src/probes/cli.js');
  return runProbeCli(args, io);
});
