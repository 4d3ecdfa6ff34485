/**
 * How deep the API server's JSON may nest: ./bounded-client.ts refuses a deeper 2xx answer once,
 * before it or the client parses it. V8's JSON.parse does not recurse, so a body of about 10 MB,
 * `{"a":[[[...]]]}` nested 5 million levels, parsed (in about 5 s and 350 MiB); then every reader
 * that recurses over the value threw a bare `RangeError: Maximum call stack size exceeded`, outside
 * any request's error handling (./wire.ts toWire: about 2100 levels of arrays in a bare node
 * process; JSON.stringify about 4100, String() of nested arrays about 3100; client-node's own
 * deserializer recurses too). A 64 MiB body of brackets took 31 s and 1.9 GB to parse at all.
 *
 * MAX_JSON_DEPTH is 1000 levels (the answer itself is the first): half of the shallowest of those,
 * so none of them is reached, and far above any object the commands read (a Deployment with its
 * managedFields nests about 15 levels, a CRD's schema a few dozen). The API server's own decoder
 * takes up to 10 000 levels (Go's encoding/json); an object stored between 1000 and 10 000 levels
 * deep is refused here, by name, rather than read by code that would overflow on it.
 *
 * The check is a scan of the body's bytes before the parse: `[` and `{` outside strings (a string
 * starts and ends at `"`, `\` escapes the next byte; UTF-8 puts no byte below 0x80 inside a
 * character), stopping at the first level over the limit, so the hostile body above is refused
 * after 1000 bytes, never parsed. An ordinary answer is scanned whole, about a ninth of its parse:
 * a 60 MiB list of pods in 128 ms (2.1 ms a MiB; 1.4 on a quieter run) on the 2-core machine at
 * load 6, where JSON.parse of the same body took 1.2 s (session 15).
 */

/** The deepest nesting of objects and arrays taken from the API server (above). */
export const MAX_JSON_DEPTH = 1000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/** Whether the JSON text `body` (UTF-8) nests objects and arrays more than `max` levels deep (above). */
export function nestedDeeperThan(body: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > max) return true;
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) depth--;
  }
  return false;
}
