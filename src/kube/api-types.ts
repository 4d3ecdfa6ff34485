/**
 * What the Kubernetes API server does with each field of the built-in types the stack renders:
 * which value it fills in when the field is absent (its defaulting code), which zero values it
 * never returns (Go `encoding/json` `omitempty` on a non-pointer field), what an absent pointer
 * field means (the API reference's "Defaults to ..."), which fields are quantities, and how its
 * lists merge (keys of associative lists, for server-side apply's managed fields).
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
 * - `pkg/apis/policy/v1` has no defaulting functions;
 * - `staging/src/k8s.io/api/{core,apps,networking,policy}/v1/types.go` for json tags (pointer or
 *   value, `omitempty`), list types (`+listType`, `+listMapKey`) and documented defaults.
 */
import { sameQuantity, canonicalQuantity, canonicalResourceQuantity } from './quantity.js';

type Obj = Record<string, unknown>;

const CORE = 'pkg/apis/core/v1/defaults.go';
const APPS = 'pkg/apis/apps/v1/defaults.go';
const NET = 'pkg/apis/networking/v1/defaults.go';
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
    },
  },
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
};

/** Top-level fields every object has (not described per kind). */
const OBJECT_FIELDS = new Set(['apiVersion', 'kind', 'metadata', 'status']);

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

