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
  /**
   * Liveness of the revocation channel: every instance publishes a heartbeat through the store this often
   * (default 1000 ms) and expects its own back on its subscriber connection within `livenessTimeoutMs`
   * (default 3000 ms); a miss drops the subscription (the store reports `down`) and reconnects it.
   */
  readonly heartbeatIntervalMs?: number;
  readonly livenessTimeoutMs?: number;
  /**
   * Durable writes (`commit(…, { durable: true })`, used for revocations): WAIT until this many replicas
   * acknowledged them, at most `durableTimeoutMs` (default 500). 0 or unset: no WAIT.
   */
  readonly durableReplicas?: number;
  readonly durableTimeoutMs?: number;
}

/** Where the store connects, for start-up and error messages: addresses only, never credentials. */
export function describeRedisAddress(options: RedisStoreOptions): string {
  const nodes = (list: readonly RedisNodeAddress[]): string =>
    list.map(({ host, port }) => `${host}:${port}`).join(',');
  if (options.url !== undefined) {
    try {
      const url = new URL(options.url);
      return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
    } catch {
      return 'an unparsable Redis URL';
    }
  }
  if (options.sentinels !== undefined)
    return `Redis Sentinel master "${options.name ?? ''}" via ${nodes(options.sentinels)}`;
  return `Redis Cluster via ${nodes(options.cluster ?? [])}`;
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
/** TCP keepalive probes start after this much idle time, so a silently dropped connection is noticed by the OS too. */
const KEEPALIVE_MS = 1_000;

/** Pause before reconnection attempt `attempt` (1, 2, …). */
export function reconnectDelay(attempt: number): number {
  return Math.min(50 * attempt, MAX_RECONNECT_DELAY_MS);
}

/**
 * Opens one ioredis connection configured to fail fast: no offline queue (a command while disconnected
 * rejects at once), no replay of unanswered commands after a reconnect (they are not all idempotent),
 * a command timeout, and short capped reconnection backoff forever.
 */
export function openRedisConnection(options: RedisStoreOptions): RedisClient {
  const common = commonRedisOptions(options);
  checkRedisTopology(options);
  if (options.url !== undefined) return new Redis(options.url, common);
  if (options.sentinels !== undefined) return new Redis(sentinelOptions(options, common));
  const { retryStrategy: _perNode, enableOfflineQueue: _offline, ...redisOptions } = common;
  return new Cluster(
    (options.cluster ?? []).map(({ host, port }) => ({ host, port })),
    {
      redisOptions,
      enableOfflineQueue: false,
      clusterRetryStrategy: reconnectDelay,
      maxRedirections: 4,
      // A failover moves slots: the map is re-read this often even when no MOVED reply says so.
      slotsRefreshInterval: 1_000,
    },
  );
}

/** Connection options every fedgate Redis connection shares. */
export function commonRedisOptions(options: RedisStoreOptions): RedisOptions {
  return {
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
    keepAlive: KEEPALIVE_MS,
  };
}

/** Options of a connection to the master the sentinels name. */
export function sentinelOptions(options: RedisStoreOptions, common: RedisOptions): RedisOptions {
  return {
    ...common,
    sentinels: (options.sentinels ?? []).map(({ host, port }) => ({ host, port })),
    ...(options.name === undefined ? {} : { name: options.name }),
    sentinelRetryStrategy: reconnectDelay,
    ...(options.sentinelPassword === undefined ? {} : { sentinelPassword: options.sentinelPassword }),
    ...(options.tls === true ? { enableTLSForSentinelMode: true } : {}),
  };
}
