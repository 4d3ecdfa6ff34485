/**
 * Schema validation with small CRDs written for the tests (no cluster, no network):
 * unknown fields reported outside free-form places, enums, patterns, int-or-string, nullable,
 * built-in kinds through kubernetes-models plus the unknown-field pass, and a missing schema
 * failing with the command that fixes it.
 */
import { describe, expect, it } from 'vitest';
import { cachedCrds, readCachedSchema, vendoredCrds } from '../../src/check/crd-cache.js';
import { strictFields } from '../../src/check/core-validate.js';
import { celRuleCount } from '../../src/check/crd-validate.js';
import { validateSchema } from '../../src/check/schema.js';
import { toStrictSchema } from '../../src/check/structural.js';
import type { KubeObject } from '../../src/core/manifests.js';
import { clone, hardenedWorkload, tempDir, testCache } from './support.js';

const cache = testCache();

function helmRelease(spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: 'arcade', namespace: 'arcade' },
    spec: {
      interval: '10m',
      releaseName: 'arcade',
      chartRef: { kind: 'OCIRepository', name: 'arcade' },
      values: { features: { chatEnabled: false } },
      ...spec,
    },
  };
}

async function problems(o: KubeObject) {
  return (await validateSchema(o, cachedCrds(cache))).problems;
}

describe('toStrictSchema', () => {
  it('forbids unknown fields where the schema declares an object, keeps free-form places open', () => {
    const { schema, celRules } = toStrictSchema({
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            values: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            map: { type: 'object', additionalProperties: { type: 'string' } },
            port: { 'x-kubernetes-int-or-string': true, type: 'string' },
            note: { type: 'string', nullable: true },
            choice: { type: 'string', enum: ['a'], nullable: true },
          },
          anyOf: [{ required: ['values'] }, { required: ['map'] }],
          'x-kubernetes-validations': [{ rule: 'true' }],
        },
      },
    });
    const spec = (schema.properties as Record<string, Record<string, unknown>>).spec!;
    const props = spec.properties as Record<string, Record<string, unknown>>;
    expect(schema.additionalProperties).toBe(false);
    expect(spec.additionalProperties).toBe(false);
    expect(props.values!.additionalProperties).toBeUndefined();
    expect(props.map!.additionalProperties).toEqual({ type: 'string' });
    expect(props.port).toMatchObject({ anyOf: [{ type: 'integer' }, { type: 'string' }] });
    expect(props.port!.type).toBeUndefined();
    expect(props.note!.type).toEqual(['string', 'null']);
    expect(props.choice!.enum).toEqual(['a', null]);
    expect(spec.anyOf).toEqual([{ required: ['values'] }, { required: ['map'] }]); // no additionalProperties inside junctors
    expect((schema.properties as Record<string, unknown>).metadata).toEqual({ type: 'object' });
    expect(celRules).toBe(1);
  });
});

