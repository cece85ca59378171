import type { RedisStoreOptions } from '../store/index.js';
import {
  closeDedicatedRedisClient,
  openDedicatedRedisClient,
  type RedisClient,
} from '../store/redis-client-access.js';
import type { AuditSink } from './audit-events.js';

/** Default number of events kept in memory while Redis cannot take them. */
const DEFAULT_MAX_BACKLOG = 10_000;
/** Events sent per pipeline. */
const BATCH_SIZE = 100;
/** Retry delay after a failed send while the connection still looks ready (timeout, OOM reply). */
const RETRY_DELAY_MS = 500;
/** How long close() keeps trying to deliver the backlog. */
const CLOSE_GRACE_MS = 1_000;

/** Options of createRedisStreamAuditSink. */
export interface RedisStreamAuditSinkOptions {
  /** The same Redis options as the store: url, sentinels + name, or cluster. */
  readonly redis: RedisStoreOptions;
  /** Prepended to the stream name; default the Redis options' keyPrefix. */
  readonly keyPrefix?: string;
  /** Stream name (after the prefix), e.g. `audit`. */
  readonly stream: string;
  /** Approximate cap of the stream (`XADD … MAXLEN ~ maxLength`). */
  readonly maxLength: number;
  /** Events buffered in memory while Redis is unreachable; the oldest are dropped beyond (default 10 000). */
  readonly maxBacklog?: number;
  /** Send failures (each failed batch once); never receives the events. */
  readonly onError?: (error: unknown) => void;
}

/** The Redis Stream sink: its backlog and losses are observable. */
export interface RedisStreamAuditSink extends AuditSink {
  /** The full Redis key of the stream. */
  readonly key: string;
  /** Events waiting to be sent. */
  readonly pending: number;
  /** Events dropped because the backlog was full (or left over at close). */
  readonly dropped: number;
  /** Tries to send the backlog now; true when nothing is left pending. */
  flush(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Appends every event to a capped Redis Stream (`XADD <key> MAXLEN ~ <maxLength> * event <json>`) over a
 * connection of its own, so a multi-instance deployment has one trail. write() never waits: events go to a
 * bounded in-memory backlog sent in pipelined batches; while Redis is down the backlog keeps the newest
 * `maxBacklog` events, counts the dropped ones, and is sent when the connection is ready again.
 */
export function createRedisStreamAuditSink(options: RedisStreamAuditSinkOptions): RedisStreamAuditSink {
  if (typeof options.stream !== 'string' || options.stream === '') throw new TypeError('stream is required');
  if (!Number.isSafeInteger(options.maxLength) || options.maxLength < 1)
    throw new TypeError('maxLength must be a positive integer');
  const maxBacklog = options.maxBacklog ?? DEFAULT_MAX_BACKLOG;
  if (!Number.isSafeInteger(maxBacklog) || maxBacklog < 1)
    throw new TypeError('maxBacklog must be a positive integer');
  const key = (options.keyPrefix ?? options.redis.keyPrefix ?? '') + options.stream;
  const maxLength = String(options.maxLength);
  const client: RedisClient = openDedicatedRedisClient(options.redis);
  const backlog: string[] = [];
  let dropped = 0;
  let sending: Promise<void> | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let closed = false;

  const enqueueFront = (batch: readonly string[]): void => {
    backlog.unshift(...batch);
    trim();
  };
  const trim = (): void => {
    const excess = backlog.length - maxBacklog;
    if (excess > 0) {
      backlog.splice(0, excess);
      dropped += excess;
    }
  };

  const scheduleRetry = (): void => {
    if (retryTimer !== undefined || closed) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      kick();
    }, RETRY_DELAY_MS);
    retryTimer.unref();
  };

  /** Sends batches until the backlog is empty or a send fails. */
  const sendAll = async (): Promise<void> => {
    while (backlog.length > 0 && client.status === 'ready') {
      const batch = backlog.splice(0, BATCH_SIZE);
      const pipeline = client.pipeline();
      for (const line of batch) pipeline.xadd(key, 'MAXLEN', '~', maxLength, '*', 'event', line);
      let failedLines: string[];
      try {
        const results = (await pipeline.exec()) ?? [];
        failedLines = batch.filter((_, i) => results[i]?.[0] != null || results[i] === undefined);
        if (failedLines.length > 0) options.onError?.(results.find(([error]) => error != null)?.[0]);
      } catch (error) {
        failedLines = batch;
        options.onError?.(error);
      }
      if (failedLines.length > 0) {
        // At-least-once: an event whose reply was lost may be sent twice; ordering within the batch is kept.
        enqueueFront(failedLines);
        scheduleRetry();
        return;
      }
    }
  };

  const kick = (): void => {
    if (sending !== undefined || backlog.length === 0 || client.status !== 'ready') return;
    sending = sendAll().finally(() => {
      sending = undefined;
      // Events written while the last batch was in flight.
      if (!closed && backlog.length > 0 && client.status === 'ready' && retryTimer === undefined) kick();
    });
  };

  client.on('ready', kick);

  const flush = async (): Promise<boolean> => {
    kick();
    while (sending !== undefined) await sending;
    return backlog.length === 0;
  };

  return {
    key,
    get pending() {
      return backlog.length;
    },
    get dropped() {
      return dropped;
    },
    write(record) {
      if (closed) {
        dropped += 1;
        return;
      }
      backlog.push(JSON.stringify(record));
      trim();
      kick();
    },
    flush,
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(retryTimer);
      retryTimer = undefined;
      let graceTimer: NodeJS.Timeout | undefined;
      await Promise.race([
        flush(),
        new Promise<void>((resolve) => {
          graceTimer = setTimeout(resolve, CLOSE_GRACE_MS);
        }),
      ]);
      clearTimeout(graceTimer);
      dropped += backlog.length;
      backlog.length = 0;
      client.off('ready', kick);
      await closeDedicatedRedisClient(client);
    },
  };
}
