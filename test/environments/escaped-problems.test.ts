/**
 * What an environment file holds reaches the terminal escaped (README "Text from outside is printed
 * escaped"): a key holding an ANSI escape and a newline, named by the refusal of that file (exit 2
 * through EnvironmentError) and by the warning another environment's run prints about it, shows as
 * `\u001b` and `\u000a`, one line per problem, never acting on the terminal.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnvironmentError, loadEnvironment } from '../../src/environments/load.js';
import { FIXTURE_ENVIRONMENTS } from '../synth/helpers.js';
import { tempDir } from '../support/temp.js';

const HOSTILE_KEY = 'bad\u001b[2J\u001b[31mkey\nforged: line';
const SHOWN_KEY = 'bad\\u001b[2J\\u001b[31mkey\\u000aforged: line';

/** `staging` as the fixture has it, and `other`: the same with a hostile top-level key. */
function environments(): string {
  const dir = join(tempDir('escaped-env-'), 'envs');
  mkdirSync(dir);
  const staging = readFileSync(join(FIXTURE_ENVIRONMENTS, 'staging.yaml'), 'utf8');
  writeFileSync(join(dir, 'staging.yaml'), staging);
  const other = staging.replace(/^name: staging$/m, 'name: other');
  expect(other).toContain('name: other');
  writeFileSync(join(dir, 'other.yaml'), `${other}${JSON.stringify(HOSTILE_KEY)}: 1\n`);
  return dir;
}

describe('an environment file whose key holds an ANSI escape and a newline', () => {
  it('is refused naming the key escaped, one line per problem', () => {
    const dir = environments();
    const error = (() => {
      try {
        loadEnvironment('other', dir);
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(EnvironmentError);
    const message = (error as EnvironmentError).message;
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
