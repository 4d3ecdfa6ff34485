/**
 * Schema validation of one object: built-in kinds through `core-validate`, custom resources
 * against their CRD's schema (`crd-validate`, from the vendored contracts or a cache) plus the ObjectMeta check. A kind without a
 * schema is a failure that says how to get one: the gate never passes for want of evidence.
 */
import type { CrdSchemas } from './crd-cache.js';
import { celRuleCount, validateCustomResource, type SchemaProblem } from './crd-validate.js';
import { isBuiltinGroup, splitApiVersion, validateBuiltin, validateMetadata } from './core-validate.js';
import type { KubeObject } from '../core/manifests.js';

export interface SchemaResult {
  readonly problems: readonly SchemaProblem[];
  /** `kubernetes-models` / `crd <source>` / `missing`. */
  readonly via: string;
  /** CEL rules (`x-kubernetes-validations`) of the CRD schema that were not evaluated. @default 0 */
  readonly celRules?: number;
}

export async function validateSchema(object: KubeObject, crds: CrdSchemas): Promise<SchemaResult> {
  const { group, version } = splitApiVersion(object.apiVersion);
  if (isBuiltinGroup(group)) {
    const result = await validateBuiltin(object);
    if (result.known) return { problems: result.problems, via: 'kubernetes-models' };
    return {
      via: 'missing',
      problems: [
        {
          path: 'apiVersion',
          rule: 'schema.missing',
          message: `no schema for built-in ${object.apiVersion} ${object.kind} (kubernetes-models and @kubernetes/client-node know no such kind)`,
          fix: 'check apiVersion and kind for a typo or a removed API version',
        },
      ],
    };
  }
  const schema = crds.lookup(group, version, object.kind);
  if (!schema) {
    return {
      via: 'missing',
      problems: [
        {
          path: 'apiVersion',
          rule: 'schema.missing',
          message: `no CRD schema for ${object.apiVersion} ${object.kind} in ${crds.where}: cannot prove the object valid`,
          fix: `check apiVersion and kind for a typo; otherwise ${crds.fix}`,
        },
      ],
    };
  }
  const problems = [...(await validateCustomResource(object, schema)), ...(await validateMetadata(object.metadata))];
  return { problems, via: `crd ${schema.source}`, celRules: celRuleCount(schema) };
}
