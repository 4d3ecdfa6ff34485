/**
 * An HTTP stand-in of the Kubernetes API on loopback, enough for the probes' read-only access
 * through @kubernetes/client-node: API discovery (`/api/v1`, `/apis/<group>/<version>`), GET and
 * LIST of any object from an in-memory store (label selectors with `=`, `==`, `!=`, `in`,
 * `notin`, exists and `!key`), 404 `Status` bodies, pod logs with `sinceSeconds` and
 * `timestamps`, and a kubeconfig file naming it. Every request is recorded; anything but GET is
 * answered 405 so a test can assert that nothing was ever written.
 *
 * A list of a built-in kind carries apiVersion and kind on the list only, not on its items, as on a
 * real API server (kubernetes/kubernetes#63676); a list of a custom resource keeps them on each item
 * (the server stores those as the JSON they were given); a GET of one object has both.
 *
 * `put` stores an object exactly as given; `apply` stores a manifest the way the real API server
 * holds it after Flux's kustomize-controller applied it, and `update` changes it as another field
 * manager would (src/loopback/api-server.ts, tested in test/kube/api-server-shape.test.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { EditableKubeObject } from '../core/manifests.js';
import { writeKubeconfig } from './kubeconfig.js';
import { BUILT_IN_GROUPS, groupOf } from './built-in-groups.js';
import { matchesSelector } from './label-selector.js';
import { listenLoopback } from './listen.js';
import { fluxApplied, updatedBy } from './api-field-managers.js';
import type { FluxApplyOptions, ShapeOptions } from './api-server.js';

export interface LogLine {
  readonly time: Date;
  readonly text: string;
}

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
}

export interface KubeApiFaults {
  /**
   * Hold every request unanswered (counted by `held()`): only the client's own abort or timeout
   * can end it, on any machine however fast or slow. @default false
   */
  hold?: boolean;
  /** Answer requests whose path matches with this status (a Status body). @default none */
  failPaths?: { match: RegExp; code: number } | undefined;
  /**
   * Ignore a list's `continue` token, as a proxy that drops it: every page is the first, with the
   * same token for the next (a client that follows it pages forever). @default false
   */
  dropContinue?: boolean;
}

export interface KubeApi {
  readonly url: string;
  /** A kubeconfig file naming this server (plain HTTP, bearer token generated at start). */
  readonly kubeconfig: string;
  readonly requests: SeenRequest[];
  readonly faults: KubeApiFaults;
  /** Adds or replaces an object (by apiVersion, kind, namespace, name), stored exactly as given. */
  put(obj: EditableKubeObject): void;
  /**
   * Stores a manifest as the real API server would after Flux's kustomize-controller applied it:
   * normalized by Flux, shaped by the server (defaults, omitted zero values, canonical
   * quantities), with the managedFields of the apply (src/loopback/api-field-managers.ts).
   */
  apply(manifest: EditableKubeObject, options?: FluxApplyOptions): EditableKubeObject;
  /** Changes a stored object as `manager` would with an Update (kubectl edit): fields it changes move to it. */
  update(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
    manager: string,
    mutate: (o: EditableKubeObject) => void,
    options?: ShapeOptions,
  ): EditableKubeObject;
  remove(apiVersion: string, kind: string, namespace: string | undefined, name: string): void;
  /** Sets a pod container's log (the default container is the first one, key ''). */
  setLog(namespace: string, pod: string, lines: readonly LogLine[], container?: string): void;
  /** Requests other than GET (the probes must never make one). */
  writes(): SeenRequest[];
  /** Requests held now by the `hold` fault (a client that gives up closes its connection). */
  held(): number;
  close(): Promise<void>;
}

/** Plural resource names of the kinds the probes read (others: lower-case kind + 's'). */
const PLURALS: Record<string, string> = {
  Pod: 'pods',
  Service: 'services',
  Secret: 'secrets',
  Deployment: 'deployments',
  StatefulSet: 'statefulsets',
  EndpointSlice: 'endpointslices',
  HelmRelease: 'helmreleases',
  Kustomization: 'kustomizations',
  ServiceMonitor: 'servicemonitors',
  PodMonitor: 'podmonitors',
  SealedSecret: 'sealedsecrets',
  ExternalSecret: 'externalsecrets',
};
const CLUSTER_SCOPED = new Set(['Namespace', 'Node', 'ClusterSecretStore']);

