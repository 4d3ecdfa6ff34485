#!/usr/bin/env tsx
/**
 * npm run bundle: the probe runner in one file, what the container image runs (Dockerfile).
 *
 *   npm run bundle                                  # .build/probe-runner.mjs
 *   npm run bundle -- --env backstage-wus2-v4       # and the docker build command for it
 */
import { relative } from 'node:path';
import { BESIDE_A_BUNDLE } from '../src/core/beside-bundle.mjs';
import { defineScript, plainOutputFile } from '../src/core/script.js';
import { runCommand, scriptMain } from '../src/core/script-main.js';
import { PROBE_RUNNER_BUNDLE } from '../src/tooling/bundle.js';
import { REPO_ROOT } from '../src/tooling/root.mjs';

const script = defineScript({
  name: 'bundle',
  description: `Bundles the probe runner (npm run probe) with esbuild into ONE ES module that needs no
node_modules: every package, the engine API contract and the --demo stand-ins inside it. Run it
with node 20: node .build/probe-runner.mjs --demo. The repository's Dockerfile builds it this way
and copies only this file into the image (docs/continuous-evidence.md "The image"). Built again
only when something it was built from changed: the record <file>.built-from.json and the list of
its inputs <file>.inputs.json are written beside it, so --out takes only a file path: not -, a
device or a folder; a missing folder is made when its nearest existing part is a writable folder
(not a file or a device); a link is followed (the file it leads to is written, the others beside
that file, the link stays). With --env,
also prints the docker build command for the environment's base image (continuous.runner.baseImage)
and image (continuous.runner.image).`,
  options: {
    out: {
      type: 'string',
      value: '<file>',
      description: `where to write the bundle, a file path (a link: the file it leads to) (default: ${relative(REPO_ROOT, PROBE_RUNNER_BUNDLE)})`,
    },
    env: { type: 'string', value: '<name>', description: 'print the docker build command for this environment' },
    environments: {
      type: 'string',
      value: '<dir>',
      description: 'folder of environment files (default: src/environments)',
    },
  },
  interrupted: 'nothing written (the bundle and the files beside it are written together at the end)',
  exitCodes: { 0: 'the bundle was written, or was up to date', 1: 'esbuild failed' },
  examples: ['npm run bundle', 'npm run bundle -- --env backstage-wus2-v4', 'node .build/probe-runner.mjs --demo'],
});

/** The command (src/core/script-main.ts): tests may call it in process. */
export const main = scriptMain(script, async (options, { io, path, print, warn }) => {
  const { statSync } = await import('node:fs');
  const { bundleProbeRunner } = await import('../src/tooling/bundle.js');
  // Checked before anything is built or written; a link is followed (src/core/script.ts plainOutputFile).
  const given =
    options.out === undefined
      ? undefined
      : plainOutputFile(
          'out',
          options.out,
          {
            fix: 'give a file path in a writable folder (a missing folder is made), e.g. --out .build/probe-runner.mjs',
            inputs: { repoRoot: REPO_ROOT, folders: [{ option: '--environments', path: options.environments }] },
            besides: BESIDE_A_BUNDLE,
          },
          io.cwd,
        );
  // The environment too (an unreadable or invalid file is exit 2 before anything is built).
  const { loadEnvironment } = await import('../src/environments/load.js');
  const chosen =
    options.env === undefined
      ? undefined
      : loadEnvironment(options.env, options.environments ? path(options.environments) : undefined);
  const { path: out, built } = await bundleProbeRunner(given);
  const mb = (statSync(out).size / 1e6).toFixed(1);
  // Built again only when something it was built from changed (src/tooling/build-record.mjs).
  const what = built ? `wrote ${relative(io.cwd, out) || out}` : `${relative(io.cwd, out) || out} is up to date`;
  print(`bundle: ${what} (${mb} MB); run it with: node ${out} --demo`);
  if (chosen === undefined) return 0;
  const { isUnresolved } = await import('../src/environments/unresolved.js');
  const { printable } = await import('../src/core/printable.js');
  const { env, warnings } = chosen;
  for (const w of warnings) warn(w);
  const { baseImage, image } = env.continuous.runner;
  // A value not known yet becomes a placeholder a shell refuses loudly, naming the field (never a <...>, a redirection
  // to a shell): "${VAR:?...}" fails unless VAR is exported, and its words hold no character a shell expands.
  const missing: string[] = [];
  const named = env.name; // a DNS label (the schema's dnsLabel('name')): nothing a shell would expand inside the quotes
  const shown = (v: typeof image, field: string, variable: string) => {
    if (v !== undefined && !isUnresolved(v)) return v;
    const state = v === undefined ? 'not set' : 'unresolved';
    missing.push(`${field} (${variable}) is ${v === undefined ? 'not set' : `unresolved: ${printable(v.unresolved)}`}`);
    return `"\${${variable}:?${field} is ${state} in the environment ${named}: set it there, then run npm run bundle -- --env ${named} again}"`;
  };
  const base = shown(baseImage, 'continuous.runner.baseImage', 'ARCADE_RUNNER_BASE_IMAGE');
  // The tag to push (the digest is known only after the push): the image without its digest.
  const tag = shown(
    typeof image === 'string' ? image.split('@')[0] : image,
    'continuous.runner.image',
    'ARCADE_RUNNER_IMAGE',
  );
  const pushed = typeof image === 'string' ? tag : '<registry>/<path>:<tag>';
  if (missing.length > 0)
    print(
      `bundle: what follows is a TEMPLATE, not a command to run as it is: ${missing.join('; ')}. Each placeholder ` +
        `"\${NAME:?...}" stops the shell naming the value; set them in the environment file (or export NAME to try one)`,
    );
  print(
    [
      `Build and push the image of ${env.name} from the repository root (README "The probe runner image"):`,
      `  docker build --build-arg BASE_IMAGE=${base} -t ${tag} .`,
      `  docker push ${tag}`,
      `then write the pushed digest into continuous.runner.image (${pushed}@sha256:<digest>) and run npm run synth.`,
    ].join('\n'),
  );
  return 0;
});

await runCommand(import.meta.url, script, main);
