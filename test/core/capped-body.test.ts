/**
 * The capped body reader (src/core/capped-body.ts) on real `Response` objects: a body within the
 * cap is read whole, a larger one fails naming the cap (or is cut, for a quote) after reading at
 * most the cap and one chunk, a declared Content-Length over the cap fails before any byte is read,
 * and an endless body from a loopback server ends with the cap's error and the connection closed;
 * a quote stops at the cap, so a server that sends exactly the cap and then stalls cannot hold it.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BodyOverCapError, describeBytes, readBodyStart, readBodyWithin } from '../../src/core/capped-body.js';
import { type EndlessBody, startEndlessBody } from '../support/endless-body.js';
import { SETTLE } from '../support/deadlines.js';

/** A body of `chunks` chunks of `size` bytes of 'x'; `pulled` counts the bytes the reader took, `cancelled` its cancel. */
function streamed(chunks: number, size: number, headers: Record<string, string> = {}) {
  const state = { pulled: 0, cancelled: false };
  let left = chunks;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (left-- <= 0) return controller.close();
        state.pulled += size;
        controller.enqueue(new Uint8Array(size).fill(0x78));
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { res: new Response(body, { headers }), state };
}

describe('describeBytes', () => {
  it('names a cap as people read it', () => {
    expect([describeBytes(4096), describeBytes(16 * 1024 * 1024), describeBytes(1000)]).toEqual([
      '4 KiB',
      '16 MiB',
      '1000 bytes',
    ]);
  });
});

describe('readBodyWithin', () => {
  it('reads a body within the cap whole, one exactly at the cap included', async () => {
    expect(await readBodyWithin(new Response('{"a":1}'), 1024)).toBe('{"a":1}');
    const { res, state } = streamed(4, 256);
    expect(await readBodyWithin(res, 1024)).toBe('x'.repeat(1024));
    expect(state.pulled).toBe(1024);
  });

  it('fails naming the cap when the body is larger, having read at most the cap and one chunk', async () => {
    const { res, state } = streamed(1000, 256);
    const err = await readBodyWithin(res, 1024).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BodyOverCapError);
    expect((err as BodyOverCapError).message).toBe(
      "the answer's body is larger than 1 KiB, the most read from it: not the API asked for, or a broken or hostile server",
    );
    expect((err as BodyOverCapError).maxBytes).toBe(1024);
    expect(state.pulled).toBe(1024 + 256);
    expect(state.cancelled).toBe(true);
  });

  it('a declared Content-Length over the cap fails before any byte is read', async () => {
    const { res, state } = streamed(1000, 256, { 'content-length': '256000' });
    await expect(readBodyWithin(res, 1024)).rejects.toThrow(
      "the answer's body is larger than 1 KiB (Content-Length 256000), the most read from it",
    );
    expect(state.pulled).toBe(0);
    expect(state.cancelled).toBe(true);
  });

  it('an empty answer (no body) is the empty string', async () => {
    expect(await readBodyWithin(new Response(null, { status: 204 }), 16)).toBe('');
  });
});

describe('readBodyStart', () => {
  it('cuts a larger body at the cap and stops reading', async () => {
    const { res, state } = streamed(1000, 256);
    expect(await readBodyStart(res, 1000)).toEqual({ text: 'x'.repeat(1000), cut: true });
    expect(state.pulled).toBe(1024);
    expect(state.cancelled).toBe(true);
  });

  it('stops once the cap is reached: not one chunk more is asked for, and the body counts as cut', async () => {
    const { res, state } = streamed(1000, 256);
    expect(await readBodyStart(res, 1024)).toEqual({ text: 'x'.repeat(1024), cut: true });
    expect(state.pulled).toBe(1024);
    expect(state.cancelled).toBe(true);
    // A body of exactly the cap is cut too: telling it whole would take waiting for its end.
    expect(await readBodyStart(new Response('x'.repeat(64)), 64)).toEqual({ text: 'x'.repeat(64), cut: true });
  });

  it('reads a shorter body whole', async () => {
    expect(await readBodyStart(new Response('refused: quota'), 4096)).toEqual({ text: 'refused: quota', cut: false });
    expect(await readBodyStart(new Response('x'.repeat(63)), 64)).toEqual({ text: 'x'.repeat(63), cut: false });
  });
});

describe('an endless answer from a loopback server', () => {
  let server: EndlessBody;
  beforeAll(async () => {
    server = await startEndlessBody();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('ends with the cap error, and the connection is released', async () => {
    const res = await fetch(server.url);
    await expect(readBodyWithin(res, 256 * 1024)).rejects.toThrow('larger than 256 KiB');
    const start = await readBodyStart(await fetch(server.url), 1024);
    expect(start.text).toMatch(/^\{"status":"success","data": +$/);
    expect(start.cut).toBe(true);
    await vi.waitFor(() => expect(server.hungUp()).toBe(2), SETTLE);
  });
});

describe('a loopback server that sends exactly the cap, then stalls with the body unended', () => {
  let server: EndlessBody;
  beforeAll(async () => {
    server = await startEndlessBody({ stallAfter: 1024 });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('the quote ends at the cap without waiting for a byte that never comes, and the connection is released', async () => {
    // No signal: only the cap can end this read (a reader waiting for one more chunk hangs until
    // vitest's hang guard, test/support/deadlines.ts, fails the test).
    const res = await fetch(server.url);
    expect(await readBodyStart(res, 1024)).toEqual({ text: 'x'.repeat(1024), cut: true });
    await vi.waitFor(() => expect(server.hungUp()).toBe(1), SETTLE);
  });
});
