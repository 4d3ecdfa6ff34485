/**
 * `npm run bundle -- --env <name>` with the runner's image and base image not known yet: exit 0
 * (the bundle was written), and the docker commands printed as a TEMPLATE, said so in a line that
 * names each unresolved value and why, every missing value a `"${NAME:?...}"` placeholder. Pasted
 * into `sh -c`, the command fails naming the value, before docker runs (a `<...>` placeholder was
 * read by the shell as a redirection); with the variables exported, it runs with them. The reasons
 * are the environment file's text: shown escaped (README "Text from outside is printed escaped"),
 * and never inside the placeholder, where a shell would expand them.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main as bundleMain } from '../../scripts/bundle.js';
import { runProgram } from '../../src/core/run-program.js';
import { FIXTURE_ENVIRONMENTS } from '../synth/helpers.js';
import { CHILD_TIMEOUT_MS } from '../support/deadlines.js';
import { runMain } from '../support/run-script.js';
import { tempDir } from '../support/temp.js';

/** `sh -c <command>` with PATH leading to a `docker` that notes its arguments in `<dir>/docker.args`. */
async function pasted(dir: string, command: string, exported: Record<string, string> = {}) {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'docker'), `#!/bin/sh\nprintf '%s\\n' "$@" >> "${dir}/docker.args"\n`, { mode: 0o755 });
  const env: NodeJS.ProcessEnv = { PATH: `${bin}:/usr/bin:/bin`, ...exported };
  const { error, stderr } = await runProgram('sh', ['-c', command], {
    cwd: dir,
    encoding: 'utf8',
    env,
    timeoutMs: CHILD_TIMEOUT_MS,
    maxBuffer: 1024 * 1024,
  });
  const args = join(dir, 'docker.args');
  return { failed: error !== null, stderr, docker: existsSync(args) ? readFileSync(args, 'utf8') : undefined };
}

describe('npm run bundle --env with the runner image unresolved', () => {
  it('prints a template marked as one, whose command a shell refuses naming the unresolved value', async () => {
    const dir = tempDir('arcade-bundle-template-');
    const envs = join(dir, 'envs');
    mkdirSync(envs);
    const hostile = 'not built yet \u001b[31m} $(touch pwned) `touch pwned` "quoted"\nsecond line';
    const staging = readFileSync(join(FIXTURE_ENVIRONMENTS, 'staging.yaml'), 'utf8')
      .replace(/^( {4}image: ).*$/m, `$1{ unresolved: ${JSON.stringify(hostile)} }`)
      .replace(/^( {4}baseImage: ).*$/m, '$1{ unresolved: "the base image is not chosen yet" }')
      .replace(/^(continuous:\n {2}enabled: )true$/m, '$1false'); // unresolved runner values need it off
    expect(staging).toContain('continuous:\n  enabled: false');
    expect(staging).toContain('not built yet');
    writeFileSync(join(envs, 'staging.yaml'), staging);
    const run = await runMain(bundleMain, [
      '--env',
      'staging',
      '--environments',
      envs,
      '--out',
      join(dir, 'out', 'probe-runner.mjs'),
    ]);
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.split('\n');
    const template = lines.find((l) => l.startsWith('bundle: what follows is a TEMPLATE'));
    expect(template).toBe(
      'bundle: what follows is a TEMPLATE, not a command to run as it is: continuous.runner.baseImage ' +
        '(ARCADE_RUNNER_BASE_IMAGE) is unresolved: the base image is not chosen yet; continuous.runner.image ' +
        '(ARCADE_RUNNER_IMAGE) is unresolved: not built yet \\u001b[31m} $(touch pwned) `touch pwned` "quoted"\\u000asecond line. ' +
        'Each placeholder "${NAME:?...}" stops the shell naming the value; set them in the environment file ' +
        '(or export NAME to try one)',
    );
    expect(run.stdout).not.toMatch(/<continuous\.runner/);
    const build = lines.find((l) => l.startsWith('  docker build '))!.trim();
    expect(build).not.toContain('pwned');

    const refused = await pasted(dir, build);
    expect(refused.failed).toBe(true);
    expect(refused.stderr).toContain(
      'ARCADE_RUNNER_BASE_IMAGE: continuous.runner.baseImage is unresolved in the environment staging: set it there',
    );
    expect(refused.docker).toBeUndefined();
    expect(existsSync(join(dir, 'pwned'))).toBe(false);

    const tried = await pasted(dir, build, {
      ARCADE_RUNNER_BASE_IMAGE: 'node:20-bookworm-slim',
      ARCADE_RUNNER_IMAGE: 'registry.example/arcade-probes:try',
    });
    expect(tried.failed, tried.stderr).toBe(false);
    expect(tried.docker).toBe(
      'build\n--build-arg\nBASE_IMAGE=node:20-bookworm-slim\n-t\nregistry.example/arcade-probes:try\n.\n',
    );
  });
});
