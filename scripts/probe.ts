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
 * Run from source (`npm run probe`, tsx), it answers --help and usage errors itself, then runs
 * `main` from the bundle of this file (.build/probe-cli/, src/tooling/bundle.ts bundleProbeCli),
 * built first when a source or setting changed: node then loads a few chunk files instead of some
 * 1200 modules through tsx's hooks (docs/benchmarks.md "(session 6, probe-bundle)"). Same process,
 * so the arguments, streams, signals and exit code are the run's own. The bundle runs `main`.
 */
import { pathToFileURL } from 'node:url';
import { describeFailure } from '../src/core/script.js';
import { processIo, runCommand, type ScriptMain } from '../src/core/script-main.js';
import { answerUsage, PROBE_SCRIPT } from '../src/probes/cli-options.js';

/** The command (src/probes/cli.ts) with the process's io unless given; returns the exit code. */
export const main: ScriptMain = async (args, given = {}) => {
  const io = { ...processIo(), ...given };
  try {
    const answered = answerUsage(args, io);
    if (answered !== undefined) return answered;
    const { runProbeCli } = await import('../src/probes/cli.js');
    return await runProbeCli(args, { env: io.env, stdout: io.stdout, stderr: io.stderr });
  } catch (err) {
    const failure = describeFailure(PROBE_SCRIPT.name, err);
    io.stderr.write(`${failure.text}\n`);
    return failure.code;
  }
};

declare global {
  /** `true` in a bundle of this file (esbuild's define, src/tooling/bundle.ts); unset under tsx. */
  var __PROBE_BUNDLED__: true | undefined;
}

/**
 * From source: `main` of the bundle `bundle()` returns (the current one, built first if stale),
 * usage answered before it is needed.
 */
const fromBundle =
  (bundle: () => Promise<string>): ScriptMain =>
  async (args, given = {}) => {
    const io = { ...processIo(), ...given };
    try {
      const answered = answerUsage(args, io);
      if (answered !== undefined) return answered;
      const bundled = (await import(pathToFileURL(await bundle()).href)) as { main: ScriptMain };
      return await bundled.main(args, given);
    } catch (err) {
      const failure = describeFailure(PROBE_SCRIPT.name, err);
      io.stderr.write(`${failure.text}\n`);
      return failure.code;
    }
  };

// The import sits in the branch a bundle drops, so esbuild does not bundle the bundler.
await runCommand(
  import.meta.url,
  {},
  globalThis.__PROBE_BUNDLED__ ? main : fromBundle((await import('../src/tooling/bundle.js')).bundleProbeCli),
);
