import { describe, expect, it } from 'vitest';
import {
  readOriginalRequest,
  type AuthorizerCall,
  type OriginalRequest,
} from '../../../src/authorizer/original-request.js';
import { TrustedProxies } from '../../../src/authorizer/trusted-proxies.js';

function call(peer: string, method: string, url: string, headers: Record<string, string>): AuthorizerCall {
  return { peer, method, url, headers, encrypted: false };
}

const auto = new TrustedProxies(['127.0.0.1/32']);
const strict = new TrustedProxies([
  { cidr: '10.0.0.1', headers: 'original' },
  { cidr: '10.0.0.2', headers: 'forwarded' },
  { cidr: '10.0.0.3', headers: 'envoy' },
]);

function read(proxies: TrustedProxies, c: AuthorizerCall): OriginalRequest {
  const result = readOriginalRequest(c, proxies);
  if (!result.ok) throw new Error(`refused: ${result.headers.join(', ')}`);
  return result.request;
}

function refused(proxies: TrustedProxies, c: AuthorizerCall): readonly string[] {
  const result = readOriginalRequest(c, proxies);
  if (result.ok) throw new Error('was not refused');
  expect(result.reason).toBe('AmbiguousForwardedRequest');
  return result.headers;
}

const TRAEFIK = {
  host: 'fedgate:8081',
  'x-forwarded-method': 'delete',
  'x-forwarded-proto': 'https',
  'x-forwarded-host': 'orders.example.com',
  'x-forwarded-uri': '/orders/42?a=1&a=2',
  'x-forwarded-for': '198.51.100.7',
};

const NGINX = {
  host: 'fedgate_authz',
  'x-original-method': 'POST',
  'x-original-uri': '/admin/run',
  'x-original-host': 'admin.example.com',
  'x-original-proto': 'https',
  'x-real-ip': '198.51.100.8',
};

describe('the original request behind a forward-auth call', () => {
  it('Traefik/Caddy (forwarded family): X-Forwarded-Method/Proto/Host/Uri/For', () => {
    for (const [proxies, peer] of [
      [auto, '127.0.0.1'],
      [strict, '10.0.0.2'],
    ] as const) {
      const request = read(proxies, call(peer, 'GET', '/authz', TRAEFIK));
      expect(request).toMatchObject({
        style: 'forwarded',
        method: 'DELETE',
        host: 'orders.example.com',
        path: '/orders/42',
        secure: true,
        sourceIp: '198.51.100.7',
        url: 'https://orders.example.com/orders/42?a=1&a=2',
      });
      expect(request.query.getAll('a')).toEqual(['1', '2']);
    }
  });

  it('nginx (original family): X-Original-Method/URI/Host/Proto and X-Real-IP', () => {
    const request = read(strict, call('::ffff:10.0.0.1', 'GET', '/authz', NGINX));
    expect(request).toMatchObject({
      style: 'original',
      method: 'POST',
      host: 'admin.example.com',
      path: '/admin/run',
      secure: true,
      sourceIp: '198.51.100.8',
    });
  });

  it('nginx with the older guide under a bare CIDR (auto): X-Forwarded-Host/-Proto/-For still read', () => {
    const request = read(
      auto,
      call('127.0.0.1', 'GET', '/authz', {
        host: 'fedgate_authz',
        'x-original-method': 'POST',
        'x-original-uri': '/admin/run',
        'x-forwarded-host': 'admin.example.com',
        'x-forwarded-proto': 'http',
        'x-forwarded-for': '198.51.100.9',
      }),
    );
    expect(request).toMatchObject({
      style: 'original',
      method: 'POST',
      host: 'admin.example.com',
      secure: false,
      sourceIp: '198.51.100.9',
    });
  });

  it('Envoy: the sub-path after /authz, Host and the request method; X-Forwarded-Proto/-For', () => {
    for (const [proxies, peer] of [
      [auto, '127.0.0.1'],
      [strict, '10.0.0.3'],
    ] as const) {
      const request = read(
        proxies,
        call(peer, 'PUT', '/authz/orders/42?x=1', {
          host: 'orders.example.com',
          'x-forwarded-proto': 'https',
          'x-forwarded-for': '198.51.100.10',
        }),
      );
      expect(request).toMatchObject({
        style: 'envoy',
        method: 'PUT',
        host: 'orders.example.com',
        path: '/orders/42',
        secure: true,
        sourceIp: '198.51.100.10',
      });
      expect(request.query.get('x')).toBe('1');
    }
  });

  it('client-x-forwarded-uri-behind-nginx: an X-Forwarded-Uri next to nginx X-Original-URI is refused (auto)', () => {
    expect(
      refused(auto, call('127.0.0.1', 'GET', '/authz', { ...NGINX, 'x-forwarded-uri': '/orders/red/1' })),
    ).toEqual([
      'x-forwarded-uri',
      'x-original-method',
      'x-original-uri',
      'x-original-host',
      'x-original-proto',
    ]);
  });

  it('client-x-forwarded-method-behind-nginx: an X-Forwarded-Method to an original-family proxy is refused', () => {
    expect(
      refused(strict, call('10.0.0.1', 'GET', '/authz', { ...NGINX, 'x-forwarded-method': 'GET' })),
    ).toEqual(['x-forwarded-method']);
  });

  it('client-x-original-uri-behind-caddy: an X-Original-URI to a forwarded-family proxy is refused', () => {
    expect(
      refused(strict, call('10.0.0.2', 'GET', '/authz', { ...TRAEFIK, 'x-original-uri': '/orders/1' })),
    ).toEqual(['x-original-uri']);
  });

  it('envoy family: any X-Forwarded-Uri/-Method/-Host or X-Original-* is refused', () => {
    expect(
      refused(
        strict,
        call('10.0.0.3', 'GET', '/authz/orders/1', { host: 'orders.example.com', 'x-forwarded-uri': '/x' }),
      ),
    ).toEqual(['x-forwarded-uri']);
  });

  it('fragment-in-request-line: the fragment is not part of the path decided', () => {
    const request = read(
      strict,
      call('10.0.0.1', 'GET', '/authz', { ...NGINX, 'x-original-uri': '/orders/red/admin#x' }),
    );
    expect(request.path).toBe('/orders/red/admin');
    expect(request.url).toBe('https://admin.example.com/orders/red/admin');
    const withQuery = read(
      auto,
      call('127.0.0.1', 'GET', '/authz', { ...TRAEFIK, 'x-forwarded-uri': '/orders/1?a=1#frag?b=2' }),
    );
    expect(withQuery.path).toBe('/orders/1');
    expect([...withQuery.query.keys()]).toEqual(['a']);
  });

  it('an untrusted peer: every forwarding header is ignored, the peer address is the source', () => {
    const request = read(
      auto,
      call('203.0.113.9', 'GET', '/authz/real', {
        host: 'real.example.com',
        'x-forwarded-method': 'DELETE',
        'x-forwarded-host': 'orders.example.com',
        'x-forwarded-uri': '/orders/42',
        'x-forwarded-proto': 'https',
        'x-original-uri': '/orders/42',
        'x-forwarded-for': '10.0.0.1',
        'x-real-ip': '10.0.0.1',
      }),
    );
    expect(request).toMatchObject({
      style: 'direct',
      method: 'GET',
      host: 'real.example.com',
      path: '/real',
      secure: false,
      sourceIp: '203.0.113.9',
    });
  });

  it('a bare /authz (or /authz?query) asks about /', () => {
    expect(read(auto, call('203.0.113.9', 'GET', '/authz?x', { host: 'a.test' })).path).toBe('/');
  });
});
