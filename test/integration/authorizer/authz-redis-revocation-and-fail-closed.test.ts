import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server.js';
import { askForwarded, startGateway, type Answer, type GatewayUnderTest } from './authorizer-gateway.js';
import { ordersConfig } from './orders-config.js';

const ORDER = { host: 'orders.example.com', uri: '/orders/42', clientIp: '10.1.2.3' };
/** SPEC 4.5: every instance refuses a revoked session within this long. */
const REVOCATION_DEADLINE_MS = 1000;

function nextState(gateway: GatewayUnderTest, wanted: 'up' | 'down'): Promise<void> {
  return new Promise((resolve) => {
    const off = gateway.store.onConnectionChange((state) => {
      if (state !== wanted) return;
      off();
      resolve();
    });
  });
}

/** Asks until `done` holds for an answer or the deadline passes; returns every answer seen. */
async function askUntil(
  ask: () => Promise<Answer>,
  done: (answer: Answer) => boolean,
  deadlineMs: number,
): Promise<Answer[]> {
  const seen: Answer[] = [];
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const answer = await ask();
    seen.push(answer);
    if (done(answer) || Date.now() > deadline) return seen;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('two gateway instances sharing a private redis-server', () => {
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

  it('a session revoked through the second instance is refused by the first within 1 s, though it had it cached', async () => {
    const { token, session } = await second.issue({ roleName: 'Developer', tags: { team: 'payments' } });
    const bearer = { authorization: `Bearer ${token}` };
    // Twice: the second answer comes from the first instance's cache.
    expect((await askForwarded(first, ORDER, bearer)).status).toBe(200);
    expect((await askForwarded(first, ORDER, bearer)).status).toBe(200);

    await second.sessions.revokeSession(session.id);
    const answers = await askUntil(
      () => askForwarded(first, ORDER, bearer),
      (a) => a.status === 401,
      REVOCATION_DEADLINE_MS,
    );
    expect(answers.at(-1)?.status).toBe(401);
  });

  it('a role revoked through the second instance is refused by the first within 1 s', async () => {
    const { token, session } = await second.issue({ roleName: 'Viewer', tags: { team: 'payments' } });
    const bearer = { authorization: `Bearer ${token}` };
    expect((await askForwarded(first, ORDER, bearer)).status).toBe(200);
    await second.sessions.revokeRole('Viewer', session.issuedAt + 1);
    const answers = await askUntil(
      () => askForwarded(first, ORDER, bearer),
      (a) => a.status === 401,
      REVOCATION_DEADLINE_MS,
    );
    expect(answers.at(-1)?.status).toBe(401);
  });

  it('redis killed: 503 once the connection is known lost, never 200; back to 200 when redis returns, without a restart', async () => {
    const { token: cached } = await second.issue({ roleName: 'Developer', tags: { team: 'payments' } });
    const { token: uncached } = await second.issue({ roleName: 'Developer', tags: { team: 'payments' } });
    expect((await askForwarded(first, ORDER, { authorization: `Bearer ${cached}` })).status).toBe(200);

    const down = nextState(first, 'down');
    await redis.kill();
    await down;
    for (const token of [cached, uncached, cached]) {
      const answer = await askForwarded(first, ORDER, { authorization: `Bearer ${token}` });
      expect(answer.status).toBe(503);
      expect(JSON.parse(answer.body)).toMatchObject({ code: 'StoreUnavailable' });
    }

    const up = nextState(first, 'up');
    await redis.restart();
    await up;
    // The restarted redis-server kept nothing (no persistence): old sessions are gone, so a new one proves recovery.
    expect((await askForwarded(first, ORDER, { authorization: `Bearer ${cached}` })).status).toBe(401);
    await nextStateIfDown(second);
    const { token: fresh } = await second.issue({ roleName: 'Developer', tags: { team: 'payments' } });
    expect((await askForwarded(first, ORDER, { authorization: `Bearer ${fresh}` })).status).toBe(200);
  });
});

async function nextStateIfDown(gateway: GatewayUnderTest): Promise<void> {
  if (!gateway.store.isConnected()) await nextState(gateway, 'up');
}
