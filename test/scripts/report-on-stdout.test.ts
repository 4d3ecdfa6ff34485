/**
 * A report written to standard output (`--json -`) is stdout's whole text: the command's human
 * lines (result table, findings, text diff, "wrote ...", summary) go to stderr, so `| jq .` works. Each
 * command runs for real (its exported main, in process, its stdout captured alone) and stdout is
 * parsed whole.
 */
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main as bench } from '../../scripts/bench.js';
import { main as check } from '../../scripts/check.js';
import { main as diff } from '../../scripts/diff.js';
import { main as probe } from '../../scripts/probe.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { FIXTURE_ENVIRONMENTS } from '../synth/helpers.js';
import { runMain } from '../support/run-script.js';
import { tempDir } from '../support/temp.js';

describe('a report on standard output is the whole of it', () => {
  it('probe --demo --json -: stdout parses as the JSON report; the results and summary are on stderr', async () => {
    const run = await runMain(probe, ['--demo', '--only', 'endpoints.health', '--json', '-']);
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { results: { id: string }[] };
    expect(report.results.map((r) => r.id)).toEqual(['endpoints.health']);
    expect(run.stderr).toContain('Starting loopback stand-ins');
    expect(run.stderr).toContain('wrote JSON report to -');
    expect(run.stderr).toMatch(/endpoints\.health/);
  });

  it('probe --junit /dev/stdout: stdout is the XML document alone', async () => {
    const run = await runMain(probe, ['--demo', '--only', 'endpoints.health', '--junit', '/dev/stdout']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trimStart().startsWith('<?xml')).toBe(true);
    expect(run.stdout.trimEnd().endsWith('</testsuites>')).toBe(true);
  });

  it('check --json -: stdout parses as the gate report; the findings are on stderr', async () => {
    const dist = join(tempDir('stdout-check-'), 'dist');
    cpSync(join(REPO_ROOT, 'dist'), dist, { recursive: true });
    const run = await runMain(check, ['--dist', dist, '--dist-only', '--skip-kustomize', '--json', '-']);
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toBeTypeOf('object');
    expect(run.stderr).not.toBe('');
  });

  it('diff --markdown -: stdout is the Markdown alone; the text diff is on stderr', async () => {
    const args = ['--base', 'HEAD', '--env', 'staging', '--environments', FIXTURE_ENVIRONMENTS];
    const run = await runMain(diff, [...args, '--markdown', '-']);
    expect(run.status, run.stderr).toBe(0);
    const file = join(tempDir('stdout-diff-'), 'pr.md');
    const toFile = await runMain(diff, [...args, '--markdown', file]);
    expect(run.stdout).toBe(readFileSync(file, 'utf8'));
    expect(run.stderr).toContain(toFile.stdout.trim()); // the text diff, where a run with a file prints it
  });

  it('bench --json -: stdout parses as the bench report; the table and verdict are on stderr', async () => {
    const run = await runMain(bench, ['--only', 'synth', '--runs', '1', '--warmup', '0', '--json', '-']);
    expect(JSON.parse(run.stdout)).toHaveProperty('measurements');
    expect(run.stderr).toContain('wrote -');
  });
});
