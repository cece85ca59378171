import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from '../../support/gateway-fixture.js';
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server.js';

/* The device authorization grant on a Redis store that goes away: 503 and retry, never a pass nor a final refusal. */

let redis: RedisServerHandle;
let fixture: GatewayFixture;
beforeAll(async () => {
  redis = await startRedisServer();
  fixture = await startGatewayFixture({
    config: { store: { kind: 'redis', url: redis.url, keyPrefix: 'device-down:', commandTimeout: 1 } },
    env: { FEDGATE_KEY_ENCRYPTION_KEY: 'device-grant-store-down-test-key-0123456789' },
  });
}, 60_000);
afterAll(async () => {
  await fixture?.close();
  await redis?.stop();
});

const form = (body: string): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body,
});

describe('the device authorization grant when the store is down', () => {
  it('store-down: device authorization and polling answer 503 temporarily_unavailable, and work again after', async () => {
    const started = (await (
      await fetch(`${fixture.url}/oauth2/device_authorization`, form('client_id=fedgate-cli'))
    ).json()) as { device_code: string };
    const poll = (): Promise<Response> =>
      fetch(
        `${fixture.url}/oauth2/token`,
        form(
          `grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&client_id=fedgate-cli&device_code=${started.device_code}`,
        ),
      );
    await redis.kill();
    const polled = await poll();
    expect(polled.status).toBe(503);
    expect(await polled.json()).toMatchObject({ error: 'temporarily_unavailable' });
    const asked = await fetch(`${fixture.url}/oauth2/device_authorization`, form('client_id=fedgate-cli'));
    expect(asked.status).toBe(503);
    expect(await asked.json()).toMatchObject({ error: 'temporarily_unavailable' });
    await redis.restart();
    // The store came back empty (no persistence): the device code is gone, and a new one can be asked for.
    await expect.poll(async () => (await poll()).status, { timeout: 15_000 }).toBe(400);
    const again = await fetch(`${fixture.url}/oauth2/device_authorization`, form('client_id=fedgate-cli'));
    expect(again.status).toBe(200);
  }, 60_000);
});
