import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecisionKind } from '../../../src/policy/index.js';
import { authorizeSession } from '../../../src/roles/index.js';
import { askForwarded, startGateway, type GatewayUnderTest } from './authorizer-gateway.js';
import { ordersConfig } from './orders-config.js';

interface Row {
  readonly name: string;
  readonly role: 'Developer' | 'Viewer';
  readonly tags?: Record<string, string>;
  readonly mfa?: boolean;
  readonly method: string;
  readonly host: string;
  readonly uri: string;
  readonly proto?: 'http' | 'https';
  readonly clientIp: string;
  /** What the route should give, written out by hand (not by the authorizer's code). */
  readonly action: string;
  readonly resource: string;
  readonly routeContext: Record<string, string | boolean | string[]>;
  readonly expected: DecisionKind;
}

const payments = { team: 'payments' };

function orderRow(
  row: Omit<Row, 'host' | 'action' | 'resource' | 'routeContext' | 'method'> & {
    method?: string;
    orderId: string;
  },
): Row {
  const method = row.method ?? 'GET';
  return {
    ...row,
    method,
    host: 'orders.example.com',
    action: method === 'GET' ? 'orders:GetOrder' : 'orders:DeleteOrder',
    resource: `arn:fedgate:orders:::order/${row.orderId}`,
    routeContext: {
      'aws:SourceIp': row.clientIp,
      'aws:SecureTransport': (row.proto ?? 'https') === 'https',
      'fedgate:RequestMethod': method,
      'fedgate:RequestHost': 'orders.example.com',
      'fedgate:RequestPath': `/orders/${row.orderId}`,
      'fedgate:PathParam/orderId': row.orderId,
    },
  };
}

