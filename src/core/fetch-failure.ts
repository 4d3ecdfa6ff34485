/**
 * Why a `fetch` got no answer. Node's fetch (undici) rejects with `TypeError: fetch failed`, which
 * says nothing; its `cause` is the connection's own error (`ECONNREFUSED`, `ENOTFOUND`,
 * `UND_ERR_SOCKET`, or a message such as `connect ECONNREFUSED 127.0.0.1:9`).
 */
export interface FetchFailure {
  /** The cause's error code, when it has one (`ECONNREFUSED`). */
  readonly code: string | undefined;
  /** The cause's message, when it has one, else the error's own. */
  readonly message: string;
}

export function fetchFailure(err: unknown): FetchFailure {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const own = err instanceof Error ? err.message : String(err);
  return {
    code: typeof cause?.code === 'string' && cause.code !== '' ? cause.code : undefined,
    message: typeof cause?.message === 'string' && cause.message !== '' ? cause.message : own,
  };
}

/** The shortest name of why: the cause's code, else its message, else the error's (`ECONNREFUSED`). */
export function noAnswerReason(err: unknown): string {
  const failure = fetchFailure(err);
  return failure.code ?? failure.message;
}
