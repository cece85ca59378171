import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askForwarded, send, startGateway, type GatewayUnderTest } from './authorizer-gateway.js';
import { ordersConfig } from './orders-config.js';

const ORDER = { host: 'orders.example.com', uri: '/orders/42', clientIp: '10.1.2.3' };

describe('/authz answers (SPEC 4.5)', () => {
  let gateway: GatewayUnderTest;
  let token: string;
  beforeAll(async () => {
    gateway = await startGateway({ config: ordersConfig() });
    ({ token } = await gateway.issue({
      roleName: 'Developer',
      tags: { team: 'payments', 'cost center': 'Zürich' },
    }));
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('200 carries the identity headers and a 60 s assertion for the route host, signed with the current key', async () => {
    const answer = await askForwarded(gateway, ORDER, { authorization: `Bearer ${token}` });
    expect(answer.status).toBe(200);
    expect(answer.headers['x-fedgate-principal']).toBe(
      'arn:fedgate:sts::000000000000:assumed-role/Developer/alice@example.com',
    );
    expect(answer.headers['x-fedgate-role']).toBe('arn:fedgate:iam::000000000000:role/Developer');
    expect(answer.headers['x-fedgate-subject']).toBe('alice');
    expect(answer.headers['x-fedgate-session']).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(answer.headers['x-fedgate-tags']).toBe(
      `cost*20center=:${Buffer.from('Zürich').toString('base64')}:, team="payments"`,
    );
    const assertion = answer.headers['x-fedgate-assertion'] as string;
    const jwks = createLocalJWKSet(await gateway.keys.jwks());
    const { payload, protectedHeader } = await jwtVerify(assertion, jwks, {
      issuer: 'https://sso.example.com',
      audience: 'orders.example.com',
      typ: 'fedgate-assertion+jwt',
    });
    expect(payload.sub).toBe(answer.headers['x-fedgate-principal']);
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(60);
    expect(protectedHeader.kid).toBe((await gateway.keys.currentKey()).kid);
    expect(decodeProtectedHeader(token).typ).not.toBe(protectedHeader.typ);
  });

  it('the fedgate_session cookie is a credential too', async () => {
    const answer = await askForwarded(gateway, ORDER, { cookie: `other=1; fedgate_session=${token}` });
    expect(answer.status).toBe(200);
  });

  it('no credential: 401 with a Bearer challenge that has no error parameter (RFC 6750 3.1)', async () => {
    const answer = await askForwarded(gateway, ORDER);
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toBe('Bearer realm="fedgate"');
  });

  it('a forged, truncated or foreign credential: 401 invalid_token', async () => {
    for (const bad of [`${token.slice(0, -4)}AAAA`, token.slice(0, 40), 'not-a-jwt']) {
      const answer = await askForwarded(gateway, ORDER, { authorization: `Bearer ${bad}` });
      expect(answer.status).toBe(401);
      expect(answer.headers['www-authenticate']).toMatch(/^Bearer realm="fedgate", error="invalid_token"/);
      expect(answer.body).not.toContain(bad);
    }
  });

  it('a revoked session is refused at once on the instance that revoked it, cached or not', async () => {
    const issued = await gateway.issue({ roleName: 'Developer', tags: { team: 'payments' } });
    expect((await askForwarded(gateway, ORDER, { authorization: `Bearer ${issued.token}` })).status).toBe(
      200,
    );
    await gateway.sessions.revokeSession(issued.session.id);
    const answer = await askForwarded(gateway, ORDER, { authorization: `Bearer ${issued.token}` });
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toContain('error="invalid_token"');
  });

  it('sessions of a role revoked by time, and of a subject, are refused', async () => {
    const byRole = await gateway.issue({ roleName: 'Viewer', tags: { team: 'payments' }, subject: 'bob' });
    const bySubject = await gateway.issue({
      roleName: 'Developer',
      tags: { team: 'payments' },
      subject: 'carol',
    });
    for (const { token: t } of [byRole, bySubject])
      expect((await askForwarded(gateway, ORDER, { authorization: `Bearer ${t}` })).status).toBe(200);
    await gateway.sessions.revokeRole('Viewer', byRole.session.issuedAt + 1);
    await gateway.sessions.revokeSubject('carol');
    for (const { token: t } of [byRole, bySubject])
      expect((await askForwarded(gateway, ORDER, { authorization: `Bearer ${t}` })).status).toBe(401);
  });

  it('403 tells the person denied the layer, the policy name and Sid, and the simulator link: never the policy text', async () => {
    const answer = await askForwarded(
      gateway,
      { ...ORDER, uri: '/orders/666' },
      { authorization: `Bearer ${token}` },
    );
    expect(answer.status).toBe(403);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    const problem = JSON.parse(answer.body) as Record<string, unknown>;
    expect(problem).toMatchObject({
      status: 403,
      code: 'ExplicitDeny',
      detail: 'The request is explicitly denied by a statement in an identity policy.',
      deniedBy: { layer: 'identity', policy: 'policies.NeverOrder666', sid: 'Quarantined' },
    });
    expect(answer.headers['x-fedgate-denied-by']).toBe('identity');
    expect(answer.headers['x-fedgate-denied-policy']).toBe('policies.NeverOrder666');
    expect(answer.headers['x-fedgate-denied-sid']).toBe('Quarantined');
    const simulator = new URL(answer.headers['x-fedgate-simulator'] as string);
    expect(simulator.origin + simulator.pathname).toBe('https://sso.example.com/portal/simulator');
    expect(Object.fromEntries(simulator.searchParams)).toMatchObject({
      principal: 'arn:fedgate:sts::000000000000:assumed-role/Developer/alice@example.com',
      action: 'orders:GetOrder',
      resource: 'arn:fedgate:orders:::order/666',
    });
    expect(problem['simulator']).toBe(simulator.href);
    // Names, as AWS's same-account denials give them; no statement text, no other statement of the policy.
    for (const policyText of ['orders:*', 'Statement', 'Effect', 'Condition', 'OfficeNetworkOnly'])
      expect(answer.body).not.toContain(policyText);
    expect(answer.headers['x-fedgate-principal']).toBeUndefined();
  });

  it('an ImplicitDeny names the layer that did not allow, and no statement', async () => {
    // The Developer session has no MFA: OrdersWrite's DeleteWithMfa does not match.
    const answer = await askForwarded(
      gateway,
      { ...ORDER, method: 'DELETE' },
      { authorization: `Bearer ${token}` },
    );
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'ImplicitDeny', deniedBy: { layer: 'identity' } });
    expect(answer.headers['x-fedgate-denied-by']).toBe('identity');
    expect(answer.headers['x-fedgate-denied-policy']).toBeUndefined();
    expect(answer.headers['x-fedgate-denied-sid']).toBeUndefined();
  });

  it('with authorizer.explainDenials off, a 403 says only ExplicitDeny or ImplicitDeny', async () => {
    const quiet = await startGateway({ config: ordersConfig({ authorizer: { explainDenials: false } }) });
    try {
      const issued = await quiet.issue({ roleName: 'Developer', tags: { team: 'payments' } });
      const answer = await askForwarded(
        quiet,
        { ...ORDER, uri: '/orders/666' },
        { authorization: `Bearer ${issued.token}` },
      );
      expect(answer.status).toBe(403);
      const problem = JSON.parse(answer.body) as Record<string, unknown>;
      expect(problem).toMatchObject({ code: 'ExplicitDeny' });
      expect(problem['deniedBy']).toBeUndefined();
      for (const name of [
        'x-fedgate-denied-by',
        'x-fedgate-denied-policy',
        'x-fedgate-denied-sid',
        'x-fedgate-simulator',
      ])
        expect(answer.headers[name]).toBeUndefined();
      expect(answer.body).not.toContain('Quarantined');
    } finally {
      await quiet.close();
    }
  });

  it('a request no route covers is 403 NoMatchingRoute, credential or not', async () => {
    for (const headers of [{}, { authorization: `Bearer ${token}` }]) {
      const answer = await askForwarded(gateway, { ...ORDER, uri: '/invoices/1' }, headers);
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.body)).toMatchObject({ code: 'NoMatchingRoute' });
    }
  });

  it('path traversal and encoded slashes in a parameter are refused: 400 UnsafeRequestPath', async () => {
    for (const uri of [
      '/orders/..%2F666',
      '/orders/%2e%2e/admin',
      '/orders/42%2F..%2F666',
      '/teams/payments/reports/../../orders/666',
    ]) {
      const answer = await askForwarded(gateway, { ...ORDER, uri }, { authorization: `Bearer ${token}` });
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toMatchObject({ code: 'UnsafeRequestPath' });
    }
  });

  it('a browser on a redirect route is sent to the login page with the original URL to return to', async () => {
    const original = { host: 'app.example.com', uri: '/reports/q1?year=2024', clientIp: '10.1.2.3' };
    const browser = await askForwarded(gateway, original, { accept: 'text/html,application/xhtml+xml' });
    expect(browser.status).toBe(302);
    expect(browser.headers.location).toBe(
      `https://sso.example.com/login?return_to=${encodeURIComponent('https://app.example.com/reports/q1?year=2024')}`,
    );
    const api = await askForwarded(gateway, original, { accept: 'application/json' });
    expect(api.status).toBe(401);
    const orders = await askForwarded(gateway, ORDER, { accept: 'text/html' });
    expect(orders.status).toBe(401);
  });

  it('nginx (X-Original-*) cannot pass a redirect on: it gets 401 and the login URL in X-Fedgate-Redirect', async () => {
    const answer = await send(gateway.url, {
      path: '/authz',
      headers: {
        'x-original-method': 'GET',
        'x-original-uri': '/home',
        'x-forwarded-host': 'app.example.com',
        'x-forwarded-proto': 'https',
        accept: 'text/html',
      },
    });
    expect(answer.status).toBe(401);
    expect(answer.headers['x-fedgate-redirect']).toBe(
      `https://sso.example.com/login?return_to=${encodeURIComponent('https://app.example.com/home')}`,
    );
  });

  it('Envoy style: the original path appended to /authz, with Host and the original method', async () => {
    const allowed = await send(gateway.url, {
      method: 'GET',
      path: '/authz/orders/42',
      headers: { host: 'orders.example.com', authorization: `Bearer ${token}` },
    });
    expect(allowed.status).toBe(200);
    const wrongMethod = await send(gateway.url, {
      method: 'PUT',
      path: '/authz/orders/42',
      headers: { host: 'orders.example.com', authorization: `Bearer ${token}` },
    });
    expect(JSON.parse(wrongMethod.body)).toMatchObject({ code: 'NoMatchingRoute' });
  });

  it('denials are audited with the reason code, never the token', async () => {
    const before = gateway.audit.length;
    await askForwarded(gateway, { ...ORDER, uri: '/orders/666' }, { authorization: `Bearer ${token}` });
    const events = gateway.audit.slice(before);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      event: 'authz.denied',
      outcome: 'denied',
      reason: 'ExplicitDeny',
      principal: 'arn:fedgate:sts::000000000000:assumed-role/Developer/alice@example.com',
      details: { action: 'orders:GetOrder', resource: 'arn:fedgate:orders:::order/666' },
    });
    expect(JSON.stringify(gateway.audit)).not.toContain(token);
  });

  it('every answer is counted by outcome', async () => {
    const text = await gateway.metrics.registry.metrics();
    for (const outcome of ['allow', 'explicit_deny', 'unauthenticated', 'no_route'])
      expect(text).toMatch(new RegExp(`fedgate_authz_decisions_total\\{outcome="${outcome}"\\} [1-9]`));
  });

  it('a configuration reload applies new routes and policies without a restart', async () => {
    const invoices = {
      host: 'orders.example.com',
      path: '/invoices/:id',
      action: 'orders:GetOrder',
      resource: 'arn:fedgate:orders:::order/${id}',
    };
    const bearer = { authorization: `Bearer ${token}` };
    const before = await askForwarded(gateway, { ...ORDER, uri: '/invoices/1' }, bearer);
    expect(JSON.parse(before.body)).toMatchObject({ code: 'NoMatchingRoute' });
    const original = ordersConfig();
    await gateway.reload({ ...original, routes: [invoices, ...(original['routes'] as unknown[])] });
    try {
      expect((await askForwarded(gateway, { ...ORDER, uri: '/invoices/1' }, bearer)).status).toBe(200);
    } finally {
      await gateway.reload(original);
    }
    expect((await askForwarded(gateway, { ...ORDER, uri: '/invoices/1' }, bearer)).status).toBe(403);
  });

  it('anything outside /authz is 404', async () => {
    expect((await send(gateway.url, { path: '/authzx' })).status).toBe(404);
    expect((await send(gateway.url, { path: '/' })).status).toBe(404);
  });
});

