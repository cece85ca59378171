import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startGateway, type Answer, type GatewayUnderTest } from './authorizer-gateway.js';
import { ordersConfig } from './orders-config.js';

/*
 * Each trusted proxy reports the original request in one header family. The proxies are played from distinct
 * loopback addresses: 127.0.0.2 is nginx (original), 127.0.0.3 Traefik/Caddy (forwarded), 127.0.0.4 Envoy, and
 * 127.0.0.1 a bare CIDR (auto). The headers are the ones each proxy sends as its guide configures it.
 */
const NGINX = '127.0.0.2';
const TRAEFIK = '127.0.0.3';
const ENVOY = '127.0.0.4';

let gateway: GatewayUnderTest;
let token: string;
beforeAll(async () => {
  gateway = await startGateway({
    config: ordersConfig({
      trustProxies: [
        { cidr: `${NGINX}/32`, headers: 'original' },
        { cidr: TRAEFIK, headers: 'forwarded' },
        { cidr: ENVOY, headers: 'envoy' },
        '127.0.0.1/32',
      ],
    }),
  });
  token = (await gateway.issue({ roleName: 'Developer', tags: { team: 'payments' } })).token;
});
afterAll(async () => {
  await gateway?.close();
});

const from = (localAddress: string, headers: Record<string, string>, path = '/authz', method = 'GET') =>
  send(gateway.url, {
    localAddress,
    path,
    method,
    headers: { authorization: `Bearer ${token}`, ...headers },
  });

/** What nginx sends with the guide's subrequest location. */
const nginx = (uri: string, method = 'GET') => ({
  'x-original-method': method,
  'x-original-uri': uri,
  'x-original-host': 'orders.example.com',
  'x-original-proto': 'https',
  'x-real-ip': '10.1.1.1',
  'x-request-id': 'nginx-req-1',
});

/** What Traefik's ForwardAuth sends (trustForwardHeader: false), and Caddy's forward_auth. */
const traefik = (uri: string, method = 'GET') => ({
  'x-forwarded-method': method,
  'x-forwarded-uri': uri,
  'x-forwarded-host': 'orders.example.com',
  'x-forwarded-proto': 'https',
  'x-forwarded-for': '10.1.1.2',
  'x-real-ip': '10.1.1.2',
});

function expectAudited(reason: string, requestId?: string): void {
  const event = gateway.audit.findLast((e) => e.reason === reason);
  expect(event?.event).toBe('authz.denied');
  if (requestId !== undefined) expect(event?.requestId).toBe(requestId);
}

describe('one header family per trusted proxy', () => {
  it('nginx (original): X-Original-Method/URI/Host/Proto and X-Real-IP decide', async () => {
    expect((await from(NGINX, nginx('/orders/42'))).status).toBe(200);
    expect((await from(NGINX, nginx('/orders/42', 'DELETE'))).status).toBe(403);
  });

  it('Traefik/Caddy (forwarded): X-Forwarded-Method/Uri/Host/Proto/For decide', async () => {
    expect((await from(TRAEFIK, traefik('/orders/42'))).status).toBe(200);
    const denied = await from(TRAEFIK, traefik('/orders/666'));
    expect(denied.status).toBe(403);
    expect(JSON.parse(denied.body)).toMatchObject({ code: 'ExplicitDeny' });
  });

  it('Envoy: the /authz/<path> sub-path, the method and Host; X-Forwarded-For walked from the right', async () => {
    const envoy = (path: string, method: string, forwardedFor: string): Promise<Answer> =>
      from(
        ENVOY,
        {
          host: 'orders.example.com',
          'x-forwarded-proto': 'https',
          'x-forwarded-for': forwardedFor,
          'x-request-id': 'envoy-generated-id',
          'x-envoy-internal': 'true',
        },
        `/authz${path}`,
        method,
      );
    const allowed = await envoy('/orders/42', 'GET', '10.1.1.3');
    expect(allowed.status).toBe(200);
    expect(allowed.headers['x-request-id']).toBe('envoy-generated-id');
    // A client claiming an office address left of the one Envoy appended does not get in.
    expect((await envoy('/orders/42', 'GET', '10.9.9.9, 203.0.113.7')).status).toBe(403);
    expect((await envoy('/orders/42', 'DELETE', '10.1.1.3')).status).toBe(403);
  });

  it('client-x-forwarded-uri-via-nginx: X-Forwarded-Uri next to nginx headers is refused 400 and audited', async () => {
    const answer = await from(NGINX, { ...nginx('/orders/666'), 'x-forwarded-uri': '/orders/42' });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'AmbiguousForwardedRequest' });
    expect(answer.body).not.toContain('/orders/42');
    expectAudited('AmbiguousForwardedRequest', 'nginx-req-1');
  });

  it('client-x-forwarded-method-via-nginx: a DELETE claiming X-Forwarded-Method GET is refused 400', async () => {
    const answer = await from(NGINX, { ...nginx('/orders/42', 'DELETE'), 'x-forwarded-method': 'GET' });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'AmbiguousForwardedRequest' });
  });

  it('mixed families under a bare CIDR (auto) are refused too', async () => {
    const answer = await from('127.0.0.1', { ...nginx('/orders/666'), 'x-forwarded-uri': '/orders/42' });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'AmbiguousForwardedRequest' });
  });

  it('client-x-original-uri-via-traefik: X-Original-URI sent to a forwarded-family proxy is refused', async () => {
    const answer = await from(TRAEFIK, { ...traefik('/orders/666'), 'x-original-uri': '/orders/42' });
    expect(answer.status).toBe(400);
    expectAudited('AmbiguousForwardedRequest');
  });

  it('client-x-forwarded-uri-via-envoy: Envoy family refuses X-Forwarded-Uri', async () => {
    const answer = await from(
      ENVOY,
      { host: 'orders.example.com', 'x-forwarded-uri': '/orders/42' },
      '/authz/orders/666',
    );
    expect(answer.status).toBe(400);
  });
});

