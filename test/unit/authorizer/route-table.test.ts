import { describe, expect, it } from 'vitest';
import { RouteTable } from '../../../src/authorizer/route-table.js';

const table = new RouteTable([
  {
    host: 'orders.example.com',
    methods: ['GET'],
    path: '/orders/:orderId',
    action: 'orders:GetOrder',
    resource: 'arn:fedgate:orders:::order/${orderId}',
  },
  {
    host: 'orders.example.com',
    methods: ['DELETE'],
    path: '/orders/:orderId',
    action: 'orders:DeleteOrder',
    resource: 'arn:fedgate:orders:::order/${orderId}',
  },
  {
    host: '*.docs.example.com',
    path: '/files/*',
    action: 'docs:Read',
    resource: 'arn:fedgate:docs:::file/${wildcard}',
  },
  {
    host: 'api.example.com',
    methods: ['GET', 'POST'],
    path: '/',
    action: 'api:Root',
    resource: 'arn:fedgate:api:::root',
  },
]);

describe('route table', () => {
  it('first match by host, method and path gives action and resource with params substituted', () => {
    const match = table.match('orders.example.com', 'GET', '/orders/42');
    expect(match?.route.action).toBe('orders:GetOrder');
    expect(match?.resource).toBe('arn:fedgate:orders:::order/42');
    expect(match?.params).toEqual({ orderId: '42' });
  });

  it('method decides between routes on the same path', () => {
    expect(table.match('orders.example.com', 'delete', '/orders/42')?.route.action).toBe(
      'orders:DeleteOrder',
    );
    expect(table.match('orders.example.com', 'PUT', '/orders/42')).toBeUndefined();
  });

  it('host is compared without port and case-insensitively', () => {
    expect(table.match('ORDERS.example.com:8443', 'GET', '/orders/1')?.route.action).toBe('orders:GetOrder');
    expect(table.match('evil.com', 'GET', '/orders/1')).toBeUndefined();
  });

  it('wildcard host matches subdomains only, not the bare domain', () => {
    expect(table.match('a.docs.example.com', 'GET', '/files/x/y.txt')?.resource).toBe(
      'arn:fedgate:docs:::file/x/y.txt',
    );
    expect(table.match('docs.example.com', 'GET', '/files/x')).toBeUndefined();
    expect(table.match('evildocs.example.com', 'GET', '/files/x')).toBeUndefined();
  });

  it('path must match segment for segment', () => {
    expect(table.match('orders.example.com', 'GET', '/orders/42/items')).toBeUndefined();
    expect(table.match('orders.example.com', 'GET', '/orders')).toBeUndefined();
    expect(table.match('api.example.com', 'GET', '/')?.route.action).toBe('api:Root');
  });

  it('percent-encoded path parameters are decoded, but an encoded slash or dot-dot never matches', () => {
    expect(table.match('orders.example.com', 'GET', '/orders/a%20b')?.params).toEqual({ orderId: 'a b' });
    expect(table.match('orders.example.com', 'GET', '/orders/a%2Fb')).toBeUndefined();
    expect(table.match('orders.example.com', 'GET', '/orders/%2e%2e')).toBeUndefined();
    expect(table.match('orders.example.com', 'GET', '/orders/%E0%A4%A')).toBeUndefined();
  });

  it('a single-dot segment, a backslash or a NUL never matches (the upstream may resolve them differently)', () => {
    expect(table.match('orders.example.com', 'GET', '/orders/./42')).toBeUndefined();
    expect(table.match('orders.example.com', 'GET', '/orders/%2E')).toBeUndefined();
    expect(table.match('orders.example.com', 'GET', '/orders/a%5Cb')).toBeUndefined();
    expect(table.match('orders.example.com', 'GET', '/orders/a%00')).toBeUndefined();
    expect(table.match('a.docs.example.com', 'GET', '/files/a/../../secret')).toBeUndefined();
  });

  it('reports the decoded, normalised path and the host name it matched', () => {
    const match = table.match('Orders.Example.com:443', 'GET', '//orders/a%20b');
    expect(match?.path).toBe('/orders/a b');
    expect(match?.hostname).toBe('orders.example.com');
  });

  it('a Host header that is not a host name matches nothing', () => {
    expect(table.match('orders.example.com/x', 'GET', '/orders/1')).toBeUndefined();
    expect(table.match('evil.com@orders.example.com', 'GET', '/orders/1')).toBeUndefined();
    expect(table.match('', 'GET', '/orders/1')).toBeUndefined();
  });

  it('HEAD is allowed where GET is, and nothing else is implied', () => {
    expect(table.match('orders.example.com', 'HEAD', '/orders/1')?.route.action).toBe('orders:GetOrder');
    expect(table.match('orders.example.com', 'POST', '/orders/1')).toBeUndefined();
  });

  it('a route host with a port matches only that port', () => {
    const ported = new RouteTable([
      { host: 'api.example.com:8443', path: '/x', action: 'api:X', resource: 'arn:fedgate:api:::x' },
    ]);
    expect(ported.match('api.example.com:8443', 'GET', '/x')).toBeDefined();
    expect(ported.match('api.example.com', 'GET', '/x')).toBeUndefined();
  });

  it('host * and path * match any request', () => {
    const any = new RouteTable([
      { host: '*', path: '*', action: 'app:Any', resource: 'arn:fedgate:app:::${wildcard}' },
    ]);
    expect(any.match('x.test', 'PATCH', '/a/b')?.resource).toBe('arn:fedgate:app:::a/b');
  });

  it('a resource template naming a parameter the path does not have is refused at compile time', () => {
    expect(
      () =>
        new RouteTable([
          { host: 'a.test', path: '/o/:id', action: 'a:B', resource: 'arn:fedgate:a:::${orderId}' },
        ]),
    ).toThrow(TypeError);
  });
});

