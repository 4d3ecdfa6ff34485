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
import { $, argv } from 'zx';

if (argv.help || argv.h) {
  console.log(`Usage: npm run import -- [--from <dir>]

Regenerates imports/*.ts with "cdk8s import" from the local CRD files listed in cdk8s.yaml.
  --from <dir>   take the same file names from this folder (default: as listed, ../shared/crds)`);
  process.exit(0);
}

const listed: string[] = (parse(readFileSync('cdk8s.yaml', 'utf8')) as { imports: string[] }).imports;
const specs = listed.map((entry) => {
  const [prefix, path] = entry.includes(':=') ? (entry.split(':=') as [string, string]) : [undefined, entry];
  const file = typeof argv.from === 'string' ? join(resolve(argv.from), basename(path)) : resolve(path);
  return { prefix, file };
});
const missing = specs.filter((s) => !existsSync(s.file)).map((s) => s.file);
if (missing.length > 0) {
  console.error(`import: missing CRD file(s): ${missing.join(', ')}\n` +
    'Fix: run beside ../shared/crds, or pass --from <dir> with the upstream files named in cdk8s.yaml.');
  process.exit(2);
}
for (const { prefix, file } of specs) {
  const spec = prefix ? `${prefix}:=${file}` : file;
  await $({ stdio: 'inherit', timeout: '120s' })`npx cdk8s import --no-check-upgrade --language typescript --output imports ${spec}`;
}
console.log(`import: regenerated bindings for ${specs.length} CRDs into imports/`);
