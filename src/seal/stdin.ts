/**
 * Reads the value to seal from stdin, never from argv (argv shows up in `ps` and shell history).
 * A terminal is refused: typing a secret would echo it on screen.
 */
import { UsageError } from '../core/command-error.js';
import { MAX_VALUE_BYTES } from './seal.js';

/** Reads all of `input` as bytes (at most MAX_VALUE_BYTES + 1, so an oversized value is detected). */
export async function readValue(input: AsyncIterable<Buffer | string> & { readonly isTTY?: boolean }): Promise<Buffer> {
  if (input.isTTY) {
    throw new UsageError(
      'stdin is a terminal: the value must be piped in, never typed or passed as an argument ' +
        '(fix: printf %s "$VALUE" | npm run seal -- --env <name> --secret <secret> --key <key>, or < file)',
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    chunks.push(bytes);
    size += bytes.length;
    if (size > MAX_VALUE_BYTES) break;
  }
  return Buffer.concat(chunks);
}
