/**
 * kubeseal's hybrid encryption (AES-256-GCM + RSA-OAEP), byte-compatible with
 * bitnami-labs/sealed-secrets `pkg/crypto/crypto.go` HybridEncrypt:
 *
 *     2-byte big-endian length of the RSA ciphertext ‖ RSA ciphertext ‖ AES-GCM ciphertext ‖ tag
 *
 * A fresh random 32-byte session key encrypts the value with AES-256-GCM and a 12-byte zero
 * nonce (safe: the key is used once); RSA-OAEP with SHA-256 and the scope label encrypts the
 * session key. The label binds the ciphertext: the controller decrypts with the label of the
 * SealedSecret it is reading, so ciphertext sealed for one Secret cannot be moved to another.
 *
 * @see https://github.com/bitnami-labs/sealed-secrets/blob/main/pkg/crypto/crypto.go
 * @see https://github.com/bitnami-labs/sealed-secrets#scopes
 */
import { constants, createCipheriv, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';

/** Session key size (sealed-secrets `sessionKeyBytes`). */
export const SESSION_KEY_BYTES = 32;
/** GCM standard nonce size; kubeseal uses an all-zero nonce of this size. */
export const GCM_NONCE_BYTES = 12;

/**
 * The encryption label of the strict scope (sealed-secrets `EncryptionLabel`): `<namespace>/<name>`.
 * This stack seals only in strict scope, the sealed-secrets default.
 */
export function strictScopeLabel(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** HybridEncrypt: seals `plaintext` for the holder of the private key of `publicKey`, bound to `label`. */
export function hybridEncrypt(publicKey: KeyObject, plaintext: Uint8Array, label: string): Buffer {
  const sessionKey = randomBytes(SESSION_KEY_BYTES);
  try {
    const rsaCiphertext = publicEncrypt(
      {
        key: publicKey,
        padding: constants.RSA_PKCS1_OAEP_PADDING,
        oaepHash: 'sha256',
        oaepLabel: Buffer.from(label, 'utf8'),
      },
      sessionKey,
    );
    if (rsaCiphertext.length > 0xffff)
      throw new Error(`RSA ciphertext of ${rsaCiphertext.length} bytes does not fit the 2-byte length prefix`);
    const length = Buffer.alloc(2);
    length.writeUInt16BE(rsaCiphertext.length);
    const aes = createCipheriv('aes-256-gcm', sessionKey, Buffer.alloc(GCM_NONCE_BYTES));
    const sealed = Buffer.concat([aes.update(plaintext), aes.final()]);
    return Buffer.concat([length, rsaCiphertext, sealed, aes.getAuthTag()]);
  } finally {
    sessionKey.fill(0);
  }
}
