import { Cluster, Redis, type RedisOptions } from 'ioredis';

/** A Redis server address (Sentinel or cluster node). */
export interface RedisNodeAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * Options of the Redis store. Exactly one topology: `url`, or `sentinels` with the master `name`, or
 * `cluster` seed nodes (checked at runtime, since they come from configuration).
 */
export interface RedisStoreOptions {
  /** `redis://[user:password@]host:port/db` or `rediss://…` for a single server. */
  readonly url?: string;
  /** Sentinels watching the master called `name`. */
  readonly sentinels?: readonly RedisNodeAddress[];
  readonly name?: string;
  /** Seed nodes of a Redis Cluster. */
  readonly cluster?: readonly RedisNodeAddress[];
  /** Prepended to every key and channel, so deployments can share a Redis. */
  readonly keyPrefix?: string;
  /** For Sentinel and cluster (a URL carries its own). */
  readonly username?: string;
  readonly password?: string;
  /** Password of the Sentinels themselves, when they require one. */
  readonly sentinelPassword?: string;
  /** TLS for Sentinel and cluster connections (a URL says `rediss://`). */
  readonly tls?: boolean;
  /** A command not answered within this many ms fails with StoreUnavailable. Default 1000. */
  readonly commandTimeoutMs?: number;
  /** A connection attempt not completed within this many ms is abandoned and retried. Default 1000. */
  readonly connectTimeoutMs?: number;
}

/** Throws TypeError unless the options name exactly one usable topology. */
export function checkRedisTopology(options: RedisStoreOptions): void {
  const given = [options.url, options.sentinels, options.cluster].filter((value) => value !== undefined);
  if (given.length !== 1)
    throw new TypeError('Redis store options need exactly one of url, sentinels, cluster');
  if (options.sentinels !== undefined && (options.name === undefined || options.sentinels.length === 0))
    throw new TypeError('Redis Sentinel options need at least one sentinel and the master name');
  if (options.cluster !== undefined && options.cluster.length === 0)
    throw new TypeError('Redis cluster options need at least one node');
}

/** The ioredis client kinds the store drives. */
export type RedisClient = Redis | Cluster;

/** Longest pause between reconnection attempts: after Redis is back, the store is usable within about this. */
const MAX_RECONNECT_DELAY_MS = 250;

/** Default command and connect timeouts. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 1_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 1_000;

function reconnectDelay(attempt: number): number {
  return Math.min(50 * attempt, MAX_RECONNECT_DELAY_MS);
}

/**
 * Opens one ioredis connection configured to fail fast: no offline queue (a command while disconnected
 * rejects at once), no replay of unanswered commands after a reconnect (they are not all idempotent),
 * a command timeout, and short capped reconnection backoff forever.
 */
export function openRedisConnection(options: RedisStoreOptions): RedisClient {
  const common: RedisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    // Subscriptions are restored by the store itself, so that `up` is only reported once they are.
    autoResubscribe: false,
    commandTimeout: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    connectTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    retryStrategy: reconnectDelay,
    lazyConnect: false,
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.password === undefined ? {} : { password: options.password }),
    ...(options.tls === true ? { tls: {} } : {}),
  };
  checkRedisTopology(options);
  if (options.url !== undefined) return new Redis(options.url, common);
  if (options.sentinels !== undefined)
    return new Redis({
      ...common,
      sentinels: options.sentinels.map(({ host, port }) => ({ host, port })),
      ...(options.name === undefined ? {} : { name: options.name }),
      sentinelRetryStrategy: reconnectDelay,
      ...(options.sentinelPassword === undefined ? {} : { sentinelPassword: options.sentinelPassword }),
      ...(options.tls === true ? { enableTLSForSentinelMode: true } : {}),
    });
  const { retryStrategy: _perNode, enableOfflineQueue: _offline, ...redisOptions } = common;
  return new Cluster(
    (options.cluster ?? []).map(({ host, port }) => ({ host, port })),
    {
      redisOptions,
      enableOfflineQueue: false,
      clusterRetryStrategy: reconnectDelay,
      maxRedirections: 4,
    },
  );
}