describe('custom resources against a cached CRD schema', () => {
  it('accepts a valid HelmRelease, free-form values included', async () => {
    expect(await problems(helmRelease({ values: { anything: { goes: [1, 'two'] } } }))).toEqual([]);
  });

  it('reports a misspelled HelmRelease field with the field path and a suggestion', async () => {
    const p = await problems(helmRelease({ relaseName: 'arcade' }));
    expect(p).toEqual([
      expect.objectContaining({
        path: 'spec.relaseName',
        rule: 'schema.unknown-field',
        message: expect.stringContaining('did you mean "releaseName"'),
      }),
    ]);
    expect(p[0]!.fix).toContain('releaseName');
  });

  it('reports a wrong sourceRef.kind / chartRef.kind with the allowed values', async () => {
    const bad = await problems(helmRelease({ chartRef: { kind: 'OCIRepo', name: 'arcade' } }));
    expect(bad).toEqual([
      expect.objectContaining({
        path: 'spec.chartRef.kind',
        rule: 'schema.enum',
        message: '"OCIRepo" is not allowed',
        fix: 'use one of: "OCIRepository", "HelmChart"',
      }),
    ]);
    const chart = helmRelease({
      chart: { spec: { chart: 'arcade', sourceRef: { kind: 'OCIRepository', name: 'arcade' } } },
    });
    delete (chart.spec as Record<string, unknown>).chartRef;
    expect(await problems(chart)).toEqual([
      expect.objectContaining({ path: 'spec.chart.spec.sourceRef.kind', rule: 'schema.enum' }),
    ]);
  });

  it('reports a bad interval against the duration pattern', async () => {
    expect(await problems(helmRelease({ interval: '10 minutes' }))).toEqual([
      expect.objectContaining({
        path: 'spec.interval',
        rule: 'schema.pattern',
        message: expect.stringContaining('Go duration'),
      }),
    ]);
  });

  it('reports missing required fields, wrong types and unknown metadata fields', async () => {
    const o = helmRelease({});
    delete (o.spec as Record<string, unknown>).interval;
    (o.metadata as Record<string, unknown>).lables = { a: 'b' };
    (o.metadata as Record<string, unknown>).annotations = { n: 1 };
    const p = await problems(o);
    expect(p.map((x) => [x.path, x.rule])).toEqual([
      ['spec.interval', 'schema.required'],
      ['metadata.lables', 'schema.unknown-field'],
      ['metadata.annotations.n', 'schema.type'],
    ]);
  });

  it('handles int-or-string, nullable, maps, embedded resources, empty objects and formats', async () => {
    const widget = (spec: Record<string, unknown>): KubeObject => ({
      apiVersion: 'test.arcade-stack.dev/v1',
      kind: 'Widget',
      metadata: { name: 'w' },
      spec,
    });
    expect(
      await problems(
        widget({
          port: 80,
          note: null,
          labels: { a: 'b' },
          template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', anything: 1 }, spec: { size: 3 } },
          empty: {},
          window: '1h30m',
        }),
      ),
    ).toEqual([]);
    expect(await problems(widget({ port: 'http' }))).toEqual([]);
    const p = await problems(
      widget({
        port: true,
        labels: { a: 1 },
        template: { spec: { size: 1, extra: true } },
        empty: { x: 1 },
        window: 'P1D',
      }),
    );
    expect(p.map((x) => [x.path, x.rule])).toEqual([
      ['spec.port', 'schema.type'],
      ['spec.labels.a', 'schema.type'],
      ['spec.template.spec.extra', 'schema.unknown-field'],
      ['spec.empty.x', 'schema.unknown-field'],
      ['spec.window', 'schema.format'],
    ]);
  });

  it('fails when the schema is missing, and says how to get it', async () => {
    const empty = tempDir('empty-cache-');
    const r = await validateSchema(helmRelease({}), cachedCrds(empty));
    expect(r.via).toBe('missing');
    expect(r.problems).toEqual([
      expect.objectContaining({
        rule: 'schema.missing',
        message: expect.stringContaining(`in the cache ${empty}`),
        fix: expect.stringContaining('npm run crds -- --from-cluster'),
      }),
    ]);
    const typo = await validateSchema(
      { apiVersion: 'helm.toolkit.fluxcd.io/v2beta9', kind: 'HelmRelease', metadata: { name: 'x' } },
      cachedCrds(cache),
    );
    expect(typo.problems[0]!.rule).toBe('schema.missing');
    // A kind the vendored contracts do not hold (no PodMonitor is rendered, so none is vendored).
    const podMonitor = await validateSchema(
      { apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor', metadata: { name: 'x' } },
      vendoredCrds(),
    );
    expect(podMonitor.problems).toEqual([
      expect.objectContaining({
        rule: 'schema.missing',
        message: expect.stringContaining('in contracts/crds'),
        fix: expect.stringContaining('vendor the CRD file into contracts/crds'),
      }),
    ]);
  });

  it('counts the CEL rules it cannot evaluate', () => {
    expect(celRuleCount(readCachedSchema(cache, 'helm.toolkit.fluxcd.io', 'v2', 'HelmRelease')!)).toBe(1);
  });
});

describe('built-in kinds', () => {
  const deployment = () => clone(hardenedWorkload()[1]!) as KubeObject;
  const container = (o: KubeObject) =>
    (
      (((o.spec as Record<string, unknown>).template as Record<string, unknown>).spec as Record<string, unknown>)
        .containers as Record<string, unknown>[]
    )[0]!;

  it('accepts valid objects of several kinds', async () => {
    for (const o of hardenedWorkload()) expect(await problems(o as KubeObject)).toEqual([]);
  });

  it('reports unknown fields the kubernetes-models validators let through', async () => {
    const o = deployment();
    container(o).securityContxt = { runAsNonRoot: true };
    (container(o).ports as Record<string, unknown>[])[0]!.nmae = 'http';
    const p = await problems(o);
    expect(p.map((x) => [x.path, x.rule])).toEqual([
      ['spec.template.spec.containers[0].ports[0].nmae', 'schema.unknown-field'],
      ['spec.template.spec.containers[0].securityContxt', 'schema.unknown-field'],
    ]);
    expect(p[1]!.message).toContain('did you mean "securityContext"');
  });

  it('reports type and enum errors from the kubernetes-models validator', async () => {
    const o = deployment();
    (o.spec as Record<string, unknown>).replicas = 'two';
    container(o).imagePullPolicy = 'Sometimes';
    const p = await problems(o);
    expect(p.map((x) => [x.path, x.rule])).toEqual([
      ['spec.replicas', 'schema.type'],
      ['spec.template.spec.containers[0].imagePullPolicy', 'schema.enum'],
    ]);
    expect(p[1]!.fix).toContain('"IfNotPresent"');
  });

  it('fails closed on a field type the model metadata does not describe', async () => {
    expect(await strictFields({ a: 1 }, 'V1NoSuchType', 'spec.x', false)).toEqual([
      expect.objectContaining({ path: 'spec.x', rule: 'schema.missing' }),
    ]);
    expect(await strictFields({ renewTime: '2024-01-01T00:00:00.000000Z' }, 'V1LeaseSpec', 'spec', true)).toEqual([]);
  });

  it('reports an unknown built-in kind as a missing schema', async () => {
    const p = await problems({ apiVersion: 'v1', kind: 'ConfigMapp', metadata: { name: 'x' } });
    expect(p).toEqual([expect.objectContaining({ rule: 'schema.missing', fix: expect.stringContaining('typo') })]);
  });
});
