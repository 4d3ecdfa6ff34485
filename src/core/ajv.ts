/**
 * One way to make an ajv validator (JSON Schema draft 7, + ajv-formats) for every place that
 * validates against a vendored contract: CRD schemas and the engine config schema in the gate,
 * the engine API response schemas in the probes. Loaded lazily: ajv is large and most commands
 * never validate anything. Each caller gets its own instance (its own formats and cache).
 */
import type { Ajv, Options } from 'ajv';

export type AjvInstance = Ajv;
/** How ajv turns a schema's `pattern` into a regular expression (its `code.regExp` option). */
export type RegExpEngine = NonNullable<NonNullable<Options['code']>['regExp']>;

/**
 * A new ajv: all errors (not the first only), the failing data and schema kept on every error.
 * `regExp` replaces how `pattern`s are compiled (CRDs carry Go regular expressions).
 */
export async function newAjv(options: { readonly regExp?: RegExpEngine } = {}): Promise<AjvInstance> {
  const { Ajv: AjvClass } = await import('ajv');
  const formats = await import('ajv-formats');
  const instance = new AjvClass({
    strict: false,
    allErrors: true,
    verbose: true,
    logger: false,
    validateFormats: true,
    ...(options.regExp ? { code: { regExp: options.regExp } } : {}),
  });
  formats.default.default(instance);
  return instance;
}
