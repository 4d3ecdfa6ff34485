#!/usr/bin/env tsx
/**
 * npm run check: the manifest quality gate over dist/ (schemas, workload policies, secret scan,
 * Flux build, unresolved values). See docs/quality-gate.md.
 *
 *   npm run crds -- --from ../shared/crds && npm run check
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { argv } from 'zx';
import { DEFAULT_CRD_CACHE, FILL_CACHE_COMMAND } from '../src/check/crd-cache.js';
import { errorsOf, runGate } from '../src/check/gate.js';
import { formatReport, reportJson } from '../src/check/report.js';
import { parseCli, UsageError } from '../src/review/cli.js';
import { REPO_ROOT } from '../src/tooling/bundle.js';

const USAGE = `Usage: npm run check -- [options]

The manifest quality gate over every environment folder in dist/:
  schema      built-in kinds against the Kubernetes API schemas (kubernetes-models), custom
              resources against their CRD's openAPIV3Schema from the cache (npm run crds), unknown
              fields included; a missing schema is a failure
  policy      the workloads the stack renders: non-root, read-only root fs, no privilege
              escalation, capabilities dropped, seccomp, requests/limits, probes, pinned images,
              no host namespaces, SA token only where needed, PDB, NetworkPolicy
  secret      dist/ and every file git tracks: secretlint (recommended preset) + Secret data,
              passwords in URLs, random values under secret-like keys
  flux        kustomization.yaml lists exactly the folder's files; kubectl kustomize builds it
  unresolved  <unresolved: ...> markers and unsealed keys (warnings)
One line per finding: file:line Kind namespace/name field.path: [rule] message (fix: ...) {anchors}

  --dist <dir>            folder of environment folders (default: dist)
  --crd-cache <dir>       CRD schema cache (default: .cache/crds; fill: ${FILL_CACHE_COMMAND})
  --json <file>           also write the report as JSON
  --dist-only             scan dist/ only for secrets (not every tracked file)
  --skip-kustomize        do not run kubectl kustomize (the file list is still checked)
  --quiet                 do not print warnings (they still appear in --json)

Exit code 0 when there is no error (warnings allowed), 1 on any error, 2 on bad usage.

Examples:
  ${FILL_CACHE_COMMAND} && npm run check
  npm run check -- --json .build/check.json`;

try {
  const { help, option, flag } = parseCli(argv, { options: ['dist', 'crd-cache', 'json'], flags: ['dist-only', 'skip-kustomize', 'quiet'] });
  if (help) {
    console.log(USAGE);
    process.exit(0);
  }
  const report = await runGate({
    root: REPO_ROOT,
    distDir: option('dist') ? resolve(option('dist')!) : resolve(REPO_ROOT, 'dist'),
    crdCacheDir: option('crd-cache') ? resolve(option('crd-cache')!) : DEFAULT_CRD_CACHE,
    scanRepository: !flag('dist-only'),
    ...(flag('skip-kustomize') ? { kubectl: false as const } : {}),
  });
  console.log(formatReport(report, { warnings: !flag('quiet') }));
  const json = option('json');
  if (json) writeFileSync(resolve(json), reportJson(report));
  process.exitCode = errorsOf(report).length > 0 ? 1 : 0;
} catch (err) {
  if (err instanceof UsageError) {
    console.error(`check: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  console.error(`check: failed: ${(err as Error).message} (nothing was assumed: the gate did not pass)`);
  process.exit(1);
}
