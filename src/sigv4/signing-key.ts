import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { SCOPE_TERMINATOR, type CredentialScope } from './credential-scope.js';

/** The AWS4-HMAC-SHA256 algorithm name. */
export const AWS4_HMAC_SHA256 = 'AWS4-HMAC-SHA256';

function hmac(key: Uint8Array | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** The derived signing key: HMAC chain `AWS4<secret>` → date → region → service → `aws4_request`. */
export function deriveSigningKey(
  secretAccessKey: string,
  scope: Pick<CredentialScope, 'date' | 'region' | 'service'>,
): Buffer {
  const kDate = hmac(`AWS4${secretAccessKey}`, scope.date);
  const kRegion = hmac(kDate, scope.region);
  const kService = hmac(kRegion, scope.service);
  return hmac(kService, SCOPE_TERMINATOR);
}

/** The hex AWS4-HMAC-SHA256 signature of `stringToSignText` under a derived signing key. */
export function hmacSignature(signingKey: Uint8Array | KeyObject, stringToSignText: string): string {
  return createHmac('sha256', signingKey).update(stringToSignText, 'utf8').digest('hex');
}

/**
 * Derived signing keys by access key and scope, so a hot credential costs two HMACs instead of six.
 * Bounded: the oldest entry goes first. Filled only after the secret was read from a trusted session record.
 */
export class SigningKeyCache {
  readonly #entries = new Map<string, KeyObject>();
  readonly #maxEntries: number;

  constructor(maxEntries = 10_000) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1)
      throw new TypeError('maxEntries must be a positive integer');
    this.#maxEntries = maxEntries;
  }

  /**
   * The signing key for `scope`, derived from `secret()` on a miss; kept as a KeyObject, which HMACs with less
   * work per request than raw bytes.
   */
  get(scope: CredentialScope, secret: () => string): KeyObject {
    const key = `${scope.keyId}/${scope.date}/${scope.region}/${scope.service}`;
    const hit = this.#entries.get(key);
    if (hit !== undefined) return hit;
    const derived = createSecretKey(deriveSigningKey(secret(), scope));
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, derived);
    return derived;
  }

  /** Forgets every key derived for an access key (its session was revoked). */
  forget(keyId: string): void {
    for (const key of this.#entries.keys()) if (key.startsWith(`${keyId}/`)) this.#entries.delete(key);
  }

  /** Number of cached keys. */
  get size(): number {
    return this.#entries.size;
  }
}
