#!/usr/bin/env tsx
/**
 * npm run seal: encrypt a value read from stdin for one key of a managed Secret (SealedSecrets,
 * strict scope) and write the ciphertext into the environment file.
 *
 *   printf %s "$PASSWORD" | npm run seal -- --env backstage-wus2-v4 --secret postgres --key password
 *   npm run seal -- --env backstage-wus2-v4 --secret engine --key root-key --cert pub-cert.pem < root-key.txt
 */
import { relative, resolve } from 'node:path';
import { argv } from 'zx';
import { ENVIRONMENTS_DIR, EnvironmentError } from '../src/environments/load.js';
import { SECRET_KEYS } from '../src/environments/schema.js';
import { SealError } from '../src/seal/errors.js';
import { seal, type CertificateSource } from '../src/seal/seal.js';
import { readValue } from '../src/seal/stdin.js';

const USAGE = `Usage: <value on stdin> | npm run seal -- --env <name> --secret <secret> --key <key> [options]

Encrypts the value read from stdin (never from arguments) with the sealed-secrets controller's
public certificate, bound to the Secret's namespace and name (strict scope), and writes it into
the environment file at secrets.values.<secret>.<key>. Prints names and the certificate
fingerprint only, never the value.

  --env <name>              environment (file <environments>/<name>.yaml)
  --secret <secret>         ${Object.keys(SECRET_KEYS).join(' | ')}
  --key <key>               ${Object.entries(SECRET_KEYS).map(([s, k]) => `${s}: ${k.join(', ')}`).join('; ')}
  --cert <file>             certificate PEM (e.g. from kubeseal --fetch-cert); default: fetch it
                            from the controller named in secrets.controller through the API server
  --controller <ns>/<name>  controller Service to fetch from, instead of secrets.controller
  --kubeconfig <file>       kubeconfig for the fetch (default: KUBECONFIG, ~/.kube/config)
  --context <name>          kubeconfig context (default: current)
  --timeout <seconds>       timeout of each fetch attempt (default: 10; 3 attempts)
  --environments <dir>      folder of environment files (default: src/environments)
  --allow-trailing-newline  keep a final newline of the value (refused by default)

Examples:
  printf %s "$PG_PASSWORD" | npm run seal -- --env backstage-wus2-v4 --secret postgres --key password
  npm run seal -- --env backstage-wus2-v4 --secret oidc --key client-secret --cert cert.pem < secret.txt`;

const KNOWN = new Set(['_', 'env', 'secret', 'key', 'cert', 'controller', 'kubeconfig', 'context', 'timeout', 'environments', 'allow-trailing-newline', 'help', 'h']);

function usageError(message: string): never {
  console.error(`seal: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function text(name: string): string | undefined {
  const value: unknown = argv[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' && typeof value !== 'number') usageError(`--${name} needs a value`);
  return String(value);
}

if (argv.help || argv.h) {
  console.log(USAGE);
  process.exit(0);
}
// Never echo unknown arguments: a value passed by mistake on the command line must not reach the log.
const unknown = Object.keys(argv).filter((k) => !KNOWN.has(k));
if (unknown.length > 0) usageError(`unknown option(s) ${unknown.map((k) => `--${k}`).join(', ')} (the value itself is read from stdin only)`);
if (argv._.length > 0) usageError(`${argv._.length} positional argument(s) refused: the value is read from stdin only (arguments show up in ps and shell history)`);

const env = text('env');
const secret = text('secret');
const key = text('key');
if (!env || !secret || !key) usageError('--env, --secret and --key are required');
const timeout = Number(text('timeout') ?? '10');
if (!Number.isFinite(timeout) || timeout <= 0) usageError('--timeout must be a positive number of seconds');
const controller = text('controller');
const controllerParts = controller?.split('/');
if (controllerParts && (controllerParts.length !== 2 || !controllerParts[0] || !controllerParts[1])) {
  usageError('--controller must be <namespace>/<name>, e.g. kube-system/sealed-secrets-controller');
}
const certFile = text('cert');
const certificate: CertificateSource = certFile
  ? { kind: 'file', path: resolve(certFile) }
  : {
      kind: 'controller',
      namespace: controllerParts?.[0],
      name: controllerParts?.[1],
      kubeconfig: text('kubeconfig'),
      context: text('context'),
      timeoutMs: timeout * 1000,
    };

try {
  const value = await readValue(process.stdin);
  const result = await seal({
    environmentsDir: resolve(text('environments') ?? ENVIRONMENTS_DIR),
    envName: env,
    secret,
    key,
    value,
    certificate,
    allowTrailingNewline: argv['allow-trailing-newline'] === true,
  });
  value.fill(0);
  console.log(`seal: sealed ${result.secret}/${result.key} for Secret ${result.boundTo} (strict scope)`);
  console.log(
    `seal: certificate sha256 ${result.certificateSha256} (${result.certificateSubject || 'no subject'}; from ${result.certificateFrom}; valid until ${result.certificateValidTo.toISOString()})`,
  );
  if (result.sealedWithOtherCertificates > 0) {
    console.log(`seal: note: ${result.sealedWithOtherCertificates} other value(s) of this environment were sealed with another certificate (an older controller key; still decryptable while the controller keeps that key)`);
  }
  console.log(`seal: wrote ${relative(process.cwd(), result.file) || result.file} (secrets.values.${result.secret}.${result.key}); next: npm run synth`);
} catch (err) {
  const known = err instanceof SealError || err instanceof EnvironmentError;
  console.error(`seal: ${known ? (err as Error).message : ((err as Error).stack ?? String(err))}`);
  process.exitCode = 1;
}
