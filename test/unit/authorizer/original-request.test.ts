import type { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { originalRequestOf } from '../../../src/authorizer/original-request.js';
import { TrustedProxies } from '../../../src/authorizer/trusted-proxies.js';

function incoming(
  peer: string,
  method: string,
  url: string,
  headers: Record<string, string>,
): IncomingMessage {
  const socket = new Socket();
  Object.defineProperty(socket, 'remoteAddress', { value: peer });
  return { socket, method, url, headers } as unknown as IncomingMessage;
}

const proxies = new TrustedProxies(['127.0.0.1/32']);

describe('the original request behind a forward-auth call', () => {
  it('Traefik/Caddy: X-Forwarded-Method/Proto/Host/Uri from a trusted proxy', () => {
    const request = originalRequestOf(
      incoming('127.0.0.1', 'GET', '/authz', {
        host: 'fedgate:8081',
        'x-forwarded-method': 'delete',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'orders.example.com',
        'x-forwarded-uri': '/orders/42?a=1&a=2',
        'x-forwarded-for': '198.51.100.7',
      }),
      proxies,
    );
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
  });

  it('nginx: X-Original-Method/URI with X-Forwarded-Host', () => {
    const request = originalRequestOf(
      incoming('::ffff:127.0.0.1', 'GET', '/authz', {
        host: 'fedgate_authz',
        'x-original-method': 'POST',
        'x-original-uri': '/admin/run',
        'x-forwarded-host': 'admin.example.com',
        'x-forwarded-proto': 'http',
      }),
      proxies,
    );
    expect(request).toMatchObject({
      style: 'original',
      method: 'POST',
      host: 'admin.example.com',
      path: '/admin/run',
      secure: false,
    });
  });

  it('Envoy: the sub-path after /authz, Host and the request method', () => {
    const request = originalRequestOf(
      incoming('127.0.0.1', 'PUT', '/authz/orders/42?x=1', { host: 'orders.example.com' }),
      proxies,
    );
    expect(request).toMatchObject({
      style: 'subpath',
      method: 'PUT',
      host: 'orders.example.com',
      path: '/orders/42',
    });
    expect(request.query.get('x')).toBe('1');
  });

  it('an untrusted peer: every forwarded header is ignored, the peer address is the source', () => {
    const request = originalRequestOf(
      incoming('203.0.113.9', 'GET', '/authz/real', {
        host: 'real.example.com',
        'x-forwarded-method': 'DELETE',
        'x-forwarded-host': 'orders.example.com',
        'x-forwarded-uri': '/orders/42',
        'x-forwarded-proto': 'https',
        'x-original-uri': '/orders/42',
        'x-forwarded-for': '10.0.0.1',
      }),
      proxies,
    );
    expect(request).toMatchObject({
      style: 'subpath',
      method: 'GET',
      host: 'real.example.com',
      path: '/real',
      secure: false,
      sourceIp: '203.0.113.9',
    });
  });

  it('a bare /authz (or /authz?query) asks about /', () => {
    expect(
      originalRequestOf(incoming('203.0.113.9', 'GET', '/authz?x', { host: 'a.test' }), proxies).path,
    ).toBe('/');
  });
});
