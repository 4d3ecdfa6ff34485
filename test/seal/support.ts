/**
 * Test support for `seal`: throwaway sealing key pairs and certificates made at run time, and
 * kubeseal's HybridDecrypt implemented independently with node-forge (not node's crypto, which
 * seals), so the round trip checks the format against a second OAEP/GCM implementation. Only
 * the RSA exponentiation itself (c^d mod n, no padding) is node's: the same number whoever
 * computes it, and forge's JavaScript big integers took seconds per run for it (below).
 *
 * RSA keys are generated once per test process and reused by every file it runs (vitest runs the
 * files of a worker in one process: `isolate: false`): generating them was the seal tests' largest
 * cost (a 4096-bit key takes one to several seconds, each 2048-bit one a tenth of that). No key is
 * committed: the gate's secret scan reads every tracked file, and a key made at run time leaves
 * nothing to leak. Certificates are still made per call, so each has its own serial and validity.
 */
import { constants, createPrivateKey, createSign, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import { cpSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { ENVIRONMENTS_DIR } from '../../src/environments/load.js';
import { tempDir } from '../support/temp.js';

export interface SealingKeyPair {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

export interface CertificateOptions {
  /** @default one hour ago */
  readonly notBefore?: Date;
  /** @default in ten years */
  readonly notAfter?: Date;
  /** RSA modulus size. @default 2048 */
  readonly bits?: number;
  /**
   * Which of the process's keys of that size: certificates of the same key share its modulus;
   * `other` is a second, different key (an older controller key, another certificate's key).
   * @default 'main'
   */
  readonly key?: 'main' | 'other';
}

const keys = new Map<string, string>();

/** The process's RSA private key (PKCS#1 PEM) of that size and name, generated on first use. */
function rsaKey(bits: number, name: 'main' | 'other'): string {
  const id = `${bits}/${name}`;
  let pem = keys.get(id);
  if (pem === undefined) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
    pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    keys.set(id, pem);
  }
  return pem;
}

function selfSigned(privateKeyPem: string, options: CertificateOptions): forge.pki.Certificate {
  const key = forge.pki.privateKeyFromPem(privateKeyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = `01${forge.util.bytesToHex(forge.random.getBytesSync(8))}`;
  cert.validity.notBefore = options.notBefore ?? new Date(Date.now() - 3_600_000);
  cert.validity.notAfter = options.notAfter ?? new Date(Date.now() + 10 * 365 * 86_400_000);
  const name = [
    { name: 'commonName', value: 'sealed-secrets-test' },
    { name: 'organizationName', value: 'arcade-stack tests' },
  ];
  cert.setSubject(name);
  cert.setIssuer(name);
  signNatively(cert, privateKeyPem);
  return cert;
}

/**
 * `cert.sign(key, sha256)` with node's crypto doing the RSA step: forge still lays out the
 * certificate and its signature fields, and hands over the bytes to sign, which node signs
 * (forge's RSA in JavaScript cost about a second per certificate of a 4096-bit key here).
 * PKCS#1 v1.5 signatures are deterministic, so the certificate is byte for byte the one forge
 * would make (tried: both PEMs equal for the same fields and key).
 */
function signNatively(cert: forge.pki.Certificate, privateKeyPem: string): void {
  let signed = '';
  const sha256 = {
    algorithm: 'sha256',
    update(bytes: string) {
      signed += bytes;
      return sha256;
    },
  };
  const signer = {
    sign: () => createSign('sha256').update(Buffer.from(signed, 'binary')).sign(privateKeyPem).toString('binary'),
  };
  cert.sign(signer as unknown as forge.pki.rsa.PrivateKey, sha256 as unknown as forge.md.MessageDigest);
}

/** An RSA key pair (the process's key of that size and name) and a new self-signed X.509 certificate for it (like the controller's). */
export function makeSealingKeyPair(options: CertificateOptions = {}): SealingKeyPair {
  const privateKeyPem = rsaKey(options.bits ?? 2048, options.key ?? 'main');
  return { certificatePem: forge.pki.certificateToPem(selfSigned(privateKeyPem, options)), privateKeyPem };
}

/**
 * A well-formed certificate whose subject key is EC P-256 (signed by a throwaway RSA issuer):
 * what `seal` must refuse, since sealed-secrets needs RSA. forge cannot hold EC keys, so the
 * certificate's subjectPublicKeyInfo is swapped at the ASN.1 level and re-signed.
 */
export function makeEcCertificatePem(): string {
  const issuerPem = rsaKey(2048, 'main');
  const cert = selfSigned(issuerPem, {});
  const [tbs, algorithm] = forge.pki.certificateToAsn1(cert).value as forge.asn1.Asn1[];
  if (!tbs || !algorithm) throw new Error('forge produced a certificate without TBS or algorithm');
  const ecSpki = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' });
  const fields = tbs.value as forge.asn1.Asn1[];
  fields[6] = forge.asn1.fromDer(ecSpki.toString('binary')); // [version, serial, sigAlg, issuer, validity, subject, SPKI, …]
  const signature = createSign('sha256')
    .update(Buffer.from(forge.asn1.toDer(tbs).getBytes(), 'binary'))
    .sign(createPrivateKey(issuerPem));
  const { Class, Type } = forge.asn1;
  const whole = forge.asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [
    tbs,
    algorithm,
    forge.asn1.create(Class.UNIVERSAL, Type.BITSTRING, false, `\u0000${signature.toString('binary')}`),
  ]);
  return forge.pem.encode({ type: 'CERTIFICATE', body: forge.asn1.toDer(whole).getBytes() });
}

/**
 * The raw RSA step of a decryption, `c^d mod n` with no padding, as forge's
 * `pki.rsa.decrypt(c, key, false, false)` returns it (k bytes) and with its checks (c is k bytes,
 * less than n), computed by node's crypto: forge's JavaScript big integers took 0.3-1 s of CPU per
 * 4096-bit decryption here, about 5 s per run of the seal tests. The OAEP decoding, which is what
 * the round trip checks, stays forge's (hybridDecrypt).
 */
function rsaRaw(privateKeyPem: string, bytes: Buffer): string {
  const key = createPrivateKey(privateKeyPem);
  const k = Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  if (bytes.length !== k)
    throw new Error(`Encrypted message length is invalid (${bytes.length} bytes, expected ${k}).`);
  // OpenSSL refuses c >= n ('data too large for modulus'), as forge does.
  return privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, bytes).toString('binary');
}

/** forge's EME-OAEP decoding (node-forge lib/pkcs1.js), which @types/node-forge does not declare. */
const pkcs1 = (
  forge as unknown as {
    readonly pkcs1: {
      decode_rsa_oaep(
        key: forge.pki.rsa.PrivateKey,
        em: string,
        options: { md: forge.md.MessageDigest; mgf1: { md: forge.md.MessageDigest }; label: string },
      ): string;
    };
  }
).pkcs1;

/**
 * kubeseal's HybridDecrypt (sealed-secrets pkg/crypto/crypto.go), with node-forge's OAEP and GCM:
 * 2-byte big-endian RSA length ‖ RSA-OAEP(SHA-256, label) session key ‖ AES-256-GCM (zero nonce) ‖ tag.
 */
export function hybridDecrypt(privateKeyPem: string, ciphertext: Buffer, label: string): Buffer {
  if (ciphertext.length < 2) throw new Error('SealedSecret data is too short');
  const rsaLength = ciphertext.readUInt16BE(0);
  if (ciphertext.length < rsaLength + 2) throw new Error('SealedSecret data is too short');
  const key = forge.pki.privateKeyFromPem(privateKeyPem) as forge.pki.rsa.PrivateKey;
  const sessionKey = pkcs1.decode_rsa_oaep(key, rsaRaw(privateKeyPem, ciphertext.subarray(2, rsaLength + 2)), {
    md: forge.md.sha256.create(),
    mgf1: { md: forge.md.sha256.create() },
    label: Buffer.from(label, 'utf8').toString('binary'),
  });
  const aes = ciphertext.subarray(rsaLength + 2);
  if (aes.length < 16) throw new Error('SealedSecret data is too short');
  const decipher = forge.cipher.createDecipher('AES-GCM', forge.util.createBuffer(sessionKey));
  decipher.start({
    iv: forge.util.createBuffer('\u0000'.repeat(12)),
    tagLength: 128,
    tag: forge.util.createBuffer(aes.subarray(aes.length - 16).toString('binary')),
  });
  decipher.update(forge.util.createBuffer(aes.subarray(0, aes.length - 16).toString('binary')));
  if (!decipher.finish()) throw new Error('cipher: message authentication failed');
  return Buffer.from(decipher.output.getBytes(), 'binary');
}

/** A temporary copy of the committed environments folder (tests never touch src/environments). */
export function copyOfEnvironments(): string {
  const dir = tempDir('arcade-seal-envs-');
  for (const f of readdirSync(ENVIRONMENTS_DIR).filter((f) => f.endsWith('.yaml')))
    cpSync(join(ENVIRONMENTS_DIR, f), join(dir, f));
  return dir;
}

/** A value of `bytes` random printable characters, made at run time (never a fixed secret). */
export function plantedValue(bytes = 24): string {
  return `planted-${forge.util.bytesToHex(forge.random.getBytesSync(bytes))}`;
}
