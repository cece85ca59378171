/**
 * What fedgate keeps: records with TTL, single-use markers for replay caches, counters, small sets
 * (indexes such as the sessions of a portal session), and publish/subscribe for revocations.
 *
 * Keys are given without the configured prefix; adapters add it. Values are strings (callers JSON-encode).
 * Every method rejects with FedgateError('StoreUnavailable') when the backend cannot be reached: callers
 * on security paths must treat that as "cannot decide" (fail closed), never as "absent".
 */
export interface Store {
  /** `memory` or `redis`. */
  readonly kind: StoreKind;
  /** The value, or undefined when absent or expired. */
  get(key: string): Promise<string | undefined>;
  /** Values of several keys in one round trip, in order. */
  getMany(keys: readonly string[]): Promise<(string | undefined)[]>;
  /** Writes a value; with ttlMs it expires after that many milliseconds. */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Atomically writes the value only if the key is absent; true when written (replay caches). */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Atomically reads and deletes (single-use state such as OIDC `state`/`nonce`). */
  take(key: string): Promise<string | undefined>;
  /** Deletes; true when something was deleted. */
  delete(key: string): Promise<boolean>;
  /** Remaining lifetime in milliseconds; undefined when absent, Infinity when it has no TTL. */
  ttl(key: string): Promise<number | undefined>;
  /** Atomically increments a counter and returns the new value; ttlMs is set when the counter is created. */
  increment(key: string, ttlMs?: number): Promise<number>;
  /**
   * Adds a member to a set. With ttlMs the member expires after that long (a re-add only ever extends it),
   * without it the member stays until removed; the set expires with its last member.
   */
  addToSet(key: string, member: string, ttlMs?: number): Promise<void>;
  /** Removes a member from a set. */
  removeFromSet(key: string, member: string): Promise<void>;
  /**
   * Live members of a set (empty when absent); with `page`, at most `count` of them from `offset` on, in a
   * stable order (by expiry), so that very large indexes are read in bounded round trips.
   */
  setMembers(key: string, page?: { readonly offset: number; readonly count: number }): Promise<string[]>;
  /**
   * Applies writes atomically (all or none). On a Redis Cluster every key must share one hash tag
   * (`{…}`). With `durable`, and a store configured with `durableReplicas`, resolves only once that many
   * replicas acknowledged the writes (Redis WAIT); StoreUnavailable otherwise (the writes may still be
   * applied: retry, the writes are idempotent).
   */
  commit(writes: readonly StoreWrite[], options?: { readonly durable?: boolean }): Promise<void>;
  /**
   * Applies a batch of hash updates atomically; with `once`, only if its marker key is absent (the marker is
   * then written with its TTL), so a batch retried after a lost reply is never counted twice. With a Redis
   * cluster every key of one call must hash to the same slot (give them one `{tag}`).
   */
  updateHashes(updates: readonly HashUpdate[], once?: { key: string; ttlMs: number }): Promise<void>;
  /** The fields of several hashes in one round trip, in order (an empty object for an absent hash). */
  readHashes(keys: readonly string[]): Promise<Record<string, string>[]>;
  /**
   * Publishes a message to every subscriber of the channel, on every instance sharing the store. No order is
   * promised between two messages (a Redis Cluster may route them through different nodes): subscribers must
   * not depend on it (revocations evict, key-ring notices reload, both idempotent).
   */
  publish(channel: string, message: string): Promise<void>;
  /** Subscribes; resolves once the subscription is active; the returned function unsubscribes. */
  subscribe(channel: string, listener: (message: string) => void): Promise<() => Promise<void>>;
  /** Round trip to the backend; rejects with StoreUnavailable when it cannot be reached. */
  ping(): Promise<void>;
  /**
   * True while the command connection is up and the revocation channel is proven live (subscribed, and
   * the store's own heartbeat heard within the liveness bound). Cached state is trustworthy only then.
   */
  isConnected(): boolean;
  /** True while commands reach the backend, even when the revocation channel is not live (read from the store then). */
  canQuery(): boolean;
  /** Called with `down` when a connection is lost and `up` when all are back; returns an unsubscribe. */
  onConnectionChange(listener: (state: 'up' | 'down') => void): () => void;
  /** Where the store is, for messages: an address without credentials (`redis://10.0.0.5:6379`), or `embedded`. */
  describe(): string;
  /** Closes connections and timers. */
  close(): Promise<void>;
}

/** One write of a `commit`. */
export type StoreWrite =
  | { readonly op: 'set'; readonly key: string; readonly value: string; readonly ttlMs?: number }
  | { readonly op: 'delete'; readonly key: string };
/**
/** One hash's part of `updateHashes`: integer counters to add to, and fields that keep the greatest value. */
export interface HashUpdate {
  readonly key: string;
  /** Field → amount added (the field starts at 0). */
  readonly increments?: Readonly<Record<string, number>>;
  /** Field → value, kept only when greater (by code-unit order) than the stored one: "last seen" timestamps. */
  readonly maxima?: Readonly<Record<string, string>>;
  /** The hash's expiry is set to this many milliseconds from now. */
  readonly ttlMs: number;
}

/** The adapters fedgate ships. */
export type StoreKind = 'memory' | 'redis';
