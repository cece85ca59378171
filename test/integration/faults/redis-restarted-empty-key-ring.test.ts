import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SigningKeyRing } from '../../../src/sessions/index.js';
import { createRedisStore } from '../../../src/store/index.js';
import {
  askForwarded,
  startGateway,
  type Answer,
  type GatewayUnderTest,
} from '../authorizer/authorizer-gateway.js';
import { ordersConfig } from '../authorizer/orders-config.js';
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server.js';

/*
 * Issue 20, item 1: two instances share one Redis, which restarts empty (a failover to a replica that missed
 * the writes, or a fresh node). Before: running instances kept their in-memory key and never wrote it back,
 * the next instance (or CLI command) created a different generation-1 key, and a reload ignored a generation
 * it already had, so the instances refused each other's tokens for good. Now every instance notices the ring
 * is gone, one ring is re-established (first writer wins, the others adopt), and sessions whose records were
 * lost are refused.
 */

const ORDER = { host: 'orders.example.com', uri: '/orders/42', clientIp: '10.1.2.3' };
const KEK = 'authorizer-tests-key-encryption-key-0123456789';
const POLL_DEADLINE_MS = 15_000;

describe('a Redis restarted empty under two instances', () => {
  let redis: RedisServerHandle;
  let first: GatewayUnderTest;
  let second: GatewayUnderTest;
  beforeAll(async () => {
    redis = await startRedisServer();
    first = await startGateway({ config: ordersConfig(), redisUrl: redis.url });
    second = await startGateway({ config: ordersConfig(), redisUrl: redis.url });
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await redis?.stop();
  });

  const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
  const issue = (gateway: GatewayUnderTest) =>
    gateway.issue({ roleName: 'Developer', tags: { team: 'payments' } });

  it('a new key made by another process wins; both instances adopt it and accept each other, lost sessions are refused', async () => {
    const lost = await issue(first);
    expect((await askForwarded(second, ORDER, bearer(lost.token))).status).toBe(200);
    const before = (await first.keys.jwks()).keys.map((key) => key.kid);

    await redis.kill();
    await redis.restart();
    await waitFor(() => first.store.isConnected() && second.store.isConnected());

    // A restarted instance or a CLI command opens the ring on the empty store first: a new generation-1 key.
    const outsider = createRedisStore({ url: redis.url, keyPrefix: 'fedgate:' });
    const ring = await SigningKeyRing.open({
      store: outsider,
      algorithm: 'ES256',
      keyEncryptionKey: KEK,
      rotationIntervalSeconds: 86_400,
      maxTokenLifetimeSeconds: 43_200,
    });
    const winner = (await ring.jwks()).keys.map((key) => key.kid);
    ring.close();
    await outsider.close();
    expect(winner).not.toEqual(before);

    // Sessions whose records were lost are refused (fail closed), on both instances.
    expect(await statusUntilNot200(first, lost.token)).toBe(401);
    expect(await statusUntilNot200(second, lost.token)).toBe(401);

    // Each instance signs only with a key the store holds: both converge on the winner's key.
    const fromFirst = await issue(first);
    const fromSecond = await issue(second);
    expect((await askForwarded(second, ORDER, bearer(fromFirst.token))).status).toBe(200);
    expect((await askForwarded(first, ORDER, bearer(fromSecond.token))).status).toBe(200);
    expect((await first.keys.jwks()).keys.map((key) => key.kid)).toEqual(winner);
    expect((await second.keys.jwks()).keys.map((key) => key.kid)).toEqual(winner);
  });

  it('with nobody else writing, the first instance to notice puts its key back and the other adopts it', async () => {
    await redis.kill();
    await redis.restart();
    await waitFor(() => first.store.isConnected() && second.store.isConnected());
    const fromSecond = await issue(second);
    const fromFirst = await issue(first);
    expect((await askForwarded(first, ORDER, bearer(fromSecond.token))).status).toBe(200);
    expect((await askForwarded(second, ORDER, bearer(fromFirst.token))).status).toBe(200);
    const kids = (await first.keys.jwks()).keys.map((key) => key.kid);
    expect((await second.keys.jwks()).keys.map((key) => key.kid)).toEqual(kids);
    expect(kids).toHaveLength(1);
  });
});

async function statusUntilNot200(gateway: GatewayUnderTest, token: string): Promise<number> {
  let answer: Answer | undefined;
  const deadline = Date.now() + POLL_DEADLINE_MS;
  do {
    answer = await askForwarded(gateway, ORDER, { authorization: `Bearer ${token}` });
    if (answer.status !== 200 && answer.status !== 503) return answer.status;
    await new Promise((resolve) => setTimeout(resolve, 20));
  } while (Date.now() < deadline);
  return answer.status;
}

async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + POLL_DEADLINE_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
