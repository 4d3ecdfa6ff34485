/**
 * Secret scanning. Every planted secret is generated at run time (random bytes, strings built
 * by concatenation), so the committed tree holds none. Findings must never echo the value.
 */
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { scanFiles } from '../../src/check/secrets.js';
import { entropy, looksRandom } from '../../src/core/credentials.js';
import { unresolvedMarker } from '../../src/core/unresolved-text.js';
import { randomFrom } from './support.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const password = () => randomFrom(ALNUM, 24);

async function scan(file: string, content: string) {
  return scanFiles([{ file, content }]);
}

describe('secret scanning', () => {
  it('reports a Kubernetes Secret with data or stringData (a gap of secretlint)', async () => {
    const pw = password();
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: 'arcade' },
      stringData: { username: 'arcade', pw },
    };
    const data = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db2', namespace: 'arcade' },
      data: { token: Buffer.from(pw).toString('base64') },
    };
    const findings = await scan('dist/test/secrets.yaml', `${stringify(secret)}---\n${stringify(data)}`);
    const k8s = findings.filter((f) => f.rule === 'secret.kubernetes-secret');
    expect(k8s.map((f) => [f.object?.name, f.path])).toEqual([
      ['db', 'stringData'],
      ['db2', 'data'],
    ]);
    for (const f of findings) expect(`${f.message} ${f.fix}`).not.toContain(pw);
  });

  it('reports passwords in connection strings: postgres (secretlint) and redis with an empty user (our rule)', async () => {
    const pw = password();
    const findings = await scan(
      'docs/example.md',
      [
        '# notes',
        `url: ${'postgres'}://arcade:${pw}@db.example.com:5432/arcade`,
        `cache: ${'redis'}://:${pw}@redis.example.com:6379/0`,
      ].join('\n'),
    );
    expect(findings.map((f) => [f.line, f.rule])).toEqual([
      [2, 'secretlint/database-connection-string'],
      [3, 'secret.connection-string-password'],
    ]);
    for (const f of findings) expect(JSON.stringify(f)).not.toContain(pw);
  });

  it('allows placeholders and unresolved markers in URLs', async () => {
    const text = [
      `${'postgres'}://user:<password>@host/db`,
      `${'redis'}://:\${REDIS_PASSWORD}@redis:6379`,
      `${'amqp'}://user:{{ .Values.pw }}@mq`,
      `${'postgres'}://arcade:${unresolvedMarker('managed PostgreSQL password not recorded')}@db/arcade`,
    ].join('\n');
    expect((await scan('docs/x.md', text)).filter((f) => f.rule === 'secret.connection-string-password')).toEqual([]);
    // the same URLs with a real password are reported, line by line
    const pw = password();
    const real = text.replace(
      /:(<password>|\$\{REDIS_PASSWORD\}|\{\{ \.Values\.pw \}\}|<unresolved: [^>]*>)@/g,
      `:${pw}@`,
    );
    expect((await scan('docs/x.md', real)).map((f) => f.line).sort()).toEqual([1, 2, 3, 4]);
  });

  it('reports a random value under a secret-like key, not names or references', async () => {
    const value = randomFrom(ALNUM, 32);
    const doc = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg', namespace: 'arcade' },
      data: {
        apiKey: value,
        secretName: 'arcade-postgres',
        clientSecret: '<unresolved: not known yet>',
        tokenUrl: 'https://login.example.com/oauth2/token',
      },
    };
    const findings = await scan('dist/test/cfg.yaml', stringify(doc));
    expect(findings.map((f) => [f.rule, f.path, f.line])).toEqual([['secret.high-entropy', 'data.apiKey', 7]]);
    expect(findings[0]!.message).not.toContain(value);
  });

  it('allows SealedSecret ciphertext and the ciphertext entries seal writes into environment files', async () => {
    const cipher = Buffer.from(randomFrom(ALNUM, 300)).toString('base64');
    const sealed = {
      apiVersion: 'bitnami.com/v1alpha1',
      kind: 'SealedSecret',
      metadata: { name: 'db', namespace: 'arcade' },
      spec: { encryptedData: { password: cipher }, template: { metadata: { name: 'db' } } },
    };
    expect(await scan('dist/test/secrets.yaml', stringify(sealed))).toEqual([]);
    const env = {
      secrets: {
        values: {
          postgres: {
            password: { ciphertext: cipher, boundTo: 'arcade/arcade-postgres', certificateSha256: 'a'.repeat(64) },
          },
        },
      },
    };
    expect(await scan('src/environments/prod.yaml', stringify(env))).toEqual([]);
    // the same ciphertext under a secret-like key elsewhere is not allowed
    expect((await scan('docs/notes.yaml', stringify({ password: cipher.slice(0, 40) }))).map((f) => f.rule)).toEqual([
      'secret.high-entropy',
    ]);
  });

  it('finds well-known token formats through the secretlint preset', async () => {
    const token = `${'gh'}p_${randomFrom(ALNUM, 36)}`;
    const findings = await scan('scripts/example.ts', `const t = '${token}';\n`);
    expect(findings.map((f) => f.rule)).toEqual(['secretlint/github']);
    expect(findings[0]!.anchors).toEqual(['secretlint @secretlint/secretlint-rule-github']);
    expect(JSON.stringify(findings)).not.toContain(token);
  });

  it('leaves no secretlint profiler marks in the process (each is kept, and each end searched them all)', async () => {
    await scan('notes.md', 'nothing to see\n');
    await scan('dist/test/a.yaml', 'a: 1\n');
    expect(performance.getEntriesByType('mark').map((m) => m.name)).not.toContainEqual(
      expect.stringMatching(/^@core>/),
    );
  });

  it('measures randomness', () => {
    expect(entropy('aaaa')).toBe(0);
    expect(entropy('abcd')).toBe(2);
    expect(looksRandom(randomFrom(ALNUM, 32))).toBe(true);
    expect(looksRandom('arcade-engine-root-key')).toBe(false);
    expect(looksRandom('existingSecretName')).toBe(false);
    expect(looksRandom('ARCADE_STACK_POSTGRES_PASSWORD')).toBe(false);
    expect(looksRandom(randomFrom('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 32))).toBe(true);
    expect(looksRandom('short')).toBe(false);
  });
});

describe('secret.not-scanned', () => {
  it('a document the yaml library cannot read (an anchor used 101 times) fails, where kubectl would apply its Secret', async () => {
    const secret = ['apiVersion: v1', 'kind: Secret', 'metadata: {name: db}', `data: {${'pass'}word: aHVudGVyMg==}`];
    const bomb = ['x: &a [1]', `y: [${Array.from({ length: 101 }, () => '*a').join(', ')}]`];
    const findings = await scanFiles([{ file: 'apps/db.yaml', content: [...secret, ...bomb, ''].join('\n') }]);
    expect(findings.map((f) => [f.rule, f.severity, f.line])).toEqual([['secret.not-scanned', 'error', 1]]);
    expect(findings[0]?.message).toMatch(/^document 1 could not be read, so it was not scanned for secrets: /);
  });
});