describe('request ids on every /authz answer', () => {
  it('an incoming X-Request-Id from a trusted proxy is kept on 200, 401, 403 and 400 answers and in the audit', async () => {
    const ok = await from(TRAEFIK, { ...traefik('/orders/42'), 'x-request-id': 'trace-200' });
    expect(ok.headers['x-request-id']).toBe('trace-200');
    const denied = await from(TRAEFIK, { ...traefik('/orders/666'), 'x-request-id': 'trace-403' });
    expect(denied.headers['x-request-id']).toBe('trace-403');
    expect(JSON.parse(denied.body)).toMatchObject({ requestId: 'trace-403' });
    expectAudited('ExplicitDeny', 'trace-403');
    const unauthenticated = await send(gateway.url, {
      localAddress: TRAEFIK,
      path: '/authz',
      headers: { ...traefik('/orders/42'), 'x-request-id': 'trace-401' },
    });
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers['x-request-id']).toBe('trace-401');
    const bad = await from(TRAEFIK, { ...traefik('/orders/a;b'), 'x-request-id': 'trace-400' });
    expect(bad.status).toBe(400);
    expect(bad.headers['x-request-id']).toBe('trace-400');
  });

  it('request-id-from-untrusted-peer: an X-Request-Id from any other peer is replaced by a fresh one', async () => {
    const untrusted = await startGateway({ config: ordersConfig({ trustProxies: ['10.0.0.0/8'] }) });
    try {
      const answer = await send(untrusted.url, {
        path: '/authz/orders/42',
        headers: { host: 'orders.example.com', 'x-request-id': 'chosen-by-client' },
      });
      expect(answer.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await untrusted.close();
    }
  });
});

describe('paths upstreams read differently are refused, not guessed at', () => {
  it.each([
    ['semicolon-parameter', '/orders/666;x=1'],
    ['trailing-dot', '/orders/666.'],
    ['trailing-space', '/orders/666%20'],
    ['double-encoding', '/orders/%2536%2536%2536'],
    ['control-character', '/orders/666%0d'],
    ['full-width-letters', '/orders/%EF%BC%96%EF%BC%96%EF%BC%96'],
    ['decomposed-unicode', '/orders/e%CC%81'],
  ])('%s: %s is 400 UnsafeRequestPath and audited', async (_name, uri) => {
    const answer = await from(TRAEFIK, traefik(uri));
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'UnsafeRequestPath' });
    expectAudited('UnsafeRequestPath');
  });

  it('fragment-in-uri: /orders/666#x is decided as /orders/666 (the Deny applies)', async () => {
    const answer = await from(NGINX, nginx('/orders/666#x'));
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'ExplicitDeny' });
  });
});
