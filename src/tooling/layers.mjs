// npm run layers (and npm test's layer check, src/tooling/static-checks.mjs): dependency-cruiser's
// check of which folder may import which (.dependency-cruiser.mjs; README "Architecture"), over
// src/ and scripts/. Answers --help with its own help (./tool-args.mjs), not depcruise's. Plain
// JavaScript so node starts it without tsx. Exit code: depcruise's.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killedFix } from './processes.mjs';
import { REPO_ROOT } from './root.mjs';
import { answerToolArgs } from './tool-args.mjs';

/** depcruise's arguments: every import in src/ and scripts/ against the layer rules, each violation on its own lines. */
const ARGS = ['src', 'scripts', '--config', '.dependency-cruiser.mjs', '--output-type', 'err-long'];

const HELP = `npm run layers: which folder may import which (README "Architecture"), checked by dependency-cruiser.

Runs: depcruise ${ARGS.join(' ')}
  (node_modules/.bin/depcruise; the rules and their cache are in .dependency-cruiser.mjs)
npm test runs the same check beside Biome, knip and the typecheck (src/tooling/static-checks.mjs).

Options:
  -h, --help  this help

Exit codes:
  0  every import follows the layer rules
  1  an import breaks a rule (each printed with the rule and its fix), or depcruise could not run
  2  bad usage (an option other than --help)

Examples:
  npm run layers`;

/** Runs depcruise in `root`, its output to this process's; returns its exit code (1 when it could not start). */
function layers(root = REPO_ROOT) {
  const depcruise = join(root, 'node_modules', '.bin', 'depcruise');
  const result = spawnSync(depcruise, ARGS, { cwd: root, stdio: 'inherit' });
  if (result.error)
    process.stderr.write(
      `layers: could not start ${depcruise}: ${result.error.message} (fix: npm ci, which installs dependency-cruiser)\n`,
    );
  else if (result.signal) process.stderr.write(`layers: ${depcruise} was ${killedFix(result.signal)}\n`);
  return result.status ?? 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1])
  process.exitCode = answerToolArgs('layers', HELP, process.argv.slice(2)) ?? layers();
