import type { KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, importJWK, type CryptoKey, type JWK } from 'jose';
import { FedgateError } from '../errors/index.js';
import type { Store } from '../store/index.js';
import { KeyEncryptionKey } from './key-encryption.js';
import { generateSigningKeyPair, isSigningAlgorithm, type SigningAlgorithm } from './signing-algorithm.js';
import {
  parseSigningKeyRecord,
  SIGNING_KEY_CHANNEL,
  SIGNING_KEY_INDEX,
  signingKeyAad,
  signingKeyRecordKey,
  type SigningKeyRecord,
} from './signing-key-record.js';

/** A key jose can sign or verify with. */
export type KeyLike = CryptoKey | KeyObject;

/** Options of SigningKeyRing.open. */
export interface SigningKeyRingOptions {
  readonly store: Store;
  /** Algorithm of new keys; a current key of another algorithm is rotated away at open. */
  readonly algorithm: SigningAlgorithm;
  /** FEDGATE_KEY_ENCRYPTION_KEY (≥ 32 characters); required with a Redis store. */
  readonly keyEncryptionKey?: string;
  /** A key signs for at most this long before the next one replaces it. */
  readonly rotationIntervalSeconds: number;
  /** The longest lifetime of a token signed by these keys (12 h for role sessions). */
  readonly maxTokenLifetimeSeconds: number;
  /**
   * How often the ring reloads the key set and checks the schedule (default 60 s). A retired key stays
   * published this much longer than retiredAt + maxTokenLifetime: an instance that missed the rotation
   * notice signs with the old key until its next reload.
   */
  readonly refreshIntervalSeconds?: number;
  /** Background reload/rotation failures (the next tick retries). */
  readonly onError?: (error: unknown) => void;
  /** Called when this instance created a new signing key (first key, schedule or `rotate`), for the audit trail. */
  readonly onRotated?: (key: { kid: string; generation: number }) => void;
  /**
   * Called when this instance found the key ring gone from the store (an empty store after a failover) and
   * was the first to put its current key back; the other instances adopt it.
   */
  readonly onRestored?: (key: { kid: string; generation: number }) => void;
  readonly now?: () => number;
}

/** The key that signs new tokens. */
export interface CurrentSigningKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly privateKey: KeyLike;
}

interface LoadedKey {
  readonly record: SigningKeyRecord;
  readonly publicKey: CryptoKey;
  privateKey?: Promise<CryptoKey> | undefined;
}

const DEFAULT_REFRESH_SECONDS = 60;
/** At most one store reload per this many ms for tokens naming a kid we do not know. */
const UNKNOWN_KID_REFRESH_MS = 1_000;
/** A current key's record outlives its signing period by this much in the store, in case rotation is late. */
const CURRENT_KEY_TTL_FACTOR = 2;

/**
 * The signing keys every instance shares through the store (SPEC 6.5). Generation n+1 is created with
 * setIfAbsent, so instances that rotate at the same moment converge on one key; a pub/sub notice and a
 * periodic reload spread it. The highest generation is the current key; an older one stays published
 * until its successor's creation + maxTokenLifetime + refreshInterval has passed.
 */
