import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// Per process: the digests are only ever compared in this process, and a heap dump does not give a
// precomputable hash of the secret.
const PEPPER = randomBytes(32);

function digest(secret: string): Buffer {
  return createHmac('sha256', PEPPER).update(secret, 'utf8').digest();
}

/** A client secret kept only as a keyed digest once the configuration is loaded. */
export class HashedClientSecret {
  readonly #digest: Buffer;

  private constructor(value: Buffer) {
    this.#digest = value;
  }

  /** Hashes a configured secret. */
  static from(secret: string): HashedClientSecret {
    if (typeof secret !== 'string' || secret === '') throw new TypeError('secret is required');
    return new HashedClientSecret(digest(secret));
  }

  /** Constant-time comparison with a presented secret. */
  matches(candidate: string): boolean {
    return timingSafeEqual(this.#digest, digest(candidate));
  }
}

/** Compared against when the client is unknown, so an unknown id costs as much as a wrong secret. */
export const UNKNOWN_CLIENT_SECRET = HashedClientSecret.from(randomBytes(32).toString('base64url'));
