import type { Express } from 'express';
import { Redis } from 'ioredis';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from '../../../src/http/index.js';
import { createRateLimits, rateLimitMount, type RateLimits } from '../../../src/http/rate-limit.js';
import { GatewayMetrics } from '../../../src/observability/metrics.js';
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server.js';
import { suiteLogger } from '../../support/suite-log-capture.js';

const BUDGET = { points: 4, duration: 60 };

let redis: RedisServerHandle;
let run = 0;
/** supertest connects over IPv4 loopback. */
const clientAddress = '127.0.0.1';
const opened: RateLimits[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis.stop();
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((limits) => limits.close()));
});

/** One gateway instance: its own limiter connection to the shared Redis. */
function instance(keyPrefix: string): Express {
  const limits = createRateLimits(
    { login: BUDGET, sts: BUDGET, token: BUDGET },
    { kind: 'redis', url: redis.url, keyPrefix, commandTimeoutMs: 300, connectTimeoutMs: 300 },
  );
  opened.push(limits);
  return createHttpApp({
    logger: suiteLogger(),
    metrics: new GatewayMetrics({ defaultMetrics: false }),
    readiness: {},
    trustProxies: [],
    mounts: [
      rateLimitMount(limits),
      (app) => {
        app.post('/sts/assume-role', (_req, res) => {
          res.json({ ok: true });
        });
        app.post('/oauth2/token', (_req, res) => {
          res.json({ ok: true });
        });
      },
    ],
  });
}

/** Waits until `count` limiter connections are open: before that, requests count on the insurance limiter. */
async function untilLimiterConnections(count: number): Promise<void> {
  const probe = new Redis(redis.url);
  try {
    for (let attempt = 0; attempt < 250; attempt++) {
      const clients = String(await probe.client('LIST'))
        .trim()
        .split('\n');
      if (clients.length - 1 >= count) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`fewer than ${count} limiter connections reached Redis`);
  } finally {
    probe.disconnect();
  }
}

async function budgetKeyExists(key: string): Promise<boolean> {
  const probe = new Redis(redis.url);
  try {
    return (await probe.exists(key)) === 1;
  } finally {
    probe.disconnect();
  }
}

describe('rate limits shared through Redis', () => {
  it('shares one budget per client address between two instances', async () => {
    const prefix = `shared${run++}:`;
    const first = instance(prefix);
    const second = instance(prefix);
    await untilLimiterConnections(2);
    for (let i = 0; i < BUDGET.points / 2; i++) {
      await request(first).post('/sts/assume-role').expect(200);
      await request(second).post('/sts/assume-role').expect(200);
    }
    const refused = await request(first).post('/sts/assume-role').expect(429);
    expect(refused.body.code).toBe('TooManyRequests');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    await request(second).post('/sts/assume-role').expect(429);
    expect(await budgetKeyExists(`${prefix}ratelimit:sts:${clientAddress}`)).toBe(true);
  });

  it('keeps answering with per-instance limits when Redis is killed, and never crashes', async () => {
    const prefix = `outage${run++}:`;
    const app = instance(prefix);
    await untilLimiterConnections(1);
    await request(app).post('/oauth2/token').expect(200);
    await redis.kill();
    try {
      // The insurance limiter counts alone from here: the budget still ends, it is not lifted.
      const statuses: number[] = [];
      for (let i = 0; i < BUDGET.points + 2; i++)
        statuses.push((await request(app).post('/oauth2/token')).status);
      expect(statuses.every((status) => status === 200 || status === 429)).toBe(true);
      expect(statuses.slice(0, BUDGET.points - 1)).toEqual(Array(BUDGET.points - 1).fill(200));
      expect(statuses.at(-1)).toBe(429);
    } finally {
      await redis.restart();
    }
    // Back on the shared budget once the connection is restored, without restarting the instance.
    // The connection shows in CLIENT LIST before ioredis has finished its ready check; until then a request
    // still counts on the insurance limiter, so ask again (within the budget) until one lands in Redis.
    await untilLimiterConnections(1);
    let shared = false;
    for (let attempt = 0; attempt < BUDGET.points - 1 && !shared; attempt++) {
      await request(app).post('/sts/assume-role').expect(200);
      shared = await budgetKeyExists(`${prefix}ratelimit:sts:${clientAddress}`);
      if (!shared) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(shared).toBe(true);
  });
});
