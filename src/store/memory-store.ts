import { FedgateError } from '../errors/index.js';
import type { Store } from './store.js';
import { checkHashUpdate, checkString, checkTtlMs } from './store-arguments.js';

/** Options of the embedded store. */
export interface MemoryStoreOptions {
  /** Prepended to every key, as the Redis adapter does. */
  readonly keyPrefix?: string;
  /** Clock in epoch milliseconds; injected by tests. */
  readonly now?: () => number;
}

type Entry =
  | { readonly kind: 'string'; value: string; expiresAt: number }
  /** Each member with its own expiry (epoch ms, Infinity without a TTL); the set expires with its last member. */
  | { readonly kind: 'set'; readonly members: Map<string, number>; expiresAt: number }
  | { readonly kind: 'hash'; readonly fields: Map<string, string>; expiresAt: number };

interface Subscription {
  readonly listener: (message: string) => void;
}

/** How often, and how many entries at most per tick, the sweeper looks at: bounds its cost. */
const SWEEP_INTERVAL_MS = 250;
const SWEEP_BATCH = 10_000;

/**
 * The embedded, in-process store for a single instance: same semantics as Redis (TTL, atomic
 * single-use and counters, sets, pub/sub) without a server. Expired entries are never returned and are
 * swept in bounded batches by an unref'd timer so memory does not grow with dead keys.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): Store {
  const keyPrefix = options.keyPrefix ?? '';
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const channels = new Map<string, Set<Subscription>>();
  let closed = false;

  // A Map iterator survives insertions and deletions, so each tick resumes where the last one stopped.
  let sweepCursor: Iterator<[string, Entry]> | undefined;
  const sweeper = setInterval(() => {
    const at = now();
    for (let examined = 0; examined < SWEEP_BATCH; examined++) {
      sweepCursor ??= entries.entries();
      const next = sweepCursor.next();
      if (next.done === true) {
        sweepCursor = undefined;
        return;
      }
      const [key, entry] = next.value;
      if (entry.expiresAt <= at) entries.delete(key);
    }
  }, SWEEP_INTERVAL_MS);
  sweeper.unref();

  function ensureOpen(): void {
    if (closed) throw new FedgateError('StoreUnavailable', 'The store is closed.');
  }

  function live(key: string): Entry | undefined {
    const fullKey = keyPrefix + key;
    const entry = entries.get(fullKey);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now()) {
      entries.delete(fullKey);
      return undefined;
    }
    return entry;
  }

  function liveString(key: string): Extract<Entry, { kind: 'string' }> | undefined {
    const entry = live(key);
    if (entry !== undefined && entry.kind !== 'string') throw wrongType();
    return entry;
  }

  /** The set with its expired members trimmed (undefined when none is left). */
  function liveSet(key: string): Extract<Entry, { kind: 'set' }> | undefined {
    const entry = live(key);
    if (entry === undefined) return undefined;
    if (entry.kind !== 'set') throw wrongType();
    const at = now();
    for (const [member, expiresAt] of entry.members) if (expiresAt <= at) entry.members.delete(member);
    if (entry.members.size === 0) {
      entries.delete(keyPrefix + key);
      return undefined;
    }
    return entry;
  }

  function lastExpiry(members: Map<string, number>): number {
    let last = -Infinity;
    for (const expiresAt of members.values()) if (expiresAt > last) last = expiresAt;
    return last;
  }

  function liveHash(key: string): Extract<Entry, { kind: 'hash' }> | undefined {
    const entry = live(key);
    if (entry !== undefined && entry.kind !== 'hash') throw wrongType();
    return entry;
  }

  function expiryOf(ttlMs: number | undefined): number {
    return ttlMs === undefined ? Infinity : now() + checkTtlMs(ttlMs);
  }

  // Every method is async so that errors surface as rejections, exactly as with the Redis adapter.
  const store: Store = {
    kind: 'memory',

    async get(key) {
      ensureOpen();
      return liveString(checkString('key', key))?.value;
    },

    async getMany(keys) {
      ensureOpen();
      return keys.map((key) => liveString(checkString('key', key))?.value);
    },

    async set(key, value, ttlMs) {
      ensureOpen();
      checkString('key', key);
      checkString('value', value);
      entries.set(keyPrefix + key, { kind: 'string', value, expiresAt: expiryOf(ttlMs) });
    },

    async setIfAbsent(key, value, ttlMs) {
      ensureOpen();
      checkString('key', key);
      checkString('value', value);
      const expiresAt = expiryOf(checkTtlMs(ttlMs));
      // Redis SET NX treats a key of any type as present; so do we.
      if (live(key) !== undefined) return false;
      entries.set(keyPrefix + key, { kind: 'string', value, expiresAt });
      return true;
    },

    async take(key) {
      ensureOpen();
      const entry = liveString(checkString('key', key));
      if (entry === undefined) return undefined;
      entries.delete(keyPrefix + key);
      return entry.value;
    },

    async delete(key) {
      ensureOpen();
      if (live(checkString('key', key)) === undefined) return false;
      entries.delete(keyPrefix + key);
      return true;
    },

    async ttl(key) {
      ensureOpen();
      const entry = live(checkString('key', key));
      if (entry === undefined) return undefined;
      return entry.expiresAt === Infinity ? Infinity : entry.expiresAt - now();
    },

    async increment(key, ttlMs) {
      ensureOpen();
      checkString('key', key);
      const expiresAt = expiryOf(ttlMs);
      const entry = liveString(key);
      if (entry === undefined) {
        entries.set(keyPrefix + key, { kind: 'string', value: '1', expiresAt });
        return 1;
      }
      const current = Number(entry.value);
      if (!Number.isSafeInteger(current)) throw new TypeError('store key does not hold an integer');
      entry.value = String(current + 1);
      return current + 1;
    },

    async addToSet(key, member, ttlMs) {
      ensureOpen();
      checkString('key', key);
      checkString('member', member);
      const expiresAt = expiryOf(ttlMs);
      const entry = liveSet(key);
      if (entry === undefined) {
        entries.set(keyPrefix + key, { kind: 'set', members: new Map([[member, expiresAt]]), expiresAt });
        return;
      }
      // A member's expiry only ever grows, as with Redis ZADD GT.
      if ((entry.members.get(member) ?? -Infinity) < expiresAt) entry.members.set(member, expiresAt);
      entry.expiresAt = lastExpiry(entry.members);
    },

    async removeFromSet(key, member) {
      ensureOpen();
      checkString('member', member);
      const entry = liveSet(checkString('key', key));
      if (entry === undefined) return;
      entry.members.delete(member);
      // Like Redis, an empty set does not exist.
      if (entry.members.size === 0) entries.delete(keyPrefix + key);
      else entry.expiresAt = lastExpiry(entry.members);
    },

    async setMembers(key, page) {
      ensureOpen();
      const entry = liveSet(checkString('key', key));
      if (entry === undefined) return [];
      if (page === undefined) return [...entry.members.keys()];
      return [...entry.members]
        .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))
        .slice(page.offset, page.offset + page.count)
        .map(([member]) => member);
    },

    async commit(writes) {
      ensureOpen();
      // Checked in full before anything is written: all or none.
      const checked = writes.map((write) => {
        checkString('key', write.key);
        if (write.op === 'set') {
          checkString('value', write.value);
          return { ...write, expiresAt: expiryOf(write.ttlMs) };
        }
        if (write.op !== 'delete') throw new TypeError('write.op must be set or delete');
        return { ...write, expiresAt: 0 };
      });
      for (const write of checked) {
        if (write.op === 'set')
          entries.set(keyPrefix + write.key, {
            kind: 'string',
            value: write.value,
            expiresAt: write.expiresAt,
          });
        else entries.delete(keyPrefix + write.key);
      }
    },

    async updateHashes(updates, once) {
      ensureOpen();
      for (const update of updates) checkHashUpdate(update);
      for (const update of updates) liveHash(update.key);
      if (once !== undefined) {
        checkString('key', once.key);
        const expiresAt = expiryOf(checkTtlMs(once.ttlMs));
        if (live(once.key) !== undefined) return;
        entries.set(keyPrefix + once.key, { kind: 'string', value: '1', expiresAt });
      }
      for (const update of updates) {
        let entry = liveHash(update.key);
        if (entry === undefined) {
          entry = { kind: 'hash', fields: new Map(), expiresAt: Infinity };
          entries.set(keyPrefix + update.key, entry);
        }
        for (const [field, amount] of Object.entries(update.increments ?? {}))
          entry.fields.set(field, String(Number(entry.fields.get(field) ?? '0') + amount));
        for (const [field, value] of Object.entries(update.maxima ?? {})) {
          const current = entry.fields.get(field);
          if (current === undefined || current < value) entry.fields.set(field, value);
        }
        entry.expiresAt = expiryOf(update.ttlMs);
      }
    },

    async readHashes(keys) {
      ensureOpen();
      return keys.map((key) => {
        const entry = liveHash(checkString('key', key));
        return entry === undefined ? {} : Object.fromEntries(entry.fields);
      });
    },

    async publish(channel, message) {
      ensureOpen();
      checkString('channel', channel);
      checkString('message', message);
      const subscriptions = channels.get(channel);
      if (subscriptions === undefined) return;
      // Snapshot: a listener subscribing or unsubscribing during delivery does not change this message's audience.
      for (const subscription of [...subscriptions]) {
        // Asynchronous like a network delivery, and isolated: one listener throwing does not starve the others.
        queueMicrotask(() => {
          if (!subscriptions.has(subscription)) return;
          try {
            subscription.listener(message);
          } catch {
            // Listeners own their errors; the store has nowhere meaningful to report them.
          }
        });
      }
    },

    async subscribe(channel, listener) {
      ensureOpen();
      checkString('channel', channel);
      if (typeof listener !== 'function') throw new TypeError('listener must be a function');
      const subscription: Subscription = { listener };
      let subscriptions = channels.get(channel);
      if (subscriptions === undefined) {
        subscriptions = new Set();
        channels.set(channel, subscriptions);
      }
      subscriptions.add(subscription);
      return async () => {
        const current = channels.get(channel);
        if (current === undefined) return;
        current.delete(subscription);
        if (current.size === 0) channels.delete(channel);
      };
    },

    async ping() {
      ensureOpen();
    },

    isConnected() {
      return !closed;
    },

    canQuery() {
      return !closed;
    },

    describe() {
      return 'the embedded store';
    },

    onConnectionChange() {
      // The embedded store never loses its connection.
      return () => {};
    },

    async close() {
      closed = true;
      clearInterval(sweeper);
      entries.clear();
      channels.clear();
    },
  };
  return store;
}

function wrongType(): TypeError {
  return new TypeError('store key holds a different kind of value');
}
