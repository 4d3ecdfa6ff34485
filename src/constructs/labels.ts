/**
 * The stack's own labels: stable identity for every object, and the only labels selectors use.
 *
 * cdk8s-plus would otherwise select pods by `cdk8s.io/metadata.addr`, a hash of the construct
 * path that changes on a refactor and breaks a Deployment's immutable selector.
 *
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/
 */

/** Value of `app.kubernetes.io/managed-by` on everything this stack renders (drift, export). */
export const MANAGED_BY = 'arcade-stack';
/** `app.kubernetes.io/part-of`: the product the objects belong to. */
export const PART_OF = 'arcade';
/** Label naming the environment (the dist/ folder) an object was synthesized for. */
export const ENVIRONMENT_LABEL = 'arcade-stack.dev/environment';

/** Labels common to every object of an environment (applied by each chart). */
export function stackLabels(environment: string): Record<string, string> {
  return {
    'app.kubernetes.io/part-of': PART_OF,
    'app.kubernetes.io/managed-by': MANAGED_BY,
    [ENVIRONMENT_LABEL]: environment,
  };
}

/** Selector labels of one component: name + instance, stable across refactors. */
export function selectorLabels(name: string, instance: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/instance': instance,
  };
}
