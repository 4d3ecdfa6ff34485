/**
 * Debian's `promtool` (package `prometheus`, installed by .ci/run): `promtool check rules` and
 * `promtool test rules` over the stack's alert rules. `findPromtool()` says why it cannot run;
 * tests `skipIf` on that and print the reason. `PROMTOOL_BIN` names another binary (or a missing
 * one, to see the skip).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findPackageBinary } from './prometheus.js';

export type PromtoolLookup = { readonly path: string; readonly version: string } | { readonly missing: string };

export function findPromtool(): PromtoolLookup {
  const found = findPackageBinary('promtool', 'PROMTOOL_BIN');
  if ('missing' in found) return found;
  const { path } = found;
  const run = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  const version = /promtool, version (\d+\.\d+\.\d+)/.exec(`${run.stdout}${run.stderr}`);
  if (!version) return { missing: `${path} --version did not print a promtool version (exit ${run.status})` };
  return { path, version: version[1]! };
}

/**
 * Runs promtool with arguments in a folder; its exit code and output, stdout and stderr in the
 * order promtool wrote them (one file is both, as `2>&1` makes it: `test rules` over several files
 * prints each file's name on stdout and its failures on stderr).
 */
export function promtool(
  binary: { readonly path: string },
  args: readonly string[],
  cwd: string,
): { status: number | null; output: string } {
  const file = join(mkdtempSync(join(tmpdir(), 'promtool-out-')), 'output');
  const fd = openSync(file, 'w');
  try {
    const run = spawnSync(binary.path, args, { cwd, stdio: ['ignore', fd, fd], timeout: 60_000 });
    return { status: run.status, output: readFileSync(file, 'utf8') };
  } finally {
    closeSync(fd);
    rmSync(dirname(file), { recursive: true, force: true });
  }
}
