import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from '../../support/gateway-fixture.js';

/* The device authorization endpoint and the verification page's answers spend the token endpoint's budget. */

let fixture: GatewayFixture;
beforeAll(async () => {
  fixture = await startGatewayFixture({
    config: {
      rateLimits: { login: { points: 100 }, sts: { points: 100 }, token: { points: 3, duration: 60 } },
    },
  });
});
afterAll(async () => {
  await fixture?.close();
});

const form = (body: string): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body,
  redirect: 'manual',
});

describe('rate limits of the device authorization grant', () => {
  it('user-code-guessing: device codes and answers to /device are cut off with the token endpoint budget', async () => {
    for (let index = 0; index < 3; index += 1) {
      const answer = await fetch(`${fixture.url}/oauth2/device_authorization`, form('client_id=fedgate-cli'));
      expect(answer.status).toBe(200);
    }
    const over = await fetch(`${fixture.url}/oauth2/device_authorization`, form('client_id=fedgate-cli'));
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await over.json()).toMatchObject({ error: 'too_many_requests' });
    const guess = await fetch(`${fixture.url}/device`, form('user_code=BCDF-GHJK&role=Developer&csrf=x'));
    expect(guess.status).toBe(429);
    const poll = await fetch(
      `${fixture.url}/oauth2/token`,
      form(
        'grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=x&client_id=fedgate-cli',
      ),
    );
    expect(poll.status).toBe(429);
  });
});
