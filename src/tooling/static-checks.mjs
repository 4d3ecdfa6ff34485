// npm test's static checks (format and lint, unused code, types, layers), run side by side: one
// after the other they cost their sum (about 13 s on a quiet 2-core machine), side by side about
// the longest of them (tsc), as most of each is one process on one core. Every check runs to its end even when
// another fails, so one `npm test` shows every broken rule; each check's own output is printed
// whole, under a header naming it, when it ends (never interleaved with another's); the exit code
// is 1 when any check failed (npm test then stops before vitest, as `a && b && vitest` did).
//
// A check whose inputs are exactly those of a run that passed is not run again, as `tsc -b` or a
// build system would not: `── biome: unchanged since it passed (inputs <hash>), not run`. The
// inputs are content-hashed (./static-inputs.mjs: the working tree git shows, ignored files a tool
// may read, the installed packages, node, the tool variables, the command line); the passes are
// recorded in .build/static-checks.json after a run that passed, never after one that failed.
// When the inputs cannot be pinned down (no git work tree, ...) every check runs and the reason is
// printed. ARCADE_STATIC_CHECKS=force runs every check all the same (and records the passes).
//
// Plain JavaScript so node starts it without tsx. ARCADE_STATIC_CHECKS_TIMES=<file> also writes
// the wall time of all four and each check's name, exit code and time as JSON
// (`{ wallMs, checks: [{ name, code, ms, skipped? }] }`; npm run bench -- --only tests reads it);
// a check not run has `skipped: true` and, as `ms`, the time it took to know its inputs unchanged.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { killedFix } from './processes.mjs';
import { REPO_ROOT } from './root.mjs';
import { checkInputs, readRecord, recordPassed, treeInputs } from './static-inputs.mjs';

// Without root.mjs's trailing separator: the folder as the record's fingerprints (checkInputs hashes
// it) and the "not the root of a git work tree" message have always named it.
const ROOT = resolve(REPO_ROOT);
const BIN = join(ROOT, 'node_modules', '.bin');

/** Where the checks that passed are recorded, relative to the repository root (a fresh clone has no .build/). */
export const STATIC_CHECKS_RECORD = join('.build', 'static-checks.json');

/**
 * The checks, as package.json's `lint`, `typecheck` and `layers` scripts run them, each with its
 * own cache (docs/benchmarks.md "The static checks' caches"): knip's in node_modules/.cache/knip
 * (`--cache`), dependency-cruiser's in node_modules/.cache/dependency-cruiser (its config's
 * `cache`), TypeScript's build info in .build/ (src/tooling/typecheck.mjs). Biome has none.
 */
export const STATIC_CHECKS = [
  { name: 'biome', command: [join(BIN, 'biome'), 'check', '--error-on-warnings', '.'] },
  { name: 'knip', command: [join(BIN, 'knip'), '--cache'] },
  { name: 'tsc', command: [process.execPath, join(ROOT, 'src', 'tooling', 'typecheck.mjs')] },
  { name: 'layers', command: [process.execPath, join(ROOT, 'src', 'tooling', 'layers.mjs')] },
];

/**
 * Runs one check in `cwd`, its stdout and stderr into one buffer.
 * @returns {Promise<{ name: string, code: number, ms: number, output: string }>}
 */
function runCheck(check, cwd, env) {
  const started = performance.now();
  return new Promise((resolve) => {
    const [file, ...args] = check.command;
    const child = spawn(file, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks = [];
    child.stdout.on('data', (d) => chunks.push(d));
    child.stderr.on('data', (d) => chunks.push(d));
    const done = (code, extra = '') =>
      resolve({
        name: check.name,
        code,
        ms: performance.now() - started,
        output: Buffer.concat(chunks).toString() + extra,
      });
    // Every check's program is a dev dependency (node_modules/.bin) or node itself.
    child.on('error', (err) =>
      done(127, `${check.name}: could not start ${file}: ${err.message} (fix: npm ci, which installs it)\n`),
    );
    child.on('close', (code, signal) => done(code ?? 1, signal ? `${check.name}: ${killedFix(signal)}\n` : ''));
  });
}

/**
 * Runs every check at once; writes each one's output to `out` as it ends. With `record` (a file),
 * a check whose inputs are the ones recorded as passed is not run (unless `force`), and the checks
 * that ran and passed are recorded when the inputs did not change while they ran. Resolves with
 * each check's result, in the order given (a check not run: `skipped`, code 0).
 */
export async function runStaticChecks(
  checks = STATIC_CHECKS,
  { cwd = ROOT, out = process.stdout, record, force = false, env = process.env } = {},
) {
  const started = performance.now();
  const tree = record ? treeInputs(cwd, env) : undefined;
  if (tree?.uncertain)
    out.write(`── static checks: every check runs (the record cannot be trusted here): ${tree.uncertain}\n`);
  const passed = tree?.hash && !force ? readRecord(record).checks : {};
  const results = await Promise.all(
    checks.map(async (check) => {
      const inputs = tree?.hash ? checkInputs(tree.hash, check, cwd) : undefined;
      if (inputs && passed[check.name]?.inputs === inputs) {
        out.write(`── ${check.name}: unchanged since it passed (inputs ${inputs.slice(0, 12)}), not run\n`);
        return { name: check.name, code: 0, ms: performance.now() - started, output: '', skipped: true, inputs };
      }
      const result = await runCheck(check, cwd, env);
      const verdict = result.code === 0 ? 'ok' : `FAILED (exit ${result.code})`;
      const output = result.output.trimEnd();
      out.write(`── ${check.name}: ${verdict} in ${(result.ms / 1000).toFixed(1)} s\n${output ? `${output}\n` : ''}`);
      return inputs ? { ...result, inputs } : result;
    }),
  );
  const ran = results.filter((r) => r.code === 0 && !r.skipped && r.inputs);
  if (ran.length > 0) {
    if (treeInputs(cwd, env).hash === tree?.hash) recordPassed(record, ran);
    else out.write('── static checks: the inputs changed while the checks ran, so no pass is recorded\n');
  }
  return results;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const mode = process.env.ARCADE_STATIC_CHECKS;
  if (mode !== undefined && mode !== '' && mode !== 'force') {
    process.stderr.write(`static checks: ARCADE_STATIC_CHECKS is 'force' or unset (got '${mode}')\n`);
    process.exit(2);
  }
  const started = performance.now();
  const results = await runStaticChecks(STATIC_CHECKS, {
    record: join(ROOT, STATIC_CHECKS_RECORD),
    force: mode === 'force',
  });
  const failed = results.filter((r) => r.code !== 0).map((r) => r.name);
  if (process.env.ARCADE_STATIC_CHECKS_TIMES) {
    const checks = results.map(({ name, code, ms, skipped }) => ({ name, code, ms, ...(skipped ? { skipped } : {}) }));
    const times = { wallMs: performance.now() - started, checks };
    writeFileSync(process.env.ARCADE_STATIC_CHECKS_TIMES, `${JSON.stringify(times)}\n`);
  }
  if (failed.length > 0) {
    process.stdout.write(`static checks: ${failed.join(', ')} failed (each one's messages are above)\n`);
    process.exitCode = 1;
  }
}
