#!/usr/bin/env tsx
/**
 * npm run check-values: every override path the stack sets must exist in the chart's own
 * default values (and values.schema.json when given); --render proves each one changes output.
 *
 *   helm show values oci://public.ecr.aws/s5i6x9d1/charts/arcade --version 1.8.8 > chart-values.yaml
 *   npm run check-values -- --values chart-values.yaml --env backstage-wus2-v4
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { argv } from 'zx';
import { checkOverrides, formatChecks, formatDocuments, isProblem, parseChartValues, parseSchema, releaseOverrides } from '../src/chart-values/check.js';
import { renderOverrides } from '../src/chart-values/render.js';
import { loadEnvironment, loadEnvironments } from '../src/environments/load.js';
import { parseCli, UsageError } from '../src/review/cli.js';

const USAGE = `Usage: npm run check-values -- --values <chart-values.yaml> [--env <name>] [options]

Checks that every override path the stack sets for the environment (inline values and valuesFrom
target paths) exists in the chart's default values, as printed by
  helm show values <chart> --version <pinned version> > chart-values.yaml
and in the chart's values.schema.json when given. A path Helm would silently ignore is reported
with the nearest existing path as a hint. Paths below free-form maps ({}, [], null in the
defaults, or a schema allowing any key) are reported as not checkable deeper.

  --values <file>         the chart's default values (required)
  --schema <file>         the chart's values.schema.json (optional)
  --env <name>            environment (default: the only one)
  --render                render the chart with helm (must be on the PATH) with and without each
                          override; report overrides that change nothing
  --chart <ref>           chart for --render (default: the environment's chart URL; a local
                          chart path skips --version)
  --environments <dir>    folder of environment files (default: src/environments)

Exit code 0 when every path exists (and, with --render, every override changes the output),
1 when one does not or on an error, 2 on bad usage.

Examples:
  npm run check-values -- --values chart-values.yaml --env backstage-wus2-v4
  npm run check-values -- --values chart-values.yaml --schema values.schema.json --render`;

try {
  const { help, option, flag } = parseCli(argv, { options: ['values', 'schema', 'env', 'chart', 'environments'], flags: ['render'] });
  if (help) {
    console.log(USAGE);
    process.exit(0);
  }
  const valuesFile = option('values');
  if (!valuesFile) throw new UsageError('--values is required (save it with: helm show values <chart> --version <version> > chart-values.yaml)');
  const render = flag('render');
  const dir = option('environments') ? resolve(option('environments')!) : undefined;
  const name = option('env');
  const all = name ? [loadEnvironment(name, dir)] : loadEnvironments(dir);
  if (all.length !== 1) throw new UsageError(`--env is required: there are ${all.length} environments (${all.map((l) => l.env.name).join(', ')})`);
  const env = all[0]!.env;
  const defaults = parseChartValues(readFileSync(resolve(valuesFile), 'utf8'), valuesFile);
  const schemaFile = option('schema');
  const schema = schemaFile ? parseSchema(readFileSync(resolve(schemaFile), 'utf8'), schemaFile) : undefined;
  const { overrides, values, documents } = releaseOverrides(env);
  const checks = checkOverrides(overrides, defaults, schema);
  console.log(`check-values: ${env.name}: ${overrides.length} override path(s) against ${valuesFile}${schemaFile ? ` and ${schemaFile}` : ''}`);
  console.log(formatChecks(checks));
  if (documents.length > 0) console.log(formatDocuments(documents));
  const failed = checks.filter((c) => isProblem(c.defaults) || isProblem(c.schema));
  let noEffect = 0;
  if (render) {
    const chart = option('chart') ?? env.chart.url;
    const local = !/^oci:\/\//.test(chart) && !/^[a-z0-9-]+\/[a-z0-9-]+$/.test(chart);
    const findings = await renderOverrides(values, overrides, {
      chart,
      version: local ? undefined : env.chart.version,
      releaseName: env.release.releaseName,
      namespace: env.release.targetNamespace ?? env.namespace,
    });
    for (const f of findings) {
      if (f.noEffect) noEffect++;
      console.log(`${f.noEffect ? 'FAIL' : 'ok  '} render: ${f.override.path}: ${f.noEffect ? 'removing it changes nothing in the rendered chart: the chart ignores it' : 'changes the rendered chart'}`);
    }
  }
  const verdict = failed.length === 0 && noEffect === 0;
  console.log(
    `check-values: ${verdict ? 'ok' : 'FAILED'}: ${failed.length} path(s) Helm would ignore` +
      (render ? `, ${noEffect} override(s) with no effect on the rendered chart` : ' (add --render to prove each override changes the output)'),
  );
  process.exitCode = verdict ? 0 : 1;
} catch (err) {
  console.error(`check-values: ${(err as Error).message}${err instanceof UsageError ? `\n\n${USAGE}` : ''}`);
  process.exit(err instanceof UsageError ? 2 : 1);
}
