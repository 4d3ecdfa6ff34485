#!/usr/bin/env tsx
/**
 * npm run drift: compare dist/<env>/ with the live cluster, read-only.
 *
 *   npm run drift -- --env backstage-wus2-v4
 *   npm run drift -- --env backstage-wus2-v4 --kubeconfig ~/.kube/backstage --context backstage-wus2-v4
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { argv } from 'zx';
import { ClusterError, connect } from '../src/drift/cluster.js';
import { detectDrift, formatDrift, hasDrift } from '../src/drift/drift.js';
import { EnvironmentError, loadEnvironment, loadEnvironments } from '../src/environments/load.js';
import { parseCli, UsageError } from '../src/review/cli.js';
import { REPO_ROOT } from '../src/tooling/bundle.js';

const USAGE = `Usage: npm run drift -- [--env <name>] [--kubeconfig <file>] [--context <name>]

Reads the live objects of dist/<env>/ from the cluster (read-only: get and list only) and reports
objects missing in the cluster, objects only in the cluster that carry the stack's label
app.kubernetes.io/managed-by=arcade-stack (unless labelled for another environment), and
differences in the fields dist/ sets (fields it does not set and server-set ones are ignored).

  --env <name>            environment (default: the only one)
  --kubeconfig <file>     kubeconfig (default: KUBECONFIG, then ~/.kube/config)
  --context <name>        kubeconfig context (default: current)
  --timeout <seconds>     per API call (default: 10; 3 attempts with backoff)
  --dist <dir>            synthesized output (default: dist)
  --environments <dir>    folder of environment files (default: src/environments)

Exit code 0 when there is no drift, 1 on drift or when the cluster cannot be read (never assumed
clean), 2 on bad usage.

Examples:
  npm run drift -- --env backstage-wus2-v4
  KUBECONFIG=~/.kube/backstage npm run drift -- --env backstage-wus2-v4 --context backstage-wus2-v4`;

try {
  const { help, option } = parseCli(argv, { options: ['env', 'kubeconfig', 'context', 'timeout', 'dist', 'environments'] });
  if (help) {
    console.log(USAGE);
    process.exit(0);
  }
  const timeout = Number(option('timeout') ?? '10');
  if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError('--timeout must be a positive number of seconds');
  const dir = option('environments') ? resolve(option('environments')!) : undefined;
  const name = option('env');
  const all = name ? [loadEnvironment(name, dir)] : loadEnvironments(dir);
  if (all.length !== 1) throw new UsageError(`--env is required: there are ${all.length} environments (${all.map((l) => l.env.name).join(', ')})`);
  const env = all[0]!.env.name;
  const folder = join(option('dist') ? resolve(option('dist')!) : join(REPO_ROOT, 'dist'), env);
  if (!existsSync(folder)) throw new Error(`${folder} does not exist (fix: npm run synth)`);
  const files = readdirSync(folder).sort().map((f) => ({ path: f, content: readFileSync(join(folder, f), 'utf8') }));
  const kubeconfig = option('kubeconfig');
  const cluster = await connect({ kubeconfig: kubeconfig ? resolve(kubeconfig) : undefined, context: option('context'), timeoutMs: timeout * 1000 });
  const report = await detectDrift(env, files, cluster);
  console.log(formatDrift(report, cluster.server));
  process.exitCode = hasDrift(report) ? 1 : 0;
} catch (err) {
  if (err instanceof UsageError) {
    console.error(`drift: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  const known = err instanceof ClusterError || err instanceof EnvironmentError;
  console.error(`drift: ${known ? err.message : `failed: ${(err as Error).message}`} (nothing was assumed: drift unknown)`);
  process.exit(1);
}
