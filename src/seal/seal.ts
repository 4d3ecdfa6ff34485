/**
 * `npm run seal`: encrypts one value for one key of one managed Secret of a SealedSecrets
 * environment, and writes the ciphertext into the environment file.
 *
 * The Secret's namespace (its reader's, src/environments/namespaces.ts) and name (`secrets.names`)
 * come from the environment, and the ciphertext is bound to them (strict scope): synth refuses it
 * under any other Secret. The value never leaves this process except encrypted; nothing here logs
 * or returns it.
 */
import { lstatSync, readFileSync, realpathSync } from 'node:fs';
import { loadEnvironment } from '../environments/load.js';
import { secretNamespace } from '../environments/namespaces.js';
import {
  SECRET_IDS,
  SECRET_KEYS,
  SECRETS_BY_MODE,
  type DatastoreMode,
  type SealedValue,
  type SecretId,
} from '../environments/schema.js';
import { isUnresolved, type Resolvable } from '../environments/unresolved.js';
import { parseSealingCertificate, type SealingCertificate } from './certificate.js';
import { CommandError, ConfigurationError, UsageError } from '../core/command-error.js';
import { writeFileAtomically } from '../core/atomic-write.js';
import { readOptionFile } from '../core/option-file.js';
import { refuseHardLinks, replaceSealedValue } from './environment-file.js';
import type { FetchCertificateOptions } from './fetch-certificate.js';
import { hybridEncrypt, strictScopeLabel } from './hybrid.js';

/** The largest value accepted (a Kubernetes Secret holds at most 1 MiB in all). */
export const MAX_VALUE_BYTES = 1024 * 1024;

/** Checks `--secret` and `--key` against SECRET_KEYS (schema.ts). */
export function checkTarget(secret: string, key: string): { secret: SecretId; key: string } {
  if (!(SECRET_IDS as readonly string[]).includes(secret)) {
    throw new UsageError(
      `--secret ${secret || '(missing)'}: not a Secret this stack manages (fix: use one of ${SECRET_IDS.join(', ')})`,
    );
  }
  const id = secret as SecretId;
  const keys: readonly string[] = SECRET_KEYS[id];
  if (!keys.includes(key)) {
    throw new UsageError(
      `--key ${key || '(missing)'}: Secret '${id}' has no such key (fix: use one of ${keys.join(', ')})`,
    );
  }
  return { secret: id, key };
}

/** Checks the value read from stdin: not empty, not too large, no accidental trailing newline. */
export function checkValue(value: Uint8Array, allowTrailingNewline = false): void {
  if (value.length === 0) {
    throw new UsageError(
      'stdin: the value is empty (fix: pipe the value in, e.g. printf %s "$VALUE" | npm run seal -- …)',
    );
  }
  if (value.length > MAX_VALUE_BYTES) {
    throw new UsageError(
      // readValue stops reading past the limit: the length read is not the value's size.
      `stdin: the value is more than 1 MiB (${MAX_VALUE_BYTES} bytes), more than a Secret can hold (fix: check what is piped in)`,
    );
  }
  if (!allowTrailingNewline && value[value.length - 1] === 0x0a) {
    throw new UsageError(
      'stdin: the value ends with a newline, which would become part of the secret (fix: use ' +
        'echo -n or printf %s, or pass --allow-trailing-newline if the newline belongs to the value)',
    );
  }
}

/** A SealedSecrets environment, ready to seal for. */
export interface SealTarget {
  readonly file: string;
  readonly text: string;
  /** Namespace of each Secret (its reader's: src/environments/namespaces.ts). */
  readonly namespaces: Readonly<Record<SecretId, string>>;
  readonly datastores: DatastoreMode;
  readonly secretNames: Readonly<Record<SecretId, string>>;
  readonly controller: { readonly name: Resolvable<string>; readonly namespace: Resolvable<string> };
  /** The Secrets of the environment's datastore mode (SECRETS_BY_MODE). */
  readonly values: Readonly<Partial<Record<SecretId, Readonly<Record<string, Resolvable<SealedValue>>>>>>;
}

/**
 * Reads `<dir>/<env>.yaml` and refuses anything but a valid SealedSecrets environment; problems
 * of the other environments' files go to `warn`.
 */
export function loadSealTarget(environmentsDir: string, envName: string, warn?: (message: string) => void): SealTarget {
  const { file, env, warnings } = loadEnvironment(envName, environmentsDir);
  for (const w of warnings) warn?.(w);
  refuseHardLinks(file); // before any certificate is fetched
  const text = readFileSync(file, 'utf8');
  if (!env.secrets) throw new ConfigurationError(`${file}: no secrets section (fix: add one, see docs/secrets.md)`); // the schema refuses this already
  if (env.secrets.provider !== 'sealed-secrets') {
    throw new ConfigurationError(
      `${file}: secrets.provider is '${env.secrets.provider}': values live in the secret store behind ClusterSecretStore, ` +
        'and the environment only references them (secrets.values.<secret>.<key>.remoteKey/property), so there is nothing to seal ' +
        '(fix: put the value in the secret store, or switch the environment to provider: sealed-secrets; see docs/secrets.md)',
    );
  }
  const namespaces = Object.fromEntries(SECRET_IDS.map((id) => [id, secretNamespace(env, id)])) as Record<
    SecretId,
    string
  >;
  return {
    file,
    text,
    namespaces,
    datastores: env.datastores.mode,
    secretNames: env.secrets.names,
    controller: env.secrets.controller,
    values: env.secrets.values,
  };
}

/** Where the sealing certificate comes from. */
export type CertificateSource =
  | { readonly kind: 'file'; readonly path: string }
  | ({ readonly kind: 'controller' } & Partial<Pick<FetchCertificateOptions, 'name' | 'namespace'>> &
      Omit<FetchCertificateOptions, 'name' | 'namespace'>);

