import { createHash, randomBytes } from 'node:crypto';
import { Cluster } from 'ioredis';
import type { Store } from './store.js';
import { checkCount, checkHashUpdate, checkString, checkTtlMs } from './store-arguments.js';
import {
  checkRedisTopology,
  DEFAULT_COMMAND_TIMEOUT_MS,
  describeRedisAddress,
  openRedisConnection,
  type RedisNodeAddress,
  type RedisClient,
  type RedisStoreOptions,
} from './redis-connection.js';
import { storeUnavailable, translateRedisError } from './redis-errors.js';
import { RedisSubscriber } from './redis-subscriber.js';

// Counter creation and expiry in one step: a crash between INCR and PEXPIRE would leave an eternal counter.
const INCREMENT_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 and ARGV[1] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

/** The server's clock in epoch ms, so that instances with skewed clocks agree on what has expired. */
const NOW_MS = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// An index from before sorted sets (a plain SET) becomes a sorted set whose members expire with it.
const MIGRATE_LEGACY_SET = `if redis.call('TYPE', KEYS[1]).ok == 'set' then
  local old = redis.call('SMEMBERS', KEYS[1])
  local pttl = redis.call('PTTL', KEYS[1])
  redis.call('DEL', KEYS[1])
  local score = '+inf'
  if pttl > 0 then score = now + pttl end
  for _, m in ipairs(old) do redis.call('ZADD', KEYS[1], score, m) end
end`;

/**
 * Sets are sorted sets scored by each member's expiry (epoch ms, +inf without a TTL): expired members are
 * trimmed on every add, and the key itself expires with its last member, so an index never outgrows the
 * sessions it lists. A member's expiry only ever grows.
 */
const EXPIRE_WITH_LAST_MEMBER = `local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] == nil then return 0 end
if last[2] == 'inf' then redis.call('PERSIST', KEYS[1]) else redis.call('PEXPIREAT', KEYS[1], last[2]) end
return 1`;

const ADD_TO_SET_SCRIPT = `${NOW_MS}
${MIGRATE_LEGACY_SET}
local score = '+inf'
if ARGV[2] ~= '' then score = now + tonumber(ARGV[2]) end
redis.call('ZADD', KEYS[1], 'GT', score, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
${EXPIRE_WITH_LAST_MEMBER}`;

const SET_MEMBERS_SCRIPT = `${NOW_MS}
if redis.call('TYPE', KEYS[1]).ok == 'set' then return redis.call('SMEMBERS', KEYS[1]) end
if ARGV[1] == nil then return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf') end
return redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf', 'LIMIT', ARGV[1], ARGV[2])`;

const REMOVE_FROM_SET_SCRIPT = `if redis.call('TYPE', KEYS[1]).ok == 'set' then return redis.call('SREM', KEYS[1], ARGV[1]) end
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
${EXPIRE_WITH_LAST_MEMBER}`;

// ARGV holds (op, ttl, value) per key; on a cluster every key must be in one slot (a shared hash tag).
const COMMIT_SCRIPT = `for i, key in ipairs(KEYS) do
  local op, ttl, value = ARGV[i * 3 - 2], ARGV[i * 3 - 1], ARGV[i * 3]
  if op == 'set' then
    if ttl == '' then redis.call('SET', key, value) else redis.call('SET', key, value, 'PX', ttl) end
  else
    redis.call('DEL', key)
  end
end
return #KEYS`;

/** The channel instances' heartbeats travel on (under the key prefix). */
const LIVENESS_CHANNEL = 'store:liveness';
const DEFAULT_HEARTBEAT_INTERVAL_MS = 1_000;
const DEFAULT_LIVENESS_TIMEOUT_MS = 3_000;
const DEFAULT_DURABLE_TIMEOUT_MS = 500;
/** Heartbeats in a row that could not be published before the command connection is replaced. */
const FAILED_HEARTBEATS_BEFORE_RECONNECT = 2;

