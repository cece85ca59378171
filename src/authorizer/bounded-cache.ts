/** How stale an entry's recency may be (ms); eviction order is exact up to this. */
const RECENCY_RESOLUTION_MS = 1000;

/**
 * A bounded LRU map with per-entry expiry: the authorizer's cache of verified credentials.
 * Memory is capped by `maxEntries`; an entry is never returned after `expiresAt`.
 */
export class BoundedCache<V> {
  readonly #entries = new Map<string, { value: V; expiresAt: number; touchedAt: number }>();
  readonly #maxEntries: number;

  constructor(maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1)
      throw new TypeError('maxEntries must be a positive integer');
    this.#maxEntries = maxEntries;
  }

  /**
   * The value when present and not expired at `now` (ms); refreshes its recency. Recency is refreshed at most
   * once a second per entry: moving a hot entry to the end of a large Map on every hit churns the Map's table
   * for no change in what gets evicted.
   */
  get(key: string, now: number): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now) {
      this.#entries.delete(key);
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
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { value, expiresAt, touchedAt: Number.NEGATIVE_INFINITY });
  }

  /** Removes every entry for which the predicate holds. */
  deleteWhere(predicate: (value: V) => boolean): void {
    for (const [key, entry] of this.#entries) if (predicate(entry.value)) this.#entries.delete(key);
  }

  /** Drops everything (store connection lost, revocation of unknown scope). */
  clear(): void {
    this.#entries.clear();
  }

  /** Number of entries held. */
  get size(): number {
    return this.#entries.size;
  }
}
