/**
 * No output option replaces one of its command's inputs (src/core/command-inputs.ts): probe's
 * reports, check --json, diff --markdown/--comment and bundle --out, each run for real (its exported
 * main, in process) is refused before any work, exit 2, one line naming the option, the path and
 * the fix, the input's bytes unchanged. The runs that name the repository's own files (the trial's
 * own commands) put back what a regression would replace, so a failure here leaves the checkout as
 * it was.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main as bundle } from '../../scripts/bundle.js';
import { main as check } from '../../scripts/check.js';
import { main as diff } from '../../scripts/diff.js';
import { main as probe } from '../../scripts/probe.js';
import type { ScriptMain } from '../../src/core/script-main.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { FIXTURE_ENVIRONMENTS } from '../synth/helpers.js';
import { runMain } from '../support/run-script.js';
import { tempDir } from '../support/temp.js';

const REFUSED = /: is one of this command's inputs, .*: writing there would replace it; nothing written \(fix: /;

/**
 * Runs `main` with `args`, expecting the refusal of `input` (an absolute path): its bytes (and the
 * `besides` files' absence) are checked and, should a regression have written them, put back.
 */
async function refusedRun(main: ScriptMain, args: string[], input: string, besides: string[] = []) {
  const before = readFileSync(input);
  try {
    const run = await runMain(main, args);
    expect(run.status, `${run.stdout}${run.stderr}`).toBe(2);
    expect(run.stderr).toMatch(REFUSED);
    expect(readFileSync(input).equals(before)).toBe(true);
    for (const file of besides) expect(existsSync(file), file).toBe(false);
    return run;
  } finally {
    if (!readFileSync(input).equals(before)) writeFileSync(input, before);
    for (const file of besides) rmSync(file, { force: true });
  }
}

describe('an output option naming one of the command inputs', () => {
  it('probe --demo --json src/environments/<env>.yaml, and a link to it: refused, the file kept', async () => {
    const env = join(REPO_ROOT, 'src', 'environments', 'backstage-wus2-v4.yaml');
    const run = await refusedRun(probe, ['--demo', '--json', 'src/environments/backstage-wus2-v4.yaml'], env);
    expect(run.stderr).toContain("--json src/environments/backstage-wus2-v4.yaml: is one of this command's inputs");
    expect(run.stdout).toBe(''); // nothing started: no stand-ins, no probe
    const link = join(tempDir('inputs-probe-'), 'report.json');
    symlinkSync(env, link);
    await refusedRun(probe, ['--demo', '--junit', link], env);
  });

  it('probe --json over its own --targets file: refused', async () => {
    const dir = tempDir('inputs-targets-');
    const targets = join(dir, 'targets.yaml');
    writeFileSync(targets, 'arcade: {}\n');
    const run = await refusedRun(probe, ['--targets', targets, '--markdown', targets], targets);
    expect(run.stderr).toContain('the file --targets ');
  });

  it('check --json into the --dist it gates, and into the committed dist/: refused', async () => {
    const dist = join(tempDir('inputs-check-'), 'dist');
    cpSync(join(REPO_ROOT, 'dist'), dist, { recursive: true });
    const release = join(dist, 'backstage-wus2-v4', 'release.yaml');
    const gate = ['--dist', dist, '--dist-only', '--skip-kustomize'];
    await refusedRun(check, [...gate, '--json', release], release);
    const committed = join(REPO_ROOT, 'dist', 'backstage-wus2-v4', 'release.yaml');
    const run = await refusedRun(check, [...gate, '--json', 'dist/backstage-wus2-v4/release.yaml'], committed);
    expect(run.stderr).toContain("the repository's own dist");
  });

  it('diff --markdown into its --environments, and --comment into dist/: refused', async () => {
    const envs = join(tempDir('inputs-diff-'), 'environments');
    cpSync(FIXTURE_ENVIRONMENTS, envs, { recursive: true });
    const staging = join(envs, 'staging.yaml');
    const args = ['--base', 'HEAD', '--env', 'staging', '--environments', envs];
    await refusedRun(diff, [...args, '--markdown', staging], staging);
    const committed = join(REPO_ROOT, 'dist', 'backstage-wus2-v4', 'release.yaml');
    await refusedRun(diff, [...args, '--comment', 'dist/backstage-wus2-v4/release.yaml'], committed);
  });

  it('bundle --out src/main.ts, and an --out whose .inputs.json leads into --environments: refused', async () => {
    const main = join(REPO_ROOT, 'src', 'main.ts');
    await refusedRun(bundle, ['--out', 'src/main.ts'], main, [`${main}.inputs.json`, `${main}.built-from.json`]);
    const dir = tempDir('inputs-bundle-');
    const envs = join(dir, 'environments');
    mkdirSync(envs);
    const env = join(envs, 'staging.yaml');
    cpSync(join(FIXTURE_ENVIRONMENTS, 'staging.yaml'), env);
    symlinkSync(env, join(dir, 'runner.mjs.inputs.json'));
    const run = await refusedRun(bundle, ['--out', join(dir, 'runner.mjs'), '--environments', envs], env);
    expect(run.stderr).toContain('the folder --environments');
    expect(existsSync(join(dir, 'runner.mjs'))).toBe(false);
  });

  it('bundle --out <a link to src/main.ts>: the refusal says where the link leads', async () => {
    const main = join(REPO_ROOT, 'src', 'main.ts');
    const link = join(tempDir('inputs-bundle-link-'), 'runner.mjs');
    symlinkSync(main, link);
    const run = await refusedRun(bundle, ['--out', link], main, [`${main}.inputs.json`, `${main}.built-from.json`]);
    expect(run.stderr).toContain(`bundle: --out ${link}: is one of this command's inputs, `);
    expect(run.stderr).toContain(` (it leads to ${main}): writing there would replace it; nothing written`);
  });
});
