/**
 * The collector configuration builder: the pipeline the issue asks for, and one refusal per
 * invalid combination, each naming the field and the fix.
 */
import { describe, expect, it } from 'vitest';
import { buildCollectorConfig, type CollectorConfigOptions } from '../../src/collector/build.js';
import type { CollectorConfig } from '../../src/collector/config.js';
import { memorySettings, parseMemoryMiB } from '../../src/collector/memory.js';
import { COLLECTOR_LABEL } from '../../src/collector/service.js';
import {
  CollectorConfigError,
  collectorConfigProblems,
  REMOTE_WRITE_HTTP_KEYS,
  validateCollectorConfig,
} from '../../src/collector/validate.js';

const MIMIR = 'http://mimir-nginx.mimir.observability-wus2/api/v1/push';
const MARK = { [COLLECTOR_LABEL]: 'backstage-wus2-v4/arcade/arcade-otel-collector' };
const LABELS = { cluster: 'backstage-wus2-v4', namespace: 'arcade', ...MARK };

const remoteWrite = (overrides: Partial<CollectorConfigOptions> = {}): CollectorConfigOptions => ({
  export: { mode: 'remote-write', pushUrl: MIMIR, tenant: 'k8s-backstage-v4', externalLabels: LABELS },
  memoryLimitMiB: 512,
  replicas: 2,
  ...overrides,
});

/** A valid configuration to break one rule at a time. */
const valid = (): CollectorConfig => buildCollectorConfig(remoteWrite());

/** The single problem a configuration has (fails when there is none, or more than one). */
function onlyProblem(config: CollectorConfig, replicas = 2): string {
  const problems = collectorConfigProblems(config, { replicas });
  expect(problems, problems.join('\n')).toHaveLength(1);
  return problems[0]!;
}

describe('given remote-write mode (the default)', () => {
  const config = valid();

  it('runs otlp -> memory_limiter -> batch -> prometheusremotewrite', () => {
    expect(config.service.pipelines).toEqual({
      metrics: { receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: ['prometheusremotewrite'] },
    });
    expect(Object.keys(config.exporters)).toEqual(['prometheusremotewrite']);
  });

  it('pushes to the Mimir URL with the tenant header (client settings in the http block), environment and collector labels, retries and a queue', () => {
    expect(config.exporters.prometheusremotewrite).toEqual({
      http: {
        endpoint: MIMIR,
        headers: { 'X-Scope-OrgID': 'k8s-backstage-v4' },
        timeout: '30s',
        tls: { insecure: true },
      },
      external_labels: {
        cluster: 'backstage-wus2-v4',
        namespace: 'arcade',
        arcade_stack_collector: 'backstage-wus2-v4/arcade/arcade-otel-collector',
      },
      timeout: '30s',
      retry_on_failure: { enabled: true, initial_interval: '5s', max_interval: '30s', max_elapsed_time: '10m' },
      remote_write_queue: { enabled: true, queue_size: 10000, num_consumers: 5 },
    });
  });

  it('uses TLS for an https:// push URL', () => {
    const https = buildCollectorConfig(
      remoteWrite({
        export: {
          mode: 'remote-write',
          pushUrl: 'https://mimir.example.com/api/v1/push',
          tenant: 't',
          externalLabels: MARK,
        },
      }),
    );
    expect(https.exporters.prometheusremotewrite?.http.tls).toEqual({ insecure: false });
  });

  it('binds every listener to 0.0.0.0 and uses the current telemetry readers form', () => {
    expect(config.receivers.otlp?.protocols).toEqual({
      grpc: { endpoint: '0.0.0.0:4317' },
      http: { endpoint: '0.0.0.0:4318' },
    });
    expect(config.extensions.health_check).toEqual({ endpoint: '0.0.0.0:13133', path: '/' });
    expect(config.service.extensions).toEqual(['health_check']);
    expect(config.service.telemetry.metrics.readers).toEqual([
      { pull: { exporter: { prometheus: { host: '0.0.0.0', port: 8888 } } } },
    ]);
    expect(config.service.telemetry.metrics).not.toHaveProperty('address');
  });

  it('derives memory_limiter from the container memory limit', () => {
    expect(config.processors.memory_limiter).toEqual({ check_interval: '1s', limit_mib: 409, spike_limit_mib: 102 });
  });
});

