import { describe, expect, it } from 'vitest';
import { fetchFailure, noAnswerReason } from '../../src/core/fetch-failure.js';
import { refusedPort } from '../support/refused-port.js';

describe('why a fetch got no answer', () => {
  it("names node's own cause of a refused connection, not 'fetch failed'", async () => {
    const port = await refusedPort();
    const err = await fetch(`http://127.0.0.1:${port}/`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as Error).message).toBe('fetch failed');
    expect(fetchFailure(err)).toEqual({ code: 'ECONNREFUSED', message: `connect ECONNREFUSED 127.0.0.1:${port}` });
    expect(noAnswerReason(err)).toBe('ECONNREFUSED');
  });

  it('falls back to the cause message without a code, then to the error itself', () => {
    const withMessage = new TypeError('fetch failed', { cause: new Error('other side closed') });
    expect(fetchFailure(withMessage)).toEqual({ code: undefined, message: 'other side closed' });
    expect(noAnswerReason(withMessage)).toBe('other side closed');
    expect(fetchFailure(new Error('plain'))).toEqual({ code: undefined, message: 'plain' });
    expect(noAnswerReason('a string')).toBe('a string');
  });
});
