import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { FedgateError } from '../errors/index.js';

/** The shortest FEDGATE_KEY_ENCRYPTION_KEY accepted (SPEC 6.5). */
export const MIN_KEY_ENCRYPTION_KEY_LENGTH = 32;

/** A private key encrypted with AES-256-GCM; every field base64url. */
export interface EncryptedBlob {
  readonly iv: string;
  readonly ciphertext: string;
  readonly tag: string;
}

// Fixed salt and info: the KEK is already a high-entropy secret, HKDF only shapes it into an AES key and
// domain-separates it from any other use of the same environment value.
const HKDF_SALT = 'fedgate/key-encryption';

/**
 * What a derived key protects; each purpose gets its own AES key (HKDF info), so a ciphertext of one kind can
 * never be decrypted as another.
 */
export type KeyEncryptionPurpose =
  'signing-keys' | 'session-secrets' | 'authorization-messages' | 'portal-id-tokens';

const HKDF_INFO: Record<KeyEncryptionPurpose, string> = {
  'signing-keys': 'fedgate signing keys v1 A256GCM',
  'session-secrets': 'fedgate session secret access keys v1 A256GCM',
  'authorization-messages': 'fedgate encoded authorization messages v1 A256GCM',
  'portal-id-tokens': 'fedgate portal sign-in ID tokens v1 A256GCM',
};

/**
 * The key-encryption key derived from FEDGATE_KEY_ENCRYPTION_KEY. Encrypts private signing keys before
 * they are written to a shared store; `aad` binds a ciphertext to the record it belongs to, so a
 * ciphertext moved to another record does not decrypt.
 */
export class KeyEncryptionKey {
  readonly #key: Buffer;

  private constructor(key: Buffer) {
    this.#key = key;
  }

  /** Derives the AES key for `purpose`; refuses a value shorter than 32 characters with InvalidConfiguration. */
  static fromSecret(secret: string, purpose: KeyEncryptionPurpose = 'signing-keys'): KeyEncryptionKey {
    if (typeof secret !== 'string' || secret.length < MIN_KEY_ENCRYPTION_KEY_LENGTH)
      throw new FedgateError(
        'InvalidConfiguration',
        `FEDGATE_KEY_ENCRYPTION_KEY must be at least ${MIN_KEY_ENCRYPTION_KEY_LENGTH} characters long.`,
      );
    const key = Buffer.from(
      hkdfSync('sha256', Buffer.from(secret, 'utf8'), HKDF_SALT, HKDF_INFO[purpose], 32),
    );
    return new KeyEncryptionKey(key);
  }

  /** Encrypts `plaintext` with a fresh 96-bit IV. */
  encrypt(plaintext: string, aad: string): EncryptedBlob {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return {
      iv: iv.toString('base64url'),
      ciphertext: ciphertext.toString('base64url'),
      tag: cipher.getAuthTag().toString('base64url'),
    };
  }

  /** Decrypts; `undefined` for a wrong KEK, another record's AAD or a tampered blob. */
  tryDecrypt(blob: EncryptedBlob, aad: string): string | undefined {
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(blob.iv, 'base64url'));
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(Buffer.from(blob.tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(blob.ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      return undefined;
    }
  }

  /** Decrypts; a wrong KEK or a tampered blob is InvalidConfiguration (the operator's KEK does not match). */
  decrypt(blob: EncryptedBlob, aad: string): string {
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(blob.iv, 'base64url'));
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(Buffer.from(blob.tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(blob.ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch (error) {
      throw new FedgateError(
        'InvalidConfiguration',
        'A signing key in the store cannot be decrypted: FEDGATE_KEY_ENCRYPTION_KEY differs from the one that encrypted it.',
        { cause: error },
      );
    }
  }
}