export function isRecord(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isEmpty(v: unknown): boolean {
  return (Array.isArray(v) && v.length === 0) || (isRecord(v) && Object.keys(v).length === 0);
}

export function isZero(v: unknown): boolean {
  return v === 0 || v === false || v === '' || v === null || isEmpty(v);
}

/** Deep equality of JSON values, key order ignored. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

/** Are two values of a field the same (quantities by value)? */
export function sameFieldValue(spec: FieldSpec | undefined, a: unknown, b: unknown): boolean {
  if (spec?.quantity) return sameQuantity(a, b) || deepEqual(a, b);
  if (spec?.map === 'quantities' && isRecord(a) && isRecord(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => sameQuantity(a[k], b[k]) || deepEqual(a[k], b[k]));
  }
  return deepEqual(a, b);
}

/**
 * Does `value` at this field mean the same as the field being absent? True for the default
 * (server-filled or documented), for the zero value of an `omitempty` value field, and for an
 * empty list or map (never returned by the API server). Fields the table does not describe: zero
 * and empty values only.
 */
export function meansAbsent(spec: FieldSpec | undefined, parent: Obj, value: unknown): boolean {
  if (spec?.required) return false;
  const d = defaultValue(spec, parent);
  if (d !== undefined) return sameFieldValue(spec, value, d);
  if (isEmpty(value)) return true;
  if (spec === undefined || spec.omitZero) return isZero(value);
  return false;
}

/** A field of a dist/ object whose value the API server would supply anyway. */
export interface DefaultedField {
  readonly path: string;
  readonly value: unknown;
  readonly reason: string;
}

function reasonOf(spec: FieldSpec | undefined, parent: Obj, value: unknown): string | undefined {
  if (spec?.required) return undefined;
  const d = spec?.default;
  const dv = defaultValue(spec, parent);
  if (d && dv !== undefined && sameFieldValue(spec, value, dv)) {
    return d.by === 'server'
      ? `the API server defaults it to ${JSON.stringify(dv)} (${d.source})`
      : `absent means ${JSON.stringify(dv)} (${d.source})`;
  }
  if (spec && (spec.list || spec.map) && isEmpty(value))
    return 'empty: the API server omits empty lists and maps (omitempty)';
  if (spec?.omitZero && isZero(value)) return 'zero value of an omitempty field: the API server never returns it';
  return undefined;
}

function child(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/**
 * Fields the stack states even when they equal their default, by kind. Server-side apply gives a
 * field to the manager that sends it: a field left out of the manifest is not Flux's, so Flux
 * would not restore it and drift would not compare it. `spec.replicas` is the field other actors
 * change (`kubectl scale`, an autoscaler), and the collector's delta conversion is only correct on
 * exactly one replica (src/collector/build.ts), so the stack always owns it.
 */
export const ALWAYS_STATED: Readonly<Record<string, readonly string[]>> = { Deployment: ['spec.replicas'] };

/**
 * Walks a built-in object depth first: `onDefault` for every field whose value is what its
 * absence means (children before their parent, so with `remove` a struct emptied of its defaults
 * is then judged as `{}`), `onUndescribed` for every field the table does not describe.
 */
function walkBuiltIn(
  obj: Obj,
  remove: boolean,
  onDefault: (f: DefaultedField) => void,
  onUndescribed: (path: string) => void,
): void {
  const root = rootStruct(String(obj.apiVersion), String(obj.kind));
  if (!root) return;
  const stated = new Set(ALWAYS_STATED[String(obj.kind)] ?? []);
  const walkStruct = (o: Obj, struct: string, path: string): void => {
    for (const [key, value] of Object.entries(o)) {
      if (path === '' && OBJECT_FIELDS.has(key) && key !== 'metadata') continue;
      const spec = fieldSpec(struct, key);
      const p = child(path, key);
      if (!spec) {
        onUndescribed(p);
        continue;
      }
      if (spec.struct && !isAtomicStruct(spec.struct)) {
        if (spec.list && Array.isArray(value))
          value.forEach((item, i) => {
            if (isRecord(item)) walkStruct(item, spec.struct!, `${p}[${i}]`);
          });
        else if (isRecord(value)) walkStruct(value, spec.struct, p);
      }
      const reason = stated.has(p) ? undefined : reasonOf(spec, o, value);
      if (reason) {
        onDefault({ path: p, value: structuredClone(value), reason });
        if (remove) delete o[key];
      }
    }
  };
  walkStruct(obj, root, '');
}

/**
 * Every field of a built-in object that equals what its absence means, with the reason, and every
 * field the table does not describe (`undescribed`). Lists are walked by index.
 */
export function inspectBuiltIn(obj: Obj): { defaulted: DefaultedField[]; undescribed: string[] } {
  const defaulted: DefaultedField[] = [];
  const undescribed: string[] = [];
  walkBuiltIn(
    obj,
    false,
    (f) => defaulted.push(f),
    (p) => undescribed.push(p),
  );
  return { defaulted, undescribed };
}

/**
 * The canonical text of a quantity field's value, or undefined when it is not a quantity. With
 * `roundResources`, a ResourceList entry is first rounded up to milli units, as the API server's
 * `SetDefaults_ResourceList` does (Flux's typed round trip prints canonically without rounding).
 */
export function canonicalFieldQuantity(value: unknown, resource: boolean, roundResources = true): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  return resource && roundResources ? canonicalResourceQuantity(String(value)) : canonicalQuantity(String(value));
}

/** Quantity fields of a built-in object whose text is not the API server's canonical form. */
export function nonCanonicalQuantities(obj: Obj): { path: string; value: unknown; canonical: string | undefined }[] {
  const out: { path: string; value: unknown; canonical: string | undefined }[] = [];
  forEachQuantity(obj, (path, value, resource) => {
    const canonical = canonicalFieldQuantity(value, resource);
    if (canonical !== value) out.push({ path, value, canonical });
  });
  return out;
}

/** Writes every quantity of a built-in object in canonical form, in place (values that are not quantities stay). */
export function canonicalizeQuantities(obj: Obj, roundResources = true): void {
  forEachQuantity(obj, (_path, value, resource, holder, key) => {
    const canonical = canonicalFieldQuantity(value, resource, roundResources);
    if (canonical !== undefined) holder[key] = canonical;
  });
}

/** Calls `fn` for every quantity of a built-in object (`resource`: in a ResourceList). */
export function forEachQuantity(
  obj: Obj,
  fn: (path: string, value: unknown, resource: boolean, holder: Obj, key: string) => void,
): void {
  const root = rootStruct(String(obj.apiVersion), String(obj.kind));
  if (!root) return;
  const walkStruct = (o: Obj, struct: string, path: string): void => {
    for (const [key, value] of Object.entries(o)) {
      const spec = fieldSpec(struct, key);
      const p = child(path, key);
      if (!spec) continue;
      if (spec.quantity) fn(p, value, false, o, key);
      else if (spec.map === 'quantities' && isRecord(value))
        for (const [k, v] of Object.entries(value)) fn(`${p}.${k}`, v, true, value, k);
      else if (spec.struct && spec.list && Array.isArray(value))
        value.forEach((item, i) => {
          if (isRecord(item)) walkStruct(item, spec.struct!, `${p}[${i}]`);
        });
      else if (spec.struct && isRecord(value)) walkStruct(value, spec.struct, p);
    }
  };
  walkStruct(obj, root, '');
}

/**
 * The post-processing step synth applies to every object the stack builds: removes each field of
 * a built-in kind whose value is what its absence means (a server default, a documented default,
 * an omitted zero or empty value) and writes quantities in canonical form, so dist/ carries only
 * what the stack means and reads like what the API server returns. Libraries (cdk8s-plus) write
 * such fields verbatim (`minReadySeconds: 0`, `hostNetwork: false`, `externalIPs: []`,
 * `cpu: 1000m`). Custom resources are returned unchanged. Returns a new object.
 */
export function omitApiDefaults<T>(object: T): T {
  if (!isRecord(object)) return object;
  const copy = structuredClone(object) as Obj;
  if (!rootStruct(String(copy.apiVersion), String(copy.kind))) return copy as T;
  canonicalizeQuantities(copy);
  walkBuiltIn(
    copy,
    true,
    () => undefined,
    () => undefined,
  );
  return copy as T;
}
