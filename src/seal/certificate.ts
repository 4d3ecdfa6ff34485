/**
 * The sealing certificate: the sealed-secrets controller's public certificate (PEM), checked
 * before anything is encrypted with it. kubeseal uses the first certificate of the PEM (the
 * controller serves its newest key first); so does this module.
 */
import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import { CertificateError } from './errors.js';

/** A checked sealing certificate. */
export interface SealingCertificate {
  readonly publicKey: KeyObject;
  /** sha256 of the certificate's DER, lower-case hex (what `certificateSha256` records). */
  readonly sha256: string;
  readonly subject: string;
  readonly validTo: Date;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/**
 * Parses and checks a PEM certificate: it must parse, be valid at `now`, and carry an RSA key.
 * `source` names where it came from (a file, the controller) for the error messages.
 */
export function parseSealingCertificate(pem: string, source: string, now: Date = new Date()): SealingCertificate {
  const block = PEM_CERTIFICATE.exec(pem)?.[0];
  if (!block) {
    throw new CertificateError(
      `${source}: no PEM certificate found (fix: give the controller's public certificate, e.g. from kubeseal --fetch-cert)`,
    );
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(block);
  } catch (err) {
    throw new CertificateError(
      `${source}: not a valid X.509 certificate (${(err as Error).message}) (fix: give the controller's public certificate)`,
    );
  }
  const validFrom = new Date(cert.validFrom);
  const validTo = new Date(cert.validTo);
  if (now < validFrom) {
    throw new CertificateError(
      `${source}: certificate is not valid before ${validFrom.toISOString()} (fix: check this machine's clock, or fetch the controller's current certificate)`,
    );
  }
  if (now > validTo) {
    throw new CertificateError(
      `${source}: certificate expired on ${validTo.toISOString()} (fix: fetch the controller's ` +
        `current certificate; the controller renews its key every 30 days by default)`,
    );
  }
  const keyType = cert.publicKey.asymmetricKeyType;
  if (keyType !== 'rsa') {
    throw new CertificateError(
      `${source}: certificate has a ${keyType ?? 'unknown'} key, but sealed-secrets seals with ` +
        `RSA-OAEP (fix: give the sealed-secrets controller's certificate, which carries an RSA key)`,
    );
  }
  return {
    publicKey: cert.publicKey,
    sha256: createHash('sha256').update(cert.raw).digest('hex'),
    subject: cert.subject.replace(/\n/g, ', '),
    validTo,
  };
}
