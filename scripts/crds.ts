#!/usr/bin/env tsx
/**
 * npm run crds: fill a CRD schema cache that the quality gate can validate custom resources
 * against instead of the vendored contracts (npm run check -- --crd-cache <dir>).
 *
 *   npm run crds                                              # the vendored contracts/crds
 *   npm run crds -- --from-cluster --context backstage-wus2-v4
 */
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import type { CachedSchema } from '../src/check/crd-cache.js';
import { cacheLinkRefusal, cacheWriteRefusal } from '../src/check/crd-cache-paths.js';
import { DEFAULT_CRD_CACHE, FILL_CACHE_COMMAND, VENDORED_CRDS } from '../src/check/crd-places.js';
import { ConfigurationError, UsageError } from '../src/core/command-error.js';
import { defineScript } from '../src/core/script.js';
import { runCommand, scriptMain } from '../src/core/script-main.js';
import { REPO_ROOT } from '../src/tooling/root.mjs';

const script = defineScript({
  name: 'crds',
  usage: 'npm run crds -- [--from <dir|file> ... | --from-cluster] [options]',
  description: `Reads CustomResourceDefinitions and stores the openAPIV3Schema of every served version in a
CRD schema cache (${relative(REPO_ROOT, DEFAULT_CRD_CACHE)}, git-ignored), one file per <group>/<Kind>/<version>.json
(names the API server would refuse are refused, and then nothing is stored).
npm run check validates against the vendored contracts/crds by default; npm run check --
--crd-cache <dir> validates against a cache instead (and fails when a schema it needs is
missing). Typical use: the cluster's own CRDs, to see what its API server accepts. Without
--from or --from-cluster it reads the vendored CRDs in contracts/crds (contracts/SOURCES.md).`,
  options: {
    from: {
      type: 'list',
      value: '<dir|file>',
      description: `CRD YAML/JSON files (multi-document YAML is fine; other objects are
ignored); a folder is read recursively (default: contracts/crds)`,
    },
    'from-cluster': {
      type: 'boolean',
      description:
        'read the CRDs of the current kubeconfig context (read-only: the list, in pages; no redirect followed, every answer bounded: docs/quality-gate.md)',
    },
    kubeconfig: {
      type: 'string',
      value: '<file>',
      description: 'for --from-cluster (default: KUBECONFIG, then ~/.kube/config)',
    },
    context: { type: 'string', value: '<name>', description: 'for --from-cluster (default: the current context)' },
    cache: { type: 'string', value: '<dir>', description: 'cache folder (default: .cache/crds)' },
    list: { type: 'boolean', description: 'print what the cache holds and exit' },
  },
  environment: { KUBECONFIG: 'kubeconfig for --from-cluster when --kubeconfig is not given' },
  interrupted: 'the cache is as it was (it is written at the end, in one step)',
  exitCodes: {
    0: 'at least one schema was stored (or --list)',
    1: 'an unsupported CRD (also: a group, Kind or version name Kubernetes refuses), no CRD found, or the cluster could not be read',
    2:
      'also: a --from file that cannot be read as YAML (a syntax error, an alias bomb), no usable kubeconfig ' +
      'for --from-cluster, --list with a source, a --cache that is a file',
  },
  examples: [
    'npm run crds',
    'npm run crds -- --from ./helmreleases.yaml --cache /tmp/crds',
    'KUBECONFIG=~/.kube/backstage npm run crds -- --from-cluster --context backstage-wus2-v4',
    'npm run check -- --crd-cache .cache/crds',
  ],
});

/** The command (src/core/script-main.ts): tests call it in process. */
export const main = scriptMain(script, async (options, { io, path, print }) => {
  const { CrdError, CrdInputError, listCache, readCrdFiles, writeCache } = await import('../src/check/crd-cache.js');
  const cache = options.cache ? path(options.cache) : DEFAULT_CRD_CACHE;
  const named = options.cache ? `--cache ${cache}` : `the default cache folder ${cache}`;
  // A link to nothing, a file, or a folder of other files (`--cache .`, `--cache src`): never filled, nor listed as empty
  // (./crd-cache-paths.ts CACHE_MARKER).
  const refused = cacheLinkRefusal(cache, options.cache ? 'option' : 'default') ?? cacheWriteRefusal(cache, named);
  // --list reads the cache only: a source given with it would be ignored without a word.
  const sources = [
    options.from.length > 0 && '--from',
    options['from-cluster'] && '--from-cluster',
    options.kubeconfig && '--kubeconfig',
    options.context && '--context',
  ].filter((o) => typeof o === 'string');
  if (options.list && sources.length > 0)
    throw new UsageError(
      `--list prints what the cache holds and reads no CRDs, so it does not go with ${sources.join(', ')} ` +
        `(fix: fill the cache first without --list, e.g. ${FILL_CACHE_COMMAND}, then npm run crds -- --list)`,
    );
  // Refused before the cache is listed or a cluster is read (writeCache refuses it too, naming no option).
  if (refused) throw new ConfigurationError(refused);
  if (options.list) {
    const entries = listCache(cache);
    print(
      entries.length > 0
        ? entries.join('\n')
        : `the cache ${cache} is empty (fill it: npm run crds, or ${FILL_CACHE_COMMAND})`,
    );
    return 0;
  }
  const given = options.from.map((f) => path(f));
  const missing = options.from.filter((f) => !existsSync(path(f)));
  if (missing.length > 0)
    throw new UsageError(
      `--from ${missing.join(', ')}: no such file or folder (fix: give CRD files or folders of them, or leave --from out for contracts/crds)`,
    );
  const cluster = options['from-cluster'];
  if (given.length > 0 && cluster) throw new UsageError('give --from or --from-cluster, not both');
  if (!cluster && (options.kubeconfig || options.context))
    throw new UsageError('--kubeconfig and --context go with --from-cluster');
  const from = given.length === 0 && !cluster ? [VENDORED_CRDS] : given;

  // Every CRD is read and checked, and every cache path too, before the first entry is written
  // (src/check/crd-cache.ts writeCache): a refusal leaves the cache as it was.
  const read = async (): Promise<readonly CachedSchema[]> => {
    if (!cluster) return readCrdFiles(from);
    const { readClusterCrds } = await import('../src/check/crd-cluster.js');
    const result = await readClusterCrds({
      env: io.env,
      ...(options.kubeconfig ? { kubeconfig: path(options.kubeconfig) } : {}),
      ...(options.context ? { context: options.context } : {}),
      announce: (where) => print(`crds: reading CRDs from Kubernetes ${where}`),
    });
    return result.schemas;
  };
  let schemas: readonly CachedSchema[];
  try {
    schemas = await read();
    if (schemas.length === 0)
      throw new CrdError(
        `no CustomResourceDefinition with a served version found in ${cluster ? 'the cluster' : from.join(', ')}`,
      );
    writeCache(cache, schemas);
  } catch (err) {
    // A --from file that is no YAML (a syntax error, an alias bomb) is bad input (exit 2); the rest, exit 1.
    if (err instanceof CrdInputError) throw new CrdInputError(`${err.message}; nothing was stored in ${cache}`);
    if (err instanceof CrdError) throw new CrdError(`${err.message}; nothing was stored in ${cache}`);
    throw err;
  }
  for (const s of schemas) print(`crds: ${s.group}/${s.version} ${s.kind}  <- ${s.source.replace(`${io.cwd}/`, '')}`);
  print(`crds: ${schemas.length} schema${schemas.length === 1 ? '' : 's'} stored in ${cache}`);
  return 0;
});

await runCommand(import.meta.url, script, main);
