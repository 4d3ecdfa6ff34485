/** Which API groups the Kubernetes API server serves itself, for the loopback API stand-in (./kube-api.ts). */

/**
 * The API groups the API server serves itself (core is ''), by exact name: a group under k8s.io can
 * still be a CRD's (gateway.networking.k8s.io, snapshot.storage.k8s.io), so no suffix rule.
 */
export const BUILT_IN_GROUPS = new Set([
  '',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'apiregistration.k8s.io',
  'apps',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'autoscaling',
  'batch',
  'certificates.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'networking.k8s.io',
  'node.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'resource.k8s.io',
  'scheduling.k8s.io',
  'storage.k8s.io',
]);

/** The group of `apiVersion` (`apps/v1` -> `apps`; `v1` -> ''). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}