describe('caseInsensitive routes', () => {
  const routes = [
    {
      host: 'orders.example.com',
      path: '/orders/:team/admin',
      action: 'orders:Admin',
      resource: 'arn:fedgate:orders:::team/${team}/admin',
      caseInsensitive: true,
    },
    {
      host: 'orders.example.com',
      path: '/orders/:team/:id',
      action: 'orders:GetOrder',
      resource: 'arn:fedgate:orders:::order/${team}/${id}',
      caseInsensitive: true,
    },
  ];
  const ci = new RouteTable(routes);

  it('uppercase-admin-segment: /orders/red/ADMIN is the admin route, as an Express upstream reads it', () => {
    const match = ci.match('orders.example.com', 'GET', '/orders/Red/ADMIN');
    expect(match?.route.action).toBe('orders:Admin');
    expect(match?.resource).toBe('arn:fedgate:orders:::team/red/admin');
    expect(match?.path).toBe('/orders/red/admin');
  });

  it('parameters are lower-cased before they are put into the resource', () => {
    expect(ci.match('orders.example.com', 'GET', '/ORDERS/RED/42')?.resource).toBe(
      'arn:fedgate:orders:::order/red/42',
    );
  });

  it('without the option the path is matched as written', () => {
    const exact = new RouteTable(routes.map((route) => ({ ...route, caseInsensitive: false })));
    expect(exact.match('orders.example.com', 'GET', '/orders/red/ADMIN')?.route.action).toBe(
      'orders:GetOrder',
    );
  });

  it('a path spelt in a way upstreams read differently is refused before any route is tried', () => {
    expect(ci.route('orders.example.com', 'GET', '/orders/red/admin;x=1')).toEqual({
      ok: false,
      reason: 'UnsafeRequestPath',
      pathRefusal: 'SemicolonParameter',
    });
    expect(ci.route('orders.example.com', 'GET', '/nothing')).toEqual({
      ok: false,
      reason: 'NoMatchingRoute',
    });
  });
});
