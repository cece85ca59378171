import type { Writable } from 'node:stream';
import type { AuditSinkConfig } from '../config/index.js';
import { FedgateError } from '../errors/index.js';
import type { RedisStoreOptions } from '../store/index.js';
import type { AuditSink } from './audit-events.js';
import { streamAuditSink } from './audit-log.js';
import { createFileAuditSink } from './file-audit-sink.js';
import { createRedisStreamAuditSink } from './redis-stream-audit-sink.js';

/** What the configured sinks need from the composition root. */
export interface AuditSinkContext {
  /** The store's Redis options; required when a `redis-stream` sink is configured. */
  readonly redis?: RedisStoreOptions;
  /** Prepended to the stream name; default the Redis options' keyPrefix. */
  readonly keyPrefix?: string;
  /** Where `stdout` sinks write; default process.stdout. */
  readonly stdout?: Writable;
  /** Failures of file and Redis sinks (they never throw into requests). */
  readonly onError?: (error: unknown) => void;
}

/**
 * Builds the sinks of `config.audit.sinks`. A `redis-stream` sink without Redis options (memory store) is
 * an InvalidConfiguration: the trail it promises to share across instances cannot exist.
 */
export function auditSinksFor(
  sinks: readonly AuditSinkConfig[],
  context: AuditSinkContext = {},
): AuditSink[] {
  return sinks.map((sink): AuditSink => {
    switch (sink.kind) {
      case 'stdout':
        return streamAuditSink(context.stdout ?? process.stdout);
      case 'file':
        return createFileAuditSink(
          sink.path,
          context.onError === undefined ? {} : { onError: context.onError },
        );
      case 'redis-stream': {
        if (context.redis === undefined)
          throw new FedgateError(
            'InvalidConfiguration',
            'audit.sinks: a redis-stream sink needs store.kind "redis"',
          );
        return createRedisStreamAuditSink({
          redis: context.redis,
          ...(context.keyPrefix === undefined ? {} : { keyPrefix: context.keyPrefix }),
          stream: sink.stream,
          maxLength: sink.maxLength,
          ...(context.onError === undefined ? {} : { onError: context.onError }),
        });
      }
    }
  });
}
