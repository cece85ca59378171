import { createHash } from 'node:crypto';
import type { Store } from './store.js';
import { checkString, checkTtlMs } from './store-arguments.js';
import {
  checkRedisTopology,
  DEFAULT_COMMAND_TIMEOUT_MS,
  openRedisConnection,
  type RedisClient,
  type RedisStoreOptions,
} from './redis-connection.js';
import { storeUnavailable, translateRedisError } from './redis-errors.js';

// Counter creation and expiry in one step: a crash between INCR and PEXPIRE would leave an eternal counter.
const INCREMENT_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 and ARGV[1] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

// The set's expiry only ever grows ("at least that long"); a new set takes the TTL as given.
const ADD_TO_SET_SCRIPT = `
local existed = redis.call('EXISTS', KEYS[1])
redis.call('SADD', KEYS[1], ARGV[1])
if ARGV[2] ~= '' then
  local ttl = tonumber(ARGV[2])
  if existed == 0 then
    redis.call('PEXPIRE', KEYS[1], ttl)
  else
    local current = redis.call('PTTL', KEYS[1])
    if current >= 0 and current < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
  end
end
return 1`;

interface Subscription {
  readonly listener: (message: string) => void;
}

interface Channel {
  /** The prefixed channel name on Redis. */
  readonly name: string;
  readonly subscriptions: Set<Subscription>;
  /** The SUBSCRIBE in flight or done on the current subscriber connection; unset after it drops. */
  active: Promise<void> | undefined;
}

/**
 * The Redis store (single server, Sentinel or cluster) for several gateway instances. It never waits for
 * Redis: while a connection is down every operation rejects at once with StoreUnavailable, and it
 * reconnects on its own within a few hundred milliseconds of Redis coming back, restoring subscriptions
 * before it reports `up`.
 */