export class SigningKeyRing {
  readonly #store: Store;
  readonly #algorithm: SigningAlgorithm;
  readonly #kek: KeyEncryptionKey | undefined;
  readonly #rotationMs: number;
  readonly #maxLifetimeMs: number;
  readonly #refreshMs: number;
  readonly #now: () => number;
  readonly #onError: (error: unknown) => void;
  readonly #onRotated: (key: { kid: string; generation: number }) => void;
  readonly #onRestored: (key: { kid: string; generation: number }) => void;
  /** By generation, ascending. */
  #keys: LoadedKey[] = [];
  #rotating: Promise<LoadedKey> | undefined;
  #lastUnknownKidRefresh = -Infinity;
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => Promise<void>) | undefined;
  #closed = false;
  /** The store read confirming the current key, while one is in flight. */
  #confirming: { readonly kid: string; readonly answer: Promise<boolean> } | undefined;

  private constructor(options: SigningKeyRingOptions, kek: KeyEncryptionKey | undefined) {
    this.#store = options.store;
    this.#algorithm = options.algorithm;
    this.#kek = kek;
    this.#rotationMs = options.rotationIntervalSeconds * 1000;
    this.#maxLifetimeMs = options.maxTokenLifetimeSeconds * 1000;
    this.#refreshMs = (options.refreshIntervalSeconds ?? DEFAULT_REFRESH_SECONDS) * 1000;
    this.#now = options.now ?? Date.now;
    this.#onError = options.onError ?? (() => {});
    this.#onRotated = options.onRotated ?? (() => {});
    this.#onRestored = options.onRestored ?? (() => {});
  }

  /**
   * Loads the shared key set (creating the first key when there is none), subscribes to rotation
   * notices and starts the schedule. Refuses a Redis store without a key-encryption key.
   */
  static async open(options: SigningKeyRingOptions): Promise<SigningKeyRing> {
    checkOptions(options);
    if (options.keyEncryptionKey === undefined && options.store.kind !== 'memory')
      throw new FedgateError(
        'InvalidConfiguration',
        'FEDGATE_KEY_ENCRYPTION_KEY is not set: with a Redis store the signing keys are shared through it and must be encrypted (at least 32 characters).',
      );
    const kek =
      options.keyEncryptionKey === undefined
        ? undefined
        : KeyEncryptionKey.fromSecret(options.keyEncryptionKey);
    const ring = new SigningKeyRing(options, kek);
    try {
      ring.#unsubscribe = await ring.#store.subscribe(SIGNING_KEY_CHANNEL, () => {
        ring.#reload().catch(ring.#onError);
      });
      await ring.#reload();
      const current = ring.#current();
      if (current === undefined || current.record.alg !== ring.#algorithm || ring.#isDue(current))
        await ring.#rotateFrom(current?.record.generation ?? 0);
      // Fails early on a KEK that does not match the one the shared keys were encrypted with.
      await ring.currentKey();
    } catch (error) {
      ring.close();
      throw error;
    }
    ring.#timer = setInterval(() => {
      ring.#tick().catch(ring.#onError);
    }, ring.#refreshMs);
    ring.#timer.unref();
    return ring;
  }

  /**
   * The key that signs new tokens; rotates first when the schedule says it is due. It is confirmed in the
   * store first (one read), so no instance signs with a key the others cannot find: after an empty store
   * it is put back or, when another instance was first, replaced by theirs.
   */
  async currentKey(): Promise<CurrentSigningKey> {
    let current = this.#current();
    if (current !== undefined && !(await this.#confirmed(current))) {
      await this.#reload();
      current = this.#current();
    }
    if (current === undefined || this.#isDue(current))
      current = await this.#rotateFrom(current?.record.generation ?? 0);
    current.privateKey ??= this.#importPrivateKey(current.record);
    const privateKey = await current.privateKey.catch((error: unknown) => {
      current.privateKey = undefined;
      throw error;
    });
    return { kid: current.record.kid, alg: current.record.alg, privateKey };
  }

  /** The public key of a published kid; reloads from the store (rate-limited) on an unknown kid. */
  async verificationKey(kid: string): Promise<KeyLike | undefined> {
    return (await this.publishedKey(kid))?.key;
  }

  /** The public key of a published kid with the algorithm it is for (a token's `alg` must match). */
  async publishedKey(kid: string): Promise<{ key: KeyLike; alg: SigningAlgorithm } | undefined> {
    let key = this.#byKid(kid);
    const now = this.#now();
    if (key === undefined && now - this.#lastUnknownKidRefresh >= UNKNOWN_KID_REFRESH_MS) {
      this.#lastUnknownKidRefresh = now;
      await this.#reload();
      key = this.#byKid(kid);
    }
    return key !== undefined && this.#isPublished(key, now)
      ? { key: key.publicKey, alg: key.record.alg }
      : undefined;
  }

  /** The JWKS document: every key still needed to verify a live token, current first. */
  async jwks(): Promise<{ keys: JWK[] }> {
    const now = this.#now();
    return {
      keys: this.#keys
        .filter((key) => this.#isPublished(key, now))
        .reverse()
        .map((key) => ({ ...key.record.publicJwk, kid: key.record.kid, alg: key.record.alg, use: 'sig' })),
    };
  }

  /** Replaces the current key now (`fedgate keys rotate`); concurrent rotations converge on one key. */
  async rotate(): Promise<{ kid: string }> {
    await this.#reload();
    const next = await this.#rotateFrom(this.#current()?.record.generation ?? 0);
    return { kid: next.record.kid };
  }

  /** Stops the schedule and the subscription. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    const unsubscribe = this.#unsubscribe;
    this.#unsubscribe = undefined;
    unsubscribe?.().catch(() => {
      // The store may already be closed; nothing is left to release then.
    });
  }

  async #tick(): Promise<void> {
    if (this.#closed) return;
    await this.#reload();
    const current = this.#current();
    if (current === undefined || this.#isDue(current))
      await this.#rotateFrom(current?.record.generation ?? 0);
  }

  #current(): LoadedKey | undefined {
    return this.#keys.at(-1);
  }

  #byKid(kid: string): LoadedKey | undefined {
    return this.#keys.find((key) => key.record.kid === kid);
  }

  #isDue(key: LoadedKey): boolean {
    return this.#now() >= key.record.createdAt + this.#rotationMs;
  }

  #isPublished(key: LoadedKey, now: number): boolean {
    const successor = this.#keys.find((other) => other.record.generation > key.record.generation);
    if (successor === undefined) return true;
    return now < successor.record.createdAt + this.#maxLifetimeMs + this.#refreshMs;
  }

  /**
   * True when the store holds this very key under its generation. Signers arriving while a read for the same
   * key is in flight share its answer (one store read, made during their call), so a burst of signatures costs
   * one round trip instead of one each.
   */
  #confirmed(key: LoadedKey): Promise<boolean> {
    const pending = this.#confirming;
    if (pending !== undefined && pending.kid === key.record.kid) return pending.answer;
    const answer = this.#store
      .get(signingKeyRecordKey(key.record.generation))
      .then((stored) => stored !== undefined && parseSigningKeyRecord(stored)?.kid === key.record.kid);
    const entry = { kid: key.record.kid, answer };
    this.#confirming = entry;
    const settled = (): void => {
      if (this.#confirming === entry) this.#confirming = undefined;
    };
    answer.then(settled, settled);
    return answer;
  }

  /** The store's key records by generation; index members whose record expired are pruned. */
  async #readStored(): Promise<Map<number, SigningKeyRecord>> {
    const members = await this.#store.setMembers(SIGNING_KEY_INDEX);
    const generations = members
      .map(Number)
      .filter((generation) => Number.isSafeInteger(generation) && generation > 0);
    const raw = await this.#store.getMany(generations.map(signingKeyRecordKey));
    const stored = new Map<number, SigningKeyRecord>();
    const absent: number[] = [];
    for (const [index, value] of raw.entries()) {
      const generation = generations[index] as number;
      if (value === undefined) {
        absent.push(generation);
        continue;
      }
      const record = parseSigningKeyRecord(value);
      if (record !== undefined && record.generation === generation) stored.set(generation, record);
    }
    // A member whose record expired is dead weight; only absence is pruned, never a present record.
    await Promise.all(
      absent.map((generation) => this.#store.removeFromSet(SIGNING_KEY_INDEX, String(generation))),
    );
    return stored;
  }

  /**
   * Merges the store's key set into ours. Normally it only adds: a reload that started before a rotation
   * and ends after it must not hide the new key; keys leave by the publication window, not by absence.
   * When the store does not hold our current key, the ring was lost (an empty store after a failover) or
   * re-established by another instance: an empty ring gets our current key back (first writer wins, with
   * setIfAbsent), and otherwise the store's ring replaces ours, so every instance converges on one ring.
   */
  async #reload(): Promise<void> {
    let stored = await this.#readStored();
    const current = this.#current();
    const ours = current === undefined ? undefined : stored.get(current.record.generation);
    if (current !== undefined && ours?.kid !== current.record.kid && this.#rotating === undefined) {
      if (stored.size === 0) {
        const { generation, kid } = current.record;
        const ttlMs = Math.max(1_000, current.record.createdAt + this.#currentKeyTtlMs() - this.#now());
        const key = signingKeyRecordKey(generation);
        if (await this.#store.setIfAbsent(key, JSON.stringify(current.record), ttlMs)) {
          await this.#store.addToSet(SIGNING_KEY_INDEX, String(generation));
          await this.#store.publish(SIGNING_KEY_CHANNEL, String(generation));
          this.#onRestored({ kid, generation });
          return;
        }
        // Another instance was first: its key is the ring now.
        await this.#store.addToSet(SIGNING_KEY_INDEX, String(generation));
        stored = await this.#readStored();
      }
      const kept = new Map(this.#keys.map((key) => [`${key.record.generation}:${key.record.kid}`, key]));
      const next: LoadedKey[] = [];
      for (const record of stored.values())
        next.push(
          kept.get(`${record.generation}:${record.kid}`) ?? {
            record,
            publicKey: (await importJWK(record.publicJwk, record.alg)) as CryptoKey,
          },
        );
      this.#keys = next.sort((a, b) => a.record.generation - b.record.generation);
      this.#forgetUnpublished();
      return;
    }
    for (const record of stored.values()) await this.#adopt(record);
    this.#forgetUnpublished();
  }

  #currentKeyTtlMs(): number {
    return CURRENT_KEY_TTL_FACTOR * this.#rotationMs + this.#maxLifetimeMs + this.#refreshMs;
  }

  async #adopt(record: SigningKeyRecord): Promise<LoadedKey> {
    const known = this.#keys.find((key) => key.record.generation === record.generation);
    if (known !== undefined && known.record.kid === record.kid) return known;
    const publicKey = (await importJWK(record.publicJwk, record.alg)) as CryptoKey;
    const loaded: LoadedKey = { record, publicKey };
    // Re-check after the await: a concurrent reload may have adopted the same generation meanwhile.
    const again = this.#keys.find((key) => key.record.generation === record.generation);
    if (again !== undefined && again.record.kid === record.kid) return again;
    // The store's key of a generation wins over a different one of ours (two rings after an empty store).
    this.#keys = [...this.#keys.filter((key) => key.record.generation !== record.generation), loaded].sort(
      (a, b) => a.record.generation - b.record.generation,
    );
    return loaded;
  }

  #forgetUnpublished(): void {
    const now = this.#now();
    this.#keys = this.#keys.filter((key) => this.#isPublished(key, now));
  }

  /** Makes generation `from + 1` the current key: ours if we create it first, otherwise the winner's. */
  #rotateFrom(from: number): Promise<LoadedKey> {
    const inFlight = this.#rotating;
    if (inFlight !== undefined) return inFlight;
    const rotation = this.#createGeneration(from + 1).finally(() => {
      this.#rotating = undefined;
    });
    this.#rotating = rotation;
    return rotation;
  }

  async #createGeneration(generation: number): Promise<LoadedKey> {
    const known = this.#keys.find((key) => key.record.generation === generation);
    if (known !== undefined) return known;
    const record = await this.#newRecord(generation);
    const recordTtlMs = this.#currentKeyTtlMs();
    const key = signingKeyRecordKey(generation);
    const created = await this.#store.setIfAbsent(key, JSON.stringify(record), recordTtlMs);
    let winner = record;
    if (!created) {
      const stored = await this.#store.get(key);
      const parsed = stored === undefined ? undefined : parseSigningKeyRecord(stored);
      if (parsed === undefined || parsed.generation !== generation)
        throw new FedgateError('InternalError', 'The signing key set in the store is inconsistent.', {
          internal: `signing key generation ${generation} is missing or unreadable after a lost creation race`,
        });
      winner = parsed;
    }
    // Also by the losers: heals an index missing the member after the winner crashed between the two writes.
    await this.#store.addToSet(SIGNING_KEY_INDEX, String(generation));
    if (created) {
      await this.#extendPredecessor(generation - 1);
      await this.#store.publish(SIGNING_KEY_CHANNEL, String(generation));
      this.#onRotated({ kid: record.kid, generation });
    }
    const loaded = await this.#adopt(winner);
    this.#forgetUnpublished();
    return loaded;
  }

  /** The retired key must stay in the store until every token it signed has expired. */
  async #extendPredecessor(generation: number): Promise<void> {
    if (generation < 1) return;
    const key = signingKeyRecordKey(generation);
    const value = await this.#store.get(key);
    if (value !== undefined) await this.#store.set(key, value, this.#maxLifetimeMs + 2 * this.#refreshMs);
  }

  async #newRecord(generation: number): Promise<SigningKeyRecord> {
    const alg = this.#algorithm;
    const pair = await generateSigningKeyPair(alg);
    const publicJwk = await exportJWK(pair.publicKey);
    const privateJwk = await exportJWK(pair.privateKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const createdAt = this.#now();
    const privateKey: SigningKeyRecord['privateKey'] =
      this.#kek === undefined
        ? { enc: 'none', jwk: privateJwk }
        : {
            enc: 'A256GCM',
            blob: this.#kek.encrypt(JSON.stringify(privateJwk), signingKeyAad({ generation, kid, alg })),
          };
    return { v: 1, generation, kid, alg, createdAt, publicJwk, privateKey };
  }

  async #importPrivateKey(record: SigningKeyRecord): Promise<CryptoKey> {
    let jwk: JWK;
    if (record.privateKey.enc === 'none') jwk = record.privateKey.jwk;
    else {
      if (this.#kek === undefined)
        throw new FedgateError(
          'InvalidConfiguration',
          'The signing keys in the store are encrypted but FEDGATE_KEY_ENCRYPTION_KEY is not set.',
        );
      jwk = JSON.parse(this.#kek.decrypt(record.privateKey.blob, signingKeyAad(record))) as JWK;
    }
    return (await importJWK(jwk, record.alg)) as CryptoKey;
  }
}

function checkOptions(options: SigningKeyRingOptions): void {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  if (typeof options.store !== 'object' || options.store === null) throw new TypeError('store is required');
  if (!isSigningAlgorithm(options.algorithm)) throw new TypeError('algorithm must be ES256, EdDSA or RS256');
  for (const name of ['rotationIntervalSeconds', 'maxTokenLifetimeSeconds'] as const)
    if (!(Number.isFinite(options[name]) && options[name] > 0))
      throw new TypeError(`${name} must be positive`);
  const refresh = options.refreshIntervalSeconds;
  if (refresh !== undefined && !(Number.isFinite(refresh) && refresh > 0))
    throw new TypeError('refreshIntervalSeconds must be positive');
}
