/**
 * Declared exceptions to the workload policies. An exception names the rule, the object (and
 * optionally one container) and the reason; every exception that applies is listed in the
 * gate's report, and one that no longer matches anything is reported so it does not rot.
 *
 * Add one only with a reason a reviewer can check, e.g.:
 *
 *     {
 *       rule: 'automount-service-account-token',
 *       kind: 'Deployment', namespace: 'arcade', name: 'example',
 *       reason: 'the k8sattributes processor reads pod metadata from the API server',
 *     },
 */
import type { PolicyRuleId } from './policy-rules.js';

export interface PolicyException {
  readonly rule: PolicyRuleId;
  /** Kind of the workload (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod). */
  readonly kind: string;
  /** @default any namespace */
  readonly namespace?: string;
  readonly name: string;
  /** @default every container of the workload */
  readonly container?: string;
  /** Why the rule does not apply here (at least 10 characters). */
  readonly reason: string;
}

/** The stack's exceptions. Empty: every workload the stack renders meets every policy. */
export const POLICY_EXCEPTIONS: readonly PolicyException[] = [];
