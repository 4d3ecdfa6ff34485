/**
 * MCP sessions shared by the probes of one run: one session per (gateway URL, API key, user)
 * for every probe that joined the pool, opened lazily by the first one that needs it and closed
 * as soon as every probe still in the pool is done with it (or has left).
 *
 * Probes stay independent: a probe alone (no other member) opens and closes its own sessions as
 * before; each request is bounded by the caller's own timeout and signal, so one probe's
 * deadline never ends the other's requests; a session is never closed under a member that has
 * not used it yet. What they do share is the session's fate: a connect that fails fails for both
 * (the same fact, observed once), and the connect is bounded by the timeout of the member that
 * opens it (the runner gives every probe of a run the same timeout, so it is everyone's bound).
 */
import { openMcpSession, type McpSession, type OpenMcpSession } from './mcp-client.js';

export interface PoolTarget {
  readonly url: string;
  readonly apiKey?: string;
  readonly user?: string;
}

export interface PoolUseOptions {
  /** The caller's signal: stops its wait for the connect and its requests, not the session. */
  readonly signal: AbortSignal;
  /** Bounds the connect (when this caller opens it) and is the session's default per-request timeout. */
  readonly timeoutMs: number;
}

/** The session could not be opened (`error` is what the client threw), or `fn`'s value. */
export type PoolUse<T> =
  | { readonly opened: true; readonly value: T }
  | { readonly opened: false; readonly error: unknown };

export interface PoolMember {
  /** Runs `fn` in the shared session for `target`; a connect failure comes back, a throw of `fn` is rethrown. */
  use<T>(target: PoolTarget, options: PoolUseOptions, fn: (session: McpSession) => Promise<T>): Promise<PoolUse<T>>;
  /** Leaves the pool (idempotent): closes the sessions nobody else still needs; `quick`: without waiting for their DELETE. */
  leave(options?: { readonly quick?: boolean }): Promise<void>;
}

interface Entry {
  readonly key: string;
  readonly controller: AbortController;
  readonly opening: Promise<OpenMcpSession>;
  readonly doneBy: Set<symbol>;
  settled: boolean;
  inUse: number;
  closed: boolean;
}

/** Waits for `promise` unless `signal` aborts first (then rejects with its reason). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err as Error);
      },
    );
  });
}

export class McpSessionPool {
  private readonly members = new Set<symbol>();
  private readonly entries = new Map<string, Entry>();

  /** Sessions open or opening now (for tests and evidence of sharing). */
  get size(): number {
    return this.entries.size;
  }

  /** Joins the pool (synchronously: join before the first await so that the others wait for you). */
  join(): PoolMember {
    const id = Symbol('pool member');
    this.members.add(id);
    let left: Promise<void> | undefined;
    return {
      use: (target, options, fn) => this.use(id, target, options, fn),
      leave: (options) => {
        left ??= (async () => {
          this.members.delete(id);
          await Promise.all([...this.entries.values()].map((e) => this.closeIfUnneeded(e, options?.quick === true)));
        })();
        return left;
      },
    };
  }

  private entryFor(target: PoolTarget, options: PoolUseOptions): Entry {
    const key = JSON.stringify([target.url, target.apiKey ?? null, target.user ?? null]);
    const found = this.entries.get(key);
    if (found) return found;
    // The session belongs to the pool, not to the caller who happened to open it: its own signal.
    const controller = new AbortController();
    const entry: Entry = {
      key,
      controller,
      opening: openMcpSession({ ...target, signal: controller.signal, timeoutMs: options.timeoutMs }),
      doneBy: new Set(),
      settled: false,
      inUse: 0,
      closed: false,
    };
    entry.opening.then(
      () => {
        entry.settled = true;
      },
      () => {
        entry.settled = true;
      },
    );
    this.entries.set(key, entry);
    return entry;
  }

  private async use<T>(
    id: symbol,
    target: PoolTarget,
    options: PoolUseOptions,
    fn: (session: McpSession) => Promise<T>,
  ): Promise<PoolUse<T>> {
    if (options.signal.aborted) return { opened: false, error: options.signal.reason };
    const entry = this.entryFor(target, options);
    entry.inUse += 1;
    try {
      let session: OpenMcpSession;
      try {
        session = await abortable(entry.opening, options.signal);
      } catch (error) {
        return { opened: false, error };
      }
      return { opened: true, value: await fn(session) };
    } finally {
      entry.inUse -= 1;
      entry.doneBy.add(id);
      await this.closeIfUnneeded(entry, options.signal.aborted);
    }
  }

  /** Closes the entry when nobody is using it and every member has used it (or left). */
  private async closeIfUnneeded(entry: Entry, quick: boolean): Promise<void> {
    if (entry.closed || entry.inUse > 0) return;
    for (const member of this.members) if (!entry.doneBy.has(member)) return;
    entry.closed = true;
    this.entries.delete(entry.key);
    if (!entry.settled) {
      // Nobody waits for this connect any more: abort it (closes the client, no DELETE).
      entry.controller.abort(new Error('MCP session no longer needed'));
      await entry.opening.catch(() => undefined);
      return;
    }
    const session = await entry.opening.catch(() => undefined);
    if (!session) return;
    // In a hurry (the last user's deadline passed): terminate in the background (bounded), do not wait.
    if (quick) void session.close();
    else await session.close();
  }
}
