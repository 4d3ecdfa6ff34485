/**
 * `npm run seal` end to end: the real script (`node src/tooling/launch.mjs seal`) with the value piped into
 * its stdin, and its command in process for the other cases, on a temporary copy of the
 * environments. The value never appears in its output; only the
 * sealed entry of the file changes; the private key decrypts it back.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, lstatSync, readFileSync, realpathSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { main } from '../../scripts/seal.js';
import { REPO_ROOT } from '../../src/tooling/root.mjs';
import { startApiServer } from './api-server.js';
import { copyOfEnvironments, hybridDecrypt, makeSealingKeyPair, plantedValue, type SealingKeyPair } from './support.js';
import { tempDir } from '../support/temp.js';
import { CHILD_TIMEOUT_MS } from '../support/deadlines.js';
import { runMain } from '../support/run-script.js';
import { scriptCommand } from '../support/spawn-script.js';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the script as a process, the value piped into its stdin, asynchronously (a loopback server
 * in this process must keep answering): the one spawn of this file, for the value's whole way
 * through a real pipe, a real process and its output.
 */
function spawnSeal(args: readonly string[], stdin: string | Buffer): Promise<Run> {
  return new Promise((resolve, reject) => {
    // The script as `npm run seal` runs it (the plain-node launcher, without npm's start-up).
    const child = spawn(process.execPath, scriptCommand(join(REPO_ROOT, 'scripts/seal.ts'), args), {
      cwd: REPO_ROOT,
      env: { ...process.env, KUBECONFIG: join(REPO_ROOT, '.no-such-kubeconfig') },
      timeout: CHILD_TIMEOUT_MS,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** The command in process (src/core/script-main.ts), the value on its stdin. */
async function runSeal(args: readonly string[], stdin: string | Buffer): Promise<Run> {
  const run = await runMain(main, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, KUBECONFIG: join(REPO_ROOT, '.no-such-kubeconfig') },
    stdin,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const ENV = 'backstage-wus2-v4';
let pair: SealingKeyPair;

beforeAll(() => {
  pair = makeSealingKeyPair();
});

function certFile(): string {
  const file = join(tempDir('arcade-seal-cert-'), `${ENV}-cert.pem`);
  writeFileSync(file, pair.certificatePem);
  return file;
}

/** Arguments sealing redis/password with the certificate fetched from controller sealed/sealer. */
const fetchingRedisPassword = (kubeconfig: string, dir: string) =>
  ['--env', ENV, '--secret', 'redis', '--key', 'password', '--controller', 'sealed/sealer'].concat([
    '--kubeconfig',
    kubeconfig,
    '--environments',
    dir,
  ]);

// Each test has its own folder and server: they run side by side.
describe.concurrent('npm run seal (scripts/seal.ts)', () => {
  it('seals stdin into the environment file, prints names and the fingerprint only', async () => {
    const dir = copyOfEnvironments();
    const file = join(dir, `${ENV}.yaml`);
    const before = readFileSync(file, 'utf8');
    const value = plantedValue();
    const run = await spawnSeal(
      ['--env', ENV, '--secret', 'engine', '--key', 'root-key', '--cert', certFile(), '--environments', dir],
      value,
    );

    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /seal: sealed engine\/root-key for Secret arcade\/arcade-engine-root-key \(strict scope\)/,
    );
    expect(run.stdout).toMatch(/seal: certificate sha256 [a-f0-9]{64} \(.*CN=sealed-secrets-test/);
    expect(`${run.stdout}${run.stderr}`).not.toContain(value);

    const after = readFileSync(file, 'utf8');
    const entry = parse(after).secrets.values.engine['root-key'];
    expect(entry.boundTo).toBe('arcade/arcade-engine-root-key');
    expect(run.stdout).toContain(entry.certificateSha256);
    expect(
      hybridDecrypt(
        pair.privateKeyPem,
        Buffer.from(entry.ciphertext, 'base64'),
        'arcade/arcade-engine-root-key',
      ).toString(),
    ).toBe(value);
    expect(() =>
      hybridDecrypt(pair.privateKeyPem, Buffer.from(entry.ciphertext, 'base64'), 'arcade/arcade-oidc'),
    ).toThrow();
    // Only the root-key entry changed: the lines before and after it are byte for byte the same.
    const at = before.indexOf('      root-key: { unresolved:');
    const rest = before.slice(before.indexOf('\n', at));
    expect(after.startsWith(before.slice(0, at))).toBe(true);
    expect(after.endsWith(rest)).toBe(true);
  });

  it('fetches the certificate from the controller through the API server when no --cert is given', async () => {
    const api = await startApiServer((req, res) => {
      if (req.url === '/api/v1/namespaces/sealed/services/sealer:http/proxy/v1/cert.pem') {
        res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(pair.certificatePem);
      } else res.writeHead(404).end();
    });
    try {
      const dir = copyOfEnvironments();
      const value = plantedValue();
      const run = await runSeal(fetchingRedisPassword(api.kubeconfig, dir), value);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(
        new RegExp(
          `^seal: fetching the certificate through Kubernetes ${api.url}/? \\(context \\S+, from --kubeconfig `,
          'm',
        ),
      );
      expect(run.stdout).toContain('from controller sealed/sealer');
      expect(api.requests).toHaveLength(1);
      const entry = parse(readFileSync(join(dir, `${ENV}.yaml`), 'utf8')).secrets.values.redis.password;
      expect(
        hybridDecrypt(pair.privateKeyPem, Buffer.from(entry.ciphertext, 'base64'), 'arcade/arcade-redis').toString(),
      ).toBe(value);
    } finally {
      await api.close();
    }
  });

  /** Seals a planted value as oidc.client-secret of ENV in `environments`; `decrypted(file)` reads it back. */
  async function sealOidc(environments: string) {
    const value = plantedValue();
    const run = await runSeal(
      [
        '--env',
        ENV,
        '--secret',
        'oidc',
        '--key',
        'client-secret',
        '--cert',
        certFile(),
        '--environments',
        environments,
      ],
      value,
    );
    const decrypted = (file: string) => {
      const entry = parse(readFileSync(file, 'utf8')).secrets.values.oidc['client-secret'];
      const ciphertext = Buffer.from(entry.ciphertext, 'base64');
      return hybridDecrypt(pair.privateKeyPem, ciphertext, 'arcade/arcade-oidc').toString();
    };
    return { run, value, decrypted };
  }

  it('seals the file a linked environment file leads to, keeps the link, and says which file it wrote', async () => {
    const dir = copyOfEnvironments();
    const link = join(dir, `${ENV}.yaml`);
    const real = join(tempDir('arcade-seal-real-'), `${ENV}.yaml`);
    renameSync(link, real);
    symlinkSync(real, link);
    const { run, value, decrypted } = await sealOidc(dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(
      `\nseal: wrote ${relative(REPO_ROOT, real)} (the file ${relative(REPO_ROOT, link)} links to) (secrets.values.oidc.client-secret); next: npm run synth\n`,
    );
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(decrypted(real)).toBe(value);
  });

  it('through a linked environments folder, says which file it wrote, and no "links to" (the file is no link)', async () => {
    const dir = copyOfEnvironments();
    const folderLink = join(tempDir('arcade-seal-folder-link-'), 'envlink');
    symlinkSync(dir, folderLink);
    const { run, value, decrypted } = await sealOidc(folderLink);
    expect(run.code, run.stderr).toBe(0);
    const real = join(realpathSync(dir), `${ENV}.yaml`);
    expect(run.stdout).toContain(
      `\nseal: wrote ${relative(REPO_ROOT, real)} (secrets.values.oidc.client-secret); next: npm run synth\n`,
    );
    expect(run.stdout).not.toContain('links to');
    expect(decrypted(real)).toBe(value);
  });

  it('refuses (exit 1) and writes nothing when the file was edited while the certificate was fetched', async () => {
    const dir = copyOfEnvironments();
    const file = join(dir, `${ENV}.yaml`);
    // The API server saves an edit of the file, as a person would meanwhile, before it answers.
    const api = await startApiServer((_req, res) => {
      appendFileSync(file, '# saved while seal waited for the certificate\n');
      res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(pair.certificatePem);
    });
    try {
      const run = await runSeal(fetchingRedisPassword(api.kubeconfig, dir), plantedValue());
      expect(api.requests).toHaveLength(1);
      expect({ code: run.code, stderr: run.stderr }).toEqual({
        code: 1,
        stderr: `seal: ${file}: changed while sealing; nothing written (fix: run seal again)\n`,
      });
      const after = readFileSync(file, 'utf8');
      expect(after.endsWith('\n# saved while seal waited for the certificate\n')).toBe(true);
      expect(parse(after).secrets.values.redis.password).not.toHaveProperty('ciphertext');
    } finally {
      await api.close();
    }
  });

  it('refuses an empty value as bad usage (exit 2) with the reason, and leaves the file as it was', async () => {
    const dir = copyOfEnvironments();
    const file = join(dir, `${ENV}.yaml`);
    const before = readFileSync(file, 'utf8');
    const empty = await runSeal(
      ['--env', ENV, '--secret', 'oidc', '--key', 'client-secret', '--cert', certFile(), '--environments', dir],
      '',
    );
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/seal: stdin: the value is empty/);
    expect(empty.stderr).not.toMatch(/\n\s+at /); // a refusal, not a stack trace
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('refuses a 2 MB value as more than 1 MiB (exit 2): never the size of what it read before it stopped', async () => {
    const dir = copyOfEnvironments();
    const big = await runSeal(
      ['--env', ENV, '--secret', 'oidc', '--key', 'client-secret', '--cert', certFile(), '--environments', dir],
      Buffer.alloc(2_000_000, 'a'),
    );
    expect(big.code).toBe(2);
    expect(big.stderr).toBe(
      'seal: stdin: the value is more than 1 MiB (1048576 bytes), more than a Secret can hold (fix: check what is piped in); usage: npm run seal -- --help\n',
    );
  });

  it('documents itself with --help', async () => {
    const run = await runSeal(['--help'], '');
    expect(run.code).toBe(0);
    for (const option of [
      '--env',
      '--secret',
      '--key',
      '--cert',
      '--controller',
      '--kubeconfig',
      '--timeout',
      '--environments',
    ]) {
      expect(run.stdout).toContain(option);
    }
    expect(run.stdout).toContain('postgres: host, port, database, user, password, sslmode');
  });

  it('refuses a value given as an argument without echoing it', async () => {
    const value = plantedValue();
    const run = await runSeal(
      ['--env', ENV, '--secret', 'oidc', '--key', 'client-secret', '--value', value, value],
      '',
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown option --value/);
    expect(`${run.stdout}${run.stderr}`).not.toContain(value);
  });
});
