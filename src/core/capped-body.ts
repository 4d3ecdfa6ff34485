/**
 * Reading an HTTP answer's body up to a stated cap: what a server outside our control answers
 * (Mimir, the ruler, the collector, the engine) is never read whole on trust, since a broken or
 * hostile server can answer an endless body. Two uses:
 *
 * - `readBodyWithin`: a body the caller needs whole (a JSON document it parses); over the cap it
 *   throws `BodyOverCapError`, whose message names the cap, and the rest is never read.
 * - `readBodyStart`: a body only quoted (a refusal's reason) or not read at all (a page's status
 *   is the answer); it is cut at the cap, and says so: a cut body must never be parsed as whole.
 *   Reading stops as soon as the cap is reached: a server that sends exactly the cap and then
 *   stalls cannot hold the caller until its deadline. So a body of exactly the cap counts as cut
 *   (telling it whole would take one more byte, or the end, which such a server never sends).
 *
 * Either way at most the cap plus one network chunk is read, then the stream is cancelled (the
 * connection is released). A `Content-Length` over the cap fails before any byte is read.
 */

/** "4 KiB", "16 MiB", "100 bytes": a cap as people read it. */
export function describeBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

const LIKELY_CAUSE = 'not the API asked for, or a broken or hostile server';

/** What is said of a body larger than `maxBytes` (BodyOverCapError). */
function overCapMessage(maxBytes: number, contentLength?: number): string {
  const declared = contentLength === undefined ? '' : ` (Content-Length ${contentLength})`;
  return `the answer's body is larger than ${describeBytes(maxBytes)}${declared}, the most read from it: ${LIKELY_CAUSE}`;
}

/**
 * What is said of a body `readBodyStart` cut at `maxBytes` that a caller needed whole: it reached
 * the cap (it may be exactly the cap, since nothing past it is waited for), not "larger than".
 */
export function cutBodyMessage(maxBytes: number): string {
  return `the answer's body reached ${describeBytes(maxBytes)}, the most read from it (nothing past it is waited for): ${LIKELY_CAUSE}`;
}

/** An answer whose body is larger than the reader's cap (nothing past the cap was read). */
export class BodyOverCapError extends Error {
  readonly maxBytes: number;
  constructor(maxBytes: number, contentLength?: number) {
    super(overCapMessage(maxBytes, contentLength));
    this.name = 'BodyOverCapError';
    this.maxBytes = maxBytes;
  }
}

interface Capped {
  readonly bytes: Buffer;
  readonly overCap: boolean;
}

/**
 * At most `maxBytes` of the body, and whether reading stopped before its end; the stream is
 * cancelled after. `until`: `past-cap` reads until the end or a byte past the cap (the body is
 * whole or over the cap: readBodyWithin); `cap` stops once the cap is reached (readBodyStart).
 */
async function readCapped(res: Response, maxBytes: number, until: 'past-cap' | 'cap'): Promise<Capped> {
  if (!res.body) return { bytes: Buffer.alloc(0), overCap: false };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (until === 'cap' ? size < maxBytes : size <= maxBytes) {
      const { done, value } = await reader.read();
      if (done) return { bytes: Buffer.concat(chunks), overCap: false };
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return { bytes: Buffer.concat(chunks).subarray(0, maxBytes), overCap: true };
}

/** The declared `Content-Length`, when it is a number. */
function contentLength(res: Response): number | undefined {
  const value = res.headers.get('content-length');
  const length = value === null ? Number.NaN : Number(value);
  return Number.isSafeInteger(length) ? length : undefined;
}

/** The whole body as UTF-8 text; throws `BodyOverCapError` when it is larger than `maxBytes`. */
export async function readBodyWithin(res: Response, maxBytes: number): Promise<string> {
  const declared = contentLength(res);
  if (declared !== undefined && declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new BodyOverCapError(maxBytes, declared);
  }
  const { bytes, overCap } = await readCapped(res, maxBytes, 'past-cap');
  if (overCap) throw new BodyOverCapError(maxBytes);
  return bytes.toString('utf8');
}

/**
 * The first `maxBytes` of the body as UTF-8 text (a character cut at the end shows as U+FFFD), and
 * whether it was cut there: reading stopped at the cap before the body's end was seen (the body was
 * larger, or exactly the cap: nothing past the cap is waited for).
 */
export async function readBodyStart(res: Response, maxBytes: number): Promise<{ text: string; cut: boolean }> {
  const { bytes, overCap } = await readCapped(res, maxBytes, 'cap');
  return { text: bytes.toString('utf8'), cut: overCap };
}
