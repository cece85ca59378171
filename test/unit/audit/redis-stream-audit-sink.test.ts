import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AuditLog,
  auditSinksFor,
  createRedisStreamAuditSink,
  type AuditRecord,
  type AuditRecordOf,
  type RedisStreamAuditSink,
} from '../../../src/audit/index.js';
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server.js';

let redis: RedisServerHandle;
let probe: Redis;
let run = 0;
const sinks: RedisStreamAuditSink[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  probe = new Redis(redis.url);
  // Small stream nodes, so that approximate (~) trimming stays close to MAXLEN and the cap is observable.
  await probe.config('SET', 'stream-node-max-entries', '10');
});
afterAll(async () => {
  probe.disconnect();
  await redis.stop();
});
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((sink) => sink.close()));
});

const record = (n: number): AuditRecord => ({
  time: '2025-01-01T00:00:00.000Z',
  event: 'activity.capped',
  outcome: 'failure',
  reason: 'maxActionsPerRole',
  details: { limit: n },
});

function sink(options: { maxLength?: number; maxBacklog?: number } = {}): RedisStreamAuditSink {
  const created = createRedisStreamAuditSink({
    redis: { url: redis.url, keyPrefix: `t${run++}:`, commandTimeoutMs: 300, connectTimeoutMs: 300 },
    stream: 'audit',
    maxLength: options.maxLength ?? 1000,
    ...(options.maxBacklog === undefined ? {} : { maxBacklog: options.maxBacklog }),
  });
  sinks.push(created);
  return created;
}

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 250; attempt++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`gave up waiting: ${what}`);
}

function eventsOf(entries: [string, string[]][]): unknown[] {
  return entries.map(([, fields]) => {
    expect(fields[0]).toBe('event');
    return JSON.parse(fields[1] ?? 'null') as unknown;
  });
}

describe('Redis Stream audit sink', () => {
  it('appends each event as one stream entry under the prefixed key, in order', async () => {
    const stream = sink();
    expect(stream.key).toMatch(/^t\d+:audit$/);
    for (let i = 0; i < 5; i++) stream.write(record(i));
    await until(() => stream.flush(), 'backlog sent');
    expect(eventsOf(await probe.xrange(stream.key, '-', '+'))).toEqual([0, 1, 2, 3, 4].map(record));
  });

  it('keeps the stream capped near maxLength (MAXLEN ~), keeping the newest events', async () => {
    const stream = sink({ maxLength: 50 });
    for (let i = 0; i < 1000; i++) stream.write(record(i));
    await until(() => stream.flush(), 'backlog sent');
    const length = await probe.xlen(stream.key);
    expect(length).toBeGreaterThanOrEqual(50);
    expect(length).toBeLessThanOrEqual(50 + 10);
    const [last] = await probe.xrevrange(stream.key, '+', '-', 'COUNT', 1);
    expect(eventsOf(last === undefined ? [] : [last])).toEqual([record(999)]);
  });

  it('is what auditSinksFor builds for a redis-stream sink, and AuditLog records through it', async () => {
    const keyPrefix = `cfg${run++}:`;
    const [configured] = auditSinksFor([{ kind: 'redis-stream', stream: 'trail', maxLength: 100 }], {
      redis: { url: redis.url },
      keyPrefix,
    });
    const log = new AuditLog(configured === undefined ? [] : [configured], () => 0);
    log.record({ event: 'session.revoked', outcome: 'success', session: 's-1' });
    await until(async () => (await probe.xlen(`${keyPrefix}trail`)) === 1, 'event in the stream');
    await log.close();
  });

  it('refuses a redis-stream sink without Redis options (memory store)', () => {
    expect(() => auditSinksFor([{ kind: 'redis-stream', stream: 'audit', maxLength: 10 }], {})).toThrow(
      expect.objectContaining({ code: 'InvalidConfiguration' }),
    );
  });

  it('never throws while Redis is down, keeps a bounded backlog dropping the oldest, and delivers it once Redis is back', async () => {
    const stream = sink({ maxBacklog: 20 });
    stream.write(record(-1));
    await until(() => stream.flush(), 'first event sent');
    await redis.kill();
    try {
      const log = new AuditLog([stream]);
      for (let i = 0; i < 100; i++)
        expect(() =>
          log.record({
            event: 'activity.capped',
            outcome: 'failure',
            reason: 'maxActionsPerRole',
            details: { limit: i },
          }),
        ).not.toThrow();
      // A batch may have left just before the connection noticed the kill: it comes back when it fails.
      expect(await stream.flush()).toBe(false);
      expect(stream.pending).toBe(20);
      expect(stream.dropped).toBe(80);
    } finally {
      await redis.restart();
    }
    // The backlog (the newest 20 events) goes out on reconnection; nothing else had to happen.
    const restarted = new Redis(redis.url);
    try {
      await until(async () => (await restarted.xlen(stream.key)) === 20, 'backlog delivered after restart');
      const entries = eventsOf(
        await restarted.xrange(stream.key, '-', '+'),
      ) as AuditRecordOf<'activity.capped'>[];
      expect(entries.map((entry) => entry.details.limit)).toEqual(
        Array.from({ length: 20 }, (_, i) => 80 + i),
      );
      expect(stream.pending).toBe(0);
    } finally {
      restarted.disconnect();
    }
  });

  it('closes cleanly while Redis is unreachable, counting what it could not send', async () => {
    const stream = createRedisStreamAuditSink({
      redis: { url: 'redis://127.0.0.1:1', connectTimeoutMs: 100 },
      stream: 'audit',
      maxLength: 10,
    });
    stream.write(record(1));
    await stream.close();
    expect(stream.pending).toBe(0);
    expect(stream.dropped).toBe(1);
  });
});