function plural(kind: string): string {
  return PLURALS[kind] ?? `${kind.toLowerCase()}s`;
}

function rfc3339Nano(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

export interface KubeApiOptions {
  /** The API server's clock (ms since the epoch), what `sinceSeconds` counts back from. @default Date.now */
  readonly now?: () => number;
  /**
   * Told of each pod log request when it arrives, before it is answered: a test moves its clock
   * here to make the request as slow as it likes, without waiting. @default none
   */
  readonly onLog?: (namespace: string, pod: string) => void;
  /** The most items one list answer holds, whatever `limit` asks (the rest follow a `continue` token). @default no cap */
  readonly pageSize?: number;
}

export async function startKubeApi(options: KubeApiOptions = {}): Promise<KubeApi> {
  const now = options.now ?? Date.now;
  const pageSize = options.pageSize ?? Infinity;
  const store = new Map<string, EditableKubeObject>();
  const logs = new Map<string, LogLine[]>();
  const requests: SeenRequest[] = [];
  const faults: KubeApiFaults = {};
  const keyOf = (apiVersion: string, kind: string, ns: string | undefined, name: string) =>
    `${apiVersion}|${kind}|${ns ?? ''}|${name}`;

  function send(res: ServerResponse, code: number, body: unknown, type = 'application/json'): void {
    res.writeHead(code, { 'content-type': type });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  }
  /** What a request is answered: status code, body, content type. */
  type Answer = readonly [code: number, body: unknown, type?: string];
  function status(code: number, message: string, reason: string): Answer {
    return [code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }];
  }

  function discovery(groupVersion: string) {
    const kinds = new Set<string>(Object.keys(PLURALS));
    for (const o of store.values()) if (o.apiVersion === groupVersion) kinds.add(o.kind);
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion,
      resources: [...kinds].map((kind) => ({
        name: plural(kind),
        singularName: kind.toLowerCase(),
        namespaced: !CLUSTER_SCOPED.has(kind),
        kind,
        verbs: ['get', 'list'],
      })),
    };
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const [code, body, type] = answer(req);
    send(res, code, body, type);
  }

  function answer(req: IncomingMessage): Answer {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    requests.push({ method: req.method ?? '', path: `${url.pathname}${url.search}` });
    if (req.method !== 'GET')
      return status(405, `${req.method} is not allowed: this stand-in is read-only`, 'MethodNotAllowed');
    if (faults.failPaths?.match.test(url.pathname)) {
      return status(faults.failPaths.code, `injected failure ${faults.failPaths.code}`, 'InternalError');
    }
    // /api/v1/...  or  /apis/<group>/<version>/...
    const parts = url.pathname.split('/').filter(Boolean);
    let apiVersion: string;
    let rest: string[];
    if (parts[0] === 'api' && parts[1]) {
      apiVersion = parts[1];
      rest = parts.slice(2);
    } else if (parts[0] === 'apis' && parts[1] && parts[2]) {
      apiVersion = `${parts[1]}/${parts[2]}`;
      rest = parts.slice(3);
    } else return status(404, `the server could not find the requested resource ${url.pathname}`, 'NotFound');
    if (rest.length === 0) return [200, discovery(apiVersion)];
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const [resource, name, sub] = rest;
    const kind = [...new Set([...Object.keys(PLURALS), ...[...store.values()].map((o) => o.kind)])].find(
      (k) => plural(k) === resource,
    );
    if (!kind) return status(404, `the server could not find the requested resource (${resource})`, 'NotFound');
    if (name === undefined) {
      const selector = url.searchParams.get('labelSelector') ?? undefined;
      const items = [...store.values()].filter(
        (o) =>
          o.apiVersion === apiVersion &&
          o.kind === kind &&
          (namespace === undefined || o.metadata.namespace === namespace) &&
          matchesSelector(o.metadata.labels ?? {}, selector),
      );
      // Paging as the API server pages: at most `limit` items (and never more than the stand-in's
      // own page size), then an opaque `continue` token for the rest.
      const limit = Math.min(Number(url.searchParams.get('limit') ?? 0) || Infinity, pageSize);
      const token = faults.dropContinue ? '' : (url.searchParams.get('continue') ?? '');
      const from = Number(Buffer.from(token, 'base64url').toString() || 0);
      const page = items.slice(from, from + limit);
      const rest =
        from + page.length < items.length ? Buffer.from(String(from + page.length)).toString('base64url') : '';
      const metadata = {
        resourceVersion: '1',
        ...(rest ? { continue: rest, remainingItemCount: items.length - from - page.length } : {}),
      };
      // A real API server writes apiVersion and kind of a built-in kind on the list only, never on
      // its items (kubernetes/kubernetes#63676; a GET of one object keeps them, below): so does the
      // stand-in, or a reader that takes an item's kind from the item passes here and fails on a
      // cluster. A custom resource's items keep both (the server holds them as given JSON).
      const listed = BUILT_IN_GROUPS.has(groupOf(apiVersion))
        ? page.map(({ apiVersion: _a, kind: _k, ...item }) => item)
        : page;
      return [200, { apiVersion, kind: `${kind}List`, metadata, items: listed }];
    }
    const obj = store.get(keyOf(apiVersion, kind, namespace, name));
    if (!obj) return status(404, `${resource} "${name}" not found`, 'NotFound');
    if (sub === 'log' && kind === 'Pod') {
      const container = url.searchParams.get('container') ?? '';
      const lines = logs.get(`${namespace}/${name}/${container}`) ?? logs.get(`${namespace}/${name}/`);
      options.onLog?.(namespace ?? '', name);
      const since = Number(url.searchParams.get('sinceSeconds') ?? 'NaN');
      const from = Number.isFinite(since) ? now() - since * 1000 : -Infinity;
      const stamps = url.searchParams.get('timestamps') === 'true';
      const text = (lines ?? [])
        .filter((l) => l.time.getTime() >= from)
        .map((l) => `${stamps ? `${rfc3339Nano(l.time)} ` : ''}${l.text}\n`)
        .join('');
      return [200, text, 'text/plain'];
    }
    if (sub !== undefined) return status(404, `subresource ${sub} not served by the stand-in`, 'NotFound');
    return [200, obj];
  }

  const holding = new Set<ServerResponse>();
  const { server, url } = await listenLoopback((req, res) => {
    if (faults.hold) {
      holding.add(res);
      res.on('close', () => holding.delete(res));
      return;
    }
    handle(req, res);
  });
  const kubeconfig = writeKubeconfig(url, `kube-${randomBytes(12).toString('hex')}`, {
    namespace: 'arcade',
    prefix: 'arcade-probe-kube-',
  });

  return {
    url,
    kubeconfig,
    requests,
    faults,
    put(obj) {
      store.set(keyOf(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name), obj);
    },
    apply(manifest, options) {
      const live = fluxApplied(manifest, options) as EditableKubeObject;
      store.set(keyOf(live.apiVersion, live.kind, live.metadata.namespace, live.metadata.name), live);
      return live;
    },
    update(apiVersion, kind, namespace, name, manager, mutate, options) {
      const key = keyOf(apiVersion, kind, namespace, name);
      const current = store.get(key);
      if (!current) throw new Error(`update: ${kind} ${namespace ?? ''}/${name} is not stored`);
      const live = updatedBy(current, manager, (o) => mutate(o as EditableKubeObject), options) as EditableKubeObject;
      store.set(key, live);
      return live;
    },
    remove(apiVersion, kind, namespace, name) {
      store.delete(keyOf(apiVersion, kind, namespace, name));
    },
    setLog(namespace, pod, lines, container = '') {
      logs.set(`${namespace}/${pod}/${container}`, [...lines]);
    },
    writes: () => requests.filter((r) => r.method !== 'GET'),
    held: () => holding.size,
    close: () =>
      new Promise<void>((resolve) => {
        rmSync(dirname(kubeconfig), { recursive: true, force: true });
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
