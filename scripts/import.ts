#!/usr/bin/env tsx
/**
 * Regenerates the typed bindings in imports/ from upstream CRD files with `cdk8s import`.
 *
 *   npm run import                       # the CRD files cdk8s.yaml lists (../shared/crds)
 *   npm run import -- --from <dir>       # the same file names, from another folder
 *
 * The list lives in cdk8s.yaml `imports` (one source of truth). Only the kinds the stack uses
 * are imported; the SecretStore CRDs are deliberately absent (over a megabyte of bindings, and
 * the stack only refers to an existing ClusterSecretStore by name). CRD files are never committed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { $ } from 'zx';
import { CommandError, ConfigurationError } from '../src/shared/command-error.js';
import { defineScript, runScript } from '../src/shared/script.js';

const script = defineScript({
  name: 'import',
  description: 'Regenerates imports/*.ts with "cdk8s import" from the local CRD files listed in cdk8s.yaml.',
  options: {
    from: { type: 'string', value: '<dir>', description: 'take the same file names from this folder (default: as listed, ../shared/crds)' },
  },
  exitCodes: { 0: 'bindings regenerated', 1: 'cdk8s import failed', 2: 'also: a listed CRD file is missing' },
  examples: ['npm run import', 'npm run import -- --from ../shared/crds'],
});

await runScript(script, async (options) => {
  const listed: string[] = (parse(readFileSync('cdk8s.yaml', 'utf8')) as { imports: string[] }).imports;
  const specs = listed.map((entry) => {
    const [prefix, path] = entry.includes(':=') ? (entry.split(':=') as [string, string]) : [undefined, entry];
    const file = options.from !== undefined ? join(resolve(options.from), basename(path)) : resolve(path);
    return { prefix, file };
  });
  const missing = specs.filter((s) => !existsSync(s.file)).map((s) => s.file);
  if (missing.length > 0) {
    throw new ConfigurationError(
      `missing CRD file(s): ${missing.join(', ')} (fix: run beside ../shared/crds, or pass --from <dir> with the upstream files named in cdk8s.yaml)`,
    );
  }
  for (const { prefix, file } of specs) {
    const spec = prefix ? `${prefix}:=${file}` : file;
    const run = await $({ stdio: 'inherit', timeout: '120s', nothrow: true })`npx cdk8s import --no-check-upgrade --language typescript --output imports ${spec}`;
    if (run.exitCode !== 0) throw new CommandError(`cdk8s import ${spec} ${run.exitCode === null ? 'timed out after 120 s' : `failed (exit code ${run.exitCode})`}; see its output above`);
  }
  console.log(`import: regenerated bindings for ${specs.length} CRDs into imports/`);
  return 0;
});
