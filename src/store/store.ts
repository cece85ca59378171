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
  /** Adds a member to a set; ttlMs (re)sets the set's expiry to at least that long. */
  addToSet(key: string, member: string, ttlMs?: number): Promise<void>;
  /** Removes a member from a set. */
  removeFromSet(key: string, member: string): Promise<void>;
  /** Members of a set (empty when absent). */
  setMembers(key: string): Promise<string[]>;
  /** Publishes a message to every subscriber of the channel, on every instance sharing the store. */
  publish(channel: string, message: string): Promise<void>;
  /** Subscribes; resolves once the subscription is active; the returned function unsubscribes. */
  subscribe(channel: string, listener: (message: string) => void): Promise<() => Promise<void>>;
  /** Round trip to the backend; rejects with StoreUnavailable when it cannot be reached. */
  ping(): Promise<void>;
  /** True while both the command and the subscription connections are up. */
  isConnected(): boolean;
  /** Called with `down` when a connection is lost and `up` when all are back; returns an unsubscribe. */
  onConnectionChange(listener: (state: 'up' | 'down') => void): () => void;
  /** Closes connections and timers. */
  close(): Promise<void>;
}

/** The adapters fedgate ships. */
export type StoreKind = 'memory' | 'redis';
