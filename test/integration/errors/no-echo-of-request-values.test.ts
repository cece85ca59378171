import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from '../../support/gateway-fixture.js';

/** A value no error may ever repeat back. */
const MARKER = 'echo-marker-7f3a9c';

let fixture: GatewayFixture;
beforeAll(async () => {
  fixture = await startGatewayFixture({ config: {} });
});
afterAll(async () => {
  await fixture?.close();
});

describe('no error echoes request values', () => {
  it('json-body-sent-as-form to /sts/revoke: the 400 names no part of the body', async () => {
    const answer = await fetch(`${fixture.url}/sts/revoke`, {
      method: 'POST',
      headers: { authorization: 'Bearer abc.def.ghi', 'content-type': 'application/x-www-form-urlencoded' },
      body: JSON.stringify({ SessionId: MARKER }),
    });
    expect(answer.status).toBe(400);
    const text = await answer.text();
    expect(JSON.parse(text)).toMatchObject({ code: 'ValidationError' });
    expect(text).not.toContain(MARKER);
    expect(text).not.toContain('SessionId"');
    expect(text).toContain('unknown field');
  });

  it('an unknown JSON field is refused without repeating its name', async () => {
    const answer = await fetch(`${fixture.url}/sts/revoke`, {
      method: 'POST',
      headers: { authorization: 'Bearer abc.def.ghi', 'content-type': 'application/json' },
      body: JSON.stringify({ [MARKER]: 1 }),
    });
    expect(answer.status).toBe(400);
    expect(await answer.text()).not.toContain(MARKER);
  });

  it('an unknown path is a 404 that does not repeat the path', async () => {
    const answer = await fetch(`${fixture.url}/${MARKER}`);
    expect(answer.status).toBe(404);
    expect(await answer.text()).not.toContain(MARKER);
  });

  it('/authz/check refuses an unknown field or a bad context key without repeating it', async () => {
    for (const body of [
      { token: 'a.b.c', action: 'orders:GetOrder', resource: 'arn:fedgate:orders:::order/1', [MARKER]: 1 },
      {
        token: 'a.b.c',
        action: 'orders:GetOrder',
        resource: 'arn:fedgate:orders:::order/1',
        context: { [`aws:SourceIp${MARKER}`]: 1, 'aws:SourceIp': 'x' },
      },
    ]) {
      const answer = await fetch(`${fixture.url}/authz/check`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(answer.status).toBe(400);
      expect(await answer.text()).not.toContain(MARKER);
    }
  });
});
