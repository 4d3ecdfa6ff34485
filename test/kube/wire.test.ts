/**
 * toWire undoes what @kubernetes/client-node's typed deserialization does to an object (renamed
 * reserved-word fields, Dates), so drift, the probes and `crds --from-cluster` compare and store
 * objects exactly as the API server sent them. The deserializer is the client's own (the one its
 * typed APIs use), imported from its internal path here only.
 */
import { describe, expect, it } from 'vitest';
import { toWire } from '../../src/kube/wire.js';

const deserialize = async (obj: unknown, type: string): Promise<unknown> => {
  const { ObjectSerializer } = await import('@kubernetes/client-node/dist/gen/models/ObjectSerializer.js');
  return ObjectSerializer.deserialize(structuredClone(obj), type, '');
};

describe('toWire', () => {
  it('gives a NetworkPolicy back its `from` (the client model calls it `_from`)', async () => {
    const policy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'p', namespace: 'arcade', creationTimestamp: '2026-11-01T00:00:00Z' },
      spec: {
        podSelector: { matchLabels: { a: 'b' } },
        ingress: [
          {
            from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'arcade' } } }],
            ports: [{ port: 4318, protocol: 'TCP' }],
          },
        ],
      },
    };
    const typed = (await deserialize(policy, 'V1NetworkPolicy')) as { spec: { ingress: Record<string, unknown>[] } };
    expect(typed.spec.ingress[0]).toHaveProperty('_from'); // the problem this module exists for
    expect(toWire(typed)).toEqual(policy);
  });

  it('gives a CRD schema back `enum`, `default` and the x-kubernetes-* names, keeping map keys as they are', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList' },
        scope: 'Namespaced',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  spec: {
                    type: 'object',
                    properties: {
                      mode: { type: 'string', enum: ['a', 'b'], default: 'a' },
                      from: { type: 'string' },
                      values: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                      port: { 'x-kubernetes-int-or-string': true },
                    },
                  },
                },
              },
            },
          },
        ],
      },
    };
    expect(toWire(await deserialize(crd, 'V1CustomResourceDefinition'))).toEqual(crd);
  });

  it('leaves plain JSON alone and drops undefined fields', () => {
    expect(toWire({ a: [1, { b: 'c', d: undefined }], e: null })).toEqual({ a: [1, { b: 'c' }], e: null });
  });
});
