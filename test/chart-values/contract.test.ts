/**
 * The chart-values contract as pure functions: path syntax (escaped dots, indexes), free-form
 * maps and lists, nearest-path hints, values.schema.json walks.
 */
import { describe, expect, it } from 'vitest';
import {
  assertWalkableSchema,
  ChartValuesFileError,
  checkAgainstDefaults,
  checkAgainstSchema,
  nearestPath,
  type JsonSchema,
} from '../../src/chart-values/contract.js';
import { deleteAt, formatPath, parsePath, setAt } from '../../src/core/values-path.js';

describe('values paths', () => {
  it('parses keys, escaped dots and list indexes, and formats them back', () => {
    expect(parsePath('a.b.c')).toEqual(['a', 'b', 'c']);
    expect(parsePath('ingress.annotations.nginx\\.ingress\\.kubernetes\\.io/proxy-buffering')).toEqual([
      'ingress',
      'annotations',
      'nginx.ingress.kubernetes.io/proxy-buffering',
    ]);
    expect(parsePath('engine.keys[0].value')).toEqual(['engine', 'keys', 0, 'value']);
    expect(parsePath('list[2][1]')).toEqual(['list', 2, 1]);
    expect(formatPath(['a', 'b.c', 0, 'd'])).toBe('a.b\\.c[0].d');
    expect(() => parsePath('a..b')).toThrow(/empty key/);
    expect(() => parsePath('a[x]')).toThrow(/bad list index/);
  });

  it('sets and deletes values at paths, creating maps and lists', () => {
    const tree: Record<string, unknown> = {};
    setAt(tree, parsePath('a.b\\.c[0].d'), 1);
    expect(tree).toEqual({ a: { 'b.c': [{ d: 1 }] } });
    deleteAt(tree, parsePath('a.b\\.c[0].d'));
    expect(tree).toEqual({ a: { 'b.c': [{}] } });
  });
});

describe('checkAgainstDefaults', () => {
  const defaults = {
    features: { chatEnabled: true },
    ingress: { hostname: '', annotations: { 'nginx.ingress.kubernetes.io/proxy-buffering': 'off' } },
    engine: { extraConfig: {}, extraEnv: [], replicas: 1, keys: [{ value: '' }] },
    worker: { config: null },
  };

  it('accepts existing paths, including keys with escaped dots and list items', () => {
    expect(checkAgainstDefaults('features.chatEnabled', defaults)).toEqual({ kind: 'ok' });
    expect(
      checkAgainstDefaults('ingress.annotations.nginx\\.ingress\\.kubernetes\\.io/proxy-buffering', defaults),
    ).toEqual({ kind: 'ok' });
    expect(checkAgainstDefaults('engine.keys[3].value', defaults)).toEqual({ kind: 'ok' });
  });

  it('reports paths below free-form maps and lists as not checkable deeper', () => {
    expect(checkAgainstDefaults('engine.extraConfig.storage.postgres.host', defaults)).toEqual({
      kind: 'free-form',
      at: 'engine.extraConfig',
    });
    expect(checkAgainstDefaults('engine.extraEnv[0].name', defaults)).toEqual({
      kind: 'free-form',
      at: 'engine.extraEnv',
    });
    expect(checkAgainstDefaults('worker.config.anything', defaults)).toEqual({
      kind: 'free-form',
      at: 'worker.config',
    });
  });

  it('reports a misspelled path with the nearest existing one', () => {
    expect(checkAgainstDefaults('features.chatEnable', defaults)).toEqual({
      kind: 'missing',
      at: 'features.chatEnable',
      hint: 'features.chatEnabled',
    });
    expect(checkAgainstDefaults('ingres.hostname', defaults)).toEqual({
      kind: 'missing',
      at: 'ingres',
      hint: 'ingress.hostname',
    });
    expect(
      checkAgainstDefaults('ingress.annotations.nginx.ingress.kubernetes.io/proxy-buffering', defaults),
    ).toMatchObject({ kind: 'missing', at: 'ingress.annotations.nginx' });
  });

  it('reports a path that descends into a scalar', () => {
    expect(checkAgainstDefaults('engine.replicas.count', defaults)).toEqual({
      kind: 'not-a-map',
      at: 'engine.replicas',
      found: 'number',
    });
  });

  it('gives no hint when nothing is close', () => {
    expect(nearestPath('completely.unrelated.thing', ['a', 'b.c'])).toBeUndefined();
  });
});

