import { expect, it } from 'vitest';
import { send, type Answer } from '../authorizer/authorizer-gateway.js';
import { ordersConfig } from '../authorizer/orders-config.js';
import { rawRequest, type ExpressUpstream } from './proxy-harness.js';

/**
 * The orders configuration behind a real proxy: routes that follow the Express upstream (`/orders/:team/:id`,
 * matched case-insensitively as Express does), a team's orders allowed and its admin page denied, and a public
 * host whose route allows everything (the target of Host steering).
 */
export function proxiedOrdersConfig(headers: 'original' | 'forwarded'): Record<string, unknown> {
  const base = ordersConfig();
  const policies = base.policies as Record<string, unknown>;
  const roles = base.roles as { name: string; policies: string[] }[];
  return {
    ...base,
    trustProxies: [{ cidr: '127.0.0.1/32', headers }],
    policies: {
      ...policies,
      RedTeam: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'RedOrders',
            Effect: 'Allow',
            Action: 'orders:GetOrder',
            Resource: 'arn:fedgate:orders:::order/red/*',
          },
          {
            Sid: 'NoAdmin',
            Effect: 'Deny',
            Action: 'orders:*',
            Resource: 'arn:fedgate:orders:::order/red/admin',
          },
        ],
      },
    },
    roles: roles.map((role) =>
      role.name === 'Developer' ? { ...role, policies: [...role.policies, 'RedTeam'] } : role,
    ),
    routes: [
      {
        host: 'orders.example.com',
        methods: ['GET'],
        path: '/orders/:team/:id',
        action: 'orders:GetOrder',
        resource: 'arn:fedgate:orders:::order/${team}/${id}',
        caseInsensitive: true,
      },
      {
        host: 'orders.example.com',
        methods: ['DELETE'],
        path: '/orders/:team/:id',
        action: 'orders:DeleteOrder',
        resource: 'arn:fedgate:orders:::order/${team}/${id}',
        caseInsensitive: true,
      },
      {
        host: 'orders.example.com',
        path: '/ui/*',
        action: 'app:Open',
        resource: 'arn:fedgate:app:::page/${wildcard}',
        onUnauthenticated: 'redirect',
      },
      ...(base.routes as unknown[]),
    ],
  };
}

/** What the shared attack tests need from a running proxy suite. */
export interface ProxiedBed {
  readonly proxyPort: number;
  readonly upstream: ExpressUpstream;
  readonly token: string;
  /** The status the proxy answers when fedgate refuses a request with 400 (nginx turns it into 500). */
  readonly refusedStatus: number;
  /** The status the proxy answers for a host its configuration does not name. */
  readonly unknownHostStatus: number;
  /**
   * What a raw `#fragment` in the request line becomes: nginx passes it on raw (fedgate drops it and denies the
   * admin page: 403); Caddy re-encodes it as `%23`, so both fedgate and the upstream see the order `admin#x` (200,
   * the order handler). Either way the admin handler is never reached.
   */
  readonly fragment: { readonly status: number; readonly handler?: 'order' };
}

/**
 * The attacks of issue 11 through a real proxy configured from its guide. Each is named after the attack and
 * passed on the old guides and authorizer: the request reached the handler the policy denies.
 */
export function forwardAuthAttacks(bed: () => ProxiedBed): void {
  const through = (path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> => {
    const { proxyPort, token } = bed();
    return send(`http://127.0.0.1:${proxyPort}`, {
      method,
      path,
      headers: { host: 'orders.example.com', authorization: `Bearer ${token}`, ...headers },
    });
  };

  it('control: an allowed order reaches the order handler', async () => {
    const from = bed().upstream.received.length;
    expect((await through('/orders/red/1')).status).toBe(200);
    expect(bed().upstream.hits('order', from)).toHaveLength(1);
  });

  it('control: the denied admin page is refused and never served', async () => {
    const from = bed().upstream.received.length;
    expect((await through('/orders/red/admin')).status).toBe(403);
    expect(bed().upstream.hits('admin', from)).toHaveLength(0);
  });

  it('client-x-forwarded-uri: a client header naming an allowed URI does not open the admin page', async () => {
    const from = bed().upstream.received.length;
    const answer = await through('/orders/red/admin', { 'x-forwarded-uri': '/orders/red/1' });
    expect(answer.status).not.toBe(200);
    expect(bed().upstream.hits('admin', from)).toHaveLength(0);
  });

  it('client-x-original-uri: the other family of headers does not open the admin page either', async () => {
    const from = bed().upstream.received.length;
    const answer = await through('/orders/red/admin', {
      'x-original-uri': '/orders/red/1',
      'x-original-method': 'GET',
      'x-original-host': 'orders.example.com',
    });
    expect(answer.status).not.toBe(200);
    expect(bed().upstream.hits('admin', from)).toHaveLength(0);
  });

  it('client-x-forwarded-method: a DELETE claiming to be a GET is decided as the DELETE it is', async () => {
    const from = bed().upstream.received.length;
    const answer = await through('/orders/red/1', { 'x-forwarded-method': 'GET' }, 'DELETE');
    expect(answer.status).toBe(403);
    expect(
      bed()
        .upstream.received.slice(from)
        .filter((hit) => hit.method === 'DELETE'),
    ).toHaveLength(0);
  });

  it('host-header-steering: a Host the proxy does not serve is refused, never decided by its route', async () => {
    const from = bed().upstream.received.length;
    const answer = await through('/orders/red/admin', { host: 'app.example.com' });
    expect(answer.status).toBe(bed().unknownHostStatus);
    expect(bed().upstream.received.length).toBe(from);
  });

  it('fragment-in-request-line: GET /orders/red/admin#x never reaches the admin page', async () => {
    const from = bed().upstream.received.length;
    const answer = await rawRequest(bed().proxyPort, 'GET /orders/red/admin#x HTTP/1.1', {
      host: 'orders.example.com',
      authorization: `Bearer ${bed().token}`,
    });
    expect(answer.status).toBe(bed().fragment.status);
    expect(bed().upstream.hits('admin', from)).toHaveLength(0);
    const handler = bed().fragment.handler;
    if (handler !== undefined) expect(bed().upstream.hits(handler, from)).toHaveLength(1);
  });

  it('uppercase-admin-segment: /orders/red/ADMIN, which Express routes to the admin handler, is denied', async () => {
    const from = bed().upstream.received.length;
    expect((await through('/orders/red/ADMIN')).status).toBe(403);
    expect((await through('/ORDERS/RED/Admin')).status).toBe(403);
    expect(bed().upstream.hits('admin', from)).toHaveLength(0);
  });

  it('percent-encoded-letters: /orders/red/%61dmin is decoded before deciding, and denied', async () => {
    const from = bed().upstream.received.length;
    expect((await through('/orders/red/%61dmin')).status).toBe(403);
    expect(bed().upstream.hits('admin', from)).toHaveLength(0);
  });

  it.each([
    ['semicolon-parameter', '/orders/red/admin;jsessionid=1'],
    ['trailing-dot', '/orders/red/admin.'],
    ['trailing-space', '/orders/red/admin%20'],
    ['double-encoding', '/orders/red/%2561dmin'],
    ['control-character', '/orders/red/admin%09'],
    ['full-width-letters', '/orders/red/%EF%BD%81dmin'],
  ])('%s: %s is refused before any route is tried', async (_name, path) => {
    const from = bed().upstream.received.length;
    const answer = await through(path);
    expect(answer.status).toBe(bed().refusedStatus);
    expect(bed().upstream.received.length).toBe(from);
  });
}
