/**
 * What the Kubernetes API server does with each field of the built-in types the stack renders:
 * which value it fills in when the field is absent (its defaulting code), which zero values it
 * never returns (Go `encoding/json` `omitempty` on a non-pointer field), what an absent pointer
 * field means (the API reference's "Defaults to ..."), which fields are quantities, and how its
 * lists merge (keys of associative lists, for server-side apply's managed fields).
 *
 * Over 300 lines because it is one table: every field of every built-in struct the stack renders,
 * each with its source; split by kind it would scatter the shared structs (PodSpec, Container,
 * ObjectMeta) that several kinds reference. The walks over it are in api-values.ts.
 *
 * Three users, one table: `omitApiDefaults` (synth: dist/ carries only what the stack means),
 * drift (`src/drift/compare.ts`: an absent live field equals a desired default), and the loopback
 * API server in the tests (`src/loopback/api-server.ts`: objects come back shaped as the real
 * server shapes them). A test lists every field of every dist/ object that equals its default
 * and fails if any remain, and fails for a built-in field this table does not describe.
 *
 * Sources (kubernetes/kubernetes, read at the commits named in docs/delivery.md, Kubernetes
 * 1.32 or later; the defaults of the fields the stack renders are long-standing):
 * - `pkg/apis/core/v1/defaults.go` (SetDefaults_PodSpec, _Container, _Probe, _HTTPGetAction,
 *   _Service, _ConfigMapVolumeSource, _SecretVolumeSource, _Secret, _ObjectFieldSelector,
 *   _ResourceList);
 * - `pkg/apis/apps/v1/defaults.go` (SetDefaults_Deployment) and its generated
 *   `zz_generated.defaults.go` (container port `protocol: TCP`, a declarative `+default`);
 * - `pkg/apis/networking/v1/defaults.go` (SetDefaults_NetworkPolicyPort, _NetworkPolicy);
 * - `pkg/apis/batch/v1/defaults.go` (SetDefaults_CronJob; SetDefaults_Job defaults a Job, not a
 *   CronJob's `jobTemplate`, which gets only the pod template's defaults);
 * - `pkg/apis/rbac/v1/defaults.go` (SetDefaults_Subject; SetDefaults_RoleBinding fills
 *   `roleRef.apiGroup`, which the OpenAPI schema requires anyway);
 * - `pkg/apis/core/v1/defaults.go` SetDefaults_ProjectedVolumeSource and
 *   _ServiceAccountTokenProjection for the projected service-account token volume;
 * - `pkg/apis/policy/v1` has no defaulting functions;
 * - `staging/src/k8s.io/api/{core,apps,networking,policy}/v1/types.go` for json tags (pointer or
 *   value, `omitempty`), list types (`+listType`, `+listMapKey`) and documented defaults.
 */

type Obj = Record<string, unknown>;

const CORE = 'pkg/apis/core/v1/defaults.go';
const APPS = 'pkg/apis/apps/v1/defaults.go';
const NET = 'pkg/apis/networking/v1/defaults.go';
const BATCH = 'pkg/apis/batch/v1/defaults.go';
const DECLARATIVE = 'k8s.io/api core/v1 types.go +default (pkg/apis/apps/v1/zz_generated.defaults.go)';
const TYPES = 'k8s.io/api types.go (documented default of an unset field)';
const STRUCT = 'k8s.io/api types.go (non-pointer struct: always written, {} when empty)';

/** The value a field takes when it is absent. */
export interface FieldDefault {
  /**
   * `server`: the API server writes it into the stored object. `unset`: the server leaves the
   * field out; the API documents that absence means this value.
   */
  readonly by: 'server' | 'unset';
  /** The value, or a function of the object holding the field (undefined: no default there). */
  readonly value: unknown;
  readonly source: string;
}

export interface FieldSpec {
  /** Struct type of the field, or of each list item. */
  readonly struct?: string;
  /** A list: `atomic`, or an associative list with these keys (`+listType=map`). */
  readonly list?: 'atomic' | readonly string[];
  /** A map of strings, or a ResourceList of quantities. */
  readonly map?: 'strings' | 'quantities';
  /** A single quantity. */
  readonly quantity?: boolean;
  /** A non-pointer field with `omitempty`: its zero value (0, false, "") is never returned. */
  readonly omitZero?: boolean;
  /** No `omitempty`: kept even when zero or empty. */
  readonly required?: boolean;
  readonly default?: FieldDefault;
}

