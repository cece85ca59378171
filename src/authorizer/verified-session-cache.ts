import { hash } from 'node:crypto';
import { FedgateError } from '../errors/index.js';
import {
  revocationTouches,
  type RevocationEvent,
  type RoleSession,
  type SessionService,
} from '../sessions/index.js';
import type { Store } from '../store/index.js';
import { BoundedCache, type EvictionCounts } from './bounded-cache.js';

/** A verified credential as the hot path keeps it. */
export interface VerifiedSession {
  readonly session: RoleSession;
  /** Per-session memo (serialized tags, signed assertions): lives and dies with the cache entry. */
  readonly memo: Map<string, unknown>;
}

/**
 * What the cache has done since the process started, for `/metrics`: lookups that found a live entry or not,
 * and entries that left it, by why (`capacity`, `expired`, `revoked`, `reset` when the store connection changed
 * or a reconfiguration started a new cache).
 */
export interface CredentialCacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly evictions: Readonly<EvictionCounts & { revoked: number; reset: number }>;
}

/** What the cache needs: the session service that verifies, the store whose connection it watches. */
export interface VerifiedSessionCacheOptions {
  readonly sessions: SessionService;
  readonly store: Store;
  /** 0 turns caching off: every request verifies against the store. */
  readonly maxEntries: number;
  readonly ttlMs: number;
  readonly now: () => number;
}

/**
 * The authorizer's cache of verified credentials, keyed by a hash of the token (the token itself is never
 * kept). Cached state is trusted only while the store's revocation channel is proven live: revocations
 * evict matching entries, and a lost or silent channel empties the cache; until it is back nothing is
 * cached and every lookup is answered from the store (where revocations are written before they are
 * announced), and when the store cannot be queried at all every lookup fails with StoreUnavailable.
 */
