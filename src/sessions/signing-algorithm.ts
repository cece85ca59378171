import { generateKeyPair, type CryptoKey } from 'jose';

/** The JWS algorithms fedgate signs session credentials with (`signing.algorithm`). */
export type SigningAlgorithm = 'ES256' | 'EdDSA' | 'RS256';

/** Every supported signing algorithm, in the order the configuration documents them. */
export const SIGNING_ALGORITHMS: readonly SigningAlgorithm[] = ['ES256', 'EdDSA', 'RS256'];

/** True when `value` names a supported signing algorithm. */
export function isSigningAlgorithm(value: unknown): value is SigningAlgorithm {
  return typeof value === 'string' && (SIGNING_ALGORITHMS as readonly string[]).includes(value);
}

/** A fresh, extractable key pair for `algorithm` (extractable so the private half can be shared through the store). */
export async function generateSigningKeyPair(
  algorithm: SigningAlgorithm,
): Promise<{ publicKey: CryptoKey; privateKey: CryptoKey }> {
  switch (algorithm) {
    case 'ES256':
      return generateKeyPair('ES256', { extractable: true });
    case 'EdDSA':
      return generateKeyPair('EdDSA', { extractable: true, crv: 'Ed25519' });
    case 'RS256':
      return generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  }
}
