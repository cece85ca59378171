import { createHmac, hash } from 'node:crypto';
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

/** SHA-256's block size: an HMAC key is padded (or first hashed) to it (RFC 2104, section 2). */
const SHA256_BLOCK_BYTES = 64;
const SHA256_BYTES = 32;
const INNER_PAD = 0x36;
const OUTER_PAD = 0x5c;

/**
 * A derived signing key made ready for HMAC-SHA256 (RFC 2104): its inner and outer padded keys are computed once,
 * so a signature costs two one-shot SHA-256 digests. `createHmac` builds a Hmac object and sets the key up again on
 * every call, which on the authorizer's hot path cost more than the hashing (bench/authorizer, perf: about a third
 * of the signature check).
 */
export class SigningKey {
  readonly #innerPad: Buffer;
  readonly #outerPad: Buffer;

  constructor(key: Uint8Array) {
    const block = Buffer.alloc(SHA256_BLOCK_BYTES);
    block.set(key.length > SHA256_BLOCK_BYTES ? hash('sha256', key, 'buffer') : key);
    this.#innerPad = Buffer.alloc(SHA256_BLOCK_BYTES);
    this.#outerPad = Buffer.alloc(SHA256_BLOCK_BYTES);
    for (let i = 0; i < SHA256_BLOCK_BYTES; i += 1) {
      this.#innerPad[i] = (block[i] as number) ^ INNER_PAD;
      this.#outerPad[i] = (block[i] as number) ^ OUTER_PAD;
    }
    block.fill(0);
  }

  /** HMAC-SHA256 of `text` (UTF-8): SHA-256(outer pad ‖ SHA-256(inner pad ‖ text)). */
  mac(text: string): Buffer {
    const inner = Buffer.allocUnsafe(SHA256_BLOCK_BYTES + Buffer.byteLength(text, 'utf8'));
    this.#innerPad.copy(inner, 0);
    inner.write(text, SHA256_BLOCK_BYTES, 'utf8');
    const outer = Buffer.allocUnsafe(SHA256_BLOCK_BYTES + SHA256_BYTES);
    this.#outerPad.copy(outer, 0);
    hash('sha256', inner, 'buffer').copy(outer, SHA256_BLOCK_BYTES);
    return hash('sha256', outer, 'buffer');
  }
}

/** The AWS4-HMAC-SHA256 signature (raw bytes) of `stringToSignText` under a derived signing key. */
export function hmacSignature(signingKey: Uint8Array | SigningKey, stringToSignText: string): Buffer {
  return (signingKey instanceof SigningKey ? signingKey : new SigningKey(signingKey)).mac(stringToSignText);
}

/**
 * Derived signing keys by access key and scope, so a hot credential costs two HMACs instead of six.
 * Bounded: the oldest entry goes first. Filled only after the secret was read from a trusted session record.
 */
export class SigningKeyCache {
  readonly #entries = new Map<string, SigningKey>();
  readonly #maxEntries: number;

  constructor(maxEntries = 10_000) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1)
      throw new TypeError('maxEntries must be a positive integer');
    this.#maxEntries = maxEntries;
  }

  /**
   * The signing key for `scope`, derived from `secret()` on a miss and kept with its HMAC pads computed.
   */
  get(scope: CredentialScope, secret: () => string): SigningKey {
    const key = `${scope.keyId}/${scope.date}/${scope.region}/${scope.service}`;
    const hit = this.#entries.get(key);
    if (hit !== undefined) return hit;
    const derived = new SigningKey(deriveSigningKey(secret(), scope));
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
