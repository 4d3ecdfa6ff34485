#!/usr/bin/env tsx
/**
 * npm run check-values: every override path the stack sets must exist in the chart's own
 * default values (and values.schema.json when given); --render proves each one changes output.
 *
 *   helm show values oci://public.ecr.aws/s5i6x9d1/charts/arcade --version 1.8.8 > chart-values.yaml
 *   npm run check-values -- --values chart-values.yaml --env backstage-wus2-v4
 */
import { defineScript, readOptionFile } from '../src/core/script.js';
import { runCommand, scriptMain } from '../src/core/script-main.js';

const script = defineScript({
  name: 'check-values',
  description: `Checks that every override path the stack sets for the environment (inline values and valuesFrom
target paths) exists in the chart's default values, as printed by
  helm show values <chart> --version <pinned version> > chart-values.yaml
and in the chart's values.schema.json when given. A path Helm would silently ignore is reported
with the nearest existing path as a hint. Paths below free-form maps ({}, [], null in the
defaults, or a schema allowing any key) are reported as not checkable deeper.`,
  options: {
    values: {
      type: 'string',
      value: '<file>',
      required: true,
      description: "the chart's default values (helm show values)",
    },
    schema: { type: 'string', value: '<file>', description: "the chart's values.schema.json (optional)" },
    env: { type: 'string', value: '<name>', description: 'environment (default: the only one)' },
    render: {
      type: 'boolean',
      description: `render the chart with helm (must be on the PATH) with and without each
override; report overrides that change nothing`,
    },
    chart: {
      type: 'string',
      value: '<ref>',
      description: "chart for --render (default: the environment's chart URL; a local\nchart path skips --version)",
    },
    environments: {
      type: 'string',
      value: '<dir>',
      description: 'folder of environment files (default: src/environments)',
    },
  },
  interrupted: 'nothing written (check-values only reads; the temporary folder of --render is removed)',
  exitCodes: {
    0: 'every path exists (and, with --render, every override changes the output)',
    1: 'a path does not exist, an override changes nothing, or helm failed',
    2: 'also: a values or schema file that cannot be used (not YAML/JSON, or a schema whose $ref points nowhere)',
  },
  examples: [
    'npm run check-values -- --values chart-values.yaml --env backstage-wus2-v4',
    'npm run check-values -- --values chart-values.yaml --schema values.schema.json --render',
  ],
});

/** The command (src/core/script-main.ts): tests call it in process. */
export const main = scriptMain(script, async (options, { io, path, print, warn }) => {
  const { loadEnvironment } = await import('../src/environments/load.js');
  const { checkOverrides, formatChecks, formatDocuments, isProblem, parseChartValues, parseSchema, releaseOverrides } =
    await import('../src/chart-values/check.js');
  const valuesFile = options.values;
  const valuesText = readOptionFile('values', valuesFile, io.cwd);
  const schemaFile = options.schema;
  const schemaText = schemaFile !== undefined ? readOptionFile('schema', schemaFile, io.cwd) : undefined;
  const selected = loadEnvironment(options.env, options.environments ? path(options.environments) : undefined);
  for (const w of selected.warnings) warn(w);
  const env = selected.env;
  const defaults = parseChartValues(valuesText, valuesFile);
  const schema = schemaFile !== undefined && schemaText !== undefined ? parseSchema(schemaText, schemaFile) : undefined;
  const { overrides, values, documents } = releaseOverrides(env);
  const checks = checkOverrides(overrides, defaults, schema);
  print(
    `check-values: ${env.name}: ${overrides.length} override path(s) against ${valuesFile}${schemaFile ? ` and ${schemaFile}` : ''}`,
  );
  print(formatChecks(checks));
  if (documents.length > 0) print(formatDocuments(documents));
  const failed = checks.filter((c) => isProblem(c.defaults) || isProblem(c.schema));
  let noEffect = 0;
  if (options.render) {
    const { renderOverrides } = await import('../src/chart-values/render.js');
    const chart = options.chart ?? env.chart.url;
    const local = !/^oci:\/\//.test(chart) && !/^[a-z0-9-]+\/[a-z0-9-]+$/.test(chart);
    const findings = await renderOverrides(values, overrides, {
      chart,
      version: local ? undefined : env.chart.version,
      releaseName: env.release.releaseName,
      namespace: env.release.targetNamespace ?? env.namespace,
      env: io.env,
    });
    for (const f of findings) {
      if (f.noEffect) noEffect++;
      print(
        `${f.noEffect ? 'FAIL' : 'ok  '} render: ${f.override.path}: ` +
          (f.noEffect
            ? 'removing it changes nothing in the rendered chart: the chart ignores it'
            : 'changes the rendered chart'),
      );
    }
  }
  const verdict = failed.length === 0 && noEffect === 0;
  print(
    `check-values: ${verdict ? 'ok' : 'FAILED'}: ${failed.length} path(s) Helm would ignore` +
      (options.render
        ? `, ${noEffect} override(s) with no effect on the rendered chart`
        : ' (add --render to prove each override changes the output)'),
  );
  return verdict ? 0 : 1;
});

await runCommand(import.meta.url, script, main);
