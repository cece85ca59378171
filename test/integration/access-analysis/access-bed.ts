/**
 * A gateway for the access-analysis tests: the real composition root with an in-process OpenID provider
 * ("ci") whose tokens are exchanged at STS for role sessions, an authorizer route table for an orders
 * service, and a clock the test moves. Requests go through real HTTP: STS, /authz, /access/*.
 */
import { startTestOidcIdp, type TestOidcIdp } from '../../support/oidc-idp.js';
import { startGatewayFixture, type GatewayFixture } from '../../support/gateway-fixture.js';

export const ORDERS_HOST = 'orders.test';
const ACCOUNT = '000000000000';

/** The configuration of the bed: roles, policies, routes (issuer and JWKS of the running IdP filled in). */
export function accessBedConfig(
  idp: TestOidcIdp,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const trust = (subjects: string[] | undefined) => ({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'FromCi',
        Effect: 'Allow',
        Principal: { Federated: 'ci' },
        Action: 'sts:AssumeRoleWithWebIdentity',
        ...(subjects === undefined ? {} : { Condition: { StringEquals: { 'ci:sub': subjects } } }),
      },
    ],
  });
  return {
    identityProviders: [
      {
        id: 'ci',
        type: 'oidc',
        issuer: idp.issuer,
        webIdentityOnly: true,
        audiences: ['fedgate'],
        jwksUri: idp.jwksUri,
      },
      {
        id: 'spare',
        type: 'oidc',
        issuer: 'https://spare.idp.test',
        webIdentityOnly: true,
        audiences: ['fedgate'],
        jwksUri: 'https://spare.idp.test/jwks',
      },
    ],
    policies: {
      OrdersRead: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ReadTeams',
            Effect: 'Allow',
            Action: ['orders:GetOrder', 'orders:ListOrders'],
            Resource: ['arn:fedgate:orders:::order/red/*', 'arn:fedgate:orders:::order/blue/*'],
          },
        ],
      },
    },
    roles: [
      {
        name: 'Developer',
        trustPolicy: trust(['alice', 'bob']),
        policies: ['OrdersRead'],
        inlinePolicies: {
          Write: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'DeleteRedWithDelete',
                Effect: 'Allow',
                Action: 'orders:DeleteOrder',
                Resource: 'arn:fedgate:orders:::order/*',
                Condition: { StringEquals: { 'fedgate:RequestMethod': 'DELETE' } },
              },
              {
                Sid: 'NeverBlue',
                Effect: 'Deny',
                Action: 'orders:DeleteOrder',
                Resource: 'arn:fedgate:orders:::order/blue/*',
              },
            ],
          },
        },
      },
      {
        name: 'Auditor',
        trustPolicy: trust(['carol']),
        inlinePolicies: {
          Read: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: 'orders:GetOrder', Resource: 'arn:fedgate:orders:::order/*' },
            ],
          },
        },
      },
      {
        name: 'Dormant',
        trustPolicy: trust(undefined),
        inlinePolicies: {
          Everything: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
        },
      },
      {
        name: 'AccessAdmin',
        trustPolicy: trust(['root']),
        inlinePolicies: {
          Reports: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: 'fedgate:ViewAccessReports',
                Resource: `arn:fedgate:fedgate::${ACCOUNT}:access-report/*`,
              },
            ],
          },
        },
      },
    ],
    routes: [
      {
        host: ORDERS_HOST,
        methods: ['GET'],
        path: '/orders/:team/:id',
        action: 'orders:GetOrder',
        resource: 'arn:fedgate:orders:::order/${team}/${id}',
      },
      {
        host: ORDERS_HOST,
        methods: ['DELETE'],
        path: '/orders/:team/:id',
        action: 'orders:DeleteOrder',
        resource: 'arn:fedgate:orders:::order/${team}/${id}',
      },
    ],
    ...extra,
  };
}

/** A running bed. */
export interface AccessBed {
  readonly idp: TestOidcIdp;
  readonly fixture: GatewayFixture;
  readonly url: string;
  /** The bed's clock (epoch ms); tests set it. */
  clock: { ms: number };
  /** AssumeRoleWithWebIdentity for `sub` into `role`; the session credential. */
  assume(role: string, sub: string): Promise<string>;
  /** GET/DELETE through /authz as a forward-auth proxy asks; the status. */
  authz(token: string, method: 'GET' | 'DELETE', path: string): Promise<number>;
  /** GET an admin API path with a bearer; status and JSON body. */
  api(token: string, path: string): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

/** Starts the IdP and the gateway (embedded store unless `store` is given). */
export async function startAccessBed(
  options: { store?: Record<string, unknown>; extra?: Record<string, unknown>; env?: NodeJS.ProcessEnv } = {},
): Promise<AccessBed> {
  const idp = await startTestOidcIdp({ clients: [], accounts: {} });
  const clock = { ms: Date.now() };
  let fixture: GatewayFixture;
  try {
    fixture = await startGatewayFixture({
      config: {
        ...accessBedConfig(idp, options.extra),
        ...(options.store === undefined ? {} : { store: options.store }),
      },
      now: () => clock.ms,
      ...(options.env === undefined ? {} : { env: options.env }),
    });
  } catch (error) {
    await idp.stop();
    throw error;
  }
  const url = fixture.url;
  return {
    idp,
    fixture,
    url,
    clock,
    async assume(role, sub) {
      const token = await idp.issueIdToken(
        { sub },
        { aud: 'fedgate', issuedAt: Math.floor(clock.ms / 1000) },
      );
      const response = await fetch(`${url}/sts/assume-role-with-web-identity`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ RoleName: role, WebIdentityToken: token, RoleSessionName: sub }),
      });
      const body = (await response.json()) as { Credentials?: { SessionToken: string } };
      if (response.status !== 200 || body.Credentials === undefined)
        throw new Error(`assume ${role} as ${sub}: ${response.status} ${JSON.stringify(body)}`);
      return body.Credentials.SessionToken;
    },
    async authz(token, method, path) {
      const response = await fetch(`${url}/authz`, {
        headers: {
          authorization: `Bearer ${token}`,
          'x-forwarded-method': method,
          'x-forwarded-proto': 'https',
          'x-forwarded-host': ORDERS_HOST,
          'x-forwarded-uri': path,
        },
      });
      await response.arrayBuffer();
      return response.status;
    },
    async api(token, path) {
      const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
      return { status: response.status, body: await response.json() };
    },
    async close() {
      await fixture.close();
      await idp.stop();
    },
  };
}