describe('given scrape mode', () => {
  const config = buildCollectorConfig({
    export: { mode: 'scrape', constLabels: MARK },
    memoryLimitMiB: 256,
    replicas: 1,
  });

  it('exposes the prometheus exporter on 0.0.0.0:8889 with the collector label, and never remote-writes', () => {
    expect(config.exporters).toEqual({
      prometheus: { endpoint: '0.0.0.0:8889', const_labels: MARK, metric_expiration: '5m' },
    });
    expect(config.service.pipelines.metrics?.exporters).toEqual(['prometheus']);
  });
});

describe('given delta-temporality sources', () => {
  it('adds deltatocumulative between memory_limiter and batch on one replica', () => {
    const config = buildCollectorConfig(remoteWrite({ deltaToCumulative: true, replicas: 1 }));
    expect(config.service.pipelines.metrics?.processors).toEqual(['memory_limiter', 'deltatocumulative', 'batch']);
    expect(config.processors.deltatocumulative).toEqual({ max_stale: '5m', max_streams: 10000 });
  });
});

describe('memory settings', () => {
  it('GOMEMLIMIT and memory_limiter are 80% of the limit, spike 25% of that', () => {
    expect(memorySettings(512)).toEqual({ limitMiB: 409, spikeLimitMiB: 102, goMemLimit: '409MiB' });
    expect(memorySettings(parseMemoryMiB('1Gi', 'limits.memory'))).toEqual({
      limitMiB: 819,
      spikeLimitMiB: 204,
      goMemLimit: '819MiB',
    });
  });

  it('refuses a quantity it cannot derive from, naming the field', () => {
    expect(() => parseMemoryMiB('1G', 'collector.resources.limits.memory')).toThrow(
      /collector\.resources\.limits\.memory: '1G' is not a memory quantity of whole MiB above zero \(fix: /,
    );
    expect(() => memorySettings(16)).toThrow(/collector\.resources\.limits\.memory: 16Mi leaves too little/);
  });
});

describe('the builder refuses invalid combinations, naming the field', () => {
  it('no exporter', () => {
    const c = valid();
    const broken: CollectorConfig = {
      ...c,
      exporters: {},
      service: { ...c.service, pipelines: { metrics: { ...c.service.pipelines.metrics!, exporters: [] } } },
    };
    const problems = collectorConfigProblems(broken, { replicas: 2 });
    expect(problems).toContainEqual(expect.stringMatching(/^exporters: no exporter is defined.*\(fix: /));
    expect(problems).toContainEqual(
      expect.stringMatching(/^service\.pipelines\.metrics\.exporters: the pipeline has no exporter/),
    );
  });

  it('memory_limiter not first', () => {
    const c = valid();
    const broken: CollectorConfig = {
      ...c,
      service: {
        ...c.service,
        pipelines: { metrics: { ...c.service.pipelines.metrics!, processors: ['batch', 'memory_limiter', 'batch'] } },
      },
    };
    expect(onlyProblem(broken)).toMatch(
      /^service\.pipelines\.metrics\.processors: memory_limiter must come first .*\(fix: put memory_limiter first\)/,
    );
  });

  it('batch not last', () => {
    const c = valid();
    const broken: CollectorConfig = {
      ...c,
      service: {
        ...c.service,
        pipelines: {
          metrics: { ...c.service.pipelines.metrics!, processors: ['memory_limiter', 'batch', 'memory_limiter'] },
        },
      },
    };
    expect(onlyProblem(broken)).toMatch(
      /^service\.pipelines\.metrics\.processors: batch must come last, .*\(fix: put batch last\)/,
    );
  });

  it('an exporter in no pipeline', () => {
    const c = valid();
    const broken: CollectorConfig = {
      ...c,
      exporters: {
        ...c.exporters,
        prometheus: { endpoint: '0.0.0.0:8889', const_labels: MARK, metric_expiration: '5m' },
      },
    };
    expect(onlyProblem(broken)).toMatch(/^exporters\.prometheus: defined but in no pipeline.*\(fix: /);
  });

  it('a receiver in no pipeline', () => {
    const c = valid();
    const broken: CollectorConfig = {
      ...c,
      receivers: { ...c.receivers, 'otlp/unused': { protocols: { http: { endpoint: '0.0.0.0:4319' } } } },
    };
    expect(onlyProblem(broken)).toMatch(/^receivers\.otlp\/unused: defined but in no pipeline/);
  });

  it('a pipeline naming an undefined component', () => {
    const c = valid();
    const broken: CollectorConfig = {
      ...c,
      service: {
        ...c.service,
        pipelines: { metrics: { ...c.service.pipelines.metrics!, receivers: ['otlp', 'otlp/missing'] } },
      },
    };
    expect(onlyProblem(broken)).toMatch(
      /^service\.pipelines\.metrics\.receivers: 'otlp\/missing' is not defined under receivers \(fix: /,
    );
  });

  it('a Mimir URL without tenant', () => {
    const c = valid();
    const prw = c.exporters.prometheusremotewrite!;
    const broken: CollectorConfig = {
      ...c,
      exporters: { prometheusremotewrite: { ...prw, http: { ...prw.http, headers: {} } } },
    };
    expect(onlyProblem(broken)).toMatch(
      new RegExp(
        /^exporters\.prometheusremotewrite\.http\.headers: the Mimir URL http:\/\/mimir-nginx\S+/.source +
          / has no X-Scope-OrgID tenant header.*\(fix: set collector\.mimir\.tenant\)/.source,
      ),
    );
    // The builder path too: an empty tenant never reaches the cluster.
    expect(() =>
      buildCollectorConfig(
        remoteWrite({ export: { mode: 'remote-write', pushUrl: MIMIR, tenant: ' ', externalLabels: MARK } }),
      ),
    ).toThrow(CollectorConfigError);
  });

  it('an endpoint bound to localhost', () => {
    const c = valid();
    const broken: CollectorConfig = {
      ...c,
      receivers: { otlp: { protocols: { grpc: { endpoint: '0.0.0.0:4317' }, http: { endpoint: 'localhost:4318' } } } },
    };
    expect(onlyProblem(broken)).toMatch(
      /^receivers\.otlp\.protocols\.http\.endpoint: bound to localhost, unreachable .*\(fix: bind 0\.0\.0\.0\)/,
    );
    const telemetry: CollectorConfig = {
      ...c,
      service: {
        ...c.service,
        telemetry: {
          ...c.service.telemetry,
          metrics: {
            level: 'normal',
            readers: [{ pull: { exporter: { prometheus: { host: '127.0.0.1', port: 8888 } } } }],
          },
        },
      },
    };
    expect(onlyProblem(telemetry)).toMatch(
      /^service\.telemetry\.metrics\.readers\[0\]\.pull\.exporter\.prometheus\.host: bound to 127\.0\.0\.1/,
    );
    const health: CollectorConfig = { ...c, extensions: { health_check: { endpoint: '[::1]:13133', path: '/' } } };
    expect(onlyProblem(health)).toMatch(/^extensions\.health_check\.endpoint: bound to \[::1\]/);
  });

  it('delta conversion with more than one replica', () => {
    expect(() => buildCollectorConfig(remoteWrite({ deltaToCumulative: true, replicas: 2 }))).toThrow(
      new RegExp(
        /processors\.deltatocumulative: the converted state is kept per replica, but replicas is/.source +
          / 2.*\(fix: set collector\.replicas: 1, or collector\.deltaToCumulative: false\)/.source,
      ),
    );
  });

  it('remote write and the scrape exporter together (series stored twice)', () => {
    const c = valid();
    const broken: CollectorConfig = {
      ...c,
      exporters: {
        ...c.exporters,
        prometheus: { endpoint: '0.0.0.0:8889', const_labels: MARK, metric_expiration: '5m' },
      },
      service: {
        ...c.service,
        pipelines: { metrics: { ...c.service.pipelines.metrics!, exporters: ['prometheusremotewrite', 'prometheus'] } },
      },
    };
    expect(onlyProblem(broken)).toMatch(
      /^service\.pipelines\.metrics\.exporters: prometheusremotewrite and prometheus together would store every series twice/,
    );
  });

  it('TLS switched off for an https:// URL', () => {
    const c = valid();
    const prw = c.exporters.prometheusremotewrite!;
    const broken: CollectorConfig = {
      ...c,
      exporters: {
        prometheusremotewrite: {
          ...prw,
          http: { ...prw.http, endpoint: 'https://mimir.example.com/api/v1/push', tls: { insecure: true } },
        },
      },
    };
    expect(onlyProblem(broken)).toMatch(
      /^exporters\.prometheusremotewrite\.http\.tls\.insecure: true disables TLS for the https:\/\/ URL/,
    );
  });

  it('the deprecated flat form of the remote-write client settings (endpoint, headers, tls at the top level)', () => {
    const c = valid();
    const { http, ...rest } = c.exporters.prometheusremotewrite!;
    // What the exporter took before contrib v0.158.0: the types refuse it, a cast must not get it through.
    const flat = {
      ...rest,
      endpoint: http.endpoint,
      headers: http.headers,
      tls: http.tls,
      http,
    } as unknown as NonNullable<CollectorConfig['exporters']['prometheusremotewrite']>;
    const problems = collectorConfigProblems({ ...c, exporters: { prometheusremotewrite: flat } }, { replicas: 2 });
    expect(problems).toEqual(
      ['endpoint', 'tls', 'headers'].map((key) =>
        expect.stringMatching(
          new RegExp(
            `^exporters\\.prometheusremotewrite\\.${key}: HTTP client settings at the exporter's top ` +
              `level are deprecated since contrib v0\\.158\\.0 .*removeTopLevelHTTPSettings \\(fix: move ` +
              `it to exporters\\.prometheusremotewrite\\.http\\.${key}\\)$`,
          ),
        ),
      ),
    );
    // Without the http block the push URL is gone too: named, not silently defaulted upstream.
    const onlyFlat = { ...rest, endpoint: http.endpoint } as unknown as NonNullable<
      CollectorConfig['exporters']['prometheusremotewrite']
    >;
    expect(collectorConfigProblems({ ...c, exporters: { prometheusremotewrite: onlyFlat } }, { replicas: 2 })).toEqual([
      expect.stringMatching(
        /^exporters\.prometheusremotewrite\.endpoint: HTTP client settings at the exporter's top level/,
      ),
      expect.stringMatching(/^exporters\.prometheusremotewrite\.http\.endpoint: no push URL/),
    ]);
    expect(REMOTE_WRITE_HTTP_KEYS).not.toContain('timeout');
  });

  it('an exporter without the collector label (the Mimir probe could not find what it relayed)', () => {
    const c = valid();
    const prw = c.exporters.prometheusremotewrite!;
    const unmarked: CollectorConfig = {
      ...c,
      exporters: { prometheusremotewrite: { ...prw, external_labels: { cluster: 'backstage-wus2-v4' } } },
    };
    expect(onlyProblem(unmarked)).toMatch(
      /^exporters\.prometheusremotewrite\.external_labels: no arcade_stack_collector label; the otel\.metrics-in-mimir probe .*\(fix: /,
    );
    expect(() =>
      buildCollectorConfig({ export: { mode: 'scrape', constLabels: {} }, memoryLimitMiB: 256, replicas: 1 }),
    ).toThrow(/exporters\.prometheus\.const_labels: no arcade_stack_collector label/);
  });

  it('an external label Prometheus would refuse or drop', () => {
    const c = valid();
    const prw = c.exporters.prometheusremotewrite!;
    const reserved: CollectorConfig = {
      ...c,
      exporters: { prometheusremotewrite: { ...prw, external_labels: { ...LABELS, __tenant__: 'x' } } },
    };
    expect(onlyProblem(reserved)).toMatch(
      /^exporters\.prometheusremotewrite\.external_labels\.__tenant__: not a Prometheus label name, or reserved/,
    );
    const empty: CollectorConfig = {
      ...c,
      exporters: { prometheusremotewrite: { ...prw, external_labels: { ...LABELS, cluster: '' } } },
    };
    expect(onlyProblem(empty)).toMatch(/^exporters\.prometheusremotewrite\.external_labels\.cluster: empty value/);
  });

  it('throws one error listing every problem at once', () => {
    const c = valid();
    const broken: CollectorConfig = {
      ...c,
      exporters: {},
      service: { ...c.service, pipelines: { metrics: { receivers: ['otlp'], processors: [], exporters: [] } } },
    };
    let error: unknown;
    try {
      validateCollectorConfig(broken, { replicas: 1 });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CollectorConfigError);
    expect((error as CollectorConfigError).problems.length).toBeGreaterThanOrEqual(4);
    expect((error as Error).message).toMatch(/^invalid collector configuration:\n {2}- exporters: /);
  });
});
