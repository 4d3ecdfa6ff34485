/**
 * A map of a JSON or YAML tree (what `JSON.parse` and the `yaml` package's `parse` give): a plain
 * object, not null and not a list. The one check every area uses before reading keys of an
 * untyped value (manifests, API answers, chart values, environment files).
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