describe('forwarded headers from a peer outside trustProxies are ignored', () => {
  let gateway: GatewayUnderTest;
  let token: string;
  beforeAll(async () => {
    gateway = await startGateway({ config: ordersConfig({ trustProxies: ['10.0.0.0/8'] }) });
    ({ token } = await gateway.issue({ roleName: 'Developer', tags: { team: 'payments' } }));
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('X-Forwarded-Host/Uri from an untrusted peer do not choose the request that is decided', async () => {
    const answer = await send(gateway.url, {
      path: '/authz',
      headers: {
        host: 'elsewhere.example.com',
        'x-forwarded-host': 'orders.example.com',
        'x-forwarded-uri': '/orders/42',
        'x-forwarded-method': 'GET',
        authorization: `Bearer ${token}`,
      },
    });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'NoMatchingRoute' });
  });

  it('X-Original-URI from an untrusted peer is ignored too', async () => {
    const answer = await send(gateway.url, {
      path: '/authz',
      headers: {
        host: 'orders.example.com',
        'x-original-uri': '/orders/42',
        authorization: `Bearer ${token}`,
      },
    });
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'NoMatchingRoute' });
  });

  it('X-Forwarded-Proto from an untrusted peer cannot claim TLS (aws:SecureTransport stays false)', async () => {
    const { token: mfaToken } = await gateway.issue({ roleName: 'Developer', mfa: true });
    const answer = await send(gateway.url, {
      method: 'DELETE',
      path: '/authz/orders/42',
      headers: {
        host: 'orders.example.com',
        'x-forwarded-proto': 'https',
        authorization: `Bearer ${mfaToken}`,
      },
    });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'ExplicitDeny' });
  });

  it('X-Forwarded-For from an untrusted peer cannot choose aws:SourceIp', async () => {
    // The office-network deny allows 127.0.0.1 and 10/8: the peer is 127.0.0.1 whatever the header claims.
    const outside = await send(gateway.url, {
      path: '/authz/orders/42',
      headers: {
        host: 'orders.example.com',
        'x-forwarded-for': '203.0.113.9',
        authorization: `Bearer ${token}`,
      },
    });
    expect(outside.status).toBe(200);
  });
});
