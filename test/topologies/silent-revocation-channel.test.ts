import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  askForwarded,
  startGateway,
  type Answer,
  type GatewayUnderTest,
} from '../integration/authorizer/authorizer-gateway.js';
import { ordersConfig } from '../integration/authorizer/orders-config.js';
import { startFreezeProxy, type FreezeProxy } from '../support/freeze-proxy.js';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server.js';

/*
 * Issue 20, item 2: a subscriber connection that silently stops carrying data (a partition, a NAT dropping
 * an idle connection) must not keep a revoked, cached credential alive. One instance reaches Redis through
 * a TCP proxy the test controls; the proxy freezes that instance's connections without closing them, and a
 * revocation is issued on the other instance meanwhile. Before the heartbeat, the revoked credential was
 * answered 200 from the cache until the entry expired, and the instance stayed ready.
 */

const ORDER = { host: 'orders.example.com', uri: '/orders/42', clientIp: '10.1.2.3' };
const LIVENESS_TIMEOUT_MS = 1_500;
const POLL_DEADLINE_MS = 30_000;

describe('a silently dead revocation channel', () => {
  let redis: RedisServerHandle;
  let proxy: FreezeProxy;
  let behindProxy: GatewayUnderTest;
  let direct: GatewayUnderTest;
  beforeAll(async () => {
    redis = await startRedisServer();
    proxy = await startFreezeProxy(redis.port);
    const tuning = { heartbeatIntervalMs: 250, livenessTimeoutMs: LIVENESS_TIMEOUT_MS };
    behindProxy = await startGateway({ config: ordersConfig(), redis: { url: proxy.url, ...tuning } });
    direct = await startGateway({ config: ordersConfig(), redis: { url: redis.url, ...tuning } });
  });
  afterAll(async () => {
    await behindProxy?.close();
    await direct?.close();
    await proxy?.close();
    await redis?.stop();
  });

  const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
  const issue = () => direct.issue({ roleName: 'Developer', tags: { team: 'payments' } });

  it('frozen subscriber connection: the cache is dropped within the liveness bound, the revoked credential is refused, the instance is not ready until resubscribed', async () => {
    const { token, session } = await issue();
    expect((await askForwarded(behindProxy, ORDER, bearer(token))).status).toBe(200);
    expect((await askForwarded(behindProxy, ORDER, bearer(token))).status).toBe(200);
    const states: string[] = [];
    behindProxy.store.onConnectionChange((state) => states.push(state));

    expect(proxy.freeze((connection) => connection.subscriber)).toBe(1);
    await direct.sessions.revokeSession(session.id);
    const revokedAt = Date.now();
    const answers = await askUntil(() => askForwarded(behindProxy, ORDER, bearer(token)), 401);
    const refusedAfterMs = Date.now() - revokedAt;
    console.info(
      `frozen subscriber: revoked credential refused after ${refusedAfterMs} ms (liveness bound ${LIVENESS_TIMEOUT_MS} ms)`,
    );
    expect(answers.at(-1)?.status).toBe(401);
    // Not ready meanwhile: the store reported the channel down, then up again once resubscribed.
    await waitFor(() => states.includes('up'));
    expect(states.slice(0, 2)).toEqual(['down', 'up']);
    // Never honoured late: from now on refused, and the channel carries revocations again.
    for (let i = 0; i < 10; i++)
      expect((await askForwarded(behindProxy, ORDER, bearer(token))).status).toBe(401);
    const next = await issue();
    expect((await askForwarded(behindProxy, ORDER, bearer(next.token))).status).toBe(200);
    await direct.sessions.revokeSession(next.session.id);
    expect(
      (await askUntil(() => askForwarded(behindProxy, ORDER, bearer(next.token)), 401)).at(-1)?.status,
    ).toBe(401);
  });

  it('every connection frozen: 503 (never 200 for the revoked credential), then service again on fresh connections', async () => {
    const { token, session } = await issue();
    expect((await askForwarded(behindProxy, ORDER, bearer(token))).status).toBe(200);
    expect((await askForwarded(behindProxy, ORDER, bearer(token))).status).toBe(200);
    expect(proxy.freeze(() => true)).toBeGreaterThanOrEqual(2);
    await direct.sessions.revokeSession(session.id);
    const answers = await askUntil(() => askForwarded(behindProxy, ORDER, bearer(token)), 401);
    console.info(
      `every connection frozen: answers until refused: ${answers.map((answer) => answer.status).join(' ')}`,
    );
    expect(answers.at(-1)?.status).toBe(401);
    // The cached 200 may last at most until the liveness bound; after the first refusal or 503, never again.
    const firstNon200 = answers.findIndex((answer) => answer.status !== 200);
    expect(answers.slice(firstNon200).filter((answer) => answer.status === 200)).toEqual([]);
    expect(answers.every((answer) => [200, 401, 503].includes(answer.status))).toBe(true);
    const fresh = await issue();
    expect(
      (await askUntil(() => askForwarded(behindProxy, ORDER, bearer(fresh.token)), 200)).at(-1)?.status,
    ).toBe(200);
  });
});

async function askUntil(ask: () => Promise<Answer>, status: number): Promise<Answer[]> {
  const seen: Answer[] = [];
  const deadline = Date.now() + POLL_DEADLINE_MS;
  for (;;) {
    const answer = await ask();
    seen.push(answer);
    if (answer.status === status || Date.now() > deadline) return seen;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + POLL_DEADLINE_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
