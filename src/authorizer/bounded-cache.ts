/** How stale an entry's recency may be (ms); eviction order is exact up to this. */
const RECENCY_RESOLUTION_MS = 1000;

/** Why entries left a cache before anyone removed them on purpose: counted for `/metrics`. */
export interface EvictionCounts {
  /** The least recently used entry made room for a new one. */
  capacity: number;
  /** An entry was found past its expiry. */
  expired: number;
}

/**
 * A bounded LRU map with per-entry expiry: the authorizer's cache of verified credentials.
 * Memory is capped by `maxEntries`; an entry is never returned after `expiresAt`.
 */
export class BoundedCache<V> {
  readonly #entries = new Map<string, { value: V; expiresAt: number; touchedAt: number }>();
  readonly #maxEntries: number;
  readonly #evictions: EvictionCounts;

  /** `evictions` is incremented in place, so a counter outlives a cache replaced on reconfiguration. */
  constructor(maxEntries: number, evictions: EvictionCounts = { capacity: 0, expired: 0 }) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1)
      throw new TypeError('maxEntries must be a positive integer');
    this.#maxEntries = maxEntries;
    this.#evictions = evictions;
  }

  /**
   * The value when present and not expired at `now` (ms); refreshes its recency. An expired entry is removed and
   * handed to `expired`. Recency is refreshed at most
   * once a second per entry: moving a hot entry to the end of a large Map on every hit churns the Map's table
   * for no change in what gets evicted.
   */
  get(key: string, now: number, expired?: (value: V) => void): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now) {
      this.#entries.delete(key);
      this.#evictions.expired++;
      expired?.(entry.value);
      return undefined;
    }
    if (now - entry.touchedAt >= RECENCY_RESOLUTION_MS) {
      entry.touchedAt = now;
      this.#entries.delete(key);
      this.#entries.set(key, entry);
    }
    return entry.value;
  }

  /** Stores a value until `expiresAt` (ms), evicting the least recently used entry when full. */
  set(key: string, value: V, expiresAt: number): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) {
        this.#entries.delete(oldest.value);
        this.#evictions.capacity++;
      }
    }
    this.#entries.set(key, { value, expiresAt, touchedAt: Number.NEGATIVE_INFINITY });
  }

  /** Removes every entry for which the predicate holds; returns how many. */
  deleteWhere(predicate: (value: V) => boolean): number {
    let removed = 0;
    for (const [key, entry] of this.#entries)
      if (predicate(entry.value)) {
        this.#entries.delete(key);
        removed++;
      }
    return removed;
  }

  /** Drops everything (store connection lost, revocation of unknown scope); returns how many. */
  clear(): number {
    const removed = this.#entries.size;
    this.#entries.clear();
    return removed;
  }

  /** Number of entries held. */
  get size(): number {
    return this.#entries.size;
  }
}
