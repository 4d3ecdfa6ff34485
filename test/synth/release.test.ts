/**
 * The Arcade release and its managed datastore Secrets: the facts a reviewer cares about.
 */
import { describe, expect, it } from 'vitest';
import { releaseOverrides } from '../../src/chart-values/check.js';
import { loadEnvironment } from '../../src/environments/load.js';
import type { Environment } from '../../src/environments/schema.js';
import { synthEnvironment } from '../../src/synth.js';
import { findObject, fixtureEnvironment, objectsOf, type K8sObject } from './helpers.js';
import { field } from '../../src/probes/cluster/objects.js';

const production = () => loadEnvironment('backstage-wus2-v4').env;

/** The production environment as it is live today: bundled datastores; only the LLM key's Secret. */
function bundled(env: Environment): Environment {
  if (!env.secrets) throw new Error('production has a secrets section');
  const secrets =
    env.secrets.provider === 'sealed-secrets'
      ? { ...env.secrets, values: { llm: env.secrets.values.llm } }
      : { ...env.secrets, values: { llm: env.secrets.values.llm } };
  return { ...env, datastores: { mode: 'bundled' }, secrets };
}

describe('given the production environment (backstage-wus2-v4)', () => {
  const output = synthEnvironment(production());
  const objects = objectsOf(output);
  const source = findObject(objects, 'OCIRepository', 'arcade');
  const release = findObject(objects, 'HelmRelease', 'arcade');

  it('pulls chart 1.8.8 from the vendor OCI repository, selecting the chart layer by copy', () => {
    expect(source.apiVersion).toBe('source.toolkit.fluxcd.io/v1');
    expect(source.metadata.namespace).toBe('arcade');
    expect(source.spec).toMatchObject({
      url: 'oci://public.ecr.aws/s5i6x9d1/charts/arcade',
      ref: { tag: '1.8.8' },
      layerSelector: { mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', operation: 'copy' },
    });
  });

  it('releases it as HelmRelease v2 arcade/arcade with an explicit releaseName, referring to the source object', () => {
    expect(release.apiVersion).toBe('helm.toolkit.fluxcd.io/v2');
    expect(release.metadata).toMatchObject({ name: 'arcade', namespace: 'arcade' });
    expect(release.spec?.releaseName).toBe('arcade');
    expect(release.spec?.chartRef).toEqual({
      kind: 'OCIRepository',
      name: source.metadata.name,
      namespace: source.metadata.namespace,
    });
    expect(release.spec).not.toHaveProperty('targetNamespace');
    expect(release.spec).not.toHaveProperty('storageNamespace');
  });

  it('reconciles on an interval with remediation, retries and drift detection in warn mode', () => {
    expect(release.spec).toMatchObject({
      interval: '10m',
      install: { remediation: { retries: 3 } },
      upgrade: { cleanupOnFail: true, remediation: { retries: 3, remediateLastFailure: true, strategy: 'rollback' } },
      driftDetection: { mode: 'warn' },
    });
  });

  it('disables chat (the one key confirmed for 1.8.8) and points the engine at the collector', () => {
    expect(field(release.spec?.values, 'features.chatEnabled')).toBe(false);
    const env = field(release.spec?.values, 'engine.extraEnv') as { name: string; value: string }[];
    expect(env).toContainEqual({ name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://arcade-otel-collector:4318' });
  });

  type EnvVar = { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } };
  const engineEnv = () => field(release.spec?.values, 'engine.extraEnv') as EnvVar[];
  const valuesFrom = () =>
    release.spec?.valuesFrom as { kind: string; name: string; valuesKey: string; targetPath: string }[];
  /** Every `<secret>/<key>` the release reads, through the engine's env or through valuesFrom. */
  const secretReads = () => [
    ...engineEnv().flatMap((e) =>
      e.valueFrom ? [`${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`] : [],
    ),
    ...valuesFrom().map((v) => `${v.name}/${v.valuesKey}`),
  ];

  it('turns the bundled datastores off and reads every managed Secret key exactly once', () => {
    expect(field(release.spec?.values, 'postgresql.enabled')).toBe(false);
    expect(field(release.spec?.values, 'redis.enabled')).toBe(false);
    const reads = secretReads();
    expect(reads.slice().sort()).toEqual(
      [
        ...['host', 'port', 'database', 'user', 'password', 'sslmode'].map((k) => `arcade-postgres/${k}`),
        ...['host', 'port', 'password', 'tls'].map((k) => `arcade-redis/${k}`),
        'arcade-engine-root-key/root-key',
        'arcade-oidc/client-secret',
        'arcade-llm/api-key',
      ].sort(),
    );
    expect(valuesFrom()).toEqual([
      { kind: 'Secret', name: 'arcade-oidc', valuesKey: 'client-secret', targetPath: 'auth.oidc.clientSecret' },
    ]);
  });

  it('gives the engine its datastores and root key in the vendor engine-config shape, by env reference only', () => {
    const env = (field(release.spec?.values, 'engine.extraEnv') as EnvVar[]).map((e) => e.name);
    expect(field(release.spec?.values, 'engine.extraConfig.storage.postgres')).toEqual({
      host: '${env:ARCADE_STACK_POSTGRES_HOST}',
      port: '${env:ARCADE_STACK_POSTGRES_PORT}',
      db: '${env:ARCADE_STACK_POSTGRES_DATABASE}',
      user: '${env:ARCADE_STACK_POSTGRES_USER}',
      password: '${env:ARCADE_STACK_POSTGRES_PASSWORD}',
      sslmode: '${env:ARCADE_STACK_POSTGRES_SSLMODE}',
    });
    // The engine wants one host:port address; Kubernetes composes it from variables defined before it.
    expect(field(release.spec?.values, 'engine.extraConfig.cache.redis.addr')).toBe('${env:ARCADE_STACK_REDIS_ADDR}');
    const addr = engineEnv().find((e) => e.name === 'ARCADE_STACK_REDIS_ADDR');
    expect(addr?.value).toBe('$(ARCADE_STACK_REDIS_HOST):$(ARCADE_STACK_REDIS_PORT)');
    expect(env.indexOf('ARCADE_STACK_REDIS_ADDR')).toBeGreaterThan(env.indexOf('ARCADE_STACK_REDIS_HOST'));
    expect(env.indexOf('ARCADE_STACK_REDIS_ADDR')).toBeGreaterThan(env.indexOf('ARCADE_STACK_REDIS_PORT'));
    // Root keys need an id: the live key's id is not recorded yet, so it is a visible marker.
    const rootKeys = field(release.spec?.values, 'engine.extraConfig.security.root_keys') as Record<string, unknown>[];
    expect(rootKeys).toHaveLength(1);
    expect(rootKeys[0]).toMatchObject({ default: true, value: '${env:ARCADE_STACK_ENGINE_ROOT_KEY}' });
    expect(String(rootKeys[0]?.id)).toMatch(/^<unresolved: /);
    // Every `${env:NAME}` the config uses is defined on the engine container.
    const used = [
      ...JSON.stringify(field(release.spec?.values, 'engine.extraConfig')).matchAll(/\$\{env:([A-Z0-9_]+)\}/g),
    ].map((m) => m[1]);
    expect(used).toHaveLength(11);
    // Flux post-build substitution must leave the engine's `${env:…}` references alone.
    expect(release.metadata.annotations?.['kustomize.toolkit.fluxcd.io/substitute']).toBe('disabled');
    for (const name of used) expect(env).toContain(name);
  });

  it('gives the LLM entry the api_key the engine schema requires, as an env reference to the Secret', () => {
    expect(field(release.spec?.values, 'engine.extraConfig.llm.models')).toEqual([
      {
        id: 'primary',
        openai: { base_url: expect.stringMatching(/^<unresolved: /), api_key: '${env:ARCADE_STACK_LLM_API_KEY}' },
      },
    ]);
    // Unsealed key: the reference is optional, so the engine pod still starts (CreateContainerConfigError otherwise).
    expect(engineEnv().find((e) => e.name === 'ARCADE_STACK_LLM_API_KEY')?.valueFrom).toEqual({
      secretKeyRef: { name: 'arcade-llm', key: 'api-key', optional: true },
    });
    // Only the LLM key is optional: a missing datastore credential must stop the pod, not its first query.
    const optional = engineEnv().filter(
      (e) => (e.valueFrom?.secretKeyRef as { optional?: boolean } | undefined)?.optional,
    );
    expect(optional.map((e) => e.name)).toEqual(['ARCADE_STACK_LLM_API_KEY']);
  });

  it('every Secret the release reads is produced by a SealedSecret in the same namespace, watched by Flux', () => {
    const names = new Set(secretReads().map((r) => r.split('/')[0]!));
    expect(names.size).toBe(5);
    for (const name of names) {
      const sealed = findObject(objects, 'SealedSecret', name);
      expect(sealed.metadata.namespace).toBe(release.metadata.namespace);
      expect(field(sealed.spec, 'template.metadata.labels')).toMatchObject({ 'reconcile.fluxcd.io/watch': 'Enabled' });
    }
  });

  it('leaves unsealed keys out and lists them, rather than writing a placeholder', () => {
    const postgres = findObject(objects, 'SealedSecret', 'arcade-postgres');
    expect(field(postgres.spec, 'encryptedData')).toEqual({});
    expect(postgres.metadata.annotations?.['arcade-stack.dev/unresolved-keys']).toBe(
      'database,host,password,port,sslmode,user',
    );
  });

  it('renders unresolved values as visible markers and reports every one', () => {
    expect(field(release.spec?.values, 'auth.oidc.clientId')).toMatch(/^<unresolved: .+>$/);
    expect(output.unresolved.map((u) => u.path)).toEqual(
      expect.arrayContaining([
        'oidc.issuer',
        'oidc.clientId',
        'llm.baseUrl',
        'secrets.controller.name',
        'secrets.values.oidc.client-secret',
        'engine.rootKeyId',
        'probes.gateways[0].tools',
      ]),
    );
    expect(output.unresolved).toHaveLength(20);
  });
});

describe('every synthesized object', () => {
  const outputs = [
    synthEnvironment(production()),
    synthEnvironment(fixtureEnvironment('staging')),
    synthEnvironment(bundled(production())),
  ];
  const all: K8sObject[] = outputs.flatMap(objectsOf);

  it('has an explicit name, a namespace, and the stack labels', () => {
    expect(all.length).toBeGreaterThan(0);
    for (const o of all) {
      expect(o.metadata.name, `${o.kind}`).toMatch(/^[a-z0-9-]+$/);
      expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBeTruthy();
      expect(o.metadata.labels).toMatchObject({
        'app.kubernetes.io/managed-by': 'arcade-stack',
        'app.kubernetes.io/part-of': 'arcade',
        'app.kubernetes.io/name': expect.any(String),
      });
    }
  });

  it('is never a Secret with data or stringData', () => {
    for (const o of all) {
      if (o.kind === 'Secret') {
        expect(o).not.toHaveProperty('data');
        expect(o).not.toHaveProperty('stringData');
      }
    }
    expect(all.some((o) => o.kind === 'Secret')).toBe(false);
  });
});

describe('given the bundled mode (the live state to adopt first)', () => {
  const objects = objectsOf(synthEnvironment(bundled(production())));
  const release = findObject(objects, 'HelmRelease', 'arcade');

  it('keeps the chart datastores: only the LLM key Secret, no valuesFrom, no datastore override', () => {
    // collector.yaml and monitoring.yaml do not depend on the datastore mode.
    const datastoreObjects = objects.filter((o) => !/\/(collector|monitoring)\.yaml$/.test(o.file));
    expect(datastoreObjects.map((o) => `${o.kind} ${o.metadata.name}`).sort()).toEqual([
      'HelmRelease arcade',
      'OCIRepository arcade',
      'SealedSecret arcade-llm',
    ]);
    expect(release.spec).not.toHaveProperty('valuesFrom');
    expect(field(release.spec?.values, 'postgresql')).toBeUndefined();
    expect(field(release.spec?.values, 'redis')).toBeUndefined();
    expect(Object.keys(field(release.spec?.values, 'engine.extraConfig') as object)).toEqual(['llm']);
  });

  it('still gives the LLM entry its api_key from the Secret, optional while the key is unsealed', () => {
    expect(field(release.spec?.values, 'engine.extraConfig.llm.models')).toEqual([
      { id: 'primary', openai: { base_url: expect.any(String), api_key: '${env:ARCADE_STACK_LLM_API_KEY}' } },
    ]);
    const env = field(release.spec?.values, 'engine.extraEnv') as { name: string; valueFrom?: unknown }[];
    expect(env.find((e) => e.name === 'ARCADE_STACK_LLM_API_KEY')?.valueFrom).toEqual({
      secretKeyRef: { name: 'arcade-llm', key: 'api-key', optional: true },
    });
  });
});

describe('given the External Secrets provider (staging fixture)', () => {
  const objects = objectsOf(synthEnvironment(fixtureEnvironment('staging')));

  it('refers to the existing ClusterSecretStore by name and maps every resolved key', () => {
    const postgres = findObject(objects, 'ExternalSecret', 'arcade-postgres');
    expect(postgres.apiVersion).toBe('external-secrets.io/v1');
    expect(postgres.metadata.namespace).toBe('arcade-staging');
    expect(postgres.spec).toMatchObject({
      secretStoreRef: { kind: 'ClusterSecretStore', name: 'staging-vault' },
      target: {
        name: 'arcade-postgres',
        template: { metadata: { labels: { 'reconcile.fluxcd.io/watch': 'Enabled' } } },
      },
    });
    expect(field(postgres.spec, 'data')).toContainEqual({
      secretKey: 'password',
      remoteRef: { key: 'arcade/staging/postgres', property: 'password' },
    });
  });

  it('leaves an unresolved remote key out and lists it', () => {
    const redis = findObject(objects, 'ExternalSecret', 'arcade-redis');
    expect((field(redis.spec, 'data') as { secretKey: string }[]).map((d) => d.secretKey)).toEqual([
      'host',
      'password',
      'port',
    ]);
    expect(redis.metadata.annotations?.['arcade-stack.dev/unresolved-keys']).toBe('tls');
  });

  it('references a resolved LLM key as required (not optional)', () => {
    const release = findObject(objects, 'HelmRelease', 'arcade');
    const env = field(release.spec?.values, 'engine.extraEnv') as { name: string; valueFrom?: unknown }[];
    expect(env.find((e) => e.name === 'ARCADE_STACK_LLM_API_KEY')?.valueFrom).toEqual({
      secretKeyRef: { name: 'arcade-llm', key: 'api-key' },
    });
    expect(findObject(objects, 'ExternalSecret', 'arcade-llm').spec).toMatchObject({
      data: [{ secretKey: 'api-key', remoteRef: { key: 'arcade/staging/llm', property: 'api-key' } }],
    });
  });

  it('pins the chart by digest and keeps the tag for readers', () => {
    const source = findObject(objects, 'OCIRepository', 'arcade');
    expect(field(source.spec, 'ref')).toEqual({ tag: '1.8.8', digest: `sha256:${'0'.repeat(64)}` });
  });

  it('renders the file snapshot reviewers read', async () => {
    const output = synthEnvironment(fixtureEnvironment('staging'));
    for (const f of output.files) {
      await expect(f.content).toMatchFileSnapshot(`./__snapshots__/${f.path}`);
    }
  });
});

describe('given the release object in flux-system and the workloads in arcade (issue 16)', () => {
  // The staging fixture, moved: HelmRelease and source in flux-system, installing into arcade-staging.
  const fixture = fixtureEnvironment('staging');
  const env: Environment = {
    ...fixture,
    release: { ...fixture.release, namespace: 'flux-system', targetNamespace: 'arcade-staging' },
  };
  const objects = objectsOf(synthEnvironment(env));
  const release = findObject(objects, 'HelmRelease', 'arcade');
  const where = (kind: string, name: string) => findObject(objects, kind, name).metadata.namespace;

  it('puts the HelmRelease and its source in the release namespace, installing into the workload namespace', () => {
    expect(release.metadata.namespace).toBe('flux-system');
    expect(where('OCIRepository', 'arcade')).toBe('flux-system');
    expect(release.spec).toMatchObject({
      targetNamespace: 'arcade-staging',
      chartRef: { kind: 'OCIRepository', name: 'arcade', namespace: 'flux-system' },
    });
  });

  it("puts each Secret where its reader runs: the engine's in its namespace, the valuesFrom one beside the HelmRelease", () => {
    for (const name of ['arcade-postgres', 'arcade-redis', 'arcade-engine-root-key'])
      expect(where('ExternalSecret', name), name).toBe('arcade-staging');
    expect(where('ExternalSecret', 'arcade-oidc')).toBe('flux-system');
    expect(field(release.spec, 'valuesFrom')).toEqual([
      expect.objectContaining({ kind: 'Secret', name: 'arcade-oidc' }),
    ]);
  });

  it('keeps the collector and its monitors in the workload namespace, reachable from the engine', () => {
    expect(where('Service', 'arcade-otel-collector')).toBe('arcade-staging');
    expect(new Set(objects.filter((o) => o.kind === 'ServiceMonitor').map((o) => o.metadata.namespace))).toEqual(
      new Set(['arcade-staging']),
    );
    const engineEnv = field(release.spec?.values, 'engine.extraEnv') as { name: string; value?: string }[];
    expect(engineEnv.find((e) => e.name === 'OTEL_EXPORTER_OTLP_ENDPOINT')?.value).toBe(
      'http://arcade-otel-collector:4318',
    );
  });
});

describe('given chart values the stack does not model, passed through (adopting the live release, issue 16)', () => {
  const fixture = fixtureEnvironment('staging');
  const adopting: Environment = {
    ...fixture,
    release: {
      ...fixture.release,
      values: {
        replicaCount: 2,
        ingress: { annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': '50m' } },
        engine: { resources: { limits: { memory: '2Gi' } } },
      },
      valuesFrom: [
        { kind: 'ConfigMap', name: 'arcade-values' },
        { kind: 'Secret', name: 'arcade-smtp', valuesKey: 'password', targetPath: 'smtp.password' },
      ],
    },
  };
  const release = findObject(objectsOf(synthEnvironment(adopting)), 'HelmRelease', 'arcade');

  it("merges the passed-through values beside the stack's, key by key", () => {
    expect(field(release.spec?.values, 'replicaCount')).toBe(2);
    expect(field(release.spec?.values, 'engine.resources.limits.memory')).toBe('2Gi');
    expect(field(release.spec?.values, 'engine.extraEnv')).toBeDefined(); // the stack's, in the same engine map
    expect(field(release.spec?.values, 'ingress.hostname')).toBe('arcade-staging.example.com');
    expect(
      (field(release.spec?.values, 'ingress.annotations') as Record<string, string>)[
        'nginx.ingress.kubernetes.io/proxy-body-size'
      ],
    ).toBe('50m');
  });

  it("keeps the environment's valuesFrom in order, before the stack's own (whose paths then win)", () => {
    expect(field(release.spec, 'valuesFrom')).toEqual([
      { kind: 'ConfigMap', name: 'arcade-values' },
      { kind: 'Secret', name: 'arcade-smtp', valuesKey: 'password', targetPath: 'smtp.password' },
      { kind: 'Secret', name: 'arcade-oidc', valuesKey: 'client-secret', targetPath: 'auth.oidc.clientSecret' },
    ]);
  });

  it('lists every passed-through path as an override of provenance "environment" for check-values, and the whole document apart', () => {
    const values = releaseOverrides(adopting);
    const passed = values.overrides.filter((o) => o.provenance === 'environment').map((o) => [o.path, o.via]);
    expect(passed).toEqual([
      ['replicaCount', 'inline'],
      ['ingress.annotations.nginx\\.ingress\\.kubernetes\\.io/proxy-body-size', 'inline'],
      ['engine.resources.limits.memory', 'inline'],
      ['smtp.password', 'secret'],
    ]);
    expect(values.documents).toEqual([{ kind: 'ConfigMap', name: 'arcade-values' }]);
  });

  it('refuses a passed-through path the stack sets itself, naming both', () => {
    const clash = (release: Environment['release']) => () => synthEnvironment({ ...adopting, release });
    expect(clash({ ...adopting.release, values: { features: { chatEnabled: true } } })).toThrow(
      /release\.values\.features\.chatEnabled: the stack sets features\.chatEnabled itself \(confirmed: .*\) \(fix: remove it from the environment/,
    );
    expect(
      clash({ ...adopting.release, values: { engine: { extraEnv: [{ name: 'LOG_LEVEL', value: 'debug' }] } } }),
    ).toThrow(/release\.values\.engine\.extraEnv: the stack sets engine\.extraEnv itself/);
    // A sibling of a path the stack sets is the environment's to set.
    expect(clash({ ...adopting.release, values: { engine: { extraConfig: { llm: { timeout: 30 } } } } })).not.toThrow();
    expect(
      clash({
        ...adopting.release,
        valuesFrom: [{ kind: 'Secret', name: 'old-oidc', valuesKey: 'secret', targetPath: 'auth.oidc.clientSecret' }],
      }),
    ).toThrow(/release\.valuesFrom\[0\]\.targetPath: the stack sets auth\.oidc\.clientSecret itself/);
  });
});

describe('release construct rules', () => {
  it('refuses hosts that do not share one parent domain, naming the field', () => {
    const env = production();
    expect(() => synthEnvironment({ ...env, hosts: { ...env.hosts, dashboard: 'dash.other.dev' } })).toThrow(
      /hosts\.dashboard: 'dash\.other\.dev' does not start with 'dashboard\.'/,
    );
  });

  it('refuses ciphertext sealed for another Secret', () => {
    const env = production();
    if (env.secrets?.provider !== 'sealed-secrets') throw new Error('production uses sealed-secrets');
    const sealedElsewhere = {
      ciphertext: 'A'.repeat(88),
      boundTo: 'other/arcade-postgres',
      certificateSha256: 'a'.repeat(64),
    };
    const postgres = env.secrets.values.postgres;
    if (!postgres) throw new Error('production is managed');
    const secrets = {
      ...env.secrets,
      values: { ...env.secrets.values, postgres: { ...postgres, password: sealedElsewhere } },
    };
    expect(() => synthEnvironment({ ...env, secrets })).toThrow(
      /key 'password' was sealed for 'other\/arcade-postgres'.*re-seal/,
    );
  });
});
