/**
 * `seal` as a library: seal a value into a temporary copy of the environments, decrypt it back
 * with the throwaway private key, synthesize it; every refusal names the field and the fix and
 * leaves the file untouched. Synth refuses ciphertext bound to another Secret.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { parseEnvironment } from '../../src/environments/load.js';
import { replaceSealedValue } from '../../src/seal/environment-file.js';
import { seal, type SealRequest } from '../../src/seal/seal.js';
import { readValue } from '../../src/seal/stdin.js';
import { synthEnvironment } from '../../src/synth.js';
import { FIXTURE_ENVIRONMENTS, findObject, objectsOf } from '../synth/helpers.js';
import { copyOfEnvironments, hybridDecrypt, makeSealingKeyPair, plantedValue, type SealingKeyPair } from './support.js';
import { tempDir } from '../support/temp.js';

const ENV = 'backstage-wus2-v4';
let pair: SealingKeyPair;
let certFile: string;

beforeAll(() => {
  pair = makeSealingKeyPair();
  certFile = join(tempDir('arcade-seal-cert-'), 'cert.pem');
  writeFileSync(certFile, pair.certificatePem);
});

function request(dir: string, overrides: Partial<SealRequest> = {}): SealRequest {
  return {
    environmentsDir: dir,
    envName: ENV,
    secret: 'postgres',
    key: 'password',
    value: Buffer.from(plantedValue()),
    certificate: { kind: 'file', path: certFile },
    ...overrides,
  };
}

function sealedEntry(
  dir: string,
  secret: string,
  key: string,
): { ciphertext: string; boundTo: string; certificateSha256: string } {
  const env = parseEnvironment(readFileSync(join(dir, `${ENV}.yaml`), 'utf8'), `${ENV}.yaml`);
  if (env.secrets?.provider !== 'sealed-secrets') throw new Error('fixture is not a sealed-secrets environment');
  const entry = (env.secrets.values as Record<string, Record<string, unknown>>)[secret]?.[key];
  if (typeof entry !== 'object' || entry === null || !('ciphertext' in entry))
    throw new Error(`${secret}.${key} is not sealed`);
  return entry as { ciphertext: string; boundTo: string; certificateSha256: string };
}

describe('seal()', () => {
  it('writes ciphertext that the private key decrypts to the value, bound to the Secret, and synth renders it', async () => {
    const dir = copyOfEnvironments();
    const value = plantedValue();
    const result = await seal(request(dir, { value: Buffer.from(value) }));

    expect(result).toMatchObject({
      secret: 'postgres',
      key: 'password',
      boundTo: 'arcade/arcade-postgres',
      certificateFrom: certFile,
    });
    expect(JSON.stringify(result)).not.toContain(value);
    const entry = sealedEntry(dir, 'postgres', 'password');
    expect(entry.boundTo).toBe('arcade/arcade-postgres');
    expect(entry.certificateSha256).toBe(result.certificateSha256);
    expect(
      hybridDecrypt(pair.privateKeyPem, Buffer.from(entry.ciphertext, 'base64'), 'arcade/arcade-postgres').toString(),
    ).toBe(value);
    expect(() =>
      hybridDecrypt(pair.privateKeyPem, Buffer.from(entry.ciphertext, 'base64'), 'arcade/arcade-redis'),
    ).toThrow();
    expect(readFileSync(join(dir, `${ENV}.yaml`), 'utf8')).not.toContain(value);

    const env = parseEnvironment(readFileSync(join(dir, `${ENV}.yaml`), 'utf8'), `${ENV}.yaml`);
    const secret = findObject(objectsOf(synthEnvironment(env)), 'SealedSecret', 'arcade-postgres');
    expect((secret.spec as { encryptedData: Record<string, string> }).encryptedData).toEqual({
      password: entry.ciphertext,
    });
    expect(secret.metadata.annotations?.['arcade-stack.dev/unresolved-keys']).toBe('database,host,port,sslmode,user');
  });

  it(
    "binds each value to its reader's namespace when the release object lives apart (engine " +
      'Secrets: target namespace; OIDC: beside the HelmRelease)',
    async () => {
      const dir = copyOfEnvironments();
      const file = join(dir, `${ENV}.yaml`);
      writeFileSync(
        file,
        readFileSync(file, 'utf8').replace(
          'release:\n',
          'release:\n  namespace: flux-system\n  targetNamespace: arcade\n',
        ),
      );
      expect((await seal(request(dir))).boundTo).toBe('arcade/arcade-postgres');
      expect((await seal(request(dir, { secret: 'oidc', key: 'client-secret' }))).boundTo).toBe(
        'flux-system/arcade-oidc',
      );
      const env = parseEnvironment(readFileSync(file, 'utf8'), file);
      const objects = objectsOf(synthEnvironment(env));
      expect(findObject(objects, 'SealedSecret', 'arcade-oidc').metadata.namespace).toBe('flux-system');
      expect(findObject(objects, 'SealedSecret', 'arcade-postgres').metadata.namespace).toBe('arcade');
    },
  );

  it('keeps a final newline only when told to', async () => {
    const dir = copyOfEnvironments();
    const value = `${plantedValue()}\n`;
    await seal(request(dir, { key: 'sslmode', value: Buffer.from(value), allowTrailingNewline: true }));
    const entry = sealedEntry(dir, 'postgres', 'sslmode');
    expect(
      hybridDecrypt(pair.privateKeyPem, Buffer.from(entry.ciphertext, 'base64'), 'arcade/arcade-postgres').toString(),
    ).toBe(value);
  });

  it('counts values sealed earlier with another certificate (an older controller key)', async () => {
    const dir = copyOfEnvironments();
    await seal(request(dir, { key: 'user' }));
    const other = makeSealingKeyPair({ key: 'other' });
    const otherFile = join(tempDir('arcade-seal-other-'), 'other.pem');
    writeFileSync(otherFile, other.certificatePem);
    const result = await seal(request(dir, { certificate: { kind: 'file', path: otherFile } }));
    expect(result.sealedWithOtherCertificates).toBe(1);
  });

  describe('refuses, naming the field and the fix, and leaves the file untouched', () => {
    const cases: [string, (dir: string) => Partial<SealRequest>, RegExp][] = [
      [
        'an unknown Secret',
        () => ({ secret: 'mysql' }),
        /--secret mysql: .*fix: use one of postgres, redis, engine, oidc, llm/,
      ],
      [
        'an unknown key',
        () => ({ key: 'passwd' }),
        /--key passwd: Secret 'postgres' has no such key \(fix: use one of host, port, database, user, password, sslmode\)/,
      ],
      ['an empty value', () => ({ value: Buffer.alloc(0) }), /stdin: the value is empty/],
      [
        'a trailing newline',
        () => ({ value: Buffer.from(`${plantedValue()}\n`) }),
        /ends with a newline.*echo -n or printf %s/,
      ],
      [
        'an unknown environment',
        () => ({ envName: 'nope' }),
        /--env nope: no such environment \(fix: use one of backstage-wus2-v4/,
      ],
      [
        'a missing certificate file',
        (dir) => ({ certificate: { kind: 'file', path: join(dir, 'missing.pem') } }),
        /--cert .*missing\.pem: no such file \(fix: give the path of the controller's certificate PEM file\)$/,
      ],
      [
        'an unresolved controller when no --cert is given',
        () => ({ certificate: { kind: 'controller' } }),
        new RegExp(
          /secrets\.controller\.name is unresolved \(sealed-secrets controller name not/.source +
            / confirmed.*\) \(fix: set it in the environment, pass --controller <namespace>\/<name>,/.source +
            / or pass --cert <file>\)/.source,
        ),
      ],
    ];
    for (const [what, change, message] of cases) {
      it(what, async () => {
        const dir = copyOfEnvironments();
        const before = readFileSync(join(dir, `${ENV}.yaml`), 'utf8');
        await expect(seal(request(dir, change(dir)))).rejects.toThrow(message);
        expect(readFileSync(join(dir, `${ENV}.yaml`), 'utf8')).toBe(before);
      });
    }

    it('an External Secrets environment, explaining the alternative', async () => {
      const dir = copyOfEnvironments();
      copyFileSync(join(FIXTURE_ENVIRONMENTS, 'staging.yaml'), join(dir, 'staging.yaml'));
      const before = readFileSync(join(dir, 'staging.yaml'), 'utf8');
      await expect(seal(request(dir, { envName: 'staging' }))).rejects.toThrow(
        new RegExp(
          /staging\.yaml: secrets\.provider is 'external-secrets': values live in the secret store/.source +
            / behind ClusterSecretStore.*fix: put the value in the secret store/.source,
        ),
      );
      expect(readFileSync(join(dir, 'staging.yaml'), 'utf8')).toBe(before);
    });

    it('a datastore Secret of an environment with bundled datastores (only the LLM key is read)', async () => {
      const dir = copyOfEnvironments();
      const doc = parseDocument(readFileSync(join(dir, `${ENV}.yaml`), 'utf8'));
      doc.setIn(['datastores', 'mode'], 'bundled');
      for (const id of ['postgres', 'redis', 'engine', 'oidc']) doc.deleteIn(['secrets', 'values', id]);
      writeFileSync(join(dir, `${ENV}.yaml`), doc.toString());
      const before = readFileSync(join(dir, `${ENV}.yaml`), 'utf8');
      await expect(seal(request(dir))).rejects.toThrow(
        /datastores\.mode is 'bundled', so the release does not read the postgres Secret \(fix: seal one of llm, or set datastores\.mode: managed first/,
      );
      expect(readFileSync(join(dir, `${ENV}.yaml`), 'utf8')).toBe(before);
      // The LLM key is sealed in that mode too.
      const result = await seal(request(dir, { secret: 'llm', key: 'api-key' }));
      expect(result).toMatchObject({ secret: 'llm', key: 'api-key', boundTo: 'arcade/arcade-llm' });
    });
  });
});

describe('synth checks the binding', () => {
  it('refuses a sealed value bound to another Secret, naming the key and the fix', async () => {
    const dir = copyOfEnvironments();
    await seal(request(dir, { secret: 'redis', key: 'password' }));
    const file = join(dir, `${ENV}.yaml`);
    const redisPassword = sealedEntry(dir, 'redis', 'password');
    // Someone copies the Redis password's ciphertext to the PostgreSQL Secret.
    const moved = replaceSealedValue(readFileSync(file, 'utf8'), file, 'postgres', 'password', redisPassword);
    const env = parseEnvironment(moved, file);

    expect(() => synthEnvironment(env)).toThrow(
      /SealedSecret arcade\/arcade-postgres: key 'password' was sealed for 'arcade\/arcade-redis'.*Fix: re-seal it with npm run seal for this Secret/,
    );
  });
});

describe('readValue (stdin)', () => {
  it('refuses a terminal, with a hint to pipe the value', async () => {
    const tty = Object.assign(Readable.from([]), { isTTY: true });
    await expect(readValue(tty)).rejects.toThrow(/stdin is a terminal: the value must be piped in.*printf %s/);
  });

  it('reads every byte of a piped value, binary included', async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 10, 13, 0x41]);
    expect((await readValue(Readable.from([bytes.subarray(0, 3), bytes.subarray(3)]))).equals(bytes)).toBe(true);
  });
});
