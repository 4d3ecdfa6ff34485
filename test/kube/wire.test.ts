/**
 * toWire undoes what @kubernetes/client-node's typed deserialization does to an object (renamed
 * reserved-word fields, Dates), so drift, the probes and `crds --from-cluster` compare and store
 * objects exactly as the API server sent them. The deserialization is the client's own, reached
 * through its public typed API: a read against a loopback server that answers with the object.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiextensionsV1Api, KubeConfig, NetworkingV1Api } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { toWire } from '../../src/kube/wire.js';

/** What `read` returns when the API server answers every request with `body`. */
async function readTyped<T>(body: unknown, read: (kc: KubeConfig) => Promise<T>): Promise<T> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  try {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      // client-node refuses plain HTTP unless TLS verification is declared off (there is no TLS to verify).
      clusters: [
        { name: 'loopback', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true },
      ],
      users: [{ name: 'nobody' }],
      contexts: [{ name: 'loopback', cluster: 'loopback', user: 'nobody' }],
      currentContext: 'loopback',
    });
    return await read(kc);
  } finally {
    server.closeAllConnections();
    await new Promise((closed) => server.close(closed));
  }
}

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
    const typed = await readTyped(policy, (kc) =>
      kc.makeApiClient(NetworkingV1Api).readNamespacedNetworkPolicy({ name: 'p', namespace: 'arcade' }),
    );
    expect(typed.metadata?.creationTimestamp).toBeInstanceOf(Date); // typed, not the JSON as sent
    expect(typed.spec?.ingress?.[0]).toHaveProperty('_from'); // the problem this module exists for
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
    const typed = await readTyped(crd, (kc) =>
      kc.makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name: 'widgets.example.com' }),
    );
    expect(toWire(typed)).toEqual(crd);
  });

  it('leaves plain JSON alone and drops undefined fields', () => {
    expect(toWire({ a: [1, { b: 'c', d: undefined }], e: null })).toEqual({ a: [1, { b: 'c' }], e: null });
  });
});
