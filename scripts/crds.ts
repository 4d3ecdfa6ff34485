#!/usr/bin/env tsx
/**
 * npm run crds: fill the CRD schema cache the quality gate (npm run check) validates custom
 * resources against.
 *
 *   npm run crds -- --from ../shared/crds
 *   npm run crds -- --from-cluster --context backstage-wus2-v4
 */
import { resolve } from 'node:path';
import { argv } from 'zx';
import { CrdError, DEFAULT_CRD_CACHE, FILL_CACHE_COMMAND, listCache, readCrdFiles, writeCache, type CachedSchema } from '../src/check/crd-cache.js';
import { parseCli, UsageError } from '../src/review/cli.js';

const USAGE = `Usage: npm run crds -- (--from <dir|file> ... | --from-cluster) [options]

Reads CustomResourceDefinitions and stores the openAPIV3Schema of every served version in the
CRD schema cache (${DEFAULT_CRD_CACHE.replace(process.cwd() + '/', '')}, git-ignored), one file per
<group>/<Kind>/<version>.json. npm run check validates custom resources against it and fails
when a schema it needs is missing.

  --from <dir|file>       CRD YAML/JSON files (multi-document YAML is fine; other objects are
                          ignored); a folder is read recursively; repeat for more
  --from-cluster          read the CRDs of the current kubeconfig context (read-only: one list)
  --kubeconfig <file>     for --from-cluster (default: KUBECONFIG, then ~/.kube/config)
  --context <name>        for --from-cluster (default: the current context)
  --cache <dir>           cache folder (default: .cache/crds)
  --list                  print what the cache holds and exit

Exit code 0 when at least one schema was stored, 1 on an error (unreadable file, no kubeconfig,
no CRD found), 2 on bad usage.

Examples:
  npm run crds -- --from ../shared/crds
  npm run crds -- --from ../shared/crds/fluxcd-helm-controller-v1.6.3-helmreleases.yaml
  KUBECONFIG=~/.kube/backstage npm run crds -- --from-cluster --context backstage-wus2-v4`;

function fromPaths(value: unknown): string[] {
  if (value === undefined) return [];
  const all = Array.isArray(value) ? value : [value];
  if (all.some((v) => typeof v !== 'string' || v === '')) throw new UsageError('--from needs a file or folder');
  return all.map((v) => resolve(String(v)));
}

try {
  const { help, option, flag } = parseCli(argv, { options: ['from', 'kubeconfig', 'context', 'cache'], flags: ['from-cluster', 'list'] });
  if (help) {
    console.log(USAGE);
    process.exit(0);
  }
  const cache = option('cache') ? resolve(option('cache')!) : DEFAULT_CRD_CACHE;
  if (flag('list')) {
    const entries = listCache(cache);
    console.log(entries.length > 0 ? entries.join('\n') : `the cache ${cache} is empty (fill it: ${FILL_CACHE_COMMAND})`);
    process.exit(0);
  }
  const from = fromPaths(argv.from);
  const cluster = flag('from-cluster');
  if (from.length === 0 && !cluster) throw new UsageError('give --from <dir|file> or --from-cluster');
  if (from.length > 0 && cluster) throw new UsageError('give --from or --from-cluster, not both');
  if (!cluster && (option('kubeconfig') || option('context'))) throw new UsageError('--kubeconfig and --context go with --from-cluster');

  let schemas: readonly CachedSchema[];
  if (cluster) {
    const { readClusterCrds } = await import('../src/check/crd-cluster.js');
    const kubeconfig = option('kubeconfig');
    const result = await readClusterCrds({ ...(kubeconfig ? { kubeconfig: resolve(kubeconfig) } : {}), ...(option('context') ? { context: option('context')! } : {}) });
    schemas = result.schemas;
  } else {
    schemas = readCrdFiles(from);
  }
  if (schemas.length === 0) throw new CrdError(`no CustomResourceDefinition with a served version found in ${cluster ? 'the cluster' : from.join(', ')}`);
  writeCache(cache, schemas);
  for (const s of schemas) console.log(`crds: ${s.group}/${s.version} ${s.kind}  <- ${s.source.replace(process.cwd() + '/', '')}`);
  console.log(`crds: ${schemas.length} schema${schemas.length === 1 ? '' : 's'} stored in ${cache}`);
} catch (err) {
  if (err instanceof UsageError) {
    console.error(`crds: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  console.error(`crds: ${err instanceof CrdError ? err.message : `failed: ${(err as Error).message}`}`);
  process.exit(1);
}