const rows: Row[] = [
  orderRow({
    name: 'tag matches resource owner',
    role: 'Developer',
    tags: payments,
    uri: '/orders/42',
    orderId: '42',
    clientIp: '10.1.2.3',
    expected: 'Allow',
  }),
  orderRow({
    name: 'tag does not match resource owner',
    role: 'Developer',
    tags: { team: 'search' },
    uri: '/orders/42',
    orderId: '42',
    clientIp: '10.1.2.3',
    expected: 'ImplicitDeny',
  }),
  orderRow({
    name: 'no tag at all',
    role: 'Developer',
    uri: '/orders/42',
    orderId: '42',
    clientIp: '10.1.2.3',
    expected: 'ImplicitDeny',
  }),
  orderRow({
    name: 'quarantined order is explicitly denied',
    role: 'Developer',
    tags: payments,
    uri: '/orders/666',
    orderId: '666',
    clientIp: '10.1.2.3',
    expected: 'ExplicitDeny',
  }),
  orderRow({
    name: 'outside the office network',
    role: 'Developer',
    tags: payments,
    uri: '/orders/42',
    orderId: '42',
    clientIp: '203.0.113.5',
    expected: 'ExplicitDeny',
  }),
  orderRow({
    name: 'percent-encoded path parameter is decoded',
    role: 'Developer',
    tags: payments,
    uri: '/orders/a%20b?x=1',
    orderId: 'a b',
    clientIp: '10.1.2.3',
    expected: 'Allow',
  }),
  orderRow({
    name: 'delete with MFA',
    role: 'Developer',
    mfa: true,
    method: 'DELETE',
    uri: '/orders/42',
    orderId: '42',
    clientIp: '10.9.9.9',
    expected: 'Allow',
  }),
  orderRow({
    name: 'delete without MFA',
    role: 'Developer',
    mfa: false,
    method: 'DELETE',
    uri: '/orders/42',
    orderId: '42',
    clientIp: '10.9.9.9',
    expected: 'ImplicitDeny',
  }),
  orderRow({
    name: 'delete over plain http hits the guardrail',
    role: 'Developer',
    mfa: true,
    method: 'DELETE',
    uri: '/orders/42',
    orderId: '42',
    proto: 'http',
    clientIp: '10.9.9.9',
    expected: 'ExplicitDeny',
  }),
  orderRow({
    name: 'viewer may read',
    role: 'Viewer',
    tags: payments,
    uri: '/orders/7',
    orderId: '7',
    clientIp: '10.1.2.3',
    expected: 'Allow',
  }),
  orderRow({
    name: 'viewer may not delete even with MFA',
    role: 'Viewer',
    mfa: true,
    method: 'DELETE',
    uri: '/orders/7',
    orderId: '7',
    clientIp: '10.1.2.3',
    expected: 'ImplicitDeny',
  }),
  {
    name: 'report of own team (path params and * in the resource)',
    role: 'Developer',
    tags: payments,
    method: 'GET',
    host: 'orders.example.com',
    uri: '/teams/payments/reports/2024/q1',
    clientIp: '10.1.2.3',
    action: 'orders:GetReport',
    resource: 'arn:fedgate:orders:::team/payments/report/2024/q1',
    routeContext: {
      'aws:SourceIp': '10.1.2.3',
      'aws:SecureTransport': true,
      'fedgate:RequestMethod': 'GET',
      'fedgate:RequestHost': 'orders.example.com',
      'fedgate:RequestPath': '/teams/payments/reports/2024/q1',
      'fedgate:PathParam/team': 'payments',
      'fedgate:PathParam/wildcard': '2024/q1',
    },
    expected: 'Allow',
  },
  {
    name: 'report of another team',
    role: 'Developer',
    tags: payments,
    method: 'GET',
    host: 'orders.example.com',
    uri: '/teams/search/reports/x',
    clientIp: '10.1.2.3',
    action: 'orders:GetReport',
    resource: 'arn:fedgate:orders:::team/search/report/x',
    routeContext: {
      'aws:SourceIp': '10.1.2.3',
      'aws:SecureTransport': true,
      'fedgate:RequestMethod': 'GET',
      'fedgate:RequestHost': 'orders.example.com',
      'fedgate:RequestPath': '/teams/search/reports/x',
      'fedgate:PathParam/team': 'search',
      'fedgate:PathParam/wildcard': 'x',
    },
    expected: 'ImplicitDeny',
  },
  ...(['true', 'false'] as const).map((dryRun): Row => ({
    name: `admin op with query parameter dryRun=${dryRun}`,
    role: 'Developer',
    method: 'POST',
    host: 'eu.admin.example.com',
    uri: `/admin/status?dryRun=${dryRun}`,
    clientIp: '10.1.2.3',
    action: 'admin:Run',
    resource: 'arn:fedgate:admin:::op/status',
    routeContext: {
      'aws:SourceIp': '10.1.2.3',
      'aws:SecureTransport': true,
      'fedgate:RequestMethod': 'POST',
      'fedgate:RequestHost': 'eu.admin.example.com',
      'fedgate:RequestPath': '/admin/status',
      'fedgate:PathParam/op': 'status',
      'fedgate:QueryParam/dryRun': dryRun,
    },
    expected: dryRun === 'true' ? 'Allow' : 'ImplicitDeny',
  })),
];

const STATUS: Record<DecisionKind, number> = { Allow: 200, ExplicitDeny: 403, ImplicitDeny: 403 };

describe('decisions through /authz equal the shared decision function for the same inputs', () => {
  let gateway: GatewayUnderTest;
  beforeAll(async () => {
    gateway = await startGateway({ config: ordersConfig() });
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('the table covers every kind of decision', () => {
    expect(new Set(rows.map((row) => row.expected))).toEqual(
      new Set(['Allow', 'ImplicitDeny', 'ExplicitDeny']),
    );
  });

  it.each(rows)('$name → $expected', async (row) => {
    const { token, session } = await gateway.issue({
      roleName: row.role,
      tags: row.tags ?? {},
      mfa: row.mfa ?? false,
      ...(row.mfa === true ? { authTime: Math.floor(Date.now() / 1000) - 60 } : {}),
    });
    const engine = authorizeSession(gateway.catalog, session, {
      action: row.action,
      resource: row.resource,
      context: row.routeContext,
      now: Date.now(),
    });
    expect(engine.decision).toBe(row.expected);

    const answer = await askForwarded(
      gateway,
      {
        method: row.method,
        host: row.host,
        uri: row.uri,
        proto: row.proto ?? 'https',
        clientIp: row.clientIp,
      },
      { authorization: `Bearer ${token}` },
    );
    expect(answer.status).toBe(STATUS[row.expected]);
    if (row.expected === 'Allow') {
      expect(answer.headers['x-fedgate-principal']).toBe(session.principalArn);
    } else {
      const problem = JSON.parse(answer.body) as { code: string };
      expect(problem.code).toBe(row.expected);
    }
  });
});
