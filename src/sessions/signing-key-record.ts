import type { JWK } from 'jose';
import type { EncryptedBlob } from './key-encryption.js';
import { isSigningAlgorithm, type SigningAlgorithm } from './signing-algorithm.js';

/** How a signing key is kept in the store, JSON-encoded under `signing-keys:<generation>`. */
export interface SigningKeyRecord {
  readonly v: 1;
  /** 1, 2, 3…: the highest generation present is the current key; retired keys have a successor. */
  readonly generation: number;
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  /** Epoch ms; also the retirement time of the previous generation. */
  readonly createdAt: number;
  readonly publicJwk: JWK;
  /** Encrypted under the KEK, or (embedded store without a KEK only) the JWK itself. */
  readonly privateKey:
    { readonly enc: 'A256GCM'; readonly blob: EncryptedBlob } | { readonly enc: 'none'; readonly jwk: JWK };
}

/** Store key of the set listing every generation. */
export const SIGNING_KEY_INDEX = 'signing-keys';
/** Pub/sub channel announcing a new generation, so every instance reloads at once. */
export const SIGNING_KEY_CHANNEL = 'signing-keys';

/** Store key of one generation's record. */
export function signingKeyRecordKey(generation: number): string {
  return `${SIGNING_KEY_INDEX}:${generation}`;
}

/** Additional authenticated data binding an encrypted private key to its record. */
export function signingKeyAad(record: Pick<SigningKeyRecord, 'generation' | 'kid' | 'alg'>): string {
  return `fedgate-signing-key:${record.generation}:${record.kid}:${record.alg}`;
}

/** Parses a stored record; undefined when it is not one (a foreign or corrupt value is ignored, not trusted). */
export function parseSigningKeyRecord(raw: string): SigningKeyRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Record<string, unknown>;
  if (r['v'] !== 1) return undefined;
  if (!Number.isSafeInteger(r['generation']) || (r['generation'] as number) < 1) return undefined;
  if (typeof r['kid'] !== 'string' || r['kid'] === '') return undefined;
  if (!isSigningAlgorithm(r['alg'])) return undefined;
  if (typeof r['createdAt'] !== 'number' || !Number.isFinite(r['createdAt'])) return undefined;
  if (typeof r['publicJwk'] !== 'object' || r['publicJwk'] === null) return undefined;
  const privateKey = r['privateKey'] as Record<string, unknown> | null | undefined;
  if (typeof privateKey !== 'object' || privateKey === null) return undefined;
  if (privateKey['enc'] === 'A256GCM') {
    const blob = privateKey['blob'] as Record<string, unknown> | null | undefined;
    if (typeof blob !== 'object' || blob === null) return undefined;
    if (![blob['iv'], blob['ciphertext'], blob['tag']].every((part) => typeof part === 'string'))
      return undefined;
  } else if (privateKey['enc'] === 'none') {
    if (typeof privateKey['jwk'] !== 'object' || privateKey['jwk'] === null) return undefined;
  } else return undefined;
  return value as SigningKeyRecord;
}
