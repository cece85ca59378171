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
});