describe('checkAgainstSchema', () => {
  const schema: JsonSchema = {
    type: 'object',
    $defs: { host: { type: 'object', properties: { hostname: { type: 'string' } }, additionalProperties: false } },
    properties: {
      features: { type: 'object', properties: { chatEnabled: { type: 'boolean' } } },
      ingress: { $ref: '#/$defs/host' },
      engine: {
        type: 'object',
        properties: {
          extraConfig: { type: 'object' },
          extraEnv: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
          replicas: { type: 'integer' },
        },
      },
      labels: { type: 'object', additionalProperties: { type: 'string' } },
      gateway: {
        allOf: [{ properties: { enabled: { type: 'boolean' } } }, { properties: { hostname: { type: 'string' } } }],
      },
    },
  };

  it('follows properties, $ref, items, additionalProperties and allOf', () => {
    expect(checkAgainstSchema('features.chatEnabled', schema)).toEqual({ kind: 'ok' });
    expect(checkAgainstSchema('ingress.hostname', schema)).toEqual({ kind: 'ok' });
    expect(checkAgainstSchema('engine.extraEnv[0].name', schema)).toEqual({ kind: 'ok' });
    expect(checkAgainstSchema('labels.team', schema)).toEqual({ kind: 'ok' });
    expect(checkAgainstSchema('gateway.hostname', schema)).toEqual({ kind: 'ok' });
    expect(checkAgainstSchema('engine.extraConfig.llm.models', schema)).toEqual({
      kind: 'free-form',
      at: 'engine.extraConfig',
    });
  });

  it('reports undeclared keys with a hint, and descending into a scalar type', () => {
    expect(checkAgainstSchema('ingress.hostnme', schema)).toEqual({
      kind: 'missing',
      at: 'ingress.hostnme',
      hint: 'ingress.hostname',
    });
    expect(checkAgainstSchema('features.chatEnabeld', schema)).toEqual({
      kind: 'missing',
      at: 'features.chatEnabeld',
      hint: 'features.chatEnabled',
    });
    expect(checkAgainstSchema('engine.replicas.min', schema)).toEqual({
      kind: 'not-a-map',
      at: 'engine.replicas',
      found: 'integer',
    });
  });
  it('accepts every schema above as walkable, and refuses one it cannot walk with a typed error (exit 2) naming the node', () => {
    expect(() => assertWalkableSchema(schema, 'values.schema.json')).not.toThrow();
    const refused = (broken: JsonSchema) => {
      try {
        assertWalkableSchema(broken, 'chart.schema.json');
      } catch (err) {
        expect(err).toBeInstanceOf(ChartValuesFileError);
        expect((err as ChartValuesFileError).exitCode).toBe(2);
        return (err as Error).message.replace(/ \(fix: .*\)$/, '');
      }
      throw new Error('not refused');
    };
    expect(refused({ properties: { ingress: { $ref: '#/$defs/hots' } } })).toBe(
      'chart.schema.json at /properties/ingress: $ref #/$defs/hots points nowhere',
    );
    expect(refused({ $defs: { 'a/b': { items: [true, 'string'] } } })).toBe(
      'chart.schema.json at /$defs/a~1b/items/1: a schema is an object or a boolean, not a string',
    );
    expect(refused({ properties: 'engine' } as unknown as JsonSchema)).toBe(
      'chart.schema.json at /: properties is not a map of schemas',
    );
    expect(refused({ $ref: 7 } as unknown as JsonSchema)).toBe('chart.schema.json at /: $ref is not a string');
    // A remote $ref is not followed (offline) and not refused.
    expect(() => assertWalkableSchema({ $ref: 'https://example.com/s.json' }, 'x.json')).not.toThrow();
  });

  it('a dangling $ref met while walking is the same typed error, never a plain one', () => {
    expect(() => checkAgainstSchema('ingress.hostname', { properties: { ingress: { $ref: '#/$defs/none' } } })).toThrow(
      ChartValuesFileError,
    );
  });
});
