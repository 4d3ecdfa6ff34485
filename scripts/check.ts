#!/usr/bin/env tsx
/**
 * npm run check: the manifest quality gate over dist/ (schemas, engine config, workload policies,
 * secret scan, Flux build, unresolved values). See docs/quality-gate.md.
 *
 *   npm run check                              # against the vendored contracts (contracts/)
 *   npm run check -- --crd-cache .cache/crds   # against CRDs read from a cluster (npm run crds -- --from-cluster)
 */
import { join } from 'node:path';
import { FILL_CACHE_COMMAND } from '../src/check/crd-places.js';
import { ConfigurationError } from '../src/core/command-error.js';
import { reportOnStandardOutput, writeOutput } from '../src/core/output-target.js';
import { defineScript, outputFile } from '../src/core/script.js';
import { runCommand, scriptMain } from '../src/core/script-main.js';
import { REPO_ROOT } from '../src/tooling/root.mjs';

const script = defineScript({
  name: 'check',
  description: `The manifest quality gate over every environment folder in dist/:
  schema      built-in kinds against the Kubernetes API schemas (kubernetes-models), custom
              resources against their CRD's openAPIV3Schema (the CRDs vendored in contracts/crds,
              or a cache with --crd-cache), unknown fields included; a missing schema is a failure
  engine-config  the Arcade release's engine.extraConfig, section by section, against the vendored
              engine config schema 2.0 (contracts/arcade-engine/)
  policy      the workloads the stack renders: non-root, read-only root fs, no privilege
              escalation, capabilities dropped, seccomp, requests/limits, probes, pinned images,
              no host namespaces, SA token only where needed, PDB, NetworkPolicy
  secret      dist/ and every file git tracks: secretlint (recommended preset) + Secret data,
              passwords in URLs, random values under secret-like keys, env values by their name,
              well-known token shapes
  flux        kustomization.yaml lists exactly the folder's files (no remote resource, no link
              leading outside dist/); kubectl kustomize builds it
  synth       each folder is exactly what npm run synth writes from src/ (no hand edit of dist/)
  unresolved  <unresolved: ...> markers and unsealed keys (warnings)
One line per finding: file:line Kind namespace/name field.path: [rule] message (fix: ...) {anchors}
Needs no cluster and no network: every schema it uses is vendored in contracts/ (SOURCES.md).`,
  options: {
    dist: { type: 'string', value: '<dir>', description: 'folder of environment folders (default: dist)' },
    'crd-cache': {
      type: 'string',
      value: '<dir>',
      description: `validate custom resources against this CRD schema cache instead of the vendored
contracts/crds (fill it: ${FILL_CACHE_COMMAND} --cache <dir>; the cluster's own CRDs
show what its API server really accepts)`,
    },
    json: { type: 'string', value: '<file>', description: 'also write the report as JSON' },
    'dist-only': { type: 'boolean', description: 'scan dist/ only for secrets (not every tracked file)' },
    'skip-kustomize': { type: 'boolean', description: 'do not run kubectl kustomize (the file list is still checked)' },
    quiet: { type: 'boolean', description: 'do not print warnings (they still appear in --json)' },
  },
  interrupted: 'nothing written (a --json report is written at the end, whole)',
  exitCodes: {
    0: 'no error (warnings allowed)',
    1: 'an error was found, or the gate could not run (nothing was assumed: the gate did not pass)',
  },
  examples: [
    'npm run check',
    'npm run check -- --json .build/check.json',
    `${FILL_CACHE_COMMAND} && npm run check -- --crd-cache .cache/crds`,
  ],
});

/** The command (src/core/script-main.ts): tests call it in process. */
export const main = scriptMain(script, async (options, { io, path, print }) => {
  // Never one of the gate's inputs: the repository's files, --dist, --crd-cache (src/core/command-inputs.ts).
  const inputs = {
    repoRoot: REPO_ROOT,
    folders: [
      { option: '--dist', path: options.dist },
      { option: '--crd-cache', path: options['crd-cache'] },
    ],
  };
  const json = options.json !== undefined ? outputFile('json', options.json, inputs, io.cwd) : undefined;
  const { errorsOf, runGate } = await import('../src/check/gate.js');
  const { formatReport, reportJson } = await import('../src/check/report.js');
  const { cachedCrds } = await import('../src/check/crd-cache.js');
  const { loadEnvironment } = await import('../src/environments/load.js');
  const { folderFiles, synthEnvironment } = await import('../src/synth.js');
  const crdCache = options['crd-cache'] ? path(options['crd-cache']) : undefined;
  if (crdCache !== undefined) {
    // A missing folder, a file, or a folder npm run crds did not fill: configuration, not one schema.missing per object.
    const { cacheReadRefusal } = await import('../src/check/crd-cache-paths.js');
    const fill = `fill it: ${FILL_CACHE_COMMAND} --cache ${crdCache} (or --from <CRD files>), or give the folder it filled`;
    const refused = cacheReadRefusal(crdCache, `--crd-cache ${crdCache}`, fill);
    if (refused) throw new ConfigurationError(refused);
  }
  const report = await runGate({
    root: REPO_ROOT,
    distDir: options.dist ? path(options.dist) : join(REPO_ROOT, 'dist'),
    ...(crdCache !== undefined ? { crds: cachedCrds(crdCache) } : {}),
    scanRepository: !options['dist-only'],
    ...(options['skip-kustomize'] ? { kubectl: false as const } : {}),
    // Each folder must be what synth writes from src/environments (a hand edit of dist/ fails).
    synthesized: (env) => folderFiles(synthEnvironment(loadEnvironment(env).env)),
  });
  // With --json - the JSON is stdout's whole text: the findings go to stderr.
  const human = reportOnStandardOutput([json], io.cwd) ? (t: string) => io.stderr.write(`${t}\n`) : print;
  human(formatReport(report, { warnings: !options.quiet }));
  if (json) writeOutput(json, reportJson(report), io);
  return errorsOf(report).length > 0 ? 1 : 0;
});

await runCommand(import.meta.url, script, main);
