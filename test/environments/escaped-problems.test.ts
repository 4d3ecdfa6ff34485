/**
 * What an environment file holds reaches the terminal escaped (README "Text from outside is printed
 * escaped"): a key holding an ANSI escape and a newline, named by the refusal of that file (exit 2
 * through EnvironmentError) and by the warning another environment's run prints about it, shows as
 * `\u001b` and `\u000a`, one line per problem, never acting on the terminal. A key of 50 000
 * characters is named by its first 100 and a count of the rest, and no problem is longer than
 * 1000 characters as printed: many long keys end in one count of what was left out.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnvironmentError, loadEnvironment } from '../../src/environments/load.js';
import { FIXTURE_ENVIRONMENTS } from '../synth/helpers.js';
import { tempDir } from '../support/temp.js';

const HOSTILE_KEY = 'bad\u001b[2J\u001b[31mkey\nforged: line';
const SHOWN_KEY = 'bad\\u001b[2J\\u001b[31mkey\\u000aforged: line';

/** `staging` as the fixture has it, and `other`: the same with hostile top-level keys. */
function environments(keys: readonly string[] = [HOSTILE_KEY]): string {
  const dir = join(tempDir('escaped-env-'), 'envs');
  mkdirSync(dir);
  const staging = readFileSync(join(FIXTURE_ENVIRONMENTS, 'staging.yaml'), 'utf8');
  writeFileSync(join(dir, 'staging.yaml'), staging);
  const other = staging.replace(/^name: staging$/m, 'name: other');
  expect(other).toContain('name: other');
  writeFileSync(join(dir, 'other.yaml'), `${other}${keys.map((key) => `? ${JSON.stringify(key)}\n: 1\n`).join('')}`);
  return dir;
}

/** The message of the EnvironmentError loading `other` from `dir` throws. */
function refusal(dir: string): string {
  const error = (() => {
    try {
      loadEnvironment('other', dir);
    } catch (err) {
      return err;
    }
    return undefined;
  })();
  expect(error).toBeInstanceOf(EnvironmentError);
  return (error as EnvironmentError).message;
}

describe('an environment file whose key holds an ANSI escape and a newline', () => {
  it('is refused naming the key escaped, one line per problem', () => {
    const message = refusal(environments());
    expect(message).not.toContain('\u001b');
    expect(message.split('\n')).toEqual([
      'invalid environment definition:',
      expect.stringContaining(`: Unrecognized key: "${SHOWN_KEY}" (fix: remove '${SHOWN_KEY}' or correct the spelling`),
    ]);
  });

  it('is named escaped in the warning a run of another environment prints', () => {
    const { env, warnings } = loadEnvironment('staging', environments());
    expect(env.name).toBe('staging');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`environment 'other' is invalid (not used here): `);
    expect(warnings[0]).toContain(`remove '${SHOWN_KEY}'`);
    expect(warnings[0]).not.toMatch(/[\u001b\n]/);
  });
});

describe('an environment file with a key of 50 000 characters', () => {
  const LONG_KEY = `\u001b[31m${'k'.repeat(50_000)}`;
  // Its first 100 characters as shown (ESC[31m shows as 10), then how many were left out.
  const LONG_SHOWN = `\\u001b[31m${'k'.repeat(90)} (… 49910 more characters)`;

  it('names the key by its first 100 characters and a count, in the message and the fix', () => {
    const [, line] = refusal(environments([LONG_KEY])).split('\n');
    expect(line).toContain(`: Unrecognized key: "${LONG_SHOWN}" (fix: remove '${LONG_SHOWN}' or correct the spelling`);
    expect(line?.length).toBeLessThan(1000);
    const { warnings } = loadEnvironment('staging', environments([LONG_KEY]));
    expect(warnings).toEqual([expect.stringContaining(`remove '${LONG_SHOWN}'`)]);
    expect(warnings[0]?.length).toBeLessThan(1000);
  });

  it('caps every problem at 1000 characters as printed, with one count of what was left out', () => {
    const keys = Array.from({ length: 30 }, (_, i) => `${i}-${'k'.repeat(200)}`);
    const [, line, ...more] = refusal(environments(keys)).split('\n');
    expect(more).toEqual([]);
    expect(line?.length).toBeLessThanOrEqual(1000 + '  - '.length);
    expect(line).toMatch(/^ {2}- \S+other\.yaml: \(top level\): Unrecognized keys: "0-k+ \(… 102 more characters\)", /);
    expect(line?.match(/ \(… \d+ more characters\)$/g)).toHaveLength(1);
    expect(line?.match(/more characters\)/g)?.length).toBeLessThan(15); // the keys' own counts, then the line's one
    const { warnings } = loadEnvironment('staging', environments(keys));
    expect(warnings[0]?.length).toBeLessThanOrEqual(1000);
  });
});