export function createRedisStore(options: RedisStoreOptions): Store {
  checkRedisTopology(options);
  const keyPrefix = options.keyPrefix ?? '';
  // A last resort above ioredis' own timeout, so no code path (cluster slot refresh, a lost reply) can hang.
  const deadlineMs = (options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS) + 500;
  const isCluster = options.cluster !== undefined;

  const commands = openRedisConnection(options);
  const subscriber = openRedisConnection(options);
  const channels = new Map<string, Channel>();
  const changeListeners = new Set<(state: 'up' | 'down') => void>();
  let commandsReady = false;
  let subscriberReady = false;
  let connected = false;
  let closed = false;
  let subscriberGeneration = 0;

  function updateState(): void {
    const now = !closed && commandsReady && subscriberReady;
    if (now === connected) return;
    connected = now;
    settleStartup();
    for (const listener of [...changeListeners]) {
      try {
        listener(now ? 'up' : 'down');
      } catch {
        // A listener's bug must not stop the others from learning the state.
      }
    }
  }

  // Until the first connection attempt has played out, operations wait for it (bounded) instead of failing:
  // otherwise every caller would have to race the initial connect.
  let settleStartup: () => void = () => {};
  let startup: Promise<void> | undefined = new Promise<void>((resolve) => {
    const timer = setTimeout(() => settleStartup(), deadlineMs);
    timer.unref();
    settleStartup = () => {
      clearTimeout(timer);
      startup = undefined;
      settleStartup = () => {};
      resolve();
    };
  });

  commands.on('error', () => {});
  commands.on('ready', () => {
    commandsReady = true;
    updateState();
  });
  for (const event of ['close', 'end', 'reconnecting'] as const)
    commands.on(event, () => {
      commandsReady = false;
      if (event !== 'reconnecting') settleStartup();
      updateState();
    });

  subscriber.on('error', () => {});
  subscriber.on('ready', () => {
    const generation = ++subscriberGeneration;
    const restored = [...channels.values()].map(subscribeOnce);
    void Promise.all(restored).then(
      () => {
        if (generation !== subscriberGeneration || closed) return;
        subscriberReady = true;
        updateState();
      },
      () => {
        // The link is up but our channels are not: reconnect rather than report a deaf `up`.
        if (generation === subscriberGeneration && !closed) subscriber.disconnect(true);
      },
    );
  });
  for (const event of ['close', 'end', 'reconnecting'] as const)
    subscriber.on(event, () => {
      subscriberGeneration++;
      subscriberReady = false;
      for (const channel of channels.values()) channel.active = undefined;
      if (event !== 'reconnecting') settleStartup();
      updateState();
    });
  subscriber.on('message', (fullChannel: string, message: string) => {
    const channel = channels.get(fullChannel);
    if (channel === undefined) return;
    for (const subscription of [...channel.subscriptions]) {
      try {
        subscription.listener(message);
      } catch {
        // Listeners own their errors; one failing must not starve the others.
      }
    }
  });

  // One SUBSCRIBE per channel per connection, shared by concurrent subscribers of that channel.
  function subscribeOnce(channel: Channel): Promise<void> {
    if (channel.active !== undefined) return channel.active;
    const active = subscriber.subscribe(channel.name).then(() => undefined);
    channel.active = active;
    active.catch(() => {
      if (channel.active === active) channel.active = undefined;
    });
    return active;
  }

  async function run<T>(operation: () => Promise<T>): Promise<T> {
    if (startup !== undefined) await startup;
    if (closed) throw storeUnavailable('store closed');
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(storeUnavailable(`no answer within ${deadlineMs} ms`)), deadlineMs);
    });
    try {
      return await Promise.race([operation(), deadline]);
    } catch (error) {
      throw translateRedisError(error);
    } finally {
      clearTimeout(timer);
    }
  }

  const scriptHashes = new Map<string, string>();
  async function runScript(script: string, key: string, args: string[]): Promise<unknown> {
    let sha = scriptHashes.get(script);
    if (sha === undefined) {
      sha = createHash('sha1').update(script).digest('hex');
      scriptHashes.set(script, sha);
    }
    try {
      return await commands.evalsha(sha, 1, key, ...args);
    } catch (error) {
      // First use on this server (or after a restart flushed its script cache).
      if (error instanceof Error && error.message.startsWith('NOSCRIPT'))
        return commands.eval(script, 1, key, ...args);
      throw error;
    }
  }

  const k = (key: string): string => keyPrefix + checkString('key', key);

  const store: Store = {
    kind: 'redis',

    async get(key) {
      const fullKey = k(key);
      return run(async () => (await commands.get(fullKey)) ?? undefined);
    },

    async getMany(keys) {
      const fullKeys = keys.map(k);
      if (fullKeys.length === 0) return [];
      return run(async () => {
        // MGET across hash slots is refused by a cluster; separate GETs are pipelined by ioredis anyway.
        const values = isCluster
          ? await Promise.all(fullKeys.map((fullKey) => commands.get(fullKey)))
          : await commands.mget(...fullKeys);
        return values.map((value) => value ?? undefined);
      });
    },

    async set(key, value, ttlMs) {
      const fullKey = k(key);
      checkString('value', value);
      const ttl = ttlMs === undefined ? undefined : checkTtlMs(ttlMs);
      await run(() =>
        ttl === undefined ? commands.set(fullKey, value) : commands.set(fullKey, value, 'PX', ttl),
      );
    },

    async setIfAbsent(key, value, ttlMs) {
      const fullKey = k(key);
      checkString('value', value);
      const ttl = checkTtlMs(ttlMs);
      return run(async () => (await commands.set(fullKey, value, 'PX', ttl, 'NX')) === 'OK');
    },

    async take(key) {
      const fullKey = k(key);
      return run(async () => (await commands.getdel(fullKey)) ?? undefined);
    },

    async delete(key) {
      const fullKey = k(key);
      return run(async () => (await commands.del(fullKey)) > 0);
    },

    async ttl(key) {
      const fullKey = k(key);
      return run(async () => {
        const remaining = await commands.pttl(fullKey);
        if (remaining === -2) return undefined;
        return remaining === -1 ? Infinity : remaining;
      });
    },

    async increment(key, ttlMs) {
      const fullKey = k(key);
      const ttl = ttlMs === undefined ? '' : String(checkTtlMs(ttlMs));
      return run(async () => Number(await runScript(INCREMENT_SCRIPT, fullKey, [ttl])));
    },

    async addToSet(key, member, ttlMs) {
      const fullKey = k(key);
      checkString('member', member);
      const ttl = ttlMs === undefined ? '' : String(checkTtlMs(ttlMs));
      await run(() => runScript(ADD_TO_SET_SCRIPT, fullKey, [member, ttl]));
    },

    async removeFromSet(key, member) {
      const fullKey = k(key);
      checkString('member', member);
      await run(() => commands.srem(fullKey, member));
    },

    async setMembers(key) {
      const fullKey = k(key);
      return run(() => commands.smembers(fullKey));
    },

    async publish(channel, message) {
      const fullChannel = keyPrefix + checkString('channel', channel);
      checkString('message', message);
      await run(() => commands.publish(fullChannel, message));
    },

    async subscribe(channel, listener) {
      const fullChannel = keyPrefix + checkString('channel', channel);
      if (typeof listener !== 'function') throw new TypeError('listener must be a function');
      return run(async () => {
        if (!subscriberReady) throw storeUnavailable('subscriber connection is down');
        let entry = channels.get(fullChannel);
        if (entry === undefined) {
          entry = { name: fullChannel, subscriptions: new Set(), active: undefined };
          channels.set(fullChannel, entry);
        }
        const subscription: Subscription = { listener };
        entry.subscriptions.add(subscription);
        try {
          await subscribeOnce(entry);
        } catch (error) {
          await unsubscribe(entry, subscription);
          throw error;
        }
        const current = entry;
        return () => unsubscribe(current, subscription);
      });
    },

    async ping() {
      await run(() => commands.ping());
    },

    isConnected() {
      return connected;
    },

    onConnectionChange(listener) {
      changeListeners.add(listener);
      return () => {
        changeListeners.delete(listener);
      };
    },

    async close() {
      if (closed) return;
      closed = true;
      changeListeners.clear();
      channels.clear();
      settleStartup();
      updateState();
      await Promise.all([quit(commands), quit(subscriber)]);
    },
  };

  async function unsubscribe(entry: Channel, subscription: Subscription): Promise<void> {
    if (!entry.subscriptions.delete(subscription)) return;
    if (entry.subscriptions.size > 0 || channels.get(entry.name) !== entry) return;
    channels.delete(entry.name);
    // Best effort: when the link is down the channel is simply not restored on reconnect.
    if (subscriberReady) await subscriber.unsubscribe(entry.name).catch(() => {});
  }

  return store;
}

async function quit(client: RedisClient): Promise<void> {
  try {
    await client.quit();
  } catch {
    // Not connected (or the server vanished mid-QUIT): drop the socket and stop reconnecting.
    client.disconnect();
  }
}
