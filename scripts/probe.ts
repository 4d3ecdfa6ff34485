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
 *
 * Like every script it exports `main` and runs only as the process's entry (runCommand). It is
 * not a `scriptMain`: the command parses its own arguments and words its own failures, every line
 * redacted of ARCADE_API_KEY, and draws its live view on the terminal it is given (`io.stdout` is
 * the process's stdout, with `isTTY` and `columns`, unless a caller gives another). Relative paths
 * (`--targets`, report files) resolve against the process's working folder, not `io.cwd`.
 *
 * `npm run probe` runs it with plain node from its bundle, as every script (src/tooling/launch.mjs;
 * the probe's bundle holds the packages too: src/tooling/script-bundle.ts).
 */
import { describeFailure } from '../src/core/script.js';
import { processIo, runCommand, type ScriptMain } from '../src/core/script-main.js';
import { answerUsage, PROBE_SCRIPT, runnerCommand } from '../src/probes/cli-options.js';

/** The command (src/probes/cli.ts) with the process's io unless given; returns the exit code. */
export const main: ScriptMain = async (args, given = {}) => {
  const io = { ...processIo(), ...given };
  try {
    const answered = answerUsage(args, io);
    if (answered !== undefined) return answered;
    const { runProbeCli } = await import('../src/probes/cli.js');
    return await runProbeCli(args, { env: io.env, stdout: io.stdout, stderr: io.stderr, signal: io.signal });
  } catch (err) {
    const failure = describeFailure(PROBE_SCRIPT.name, err, runnerCommand());
    io.stderr.write(`${failure.text}\n`);
    return failure.code;
  }
};

// Interruptible: SIGINT/SIGTERM stop the run and the --demo stand-ins (src/probes/interrupted-run.ts).
await runCommand(import.meta.url, PROBE_SCRIPT, main);
