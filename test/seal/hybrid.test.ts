/**
 * kubeseal-compatible hybrid encryption and the certificate checks, with throwaway keys made at
 * run time. Decryption uses node-forge (test/seal/support.ts), independent of the sealing code.
 */
import { createHash, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseSealingCertificate } from '../../src/seal/certificate.js';
import { hybridEncrypt, strictScopeLabel } from '../../src/seal/hybrid.js';
import { sealValue } from '../../src/seal/seal.js';
import {
  hybridDecrypt,
  makeEcCertificatePem,
  makeSealingKeyPair,
  plantedValue,
  type SealingKeyPair,
} from './support.js';

let pair: SealingKeyPair;
beforeAll(() => {
  pair = makeSealingKeyPair();
});

describe('hybridEncrypt (kubeseal HybridEncrypt format)', () => {
  it('round-trips through HybridDecrypt with the private key and the strict-scope label', () => {
    const value = plantedValue();
    const cert = parseSealingCertificate(pair.certificatePem, 'test');
    const sealed = sealValue(cert, 'arcade', 'arcade-postgres', Buffer.from(value));

    expect(sealed.boundTo).toBe('arcade/arcade-postgres');
    const bytes = Buffer.from(sealed.ciphertext, 'base64');
    expect(hybridDecrypt(pair.privateKeyPem, bytes, 'arcade/arcade-postgres').toString('utf8')).toBe(value);
  });

  it('lays out 2-byte length ‖ RSA ciphertext ‖ AES-GCM ciphertext ‖ 16-byte tag', () => {
    const value = randomBytes(37);
    const cert = parseSealingCertificate(pair.certificatePem, 'test');
    const bytes = hybridEncrypt(cert.publicKey, value, strictScopeLabel('ns', 'name'));
    expect(bytes.readUInt16BE(0)).toBe(256); // RSA-2048 ciphertext
    expect(bytes.length).toBe(2 + 256 + value.length + 16);
    expect(hybridDecrypt(pair.privateKeyPem, bytes, 'ns/name').equals(value)).toBe(true); // binary-safe
  });

  it('binds the ciphertext to its label: any other Secret, namespace or scope fails to decrypt', () => {
    const cert = parseSealingCertificate(pair.certificatePem, 'test');
    const bytes = Buffer.from(
      sealValue(cert, 'arcade', 'arcade-redis', Buffer.from(plantedValue())).ciphertext,
      'base64',
    );
    for (const label of ['arcade/arcade-postgres', 'other/arcade-redis', 'arcade', '']) {
      expect(() => hybridDecrypt(pair.privateKeyPem, bytes, label), label).toThrow();
    }
  });

  it('uses a fresh session key each time (same value, different ciphertext)', () => {
    const cert = parseSealingCertificate(pair.certificatePem, 'test');
    const value = Buffer.from(plantedValue());
    expect(sealValue(cert, 'a', 'b', value).ciphertext).not.toBe(sealValue(cert, 'a', 'b', value).ciphertext);
  });

  it('works with a 4096-bit key, the sealed-secrets controller default', () => {
    const big = makeSealingKeyPair({ bits: 4096 });
    const value = plantedValue();
    const bytes = Buffer.from(
      sealValue(parseSealingCertificate(big.certificatePem, 'test'), 'x', 'y', Buffer.from(value)).ciphertext,
      'base64',
    );
    expect(bytes.readUInt16BE(0)).toBe(512);
    expect(hybridDecrypt(big.privateKeyPem, bytes, 'x/y').toString()).toBe(value);
  });
});

describe('parseSealingCertificate', () => {
  it('records the sha256 of the DER certificate', () => {
    const der = forge.asn1
      .toDer(forge.pki.certificateToAsn1(forge.pki.certificateFromPem(pair.certificatePem)))
      .getBytes();
    const expected = createHash('sha256').update(Buffer.from(der, 'binary')).digest('hex');
    const cert = parseSealingCertificate(pair.certificatePem, 'test');
    expect(cert.sha256).toBe(expected);
    expect(cert.subject).toContain('CN=sealed-secrets-test');
  });

  it('takes the first certificate when the PEM holds several (as kubeseal does)', () => {
    const other = makeSealingKeyPair({ key: 'other' });
    const cert = parseSealingCertificate(`${pair.certificatePem}${other.certificatePem}`, 'test');
    expect(cert.sha256).toBe(parseSealingCertificate(pair.certificatePem, 'test').sha256);
  });

  it('refuses an expired certificate, saying when it expired and what to do', () => {
    const expired = makeSealingKeyPair({
      notBefore: new Date('2020-01-01T00:00:00Z'),
      notAfter: new Date('2021-01-01T00:00:00Z'),
    });
    expect(() => parseSealingCertificate(expired.certificatePem, '--cert old.pem')).toThrow(
      /--cert old\.pem: certificate expired on 2021-01-01T00:00:00\.000Z \(fix: fetch the controller's current certificate/,
    );
  });

  it('refuses a certificate that is not valid yet', () => {
    const future = makeSealingKeyPair({ notBefore: new Date(Date.now() + 86_400_000) });
    expect(() => parseSealingCertificate(future.certificatePem, 'test')).toThrow(
      /not valid before .*fix: check this machine's clock/,
    );
  });

  it('refuses a certificate whose key is not RSA', () => {
    expect(() => parseSealingCertificate(makeEcCertificatePem(), 'test')).toThrow(
      /has a ec key, but sealed-secrets seals with RSA-OAEP/,
    );
  });

  it('refuses text that is no certificate', () => {
    expect(() => parseSealingCertificate('hello', 'test')).toThrow(/no PEM certificate found/);
    expect(() =>
      parseSealingCertificate('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', 'test'),
    ).toThrow(/not a valid X\.509 certificate/);
  });
});
