import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

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

/** Hex SHA-256 of a secret access key: what the session record keeps. */
export function hashSecretAccessKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** True when `secret` is the secret access key issued with this session (constant-time comparison). */
export function verifySecretAccessKey(
  session: { readonly secretAccessKeySha256: string },
  secret: string,
): boolean {
  if (typeof secret !== 'string') return false;
  const expected = Buffer.from(session.secretAccessKeySha256, 'hex');
  const actual = createHash('sha256').update(secret, 'utf8').digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
