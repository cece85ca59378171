import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type GatewayUnderTest } from './authorizer-gateway.js';
import { ordersConfig } from './orders-config.js';

const READ_42 = { action: 'orders:GetOrder', resource: 'arn:fedgate:orders:::order/42' };

describe('POST /authz/check', () => {
  let gateway: GatewayUnderTest;
  let developer: string;
  let viewer: string;
  beforeAll(async () => {
    gateway = await startGateway({ config: ordersConfig() });
    developer = (await gateway.issue({ roleName: 'Developer', tags: { team: 'payments' } })).token;
    viewer = (await gateway.issue({ roleName: 'Viewer', tags: { team: 'search' } })).token;
  });
  afterAll(async () => {
    await gateway.close();
  });

  const check = (body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${gateway.url}/authz/check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('with a token and no caller credential: the decision and principal only, no statement-level explanation', async () => {
    const answer = await check({ token: developer, ...READ_42 });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await answer.json()).toEqual({
      decision: 'Allow',
      principal: 'arn:fedgate:sts::000000000000:assumed-role/Developer/alice@example.com',
    });
  });

  it('explanations-without-permission: a caller not allowed fedgate:SimulatePrincipalPolicy gets no policy names or Sids', async () => {
    const answer = await check({ token: developer, ...READ_42 }, { authorization: `Bearer ${viewer}` });
    expect(answer.status).toBe(200);
    const body = await answer.text();
    expect(body).not.toContain('matchedStatements');
    expect(body).not.toContain('ReadOwnTeamsOrders');
  });

  it('with a token and a caller allowed fedgate:SimulatePrincipalPolicy: the statements that decided', async () => {
    const answer = await check({ token: developer, ...READ_42 }, { authorization: `Bearer ${developer}` });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({
      decision: 'Allow',
      principal: 'arn:fedgate:sts::000000000000:assumed-role/Developer/alice@example.com',
      matchedStatements: [
        { policy: 'guardrails[0]', sid: 'Everything', effect: 'Allow' },
        { policy: 'policies.OrdersRead', sid: 'ReadOwnTeamsOrders', effect: 'Allow' },
      ],
    });
  });

  it('resource-tag-override: a token check cannot set aws:ResourceTag/* of a configured resource', async () => {
    // The viewer (team search) is denied order 42 (owner payments); claiming the order's owner is search must not help.
    const before = await check({ token: viewer, ...READ_42 });
    expect(((await before.json()) as { decision: string }).decision).toBe('ImplicitDeny');
    const answer = await check({ token: viewer, ...READ_42, context: { 'aws:ResourceTag/owner': 'search' } });
    expect(answer.status).toBe(400);
    const problem = (await answer.json()) as { code: string; detail: string };
    expect(problem.code).toBe('ValidationError');
    expect(problem.detail).not.toContain('owner');
  });

  it.each([
    ['a principal tag', { 'aws:PrincipalTag/team': 'payments' }],
    ['a principal tag in another case', { 'AWS:PRINCIPALTAG/TEAM': 'payments' }],
    ['the principal ARN', { 'aws:PrincipalArn': 'arn:fedgate:iam::000000000000:role/Developer' }],
    ['MFA', { 'aws:MultiFactorAuthPresent': 'true' }],
    ['the time', { 'aws:CurrentTime': '2020-01-01T00:00:00Z' }],
    ['the epoch time', { 'aws:EpochTime': '0' }],
    ['the source address', { 'aws:SourceIp': '10.0.0.1' }],
    ['the transport', { 'aws:SecureTransport': true }],
    ['a request key', { 'fedgate:RequestMethod': 'GET' }],
    ['a path parameter', { 'fedgate:PathParam/orderId': '42' }],
  ])(
    'gateway-owned-key: a token check refuses %s in the context (400, the key not echoed)',
    async (_name, context) => {
      const answer = await check({ token: viewer, ...READ_42, context });
      expect(answer.status).toBe(400);
      const text = await answer.text();
      expect(JSON.parse(text)).toMatchObject({ code: 'ValidationError' });
      expect(text).not.toContain(Object.keys(context)[0]);
    },
  );

  it("a token check accepts the caller's own keys, and takes aws:SourceIp from the call itself", async () => {
    const answer = await check({ token: developer, ...READ_42, context: { 'orders:Reason': 'audit' } });
    expect(((await answer.json()) as { decision: string }).decision).toBe('Allow');
  });

  it('with a principal: refused without a caller credential', async () => {
    const answer = await check({ principal: 'Viewer', ...READ_42 });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="fedgate"');
  });

  it('with a principal: refused when the caller lacks fedgate:SimulatePrincipalPolicy', async () => {
    const answer = await check({ principal: 'Developer', ...READ_42 }, { authorization: `Bearer ${viewer}` });
    expect(answer.status).toBe(403);
    expect(await answer.json()).toMatchObject({ code: 'AccessDenied' });
  });

  it('with a principal and the permission: simulates the role with the context the caller states', async () => {
    for (const principal of [
      'Viewer',
      'arn:fedgate:iam::000000000000:role/Viewer',
      'arn:fedgate:sts::000000000000:assumed-role/Viewer/bob',
    ]) {
      const allowed = await check(
        {
          principal,
          ...READ_42,
          context: { 'aws:PrincipalTag/team': 'payments', 'aws:SourceIp': '10.0.0.1' },
        },
        { authorization: `Bearer ${developer}` },
      );
      expect(allowed.status).toBe(200);
      const result = (await allowed.json()) as { decision: string; principal: string };
      expect(result.decision).toBe('Allow');
      expect(result.principal).toMatch(/^arn:fedgate:sts::000000000000:assumed-role\/Viewer\//);
    }
    const denied = await check(
      {
        principal: 'Viewer',
        action: 'orders:DeleteOrder',
        resource: READ_42.resource,
        context: { 'aws:MultiFactorAuthPresent': true, 'aws:SourceIp': '10.0.0.1' },
      },
      { authorization: `Bearer ${developer}` },
    );
    expect(((await denied.json()) as { decision: string }).decision).toBe('ImplicitDeny');
  });

  it('a principal of another account or an unknown role is a 400', async () => {
    for (const principal of ['arn:fedgate:iam::999999999999:role/Viewer', 'NoSuchRole', 'a/b']) {
      const answer = await check({ principal, ...READ_42 }, { authorization: `Bearer ${developer}` });
      expect(answer.status).toBe(400);
      expect(await answer.json()).toMatchObject({ code: 'ValidationError' });
    }
  });

  it('an invalid body is a 400 ValidationError; a huge one a 413', async () => {
    for (const body of [
      {},
      { token: developer },
      { token: developer, principal: 'Viewer', ...READ_42 },
      { token: developer, ...READ_42, extra: 1 },
    ]) {
      const answer = await check(body);
      expect(answer.status).toBe(400);
      expect(await answer.json()).toMatchObject({ code: 'ValidationError' });
    }
    const malformed = await fetch(`${gateway.url}/authz/check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"token":',
    });
    expect(malformed.status).toBe(400);
    const huge = await check({ token: developer, ...READ_42, context: { big: 'x'.repeat(100_000) } });
    expect(huge.status).toBe(413);
  });

  it('with an invalid token: 401 InvalidToken', async () => {
    const answer = await check({ token: 'x.y.z', ...READ_42 });
    expect(answer.status).toBe(401);
    expect(await answer.json()).toMatchObject({ code: 'InvalidToken' });
  });
});
