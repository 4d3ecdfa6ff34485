/**
 * The workload policies the gate enforces, each with the ids of the same rule in the public
 * linters it mirrors (kube-linter, Polaris, Checkov, kube-score), so a reader can look the rule
 * up and a finding can be compared with those tools' output.
 *
 * Sources of the ids: kube-linter docs/generated/checks.md, Polaris checks/*.yaml, Checkov
 * checkov/kubernetes/checks/resource/k8s/*.py, kube-score README check list.
 */

export interface PolicyRule {
  readonly title: string;
  readonly anchors: readonly string[];
  readonly fix: string;
}

export const POLICY_RULES = {
  'run-as-non-root': {
    title: 'container may run as root',
    anchors: ['kube-linter run-as-non-root', 'Polaris runAsRootAllowed', 'Checkov CKV_K8S_23'],
    fix: 'set securityContext.runAsNonRoot: true and a non-zero runAsUser (pod or container)',
  },
  'no-read-only-root-fs': {
    title: 'root filesystem is writable',
    anchors: ['kube-linter no-read-only-root-fs', 'Polaris notReadOnlyRootFilesystem', 'Checkov CKV_K8S_22'],
    fix: 'set securityContext.readOnlyRootFilesystem: true (mount an emptyDir where the process writes)',
  },
  'privilege-escalation-container': {
    title: 'privilege escalation is allowed',
    anchors: ['kube-linter privilege-escalation-container', 'Polaris privilegeEscalationAllowed', 'Checkov CKV_K8S_20'],
    fix: 'set securityContext.allowPrivilegeEscalation: false',
  },
  'privileged-container': {
    title: 'container is privileged',
    anchors: ['kube-linter privileged-container', 'Polaris runAsPrivileged', 'Checkov CKV_K8S_16'],
    fix: 'remove securityContext.privileged (or set it to false)',
  },
  'drop-all-capabilities': {
    title: 'capabilities are not dropped',
    anchors: [
      'kube-linter drop-net-raw-capability',
      'Polaris insecureCapabilities',
      'Checkov CKV_K8S_28',
      'Checkov CKV_K8S_37',
    ],
    fix: 'set securityContext.capabilities.drop: [ALL]',
  },
  'added-capabilities': {
    title: 'container adds Linux capabilities',
    anchors: ['Polaris dangerousCapabilities', 'Polaris insecureCapabilities', 'Checkov CKV_K8S_37'],
    fix: 'remove securityContext.capabilities.add, or declare an exception with the reason',
  },
  'seccomp-profile': {
    title: 'no seccomp profile',
    anchors: ['Checkov CKV_K8S_31'],
    fix: 'set securityContext.seccompProfile.type: RuntimeDefault (pod or container)',
  },
  'unset-cpu-requirements': {
    title: 'CPU request or limit missing',
    anchors: [
      'kube-linter unset-cpu-requirements',
      'Polaris cpuRequestsMissing',
      'Polaris cpuLimitsMissing',
      'Checkov CKV_K8S_10',
      'Checkov CKV_K8S_11',
    ],
    fix: 'set resources.requests.cpu and resources.limits.cpu',
  },
  'unset-memory-requirements': {
    title: 'memory request or limit missing',
    anchors: [
      'kube-linter unset-memory-requirements',
      'Polaris memoryRequestsMissing',
      'Polaris memoryLimitsMissing',
      'Checkov CKV_K8S_12',
      'Checkov CKV_K8S_13',
    ],
    fix: 'set resources.requests.memory and resources.limits.memory',
  },
  'no-readiness-probe': {
    title: 'no readiness probe',
    anchors: ['kube-linter no-readiness-probe', 'Polaris readinessProbeMissing', 'Checkov CKV_K8S_9'],
    fix: 'add a readinessProbe (httpGet on the health endpoint)',
  },
  'no-liveness-probe': {
    title: 'no liveness probe',
    anchors: ['kube-linter no-liveness-probe', 'Polaris livenessProbeMissing', 'Checkov CKV_K8S_8'],
    fix: 'add a livenessProbe (httpGet on the health endpoint)',
  },
  'latest-tag': {
    title: 'image is untagged or uses latest',
    anchors: ['kube-linter latest-tag', 'Polaris tagNotSpecified', 'Checkov CKV_K8S_14'],
    fix: 'pin the image to a version tag (and ideally a digest)',
  },
  'host-network': {
    title: "pod shares the host's network namespace",
    anchors: ['kube-linter host-network', 'Polaris hostNetworkSet', 'Checkov CKV_K8S_19'],
    fix: 'remove hostNetwork (or set it to false)',
  },
  'host-pid': {
    title: "pod shares the host's process namespace",
    anchors: ['kube-linter host-pid', 'Polaris hostPIDSet', 'Checkov CKV_K8S_17'],
    fix: 'remove hostPID (or set it to false)',
  },
  'host-ipc': {
    title: "pod shares the host's IPC namespace",
    anchors: ['kube-linter host-ipc', 'Polaris hostIPCSet', 'Checkov CKV_K8S_18'],
    fix: 'remove hostIPC (or set it to false)',
  },
  'automount-service-account-token': {
    title: 'service account token mounted',
    anchors: ['Polaris automountServiceAccountToken', 'Checkov CKV_K8S_38'],
    fix:
      'set automountServiceAccountToken: false on the pod spec (or its ServiceAccount); if the ' +
      'workload calls the Kubernetes API, declare an exception with the reason',
  },
  'missing-pod-disruption-budget': {
    title: 'multi-replica workload without a PodDisruptionBudget',
    anchors: [
      'Polaris missingPodDisruptionBudget',
      'kube-score deployment-has-poddisruptionbudget',
      'kube-score statefulset-has-poddisruptionbudget',
    ],
    fix: 'add a PodDisruptionBudget in the same namespace whose selector matches the pod labels, with minAvailable or maxUnavailable',
  },
  'non-isolated-pod': {
    title: 'workload not selected by any NetworkPolicy',
    anchors: ['kube-linter non-isolated-pod', 'Polaris missingNetworkPolicy', 'kube-score pod-networkpolicy'],
    fix: 'add a NetworkPolicy in the same namespace whose podSelector matches the pod labels',
  },
  'mismatching-selector': {
    title: 'selector does not match the pod template labels',
    anchors: ['kube-linter mismatching-selector'],
    fix: 'make spec.selector match spec.template.metadata.labels (selectors are immutable: get it right before the first apply)',
  },
} as const satisfies Record<string, PolicyRule>;

export type PolicyRuleId = keyof typeof POLICY_RULES;
