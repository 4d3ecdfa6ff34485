/**
 * Reading a failed client-node call: the status from `code`, the API server's message from the
 * `Status` body (a JSON string); nothing invented when the error has neither.
 */
import { describe, expect, it } from 'vitest';
import { apiMessage, apiStatus, errorAnswerText } from '../../src/kube/api-error.js';

const apiException = (code: number, body: unknown) => Object.assign(new Error(`HTTP-Code: ${code}`), { code, body });

describe('apiStatus / apiMessage', () => {
  it("an ApiException: its status and the Status body's message", () => {
    const err = apiException(
      403,
      JSON.stringify({
        kind: 'Status',
        message: 'pods is forbidden: User "probe" cannot list resource "pods"',
        code: 403,
      }),
    );
    expect(apiStatus(err)).toBe(403);
    expect(apiMessage(err)).toBe('pods is forbidden: User "probe" cannot list resource "pods"');
  });

  it("the server's message made printable: an admission webhook's escape sequences cannot act on the terminal", () => {
    const err = apiException(
      400,
      JSON.stringify({ kind: 'Status', message: 'denied \u001b[2K\u001b[32mOK\r\u202eevil' }),
    );
    expect(apiMessage(err)).toBe(String.raw`denied \u001b[2K\u001b[32mOK \u202eevil`);
  });

  it('no message from a body that is not JSON, has no message, or an empty one', () => {
    expect(apiMessage(apiException(502, '<html>bad gateway</html>'))).toBeUndefined();
    expect(apiMessage(apiException(500, JSON.stringify({ kind: 'Status' })))).toBeUndefined();
    expect(apiMessage(apiException(500, JSON.stringify({ message: '' })))).toBeUndefined();
    expect(apiMessage(apiException(500, 'null'))).toBeUndefined();
  });

  it('a network error has neither', () => {
    const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' });
    expect(apiStatus(err)).toBeUndefined();
    expect(apiMessage(err)).toBeUndefined();
    expect(apiStatus(undefined)).toBeUndefined();
  });
});

describe('errorAnswerText (an error answer read whole, crds --from-cluster)', () => {
  it("the Status message first, else the body's start, printable and cut, else (no message)", () => {
    expect(errorAnswerText(JSON.stringify({ kind: 'Status', message: 'Unauthorized', code: 401 }))).toBe(
      'Unauthorized',
    );
    expect(errorAnswerText(JSON.stringify({ kind: 'Status', message: '' }))).toBe('{"kind":"Status","message":""}');
    expect(errorAnswerText('<html>\u001b[31mbad\ngateway</html>')).toBe(String.raw`<html>\u001b[31mbad gateway</html>`);
    expect(errorAnswerText('E'.repeat(1000))).toBe(`${'E'.repeat(299)}…`);
    expect(errorAnswerText(' \n ')).toBe('(no message)');
  });
});