export class VerifiedSessionCache {
  readonly #sessions: SessionService;
  readonly #store: Store;
  readonly #now: () => number;
  #cache: BoundedCache<VerifiedSession> | undefined;
  #maxEntries: number;
  #ttlMs: number;
  /** Bumped by every event that may invalidate state: a verification that started before it is not cached. */
  #generation = 0;
  /**
   * Entries that expired at a `peek`, until the `load` that follows: a re-verification of the same token (the key
   * is its digest) skips the signature check. Emptied with the cache, and on every revocation.
   */
  readonly #expired = new Map<string, VerifiedSession>();
  /** The revocation subscription is live: until then nothing is cached, every lookup reads the store. */
  #subscribed = false;
  #closed = false;
  readonly #unsubscribe: (() => void)[] = [];
  readonly #stats = {
    hits: 0,
    misses: 0,
    evictions: { capacity: 0, expired: 0, revoked: 0, reset: 0 },
  };

  constructor(options: VerifiedSessionCacheOptions) {
    this.#sessions = options.sessions;
    this.#store = options.store;
    this.#now = options.now;
    this.#maxEntries = options.maxEntries;
    this.#ttlMs = options.ttlMs;
    this.#cache =
      options.maxEntries > 0 ? new BoundedCache(options.maxEntries, this.#stats.evictions) : undefined;
    this.#unsubscribe.push(
      this.#store.onConnectionChange((state) => {
        this.#generation++;
        this.#reset();
        if (state === 'up' && !this.#subscribed) this.#subscribe();
      }),
    );
    this.#unsubscribe.push(this.#sessions.onRevocation((event) => this.#revoked(event)));
    this.#subscribe();
  }

  /** start() is idempotent; a failed one (store down) is retried when the connection comes back. */
  #subscribe(): void {
    this.#sessions.start().then(
      () => {
        if (!this.#closed) this.#subscribed = true;
      },
      () => {
        this.#subscribed = false;
      },
    );
  }

  /** Applies new limits (config reload); a smaller capacity starts an empty cache. */
  configure(maxEntries: number, ttlMs: number): void {
    this.#ttlMs = ttlMs;
    if (maxEntries === this.#maxEntries) return;
    this.#maxEntries = maxEntries;
    this.#generation++;
    this.#reset();
    this.#cache = maxEntries > 0 ? new BoundedCache(maxEntries, this.#stats.evictions) : undefined;
  }

  /** True while session state can be checked: the store answers commands. */
  available(): boolean {
    return this.#store.canQuery();
  }

  /** True while cached state may be used: the revocation channel is proven live and subscribed. */
  #trusted(): boolean {
    return this.#subscribed && this.#store.isConnected();
  }

  /**
   * The live session a credential carries. Throws FedgateError InvalidToken/ExpiredToken (refuse) or
   * StoreUnavailable (cannot decide).
   */
  async resolve(token: string): Promise<VerifiedSession> {
    return this.peek(token) ?? this.load(token);
  }

  /** Verifies a credential against the store and caches it: the step after a `peek` that missed. */
  async load(token: string): Promise<VerifiedSession> {
    const key = cacheKey(token);
    const now = this.#now();
    const generation = this.#generation;
    // An entry that expired under this key was verified from this very token: its signature need not be checked
    // again (the store's record and revocation markers, the key's publication and the expiry are).
    const before = this.#expired.get(key);
    if (before !== undefined) this.#expired.delete(key);
    const session = await this.#sessions.verify(
      token,
      before === undefined ? {} : { verifiedBefore: before.session },
    );
    // The connection may have dropped, or a revocation arrived, while we were verifying.
    this.#ensureAvailable();
    const entry: VerifiedSession = { session, memo: new Map() };
    const expiresAt = Math.min(this.#now() + this.#ttlMs, session.expiresAt * 1000);
    if (this.#cache !== undefined && this.#trusted() && generation === this.#generation && expiresAt > now)
      this.#cache.set(key, entry, expiresAt);
    return entry;
  }

  /**
   * The cached session for a credential, synchronously, or undefined (not cached: call resolve).
   * Throws StoreUnavailable while the store is down, like resolve.
   */
  peek(token: string): VerifiedSession | undefined {
    this.#ensureAvailable();
    if (this.#cache === undefined) {
      this.#stats.misses++;
      return undefined;
    }
    if (!this.#trusted()) {
      this.#reset();
      this.#stats.misses++;
      return undefined;
    }
    const key = cacheKey(token);
    const found = this.#cache.get(key, this.#now(), (stale) => this.#keepExpired(key, stale));
    if (found === undefined) this.#stats.misses++;
    else this.#stats.hits++;
    return found;
  }

  /** Lookups and evictions so far (the counters only grow). */
  stats(): CredentialCacheStats {
    return this.#stats;
  }

  /** Number of cached credentials. */
  get size(): number {
    return this.#cache?.size ?? 0;
  }

  /** Stops listening to the store and the revocations. */
  close(): void {
    this.#closed = true;
    this.#subscribed = false;
    for (const off of this.#unsubscribe.splice(0)) off();
    this.#cache?.clear();
  }

  /** Empties the cache: its state can no longer be trusted. */
  #reset(): void {
    this.#stats.evictions.reset += this.#cache?.clear() ?? 0;
    this.#expired.clear();
  }

  /** Keeps an entry that just expired for the `load` about to follow the miss (bounded: a burst of misses). */
  #keepExpired(key: string, entry: VerifiedSession): void {
    if (this.#expired.size >= EXPIRED_KEPT) this.#expired.clear();
    this.#expired.set(key, entry);
  }

  #ensureAvailable(): void {
    if (this.available()) return;
    this.#reset();
    throw new FedgateError('StoreUnavailable', 'Session state cannot be checked right now.');
  }

  #revoked(event: RevocationEvent): void {
    this.#generation++;
    this.#expired.clear();
    const cache = this.#cache;
    if (cache === undefined) return;
    // A revocation reaches the sessions derived from the revoked one too (chained, exchanged, delegated).
    this.#stats.evictions.revoked += cache.deleteWhere(({ session }) => revocationTouches(event, session));
  }
}

/** How many expired entries are kept for their re-verification at most (they are taken within one request). */
const EXPIRED_KEPT = 1024;

/** The token is never kept, only its digest. */
function cacheKey(token: string): string {
  // One-shot hashing: several times cheaper per request than a Hash object, and no raw token is kept as a key.
  return hash('sha256', token, 'base64url');
}
