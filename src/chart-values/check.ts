/**
 * `npm run check-values`: every override the stack sets for an environment (inline values and
 * valuesFrom target paths, as listed by arcadeValues), checked against the chart's defaults and
 * optionally its values.schema.json.
 */
import { App } from 'cdk8s';
import type { HelmValues, ValuesReference } from '../constructs/oci-helm-release.js';
import { ArcadeReleaseChart } from '../charts/release-chart.js';
import type { Override } from '../charts/arcade-values.js';
import type { Environment } from '../environments/schema.js';
import { buildCharts } from '../synth.js';
import { yamlValue } from '../core/yaml-input.js';
import { isRecord } from '../core/is-record.js';
import {
  assertWalkableSchema,
  ChartValuesFileError,
  checkAgainstDefaults,
  checkAgainstSchema,
  defaultPaths,
  schemaPaths,
  type JsonSchema,
  type PathStatus,
} from './contract.js';

/** The release's overrides and inline values, from the chart built in memory. */
export interface ReleaseOverrides {
  readonly overrides: readonly Override[];
  readonly values: HelmValues;
  /** Whole values documents (valuesFrom without targetPath): their keys cannot be listed here. */
  readonly documents: readonly ValuesReference[];
}

export function releaseOverrides(env: Environment): ReleaseOverrides {
  const charts = buildCharts(new App({ outdir: '/dev/null' }), env);
  // Not `instanceof`: cdk8s's Chart answers instanceof for every chart (Symbol.hasInstance).
  const release = [...charts.values()].find((c): c is ArcadeReleaseChart => c.constructor === ArcadeReleaseChart);
  if (!release) throw new Error(`environment ${env.name}: no ArcadeReleaseChart was built`);
  return { overrides: release.values.overrides, values: release.values.values, documents: release.values.documents };
}

export interface OverrideCheck {
  readonly override: Override;
  readonly defaults: PathStatus;
  readonly schema?: PathStatus;
}

/** A failed check: the path is missing or descends into a scalar. */
export function isProblem(s: PathStatus | undefined): boolean {
  return s !== undefined && (s.kind === 'missing' || s.kind === 'not-a-map');
}

const SAVE_VALUES = 'save the output of helm show values <chart> --version <version>';

/**
 * Parses `helm show values` output; a file that is not YAML (src/core/yaml-input.ts), holds no
 * values at all (empty or only comments: what `helm show values > f` leaves when helm fails, so
 * every override would be checked against nothing), or is not a map throws naming the file.
 */
export function parseChartValues(text: string, file: string): Record<string, unknown> {
  const tree = yamlValue(text, {
    file,
    refuse: (problems) => new ChartValuesFileError(problems.join('; ')),
    otherwise: SAVE_VALUES,
  });
  if (tree === null || tree === undefined) {
    throw new ChartValuesFileError(
      `${file}: holds no values (empty, or only comments: what helm show values > ${file} leaves when helm fails) ` +
        `(fix: ${SAVE_VALUES}, and check that helm succeeded)`,
    );
  }
  if (isRecord(tree) && Object.keys(tree).length === 0) {
    throw new ChartValuesFileError(
      `${file}: holds no values (an empty map: every override would pass unchecked) (fix: ${SAVE_VALUES})`,
    );
  }
  if (typeof tree !== 'object' || Array.isArray(tree)) {
    throw new ChartValuesFileError(`${file}: not a values map (fix: ${SAVE_VALUES})`);
  }
  return tree as Record<string, unknown>;
}

/** Parses a values.schema.json; a file that is not JSON, not a schema, or that the walk cannot read throws naming the file. */
export function parseSchema(text: string, file: string): JsonSchema {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ChartValuesFileError(
      `${file}: not valid JSON (${(err as Error).message}) (fix: give the chart's values.schema.json)`,
    );
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new ChartValuesFileError(`${file}: not a JSON schema object (fix: give the chart's values.schema.json)`);
  assertWalkableSchema(json as JsonSchema, file);
  return json as JsonSchema;
}

export function checkOverrides(
  overrides: readonly Override[],
  defaults: unknown,
  schema?: JsonSchema,
): OverrideCheck[] {
  const dc = defaultPaths(defaults);
  const sc = schema ? schemaPaths(schema) : [];
  return overrides.map((override) => ({
    override,
    defaults: checkAgainstDefaults(override.path, defaults, dc),
    ...(schema ? { schema: checkAgainstSchema(override.path, schema, sc) } : {}),
  }));
}

function describe(s: PathStatus, where: string): string {
  switch (s.kind) {
    case 'ok':
      return `exists in ${where}`;
    case 'free-form':
      return `below free-form ${s.at} in ${where} (not checkable deeper)`;
    case 'missing':
      return `NOT in ${where}: no key ${s.at}; Helm would silently ignore it${s.hint ? ` (nearest existing path: ${s.hint})` : ''}`;
    case 'not-a-map':
      return `NOT settable in ${where}: ${s.at} is a ${s.found}, not a map`;
  }
}

/** One note per whole values document the release merges: what check-values cannot see. */
export function formatDocuments(documents: readonly ValuesReference[]): string {
  return documents
    .map(
      (d) =>
        `note ${d.kind} ${d.name}, key ${d.valuesKey ?? 'values.yaml'} (release.valuesFrom, whole ` +
        `document): its keys live in the GitOps repository, not here; npm run export resolves them ` +
        `and lists them against the live release`,
    )
    .join('\n');
}

/** One line per override: verdict, path, how it is set, provenance, then each finding. */
export function formatChecks(checks: readonly OverrideCheck[]): string {
  return checks
    .map((c) => {
      const bad = isProblem(c.defaults) || isProblem(c.schema);
      const head = `${bad ? 'FAIL' : 'ok  '} ${c.override.path} (${c.override.via}, ${c.override.provenance}: ${c.override.source})`;
      const lines = [head, `       ${describe(c.defaults, 'the default values')}`];
      if (c.schema) lines.push(`       ${describe(c.schema, 'values.schema.json')}`);
      return lines.join('\n');
    })
    .join('\n');
}