// A batch of hash updates in one atomic step, skipped as a whole when its marker exists (a retried batch).
// KEYS[1] is the marker ('' slot unused when there is none), KEYS[2..] the hashes; ARGV[1] the marker TTL,
// ARGV[2] the updates as JSON: [{i: [field, amount, …], m: [field, value, …], t: ttlMs}, …] in KEYS order.
const UPDATE_HASHES_SCRIPT = `
if ARGV[1] ~= '' then
  if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return 0 end
end
local updates = cjson.decode(ARGV[2])
for n, u in ipairs(updates) do
  local key = KEYS[n + 1]
  local inc = u['i']
  for j = 1, #inc, 2 do redis.call('HINCRBY', key, inc[j], inc[j + 1]) end
  local mx = u['m']
  for j = 1, #mx, 2 do
    local current = redis.call('HGET', key, mx[j])
    if (not current) or current < mx[j + 1] then redis.call('HSET', key, mx[j], mx[j + 1]) end
  end
  redis.call('PEXPIRE', key, u['t'])
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
 * before it reports `up`. The revocation channel's liveness is proven continuously by a heartbeat each
 * instance publishes through the store and must hear back; a silent subscriber is reported `down` and
 * replaced within `livenessTimeoutMs`.
 */
export function createRedisStore(options: RedisStoreOptions): Store {
  checkRedisTopology(options);
  const keyPrefix = options.keyPrefix ?? '';
  // A last resort above ioredis' own timeout, so no code path (cluster slot refresh, a lost reply) can hang.
  const deadlineMs = (options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS) + 500;
  const isCluster = options.cluster !== undefined;
  const heartbeatMs = options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
  const livenessMs = options.livenessTimeoutMs ?? DEFAULT_LIVENESS_TIMEOUT_MS;
  if (!(heartbeatMs > 0 && livenessMs > heartbeatMs))
    throw new TypeError('livenessTimeoutMs must be greater than heartbeatIntervalMs');
  const durableReplicas = options.durableReplicas ?? 0;
  // WAIT must answer within the command timeout, or the client gives up on it first.
  const durableTimeoutMs = Math.max(
    1,
    Math.min(
      options.durableTimeoutMs ?? DEFAULT_DURABLE_TIMEOUT_MS,
      (options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS) - 100,
    ),
  );
  const livenessChannel = keyPrefix + LIVENESS_CHANNEL;
  const instanceId = randomBytes(8).toString('hex');

  const commands = openRedisConnection(options);
  const channels = new Map<string, Channel>();
  const changeListeners = new Set<(state: 'up' | 'down') => void>();
  let commandsReady = false;
  let subscriberReady = false;
  let connected = false;
  let closed = false;
  let subscriberGeneration = 0;
  /** When the subscription was last proven live (subscribed, or our own heartbeat heard). */
  let provenAt = 0;
  let heartbeatSeq = 0;
  let failedHeartbeats = 0;

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
    failedHeartbeats = 0;
    updateState();
  });
  for (const event of ['close', 'end', 'reconnecting'] as const)
    commands.on(event, () => {
      commandsReady = false;
      if (event !== 'reconnecting') settleStartup();
      updateState();
    });

  /** Seed nodes first, then every node the cluster client has discovered (replicas included). */
  function clusterNodes(): RedisNodeAddress[] {
    const seen = new Map<string, RedisNodeAddress>();
    for (const node of options.cluster ?? []) seen.set(`${node.host}:${node.port}`, node);
    if (commands instanceof Cluster)
      for (const node of commands.nodes('all')) {
        const { host, port } = node.options;
        if (host !== undefined && port !== undefined) seen.set(`${host}:${port}`, { host, port });
      }
    return [...seen.values()];
  }

  const subscriber = new RedisSubscriber(
    options,
    {
      onReady: () => {
        const generation = ++subscriberGeneration;
        const restored = [livenessChannel, ...channels.keys()].map((name) =>
          name === livenessChannel ? subscriber.subscribe(name) : subscribeOnce(channels.get(name)),
        );
        void Promise.all(restored).then(
          () => {
            if (generation !== subscriberGeneration || closed) return;
            provenAt = Date.now();
            subscriberReady = true;
            updateState();
          },
          () => {
            // The link is up but our channels are not: reconnect rather than report a deaf `up`.
            if (generation === subscriberGeneration && !closed) subscriber.restart();
          },
        );
      },
      onLost: () => {
        subscriberGeneration++;
        subscriberReady = false;
        for (const channel of channels.values()) channel.active = undefined;
        settleStartup();
        updateState();
      },
      onMessage: (fullChannel, message) => {
        if (fullChannel === livenessChannel) {
          if (message.startsWith(`${instanceId}:`)) provenAt = Date.now();
          return;
        }
        const channel = channels.get(fullChannel);
        if (channel === undefined) return;
        for (const subscription of [...channel.subscriptions]) {
          try {
            subscription.listener(message);
          } catch {
            // Listeners own their errors; one failing must not starve the others.
          }
        }
      },
    },
    clusterNodes,
  );

  // The heartbeat: published through the command connection, heard on the subscriber connection. Silence
  // beyond the bound means revocations may be lost: report `down` (callers drop cached state) and replace
  // the subscriber. Heartbeats that cannot be published point at a hung command connection: replace it.
  const heartbeat = setInterval(() => {
    if (closed) return;
    if (subscriberReady && Date.now() - provenAt > livenessMs) {
      subscriberGeneration++;
      subscriberReady = false;
      for (const channel of channels.values()) channel.active = undefined;
      updateState();
      subscriber.restart();
    }
    if (!commandsReady) return;
    const message = `${instanceId}:${++heartbeatSeq}`;
    withDeadline(commands.publish(livenessChannel, message)).then(
      () => {
        failedHeartbeats = 0;
      },
      () => {
        if (++failedHeartbeats >= FAILED_HEARTBEATS_BEFORE_RECONNECT && commandsReady && !closed) {
          failedHeartbeats = 0;
          commands.disconnect(true);
        }
      },
    );
  }, heartbeatMs);
  heartbeat.unref();

  // One SUBSCRIBE per channel per connection, shared by concurrent subscribers of that channel.
  function subscribeOnce(channel: Channel | undefined): Promise<void> {
    if (channel === undefined) return Promise.resolve();
    if (channel.active !== undefined) return channel.active;
    const active = subscriber.subscribe(channel.name);
    channel.active = active;
    active.catch(() => {
      if (channel.active === active) channel.active = undefined;
    });
    return active;
  }

  function withDeadline<T>(operation: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(storeUnavailable(`no answer within ${deadlineMs} ms`)), deadlineMs);
    });
    return Promise.race([operation, deadline]).finally(() => clearTimeout(timer));
  }

  async function run<T>(operation: () => Promise<T>): Promise<T> {
    if (startup !== undefined) await startup;
    if (closed) throw storeUnavailable('store closed');
    try {
      return await withDeadline(operation());
    } catch (error) {
      throw translateRedisError(error);
    }
  }

  const scriptHashes = new Map<string, string>();
  function shaOf(script: string): string {
    let sha = scriptHashes.get(script);
    if (sha === undefined) {
      sha = createHash('sha1').update(script).digest('hex');
      scriptHashes.set(script, sha);
    }
    return sha;
  }
  async function runScript(
    script: string,
    keys: string | readonly string[],
    args: string[],
  ): Promise<unknown> {
    const keyList = typeof keys === 'string' ? [keys] : keys;
    try {
      return await commands.evalsha(shaOf(script), keyList.length, ...keyList, ...args);
    } catch (error) {
      // First use on this server (or after a restart flushed its script cache).
      if (error instanceof Error && error.message.startsWith('NOSCRIPT'))
        return commands.eval(script, keyList.length, ...keyList, ...args);
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
        // MGET across hash slots is refused by a cluster; separate GETs go out pipelined on each node.
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

    async commit(writes, commitOptions = {}) {
      const fullKeys: string[] = [];
      const args: string[] = [];
      for (const write of writes) {
        fullKeys.push(k(write.key));
        if (write.op === 'set') {
          checkString('value', write.value);
          args.push('set', write.ttlMs === undefined ? '' : String(checkTtlMs(write.ttlMs)), write.value);
        } else if (write.op === 'delete') args.push('delete', '', '');
        else throw new TypeError('write.op must be set or delete');
      }
      if (fullKeys.length === 0) return;
      const durable = commitOptions.durable === true && durableReplicas > 0;
      await run(async () => {
        if (!durable) {
          await runScript(COMMIT_SCRIPT, fullKeys, args);
          return;
        }
        // The script and WAIT in one pipeline: on a cluster both go to the node that owns the keys' slot,
        // and WAIT covers the writes this connection just made.
        const results = await commands
          .pipeline()
          .eval(COMMIT_SCRIPT, fullKeys.length, ...fullKeys, ...args)
          .call('WAIT', String(durableReplicas), String(durableTimeoutMs))
          .exec();
        const [written, waited] = results ?? [];
        if (written?.[0] !== null && written?.[0] !== undefined) throw written[0];
        if (waited?.[0] !== null && waited?.[0] !== undefined) throw waited[0];
        const acknowledged = Number(waited?.[1]);
        if (!(acknowledged >= durableReplicas))
          throw storeUnavailable(
            `write acknowledged by ${acknowledged} of ${durableReplicas} replicas within ${durableTimeoutMs} ms`,
          );
      });
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
      await run(() => runScript(REMOVE_FROM_SET_SCRIPT, fullKey, [member]));
    },

    async setMembers(key, page) {
      const fullKey = k(key);
      const args =
        page === undefined ? [] : [String(checkCount(page.offset)), String(checkCount(page.count))];
      return run(async () => (await runScript(SET_MEMBERS_SCRIPT, fullKey, args)) as string[]);
    },

    async updateHashes(updates, once) {
      for (const update of updates) checkHashUpdate(update);
      const marker = once === undefined ? undefined : k(once.key);
      const markerTtl = once === undefined ? '' : String(checkTtlMs(once.ttlMs));
      if (updates.length === 0 && marker === undefined) return;
      const keys = [marker ?? k(updates[0]?.key ?? ''), ...updates.map((update) => k(update.key))];
      const encoded = JSON.stringify(
        updates.map((update) => ({
          i: Object.entries(update.increments ?? {}).flat(),
          m: Object.entries(update.maxima ?? {}).flat(),
          t: Math.ceil(update.ttlMs),
        })),
      );
      await run(() => runScript(UPDATE_HASHES_SCRIPT, keys, [markerTtl, encoded]));
    },

    async readHashes(keys) {
      const fullKeys = keys.map(k);
      if (fullKeys.length === 0) return [];
      return run(() => Promise.all(fullKeys.map((fullKey) => commands.hgetall(fullKey))));
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

    canQuery() {
      return commandsReady && !closed;
    },

    onConnectionChange(listener) {
      changeListeners.add(listener);
      return () => {
        changeListeners.delete(listener);
      };
    },

    describe() {
      return describeRedisAddress(options);
    },

    async close() {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      changeListeners.clear();
      channels.clear();
      settleStartup();
      updateState();
      await Promise.all([quit(commands), subscriber.close()]);
    },
  };

  async function unsubscribe(entry: Channel, subscription: Subscription): Promise<void> {
    if (!entry.subscriptions.delete(subscription)) return;
    if (entry.subscriptions.size > 0 || channels.get(entry.name) !== entry) return;
    channels.delete(entry.name);
    // Best effort: when the link is down the channel is simply not restored on reconnect.
    if (subscriberReady) await subscriber.unsubscribe(entry.name);
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
