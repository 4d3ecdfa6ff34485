/**
 * A thin HTTP GET for the engine REST checks: bounded by the probe's signal and its own
 * timeout, no redirects followed (a 3xx is an answer), body read up to a limit (the rest is
 * never read: src/core/capped-body.ts).
 */
import { readBodyStart } from '../../core/capped-body.js';
import { classifyError, type FailureKind } from './errors.js';

export interface HttpAnswer {
  readonly status: number;
  readonly contentType: string;
  /** The body as text, its first `maxBytes` bytes. */
  readonly body: string;
  /** The cap the body was cut at, when it reached it (larger, or exactly the cap): such a body is not parsed as if whole. */
  readonly cutAt?: number;
}

export type HttpObservation =
  | { readonly ok: true; readonly answer: HttpAnswer }
  | { readonly ok: false; readonly failure: FailureKind };

export interface HttpGetOptions {
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** @default 65536 */
  readonly maxBytes?: number;
}

/** GETs `url`; never throws: a network error or timeout comes back as a classified failure. */
export async function httpGet(url: string, options: HttpGetOptions): Promise<HttpObservation> {
  const signal = AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]);
  try {
    const res = await fetch(url, {
      method: 'GET',
      redirect: 'manual',
      headers: { accept: 'application/json, text/html;q=0.5', ...options.headers },
      signal,
    });
    const maxBytes = options.maxBytes ?? 65_536;
    const { text, cut } = await readBodyStart(res, maxBytes);
    return {
      ok: true,
      answer: {
        status: res.status,
        contentType: res.headers.get('content-type') ?? '',
        body: text,
        ...(cut ? { cutAt: maxBytes } : {}),
      },
    };
  } catch (err) {
    if (signal.aborted) {
      return {
        ok: false,
        failure: { kind: 'timeout', message: `no answer from ${url} within ${options.timeoutMs} ms` },
      };
    }
    return { ok: false, failure: classifyError(err) };
  }
}
