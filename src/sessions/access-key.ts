import { randomBytes } from 'node:crypto';
import type { EncryptedBlob, KeyEncryptionKey } from './key-encryption.js';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 (no padding) of `bytes`, uppercase. */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

/** A new access key id: `FSIA` + 16 uppercase base32 characters (80 random bits). */
export function createAccessKeyId(): string {
  return `FSIA${base32(randomBytes(10))}`;
}

/** A new 40-character secret access key (240 random bits, base64 alphabet as AWS uses). */
export function createSecretAccessKey(): string {
  return randomBytes(30).toString('base64');
}

/** The AAD that binds an encrypted secret access key to its session and access key id. */
function secretAad(sessionId: string, accessKeyId: string): string {
  return `fedgate/session-secret/${sessionId}/${accessKeyId}`;
}

/** The secret access key encrypted for the session record (key from FEDGATE_KEY_ENCRYPTION_KEY, purpose session-secrets). */
export function sealSecretAccessKey(
  kek: KeyEncryptionKey,
  session: { readonly id: string; readonly accessKeyId: string },
  secret: string,
): EncryptedBlob {
  return kek.encrypt(secret, secretAad(session.id, session.accessKeyId));
}

/**
 * The secret access key of a session record, for verifying a SigV4 signature; `undefined` when the record has
 * none (an exchanged token) or it does not decrypt (another KEK, or a blob moved from another record).
 */
export function openSecretAccessKey(
  kek: KeyEncryptionKey,
  session: { readonly id: string; readonly accessKeyId: string; readonly secretAccessKey?: EncryptedBlob },
): string | undefined {
  if (session.secretAccessKey === undefined) return undefined;
  return kek.tryDecrypt(session.secretAccessKey, secretAad(session.id, session.accessKeyId));
}
