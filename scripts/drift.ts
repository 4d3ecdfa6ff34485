#!/usr/bin/env tsx
/**
 * npm run drift: compare dist/<env>/ with the live cluster, read-only.
 *
 *   npm run drift -- --env backstage-wus2-v4
 *   npm run drift -- --env backstage-wus2-v4 --kubeconfig ~/.kube/backstage --context backstage-wus2-v4
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterError, connect } from '../src/drift/cluster.js';
import { ConfigurationError } from '../src/core/command-error.js';
import { defineScript } from '../src/core/script.js';
import { runCommand, scriptMain } from '../src/core/script-main.js';
import { REPO_ROOT } from '../src/tooling/root.mjs';

const script = defineScript({
  name: 'drift',
  description: `Reads the live objects of dist/<env>/ from the cluster (read-only: get and list only) and reports
objects missing in the cluster, objects only in the cluster that carry the stack's label
app.kubernetes.io/managed-by=arcade-stack (unless labelled for another environment), and
differences in the fields dist/ sets or Flux last applied, compared as the API server means them
(a default equals an absent field, quantities by value; server-set fields are ignored; see
docs/delivery.md "What counts as drift").`,
  options: {
    env: { type: 'string', value: '<name>', description: 'environment (default: the only one)' },
    kubeconfig: {
      type: 'string',
      value: '<file>',
      description: 'kubeconfig (default: KUBECONFIG, then ~/.kube/config, then the in-cluster service account)',
    },
    context: { type: 'string', value: '<name>', description: 'kubeconfig context (default: current)' },
    timeout: {
      type: 'number',
      value: '<seconds>',
      unit: 'seconds',
      above: 0,
      default: 10,
      description: 'per API call (3 attempts with backoff)',
    },
    dist: { type: 'string', value: '<dir>', description: 'synthesized output (default: dist)' },
    environments: {
      type: 'string',
      value: '<dir>',
      description: 'folder of environment files (default: src/environments)',
    },
  },
  environment: { KUBECONFIG: 'kubeconfig when --kubeconfig is not given' },
  interrupted: 'nothing written (drift only reads the cluster)',
  exitCodes: {
    0: 'no drift',
    1: 'drift, or the cluster could not be read (never assumed clean)',
    2: 'also: no usable kubeconfig',
  },
  examples: [
    'npm run drift -- --env backstage-wus2-v4',
    'KUBECONFIG=~/.kube/backstage npm run drift -- --env backstage-wus2-v4 --context backstage-wus2-v4',
  ],
});

/** The command (src/core/script-main.ts): tests may call it in process. */
export const main = scriptMain(script, async (options, { io, path, print, warn }) => {
  const { loadEnvironment } = await import('../src/environments/load.js');
  const { detectDrift, formatDrift, hasDrift } = await import('../src/drift/drift.js');
  const selected = loadEnvironment(options.env, options.environments ? path(options.environments) : undefined);
  for (const w of selected.warnings) warn(w);
  const env = selected.env.name;
  const folder = join(options.dist ? path(options.dist) : join(REPO_ROOT, 'dist'), env);
  if (!existsSync(folder)) throw new ConfigurationError(`${folder} does not exist (fix: npm run synth)`);
  const files = readdirSync(folder)
    .sort()
    .map((f) => ({ path: f, content: readFileSync(join(folder, f), 'utf8') }));
  const cluster = await connect({
    kubeconfig: options.kubeconfig ? path(options.kubeconfig) : undefined,
    context: options.context,
    timeoutMs: options.timeout * 1000,
    env: io.env,
    announce: (where) => io.stderr.write(`drift: reading Kubernetes ${where}\n`),
  });
  const report = await detectDrift(env, files, cluster).catch((err: unknown) => {
    throw err instanceof ClusterError ? new ClusterError(`${err.message} (nothing was assumed: drift unknown)`) : err;
  });
  print(formatDrift(report, cluster.server));
  return hasDrift(report) ? 1 : 0;
});

await runCommand(import.meta.url, script, main);
