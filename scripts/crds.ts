#!/usr/bin/env tsx
/**
 * npm run crds: fill the CRD schema cache the quality gate (npm run check) validates custom
 * resources against.
 *
 *   npm run crds -- --from ../shared/crds
 *   npm run crds -- --from-cluster --context backstage-wus2-v4
 */
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { CrdError, DEFAULT_CRD_CACHE, FILL_CACHE_COMMAND, listCache, readCrdFiles, writeCache, type CachedSchema } from '../src/check/crd-cache.js';
import { UsageError } from '../src/shared/command-error.js';
import { defineScript, runScript } from '../src/shared/script.js';
import { REPO_ROOT } from '../src/tooling/bundle.js';

const script = defineScript({
  name: 'crds',
  usage: 'npm run crds -- (--from <dir|file> ... | --from-cluster) [options]',
  description: `Reads CustomResourceDefinitions and stores the openAPIV3Schema of every served version in the
CRD schema cache (${relative(REPO_ROOT, DEFAULT_CRD_CACHE)}, git-ignored), one file per <group>/<Kind>/<version>.json.
npm run check validates custom resources against it and fails when a schema it needs is missing.`,
  options: {
    from: {
      type: 'list',
      value: '<dir|file>',
      description: `CRD YAML/JSON files (multi-document YAML is fine; other objects are
ignored); a folder is read recursively`,
    },
    'from-cluster': { type: 'boolean', description: 'read the CRDs of the current kubeconfig context (read-only: one list)' },
    kubeconfig: { type: 'string', value: '<file>', description: 'for --from-cluster (default: KUBECONFIG, then ~/.kube/config)' },
    context: { type: 'string', value: '<name>', description: 'for --from-cluster (default: the current context)' },
    cache: { type: 'string', value: '<dir>', description: 'cache folder (default: .cache/crds)' },
    list: { type: 'boolean', description: 'print what the cache holds and exit' },
  },
  environment: { KUBECONFIG: 'kubeconfig for --from-cluster when --kubeconfig is not given' },
  exitCodes: {
    0: 'at least one schema was stored (or --list)',
    1: 'an unreadable or unsupported CRD file, no CRD found, or the cluster could not be read',
    2: 'also: no usable kubeconfig for --from-cluster',
  },
  examples: [
    FILL_CACHE_COMMAND,
    'npm run crds -- --from ../shared/crds/fluxcd-helm-controller-v1.6.3-helmreleases.yaml',
    'KUBECONFIG=~/.kube/backstage npm run crds -- --from-cluster --context backstage-wus2-v4',
  ],
});

await runScript(script, async (options) => {
  const cache = options.cache ? resolve(options.cache) : DEFAULT_CRD_CACHE;
  if (options.list) {
    const entries = listCache(cache);
    console.log(entries.length > 0 ? entries.join('\n') : `the cache ${cache} is empty (fill it: ${FILL_CACHE_COMMAND})`);
    return 0;
  }
  const from = options.from.map((f) => resolve(f));
  const missing = options.from.filter((_, i) => !existsSync(from[i]!));
  if (missing.length > 0) throw new UsageError(`--from ${missing.join(', ')}: no such file or folder (fix: give CRD files or folders of them, e.g. ../shared/crds)`);
  const cluster = options['from-cluster'];
  if (from.length === 0 && !cluster) throw new UsageError('give --from <dir|file> or --from-cluster');
  if (from.length > 0 && cluster) throw new UsageError('give --from or --from-cluster, not both');
  if (!cluster && (options.kubeconfig || options.context)) throw new UsageError('--kubeconfig and --context go with --from-cluster');

  let schemas: readonly CachedSchema[];
  if (cluster) {
    const { readClusterCrds } = await import('../src/check/crd-cluster.js');
    const result = await readClusterCrds({
      ...(options.kubeconfig ? { kubeconfig: resolve(options.kubeconfig) } : {}),
      ...(options.context ? { context: options.context } : {}),
    });
    schemas = result.schemas;
  } else {
    schemas = readCrdFiles(from);
  }
  if (schemas.length === 0) throw new CrdError(`no CustomResourceDefinition with a served version found in ${cluster ? 'the cluster' : from.join(', ')}`);
  writeCache(cache, schemas);
  for (const s of schemas) console.log(`crds: ${s.group}/${s.version} ${s.kind}  <- ${s.source.replace(process.cwd() + '/', '')}`);
  console.log(`crds: ${schemas.length} schema${schemas.length === 1 ? '' : 's'} stored in ${cache}`);
  return 0;
});
