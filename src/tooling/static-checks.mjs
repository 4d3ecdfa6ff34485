// npm test's static checks (format and lint, unused code, types, layers), run side by side: one
// after the other they cost their sum (about 13 s on a quiet 2-core machine), side by side about
// the longest of them (tsc), as most of each is one process on one core. Every check runs to its end even when
// another fails, so one `npm test` shows every broken rule; each check's own output is printed
// whole, under a header naming it, when it ends (never interleaved with another's); the exit code
// is 1 when any check failed (npm test then stops before vitest, as `a && b && vitest` did).
//
// Plain JavaScript so node starts it without tsx. ARCADE_STATIC_CHECKS_TIMES=<file> also writes
// the wall time of all four and each check's name, exit code and time as JSON
// (`{ wallMs, checks: [{ name, code, ms }] }`; npm run bench -- --only tests reads it).
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(ROOT, 'node_modules', '.bin');

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
  {
    name: 'layers',
    command: [
      join(BIN, 'depcruise'),
      'src',
      'scripts',
      '--config',
      '.dependency-cruiser.mjs',
      '--output-type',
      'err-long',
    ],
  },
];

/**
 * Runs one check in `cwd`, its stdout and stderr into one buffer.
 * @returns {Promise<{ name: string, code: number, ms: number, output: string }>}
 */
function runCheck(check, cwd) {
  const started = performance.now();
  return new Promise((resolve) => {
    const [file, ...args] = check.command;
    const child = spawn(file, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
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
    child.on('error', (err) => done(127, `${check.name}: could not start ${file}: ${err.message}\n`));
    child.on('close', (code, signal) => done(code ?? 1, signal ? `${check.name}: killed by ${signal}\n` : ''));
  });
}

/**
 * Runs every check at once; writes each one's output to `out` as it ends. Resolves with each
 * check's result, in the order given.
 */
export async function runStaticChecks(checks = STATIC_CHECKS, { cwd = ROOT, out = process.stdout } = {}) {
  return Promise.all(
    checks.map(async (check) => {
      const result = await runCheck(check, cwd);
      const verdict = result.code === 0 ? 'ok' : `FAILED (exit ${result.code})`;
      const output = result.output.trimEnd();
      out.write(`── ${check.name}: ${verdict} in ${(result.ms / 1000).toFixed(1)} s\n${output ? `${output}\n` : ''}`);
      return result;
    }),
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = performance.now();
  const results = await runStaticChecks();
  const failed = results.filter((r) => r.code !== 0).map((r) => r.name);
  if (process.env.ARCADE_STATIC_CHECKS_TIMES) {
    const checks = results.map(({ name, code, ms }) => ({ name, code, ms }));
    const times = { wallMs: performance.now() - started, checks };
    writeFileSync(process.env.ARCADE_STATIC_CHECKS_TIMES, `${JSON.stringify(times)}\n`);
  }
  if (failed.length > 0) {
    process.stdout.write(`static checks: ${failed.join(', ')} failed (each one's messages are above)\n`);
    process.exitCode = 1;
  }
}