function resolvedController(
  target: SealTarget,
  source: { name?: string; namespace?: string },
): { name: string; namespace: string } {
  const pick = (field: 'name' | 'namespace'): string => {
    const given = source[field];
    if (given) return given;
    const value = target.controller[field];
    if (isUnresolved(value)) {
      throw new ConfigurationError(
        `${target.file}: secrets.controller.${field} is unresolved (${value.unresolved}) (fix: set ` +
          `it in the environment, pass --controller <namespace>/<name>, or pass --cert <file>)`,
      );
    }
    return value;
  };
  return { name: pick('name'), namespace: pick('namespace') };
}

/** Reads the certificate from a file or fetches it from the environment's controller, and checks it. */
export async function loadCertificate(
  target: SealTarget,
  source: CertificateSource,
  now: Date = new Date(),
): Promise<SealingCertificate & { readonly from: string }> {
  if (source.kind === 'file') {
    const pem = readOptionFile(
      'cert',
      source.path,
      undefined,
      "give the path of the controller's certificate PEM file",
    );
    return { ...parseSealingCertificate(pem, `--cert ${source.path}`, now), from: source.path };
  }
  const controller = resolvedController(target, source);
  const { fetchControllerCertificate } = await import('./fetch-certificate.js');
  const pem = await fetchControllerCertificate({ ...source, ...controller });
  const from = `controller ${controller.namespace}/${controller.name}`;
  return { ...parseSealingCertificate(pem, from, now), from };
}

/** Encrypts `value` for `<namespace>/<name>` (strict scope) with the checked certificate. */
export function sealValue(
  certificate: SealingCertificate,
  namespace: string,
  secretName: string,
  value: Uint8Array,
): SealedValue {
  const boundTo = strictScopeLabel(namespace, secretName);
  return {
    ciphertext: hybridEncrypt(certificate.publicKey, value, boundTo).toString('base64'),
    boundTo,
    certificateSha256: certificate.sha256,
  };
}

export interface SealRequest {
  readonly environmentsDir: string;
  readonly envName: string;
  readonly secret: string;
  readonly key: string;
  readonly value: Uint8Array;
  readonly certificate: CertificateSource;
  /** @default false */
  readonly allowTrailingNewline?: boolean;
  /** The time the certificate must be valid at. @default now */
  readonly now?: Date;
  /** Told about problems of the other environments' files, which sealing does not need. */
  readonly warn?: (message: string) => void;
}

/** What was done: names and fingerprints only, never the value. */
export interface SealResult {
  /** The file written: the environment file, or the file it is a link to (its real path). */
  readonly file: string;
  /** The environment file when it is a link to `file` (the link stays a link). */
  readonly link?: string;
  readonly secret: SecretId;
  readonly key: string;
  readonly boundTo: string;
  readonly certificateSha256: string;
  readonly certificateSubject: string;
  readonly certificateFrom: string;
  readonly certificateValidTo: Date;
  /** Other sealed values of the environment sealed with a different certificate (an older controller key). */
  readonly sealedWithOtherCertificates: number;
}

/**
 * Writes the sealed text where the environment file leads: a link is followed (its real path is
 * replaced, the link stays a link; renamed over, the link would become a file and the file it pointed
 * to stay unsealed). The file is read again first: an edit saved since loadSealTarget read it (the
 * certificate fetch takes seconds) would be lost, so the seal is refused and nothing is written.
 * Returns the path written (the file's real path).
 */
function writeSealed(target: SealTarget, text: string): string {
  const file = realpathSync.native(target.file);
  if (readFileSync(file, 'utf8') !== target.text)
    throw new CommandError(`${target.file}: changed while sealing; nothing written (fix: run seal again)`);
  refuseHardLinks(target.file); // a name may have been added while the certificate was fetched
  writeFileAtomically(file, text);
  return file;
}

/** Seals one value and writes it into the environment file. */
export async function seal(request: SealRequest): Promise<SealResult> {
  const { secret, key } = checkTarget(request.secret, request.key);
  checkValue(request.value, request.allowTrailingNewline);
  const target = loadSealTarget(request.environmentsDir, request.envName, request.warn);
  const used: readonly SecretId[] = SECRETS_BY_MODE[target.datastores];
  if (!used.includes(secret)) {
    throw new ConfigurationError(
      `${target.file}: datastores.mode is '${target.datastores}', so the release does not read the ${secret} Secret ` +
        `(fix: seal one of ${used.join(', ')}, or set datastores.mode: managed first; see the takeover runbook in README)`,
    );
  }
  const certificate = await loadCertificate(target, request.certificate, request.now);
  const sealed = sealValue(certificate, target.namespaces[secret], target.secretNames[secret], request.value);
  const written = writeSealed(target, replaceSealedValue(target.text, target.file, secret, key, sealed));
  const others = Object.entries(target.values).flatMap(([id, values]) =>
    Object.entries(values ?? {})
      .filter(([k]) => !(id === secret && k === key))
      .map(([, v]) => v),
  );
  return {
    file: written,
    // Only a link of the file itself is named: a linked folder on the way (`--environments <link>`) is not.
    ...(lstatSync(target.file).isSymbolicLink() ? { link: target.file } : {}),
    secret,
    key,
    boundTo: sealed.boundTo,
    certificateSha256: sealed.certificateSha256,
    certificateSubject: certificate.subject,
    certificateFrom: certificate.from,
    certificateValidTo: certificate.validTo,
    sealedWithOtherCertificates: others.filter(
      (v) => !isUnresolved(v) && v.certificateSha256 !== sealed.certificateSha256,
    ).length,
  };
}
