#!/usr/bin/env tsx
/**
 * npm run seal: encrypt a value read from stdin for one key of a managed Secret (SealedSecrets,
 * strict scope) and write the ciphertext into the environment file.
 *
 *   printf %s "$PASSWORD" | npm run seal -- --env backstage-wus2-v4 --secret postgres --key password
 *   npm run seal -- --env backstage-wus2-v4 --secret engine --key root-key --cert pub-cert.pem < root-key.txt
 */
import { relative } from 'node:path';
import { SECRET_IDS, SECRET_KEYS } from '../src/environments/secret-keys.js';
import { UsageError } from '../src/core/command-error.js';
import { defineScript } from '../src/core/script.js';
import { runCommand, scriptMain } from '../src/core/script-main.js';

const script = defineScript({
  name: 'seal',
  usage: '<value on stdin> | npm run seal -- --env <name> --secret <secret> --key <key> [options]',
  description: `Encrypts the value read from stdin (never from arguments: they show up in ps and shell history)
with the sealed-secrets controller's public certificate, bound to the Secret's namespace and name
(strict scope), and writes it into the environment file at secrets.values.<secret>.<key>. Prints
names and the certificate fingerprint only, never the value.`,
  options: {
    env: {
      type: 'string',
      value: '<name>',
      required: true,
      description: 'environment (file <environments>/<name>.yaml)',
    },
    secret: { type: 'choice', choices: SECRET_IDS, required: true, description: 'the managed Secret' },
    key: {
      type: 'string',
      value: '<key>',
      required: true,
      description: Object.entries(SECRET_KEYS)
        .map(([s, k]) => `${s}: ${k.join(', ')}`)
        .join('\n'),
    },
    cert: {
      type: 'string',
      value: '<file>',
      description: `certificate PEM (e.g. from kubeseal --fetch-cert); default: fetch it
from the controller named in secrets.controller through the API server`,
    },
    controller: {
      type: 'string',
      value: '<ns>/<name>',
      description: 'controller Service to fetch from, instead of secrets.controller',
    },
    kubeconfig: {
      type: 'string',
      value: '<file>',
      description: 'kubeconfig for the fetch (default: KUBECONFIG, ~/.kube/config, in-cluster)',
    },
    context: { type: 'string', value: '<name>', description: 'kubeconfig context (default: current)' },
    timeout: {
      type: 'number',
      value: '<seconds>',
      unit: 'seconds',
      above: 0,
      default: 10,
      description: 'timeout of each fetch attempt (3 attempts)',
    },
    environments: {
      type: 'string',
      value: '<dir>',
      description: 'folder of environment files (default: src/environments)',
    },
    'allow-trailing-newline': {
      type: 'boolean',
      description: 'keep a final newline of the value (refused by default)',
    },
  },
  environment: { KUBECONFIG: 'kubeconfig for fetching the certificate when --kubeconfig is not given' },
  interrupted: 'the environment file is as it was (it is written at the end, whole)',
  exitCodes: {
    0: 'sealed and written',
    1: 'the certificate is unusable or could not be fetched, or the file could not be written or has a second hard link (left unchanged)',
    2: 'also: an empty value, a value ending in a newline, an environment that cannot take sealed values',
  },
  examples: [
    'printf %s "$PG_PASSWORD" | npm run seal -- --env backstage-wus2-v4 --secret postgres --key password',
    'npm run seal -- --env backstage-wus2-v4 --secret oidc --key client-secret --cert cert.pem < secret.txt',
  ],
});

/** The command (src/core/script-main.ts): tests call it in process. */
export const main = scriptMain(script, async (options, { io, path, print, warn }) => {
  const { ENVIRONMENTS_DIR } = await import('../src/environments/load.js');
  const { checkTarget, seal } = await import('../src/seal/seal.js');
  const { readValue } = await import('../src/seal/stdin.js');
  checkTarget(options.secret, options.key); // before reading stdin: a wrong --key needs no value
  const controllerParts = options.controller?.split('/');
  if (controllerParts && (controllerParts.length !== 2 || !controllerParts[0] || !controllerParts[1])) {
    throw new UsageError('--controller must be <namespace>/<name>, e.g. kube-system/sealed-secrets-controller');
  }
  const value = await readValue(io.stdin);
  try {
    const result = await seal({
      environmentsDir: options.environments ? path(options.environments) : ENVIRONMENTS_DIR,
      envName: options.env,
      secret: options.secret,
      key: options.key,
      value,
      certificate: options.cert
        ? { kind: 'file', path: path(options.cert) }
        : {
            kind: 'controller',
            namespace: controllerParts?.[0],
            name: controllerParts?.[1],
            kubeconfig: options.kubeconfig ? path(options.kubeconfig) : undefined,
            context: options.context,
            env: io.env,
            timeoutMs: options.timeout * 1000,
            announce: (where) => print(`seal: fetching the certificate through Kubernetes ${where}`),
          },
      allowTrailingNewline: options['allow-trailing-newline'],
      warn,
    });
    print(`seal: sealed ${result.secret}/${result.key} for Secret ${result.boundTo} (strict scope)`);
    print(
      `seal: certificate sha256 ${result.certificateSha256} ` +
        `(${result.certificateSubject || 'no subject'}; from ${result.certificateFrom}; valid ` +
        `until ${result.certificateValidTo.toISOString()})`,
    );
    if (result.sealedWithOtherCertificates > 0) {
      print(
        `seal: note: ${result.sealedWithOtherCertificates} other value(s) of this environment were ` +
          `sealed with another certificate (an older controller key; still decryptable while the ` +
          `controller keeps that key)`,
      );
    }
    const shown = (file: string) => relative(io.cwd, file) || file;
    // A linked environment file: the file it leads to was written (src/seal/seal.ts writeSealed).
    const through = result.link ? ` (the file ${shown(result.link)} links to)` : '';
    print(
      `seal: wrote ${shown(result.file)}${through} (secrets.values.${result.secret}.${result.key}); next: npm run synth`,
    );
    return 0;
  } finally {
    value.fill(0);
  }
});

await runCommand(import.meta.url, script, main);
