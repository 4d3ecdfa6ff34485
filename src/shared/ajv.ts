/**
 * One way to make an ajv validator (JSON Schema draft 7, + ajv-formats) for every place that
 * validates against a vendored contract: CRD schemas and the engine config schema in the gate,
 * the engine API response schemas in the probes. Loaded lazily: ajv is large and most commands
 * never validate anything. Each caller gets its own instance (its own formats and cache).
 */
import type { Ajv } from 'ajv';

export type AjvInstance = Ajv;

/** A new ajv: all errors (not the first only), the failing data and schema kept on every error. */
export async function newAjv(): Promise<AjvInstance> {
  const { Ajv: AjvClass } = await import('ajv');
  const formats = await import('ajv-formats');
  const instance = new AjvClass({
    strict: false,
    allErrors: true,
    verbose: true,
    logger: false,
    validateFormats: true,
  });
  formats.default.default(instance);
  return instance;
}
