import { Redis } from 'ioredis';
import {
  commonRedisOptions,
  reconnectDelay,
  sentinelOptions,
  type RedisNodeAddress,
  type RedisStoreOptions,
} from './redis-connection.js';

/** What the subscriber connection reports to the store that owns it. */
export interface SubscriberEvents {
  /** A new connection is ready: (re)subscribe every channel on it. */
  readonly onReady: () => void;
  /** The current connection is gone (closed, killed, or given up by `restart`): subscriptions are lost. */
  readonly onLost: () => void;
  readonly onMessage: (channel: string, message: string) => void;
}

/**
 * The connection revocations arrive on, owned by the store rather than by the ioredis topology client, so
 * that every loss is seen: ioredis' cluster subscriber silently moves to another node and resubscribes,
 * which would hide the messages missed meanwhile. Each connection is used once: when it ends, a new one
 * is opened (on a cluster, to the next known node; PUBLISH reaches every node of a cluster, so any node,
 * master or replica, hears every revocation).
 */
export class RedisSubscriber {
  readonly #options: RedisStoreOptions;
  readonly #events: SubscriberEvents;
  readonly #clusterNodes: () => readonly RedisNodeAddress[];
  #connection: Redis | undefined;
  #attempt = 0;
  #nodeIndex = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  /** `clusterNodes` lists the nodes a cluster subscriber may use (seeds first, then discovered ones). */
  constructor(
    options: RedisStoreOptions,
    events: SubscriberEvents,
    clusterNodes: () => readonly RedisNodeAddress[],
  ) {
    this.#options = options;
    this.#events = events;
    this.#clusterNodes = clusterNodes;
    this.#open();
  }

  /** Subscribes on the current connection; rejects when there is none. */
  async subscribe(channel: string): Promise<void> {
    const connection = this.#connection;
    if (connection === undefined || connection.status !== 'ready')
      throw new Error('subscriber connection is not ready');
    await connection.subscribe(channel);
  }

  /** Unsubscribes on the current connection, best effort. */
  async unsubscribe(channel: string): Promise<void> {
    await this.#connection?.unsubscribe(channel).catch(() => {});
  }

  /** Drops the current connection (it is silent, or its subscriptions failed) and opens a new one. */
  restart(): void {
    this.#connection?.disconnect();
  }

  /** Closes for good. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    const connection = this.#connection;
    this.#connection = undefined;
    if (connection === undefined) return;
    try {
      if (connection.status === 'ready') await connection.quit();
      else connection.disconnect();
    } catch {
      connection.disconnect();
    }
  }

  #open(): void {
    if (this.#closed) return;
    const common = { ...commonRedisOptions(this.#options), retryStrategy: () => null };
    let connection: Redis;
    if (this.#options.url !== undefined) connection = new Redis(this.#options.url, common);
    else if (this.#options.sentinels !== undefined)
      connection = new Redis(sentinelOptions(this.#options, common));
    else {
      const nodes = this.#clusterNodes();
      const node = nodes[this.#nodeIndex++ % Math.max(nodes.length, 1)];
      connection = new Redis({ ...common, host: node?.host ?? '127.0.0.1', port: node?.port ?? 6379 });
    }
    this.#connection = connection;
    let lost = false;
    const lose = (): void => {
      if (lost) return;
      lost = true;
      if (this.#connection === connection) this.#events.onLost();
    };
    connection.on('error', () => {});
    connection.on('ready', () => {
      if (this.#connection !== connection) return;
      this.#attempt = 0;
      this.#events.onReady();
    });
    connection.on('message', (channel: string, message: string) => {
      if (this.#connection === connection) this.#events.onMessage(channel, message);
    });
    connection.on('close', lose);
    connection.once('end', () => {
      lose();
      if (this.#connection !== connection || this.#closed) return;
      this.#connection = undefined;
      this.#timer = setTimeout(() => this.#open(), reconnectDelay(++this.#attempt));
      this.#timer.unref();
    });
  }
}