interface StructSpec {
  /** `+structType=atomic`: owned and replaced as a whole by server-side apply. */
  readonly atomic?: boolean;
  readonly fields: Readonly<Record<string, FieldSpec>>;
}

const server = (value: unknown, source: string): FieldDefault => ({ by: 'server', value, source });
const unset = (value: unknown): FieldDefault => ({ by: 'unset', value, source: TYPES });
const zero: FieldSpec = { omitZero: true };
const plain: FieldSpec = {};
const strings: FieldSpec = { map: 'strings' };
const atomicList: FieldSpec = { list: 'atomic' };

/** The tag a container image is pulled by (`latest` when none is written and no digest pins it). */
export function imageTag(image: string): string {
  const [name = '', digest] = image.split('@');
  const last = name.slice(name.lastIndexOf('/') + 1);
  const colon = last.indexOf(':');
  if (colon >= 0) return last.slice(colon + 1);
  return digest === undefined ? 'latest' : '';
}

const STRUCTS: Readonly<Record<string, StructSpec>> = {
  ObjectMeta: {
    fields: { labels: strings, annotations: strings, name: plain, namespace: plain, finalizers: atomicList },
  },
  LabelSelector: { atomic: true, fields: { matchLabels: strings, matchExpressions: atomicList } },

  ServiceAccount: {
    fields: {
      metadata: { struct: 'ObjectMeta' },
      automountServiceAccountToken: { default: unset(true) },
      secrets: { list: ['name'] },
      imagePullSecrets: { list: ['name'] },
    },
  },
  ConfigMap: {
    fields: {
      metadata: { struct: 'ObjectMeta' },
      data: strings,
      binaryData: strings,
      immutable: { default: unset(false) },
    },
  },
  Secret: {
    fields: {
      metadata: { struct: 'ObjectMeta' },
      data: strings,
      stringData: strings,
      type: { omitZero: true, default: server('Opaque', `${CORE} SetDefaults_Secret`) },
      immutable: { default: unset(false) },
    },
  },

  Service: { fields: { metadata: { struct: 'ObjectMeta' }, spec: { struct: 'ServiceSpec' } } },
  ServiceSpec: {
    fields: {
      ports: { struct: 'ServicePort', list: ['port', 'protocol'] },
      selector: strings,
      type: { omitZero: true, default: server('ClusterIP', `${CORE} SetDefaults_Service`) },
      externalIPs: atomicList,
      sessionAffinity: { omitZero: true, default: server('None', `${CORE} SetDefaults_Service`) },
      loadBalancerIP: zero,
      loadBalancerSourceRanges: atomicList,
      externalName: zero,
      externalTrafficPolicy: {
        omitZero: true,
        default: server(
          (s: Obj) =>
            ['NodePort', 'LoadBalancer'].includes(String(s.type)) ||
            (Array.isArray(s.externalIPs) && s.externalIPs.length > 0)
              ? 'Cluster'
              : undefined,
          `${CORE} SetDefaults_Service`,
        ),
      },
      healthCheckNodePort: zero,
      publishNotReadyAddresses: zero,
      internalTrafficPolicy: {
        default: server(
          (s: Obj) =>
            ['ClusterIP', 'NodePort', 'LoadBalancer'].includes(String(s.type ?? 'ClusterIP')) ? 'Cluster' : undefined,
          `${CORE} SetDefaults_Service`,
        ),
      },
      allocateLoadBalancerNodePorts: {
        default: server((s: Obj) => (s.type === 'LoadBalancer' ? true : undefined), `${CORE} SetDefaults_Service`),
      },
    },
  },
  ServicePort: {
    fields: {
      name: zero,
      protocol: { omitZero: true, default: server('TCP', `${CORE} SetDefaults_Service`) },
      port: { required: true },
      targetPort: { default: server((p: Obj) => p.port, `${CORE} SetDefaults_Service (targetPort defaults to port)`) },
      nodePort: zero,
      appProtocol: plain,
    },
  },

  Deployment: { fields: { metadata: { struct: 'ObjectMeta' }, spec: { struct: 'DeploymentSpec' } } },
  DeploymentSpec: {
    fields: {
      replicas: { default: server(1, `${APPS} SetDefaults_Deployment`) },
      selector: { struct: 'LabelSelector' },
      template: { struct: 'PodTemplateSpec', required: true },
      strategy: { struct: 'DeploymentStrategy', default: server({}, STRUCT) },
      minReadySeconds: zero,
      revisionHistoryLimit: { default: server(10, `${APPS} SetDefaults_Deployment`) },
      paused: zero,
      progressDeadlineSeconds: { default: server(600, `${APPS} SetDefaults_Deployment`) },
    },
  },
  DeploymentStrategy: {
    fields: {
      type: { omitZero: true, default: server('RollingUpdate', `${APPS} SetDefaults_Deployment`) },
      rollingUpdate: {
        struct: 'RollingUpdateDeployment',
        default: server(
          (s: Obj) => ((s.type ?? 'RollingUpdate') === 'RollingUpdate' ? {} : undefined),
          `${APPS} SetDefaults_Deployment`,
        ),
      },
    },
  },
  RollingUpdateDeployment: {
    fields: {
      maxUnavailable: { default: server('25%', `${APPS} SetDefaults_Deployment`) },
      maxSurge: { default: server('25%', `${APPS} SetDefaults_Deployment`) },
    },
  },
  PodTemplateSpec: { fields: { metadata: { struct: 'ObjectMeta' }, spec: { struct: 'PodSpec' } } },
  PodSpec: {
    fields: {
      volumes: { struct: 'Volume', list: ['name'] },
      initContainers: { struct: 'Container', list: ['name'] },
      containers: { struct: 'Container', list: ['name'], required: true },
      restartPolicy: { omitZero: true, default: server('Always', `${CORE} SetDefaults_PodSpec`) },
      terminationGracePeriodSeconds: { default: server(30, `${CORE} SetDefaults_PodSpec`) },
      activeDeadlineSeconds: plain,
      dnsPolicy: { omitZero: true, default: server('ClusterFirst', `${CORE} SetDefaults_PodSpec`) },
      nodeSelector: strings,
      serviceAccountName: zero,
      // The deprecated alias the server fills from serviceAccountName.
      serviceAccount: {
        omitZero: true,
        default: server(
          (p: Obj) => p.serviceAccountName,
          'pkg/apis/core/v1/conversion.go (DeprecatedServiceAccount mirrors serviceAccountName)',
        ),
      },
      automountServiceAccountToken: plain,
      nodeName: zero,
      hostNetwork: zero,
      hostPID: zero,
      hostIPC: zero,
      shareProcessNamespace: { default: unset(false) },
      securityContext: { struct: 'PodSecurityContext', default: server({}, `${CORE} SetDefaults_PodSpec`) },
      imagePullSecrets: { list: ['name'] },
      hostname: zero,
      subdomain: zero,
      affinity: { struct: 'Affinity' },
      schedulerName: { omitZero: true, default: server('default-scheduler', `${CORE} SetDefaults_PodSpec`) },
      tolerations: atomicList,
      priorityClassName: zero,
      priority: plain,
      enableServiceLinks: { default: unset(true) },
      setHostnameAsFQDN: { default: unset(false) },
      topologySpreadConstraints: { list: ['topologyKey', 'whenUnsatisfiable'] },
      hostUsers: { default: unset(true) },
    },
  },
  PodSecurityContext: {
    fields: {
      runAsUser: plain,
      runAsGroup: plain,
      runAsNonRoot: { default: unset(false) },
      fsGroup: plain,
      fsGroupChangePolicy: { default: unset('Always') },
      supplementalGroups: atomicList,
      seccompProfile: { struct: 'SeccompProfile' },
      sysctls: atomicList,
    },
  },
  SeccompProfile: { fields: { type: { required: true }, localhostProfile: plain } },
  Affinity: {
    fields: { podAntiAffinity: { struct: 'PodAffinity' }, podAffinity: { struct: 'PodAffinity' }, nodeAffinity: plain },
  },
  PodAffinity: {
    fields: {
      requiredDuringSchedulingIgnoredDuringExecution: { struct: 'PodAffinityTerm', list: 'atomic' },
      preferredDuringSchedulingIgnoredDuringExecution: { struct: 'WeightedPodAffinityTerm', list: 'atomic' },
    },
  },
  WeightedPodAffinityTerm: {
    fields: { weight: { required: true }, podAffinityTerm: { struct: 'PodAffinityTerm', required: true } },
  },
  PodAffinityTerm: {
    fields: {
      labelSelector: { struct: 'LabelSelector' },
      namespaces: atomicList,
      topologyKey: { required: true },
      namespaceSelector: { struct: 'LabelSelector' },
      matchLabelKeys: atomicList,
      mismatchLabelKeys: atomicList,
    },
  },
  Container: {
    fields: {
      name: { required: true },
      image: zero,
      command: atomicList,
      args: atomicList,
      workingDir: zero,
      ports: { struct: 'ContainerPort', list: ['containerPort', 'protocol'] },
      envFrom: atomicList,
      env: { struct: 'EnvVar', list: ['name'] },
      resources: { struct: 'ResourceRequirements', default: server({}, STRUCT) },
      volumeMounts: { struct: 'VolumeMount', list: ['mountPath'] },
      livenessProbe: { struct: 'Probe' },
      readinessProbe: { struct: 'Probe' },
      startupProbe: { struct: 'Probe' },
      terminationMessagePath: {
        omitZero: true,
        default: server('/dev/termination-log', `${CORE} SetDefaults_Container`),
      },
      terminationMessagePolicy: { omitZero: true, default: server('File', `${CORE} SetDefaults_Container`) },
      imagePullPolicy: {
        omitZero: true,
        default: server(
          (c: Obj) =>
            typeof c.image === 'string' ? (imageTag(c.image) === 'latest' ? 'Always' : 'IfNotPresent') : undefined,
          `${CORE} SetDefaults_Container (Always for :latest or no tag, else IfNotPresent)`,
        ),
      },
      securityContext: { struct: 'SecurityContext' },
      stdin: zero,
      stdinOnce: zero,
      tty: zero,
    },
  },
  ContainerPort: {
    fields: {
      name: zero,
      hostPort: zero,
      containerPort: { required: true },
      protocol: { omitZero: true, default: server('TCP', DECLARATIVE) },
      hostIP: zero,
    },
  },
  EnvVar: { fields: { name: { required: true }, value: zero, valueFrom: { struct: 'EnvVarSource' } } },
  EnvVarSource: {
    fields: {
      secretKeyRef: { struct: 'KeySelector' },
      configMapKeyRef: { struct: 'KeySelector' },
      fieldRef: { struct: 'ObjectFieldSelector' },
      resourceFieldRef: plain,
    },
  },
  KeySelector: { atomic: true, fields: { name: zero, key: { required: true }, optional: { default: unset(false) } } },
  ObjectFieldSelector: {
    atomic: true,
    fields: {
      apiVersion: { omitZero: true, default: server('v1', `${CORE} SetDefaults_ObjectFieldSelector`) },
      fieldPath: { required: true },
    },
  },
  ResourceRequirements: {
    fields: { limits: { map: 'quantities' }, requests: { map: 'quantities' }, claims: { list: ['name'] } },
  },
  Probe: {
    fields: {
      httpGet: { struct: 'HTTPGetAction' },
      exec: plain,
      tcpSocket: plain,
      grpc: plain,
      initialDelaySeconds: zero,
      timeoutSeconds: { omitZero: true, default: server(1, `${CORE} SetDefaults_Probe`) },
      periodSeconds: { omitZero: true, default: server(10, `${CORE} SetDefaults_Probe`) },
      successThreshold: { omitZero: true, default: server(1, `${CORE} SetDefaults_Probe`) },
      failureThreshold: { omitZero: true, default: server(3, `${CORE} SetDefaults_Probe`) },
      terminationGracePeriodSeconds: plain,
    },
  },
  HTTPGetAction: {
    fields: {
      path: { omitZero: true, default: server('/', `${CORE} SetDefaults_HTTPGetAction`) },
      port: { required: true },
      host: zero,
      scheme: { omitZero: true, default: server('HTTP', `${CORE} SetDefaults_HTTPGetAction`) },
      httpHeaders: atomicList,
    },
  },
  SecurityContext: {
    fields: {
      capabilities: { struct: 'Capabilities' },
      privileged: { default: unset(false) },
      seLinuxOptions: plain,
      windowsOptions: plain,
      runAsUser: plain,
      runAsGroup: plain,
      runAsNonRoot: { default: unset(false) },
      readOnlyRootFilesystem: { default: unset(false) },
      allowPrivilegeEscalation: plain,
      procMount: plain,
      seccompProfile: { struct: 'SeccompProfile' },
      appArmorProfile: plain,
    },
  },
  Capabilities: { fields: { add: atomicList, drop: atomicList } },
  VolumeMount: {
    fields: {
      name: { required: true },
      readOnly: zero,
      mountPath: { required: true },
      subPath: zero,
      subPathExpr: zero,
      mountPropagation: plain,
      recursiveReadOnly: plain,
    },
  },
  Volume: {
    fields: {
      name: { required: true },
      configMap: { struct: 'ConfigMapVolumeSource' },
      secret: { struct: 'SecretVolumeSource' },
      emptyDir: { struct: 'EmptyDirVolumeSource' },
      projected: { struct: 'ProjectedVolumeSource' },
    },
  },
  ProjectedVolumeSource: {
    fields: {
      sources: { struct: 'VolumeProjection', list: 'atomic' },
      defaultMode: { default: server(420, `${CORE} SetDefaults_ProjectedVolumeSource (0644)`) },
    },
  },
  VolumeProjection: {
    fields: {
      serviceAccountToken: { struct: 'ServiceAccountTokenProjection' },
      configMap: { struct: 'ConfigMapProjection' },
      downwardAPI: { struct: 'DownwardAPIProjection' },
      secret: plain,
      clusterTrustBundle: plain,
    },
  },
  ServiceAccountTokenProjection: {
    fields: {
      audience: zero,
      expirationSeconds: { default: server(3600, `${CORE} SetDefaults_ServiceAccountTokenProjection`) },
      path: { required: true },
    },
  },
  ConfigMapProjection: {
    fields: { name: zero, items: { struct: 'KeyToPath', list: 'atomic' }, optional: { default: unset(false) } },
  },
  KeyToPath: { fields: { key: { required: true }, path: { required: true }, mode: plain } },
  DownwardAPIProjection: { fields: { items: { struct: 'DownwardAPIVolumeFile', list: 'atomic' } } },
  DownwardAPIVolumeFile: {
    fields: {
      path: { required: true },
      fieldRef: { struct: 'ObjectFieldSelector' },
      resourceFieldRef: plain,
      mode: plain,
    },
  },

  CronJob: { fields: { metadata: { struct: 'ObjectMeta' }, spec: { struct: 'CronJobSpec' } } },
  CronJobSpec: {
    fields: {
      schedule: { required: true },
      timeZone: plain,
      startingDeadlineSeconds: plain,
      concurrencyPolicy: { omitZero: true, default: server('Allow', `${BATCH} SetDefaults_CronJob`) },
      suspend: { default: server(false, `${BATCH} SetDefaults_CronJob`) },
      jobTemplate: { struct: 'JobTemplateSpec', required: true },
      successfulJobsHistoryLimit: { default: server(3, `${BATCH} SetDefaults_CronJob`) },
      failedJobsHistoryLimit: { default: server(1, `${BATCH} SetDefaults_CronJob`) },
    },
  },
  JobTemplateSpec: { fields: { metadata: { struct: 'ObjectMeta' }, spec: { struct: 'JobSpec' } } },
  JobSpec: {
    fields: {
      // Not defaulted inside a CronJob's jobTemplate (SetDefaults_Job runs on the Job it creates).
      parallelism: plain,
      completions: plain,
      activeDeadlineSeconds: plain,
      backoffLimit: plain,
      ttlSecondsAfterFinished: plain,
      template: { struct: 'PodTemplateSpec', required: true },
    },
  },

  Role: { fields: { metadata: { struct: 'ObjectMeta' }, rules: { struct: 'PolicyRule', list: 'atomic' } } },
  PolicyRule: {
    fields: { verbs: atomicList, apiGroups: atomicList, resources: atomicList, resourceNames: atomicList },
  },
  RoleBinding: {
    fields: {
      metadata: { struct: 'ObjectMeta' },
      subjects: { struct: 'Subject', list: 'atomic' },
      roleRef: { struct: 'RoleRef', required: true },
    },
  },
  RoleRef: {
    fields: {
      // SetDefaults_RoleBinding fills an empty one, but the published schema requires it: kept.
      apiGroup: { required: true },
      kind: { required: true },
      name: { required: true },
    },
  },
  Subject: { fields: { kind: { required: true }, apiGroup: zero, name: { required: true }, namespace: zero } },
  ConfigMapVolumeSource: {
    fields: {
      name: zero,
      items: atomicList,
      defaultMode: { default: server(420, `${CORE} SetDefaults_ConfigMapVolumeSource (0644)`) },
      optional: { default: unset(false) },
    },
  },
  SecretVolumeSource: {
    fields: {
      secretName: zero,
      items: atomicList,
      defaultMode: { default: server(420, `${CORE} SetDefaults_SecretVolumeSource (0644)`) },
      optional: { default: unset(false) },
    },
  },
  EmptyDirVolumeSource: { fields: { medium: zero, sizeLimit: { quantity: true } } },

  PodDisruptionBudget: { fields: { metadata: { struct: 'ObjectMeta' }, spec: { struct: 'PodDisruptionBudgetSpec' } } },
  PodDisruptionBudgetSpec: {
    fields: {
      minAvailable: plain,
      selector: { struct: 'LabelSelector' },
      maxUnavailable: plain,
      unhealthyPodEvictionPolicy: { default: unset('IfHealthyBudget') },
    },
  },

  NetworkPolicy: { fields: { metadata: { struct: 'ObjectMeta' }, spec: { struct: 'NetworkPolicySpec' } } },
  NetworkPolicySpec: {
    fields: {
      podSelector: { struct: 'LabelSelector', required: true },
      ingress: { struct: 'NetworkPolicyIngressRule', list: 'atomic' },
      egress: { struct: 'NetworkPolicyEgressRule', list: 'atomic' },
      policyTypes: {
        list: 'atomic',
        default: server(
          (s: Obj) => (Array.isArray(s.egress) && s.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress']),
          `${NET} SetDefaults_NetworkPolicy`,
        ),
      },
    },
  },
  NetworkPolicyIngressRule: {
    fields: {
      ports: { struct: 'NetworkPolicyPort', list: 'atomic' },
      from: { struct: 'NetworkPolicyPeer', list: 'atomic' },
    },
  },
  NetworkPolicyEgressRule: {
    fields: {
      ports: { struct: 'NetworkPolicyPort', list: 'atomic' },
      to: { struct: 'NetworkPolicyPeer', list: 'atomic' },
    },
  },
  NetworkPolicyPort: {
    fields: {
      protocol: { default: server('TCP', `${NET} SetDefaults_NetworkPolicyPort`) },
      port: plain,
      endPort: plain,
    },
  },
  NetworkPolicyPeer: {
    fields: {
      podSelector: { struct: 'LabelSelector' },
      namespaceSelector: { struct: 'LabelSelector' },
      ipBlock: { struct: 'IPBlock' },
    },
  },
  IPBlock: { fields: { cidr: { required: true }, except: atomicList } },
};

/** Root struct of each built-in kind the table describes, by `apiVersion kind`. */
const KINDS: Readonly<Record<string, string>> = {
  'v1 ServiceAccount': 'ServiceAccount',
  'v1 ConfigMap': 'ConfigMap',
  'v1 Secret': 'Secret',
  'v1 Service': 'Service',
  'apps/v1 Deployment': 'Deployment',
  'policy/v1 PodDisruptionBudget': 'PodDisruptionBudget',
  'networking.k8s.io/v1 NetworkPolicy': 'NetworkPolicy',
  'batch/v1 CronJob': 'CronJob',
  'rbac.authorization.k8s.io/v1 Role': 'Role',
  'rbac.authorization.k8s.io/v1 RoleBinding': 'RoleBinding',
};

/** Top-level fields every object has (not described per kind). */
export const OBJECT_FIELDS = new Set(['apiVersion', 'kind', 'metadata', 'status']);

/** The root struct name of a built-in kind this table describes, or undefined (a custom resource, or not described). */
export function rootStruct(apiVersion: string, kind: string): string | undefined {
  return KINDS[`${apiVersion} ${kind}`];
}

/** Is this apiVersion a built-in group (served by the API server's own types, not a CRD)? */
export function isBuiltIn(apiVersion: string): boolean {
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
  return group === '' || !group.includes('.') || group.endsWith('.k8s.io');
}

/** The spec of `key` in a struct, or undefined when the table does not describe it. */
export function fieldSpec(struct: string | undefined, key: string): FieldSpec | undefined {
  if (struct === undefined) return undefined;
  return STRUCTS[struct]?.fields[key];
}

/** The fields a struct type describes, in declaration order (defaults may depend on earlier ones). */
export function structFields(struct: string): [string, FieldSpec][] {
  return Object.entries(STRUCTS[struct]?.fields ?? {});
}

export function isAtomicStruct(struct: string | undefined): boolean {
  return struct !== undefined && STRUCTS[struct]?.atomic === true;
}

/** The default of a field held by `parent`, or undefined when there is none there. */
export function defaultValue(spec: FieldSpec | undefined, parent: Obj): unknown {
  const d = spec?.default;
  if (!d) return undefined;
  return typeof d.value === 'function' ? (d.value as (p: Obj) => unknown)(parent) : d.value;
}
