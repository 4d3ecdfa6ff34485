/**
 * Writing a sealed value into an environment file: only that entry changes, byte for byte; the
 * result is re-validated (the atomic write itself: test/core/atomic-write.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS_DIR, EnvironmentError, parseEnvironment } from '../../src/environments/load.js';
import type { SealedValue } from '../../src/environments/schema.js';
import { replaceSealedValue } from '../../src/seal/environment-file.js';
import { EnvironmentFileError } from '../../src/seal/errors.js';

const FILE = 'backstage-wus2-v4.yaml';
const original = readFileSync(join(ENVIRONMENTS_DIR, FILE), 'utf8');

function sealedValue(boundTo: string, fill: string): SealedValue {
  return {
    ciphertext: Buffer.alloc(300, fill).toString('base64'),
    boundTo,
    certificateSha256: fill.charCodeAt(0).toString(16).padStart(2, '0').repeat(32),
  };
}

/** The text of `text` outside the one entry `key:` (and its nested lines) under the given secret. */
function outsideEntry(text: string, secret: string, key: string): { before: string; after: string } {
  const lines = text.split('\n');
  const secretLine = lines.findIndex((l) => l.trim() === `${secret}:`);
  const start = lines.findIndex((l, i) => i > secretLine && l.trimStart().startsWith(`${key}:`));
  const indent = lines[start]!.length - lines[start]!.trimStart().length;
  let end = start + 1;
  while (end < lines.length && lines[end]!.length - lines[end]!.trimStart().length > indent) end++;
  return { before: lines.slice(0, start).join('\n'), after: lines.slice(end).join('\n') };
}

describe('replaceSealedValue', () => {
  it('replaces an unresolved marker and leaves every other byte of the file as it was', () => {
    const value = sealedValue('arcade/arcade-postgres', 'a');
    const result = replaceSealedValue(original, FILE, 'postgres', 'password', value);

    expect(outsideEntry(result, 'postgres', 'password')).toEqual(outsideEntry(original, 'postgres', 'password'));
    expect(parse(result).secrets.values.postgres.password).toEqual(value);
    expect(result).toContain(
      `      password:\n        ciphertext: ${value.ciphertext}\n        boundTo: arcade/arcade-postgres\n`,
    );
    const env = parseEnvironment(result, FILE);
    expect(env.secrets?.provider === 'sealed-secrets' && env.secrets.values.postgres?.password).toEqual(value);
  });

  it('replaces an older sealed value completely (no leftover lines)', () => {
    const first = replaceSealedValue(
      original,
      FILE,
      'engine',
      'root-key',
      sealedValue('arcade/arcade-engine-root-key', 'a'),
    );
    const second = sealedValue('arcade/arcade-engine-root-key', 'b');
    const result = replaceSealedValue(first, FILE, 'engine', 'root-key', second);

    expect(outsideEntry(result, 'engine', 'root-key')).toEqual(outsideEntry(original, 'engine', 'root-key'));
    expect(parse(result).secrets.values.engine['root-key']).toEqual(second);
    expect(result.match(/ciphertext:/g)).toHaveLength(1);
  });

  it('keeps a flow-style map flow style', () => {
    const flow = original.replace(
      / {4}redis:\n( {6}.*\n)+?(?= {4}engine:)/,
      '    redis: { host: { unresolved: "not sealed yet" }, port: { unresolved: "not sealed yet" ' +
        '}, password: { unresolved: "not sealed yet" }, tls: { unresolved: "not sealed yet" } }\n',
    );
    expect(flow).not.toBe(original);
    const value = sealedValue('arcade/arcade-redis', 'c');
    const result = replaceSealedValue(flow, FILE, 'redis', 'port', value);
    expect(result.split('\n').find((l) => l.startsWith('    redis:'))).toContain(
      `port: { ciphertext: ${value.ciphertext}, boundTo: arcade/arcade-redis,`,
    );
    expect(parse(result).secrets.values.redis.port).toEqual(value);
    expect(parse(result).secrets.values.redis.tls).toEqual({ unresolved: 'not sealed yet' });
  });

  it('refuses an entry the file does not declare, naming the path', () => {
    const without = original.replace(/ {6}sslmode: .*\n/, '');
    expect(() =>
      replaceSealedValue(without, FILE, 'postgres', 'sslmode', sealedValue('arcade/arcade-postgres', 'a')),
    ).toThrow(EnvironmentFileError);
    expect(() =>
      replaceSealedValue(without, FILE, 'postgres', 'sslmode', sealedValue('arcade/arcade-postgres', 'a')),
    ).toThrow(/secrets\.values\.postgres\.sslmode: no such entry/);
  });

  it('re-validates the whole file: a value the schema rejects is never written', () => {
    const bad = { ...sealedValue('arcade/arcade-postgres', 'a'), certificateSha256: 'not-hex' };
    expect(() => replaceSealedValue(original, FILE, 'postgres', 'user', bad)).toThrow(EnvironmentError);
    expect(() => replaceSealedValue(original, FILE, 'postgres', 'user', bad)).toThrow(
      /secrets\.values\.postgres\.user/,
    );
  });
});
