/**
 * RFC 8414 metadata, RFC 7009 revocation and RFC 7662 introspection on a whole gateway: a registered client
 * introspects and revokes the tokens it obtained by token exchange, and only those.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoleSessionInput } from '../../../src/sessions/index.js';
import { startGatewayFixture, type GatewayFixture } from '../../support/gateway-fixture.js';

const FRONT = { id: 'front', secret: 'front-client-secret-0123456789' };
const BILLING = { id: 'billing-api', secret: 'billing-client-secret-0123456789' };
const OTHER = { id: 'other-app', secret: 'other-client-secret-0123456789' };

let gateway: GatewayFixture;
beforeAll(async () => {
  gateway = await startGatewayFixture({
    config: {
      roles: [
        {
          name: 'Developer',
          trustPolicy: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Principal: { Federated: 'corp' }, Action: 'sts:AssumeRoleWithWebIdentity' },
            ],
          },
          inlinePolicies: {
            Exchange: {
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: 'sts:ExchangeToken', Resource: '*' }],
            },
          },
        },
      ],
      clients: [
        { id: FRONT.id, secret: FRONT.secret, audiences: ['billing-api'], scopes: ['orders.read'] },
        { id: BILLING.id, secret: BILLING.secret, audiences: ['ledger-api'] },
        { id: OTHER.id, secret: OTHER.secret, audiences: ['ledger-api'] },
      ],
    },
  });
});
afterAll(async () => {
  await gateway?.close();
});

async function signInToken(): Promise<string> {
  const input: RoleSessionInput = {
    roleName: 'Developer',
    sessionName: 'dev@example.com',
    provider: 'corp',
    subject: 'dev@example.com',
    tags: {},
    transitiveTagKeys: [],
    mfa: false,
    amr: ['pwd'],
    chain: 0,
    sessionPolicies: [],
    hasSessionPolicy: false,
    audience: 'fedgate',
    durationSeconds: 3600,
  };
  return (await gateway.gateway.sessions.issue(input)).token;
}

function basic(client: { id: string; secret: string }): string {
  return `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`;
}

async function post(
  path: string,
  client: { id: string; secret: string } | undefined,
  form: Record<string, string>,
): Promise<{ status: number; text: string; headers: Headers }> {
  const response = await fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: {
      ...(client === undefined ? {} : { authorization: basic(client) }),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(form),
  });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

/** A token `front` obtained for `billing-api` by exchanging a sign-in session. */
async function exchangedForBilling(): Promise<string> {
  const answer = await post('/oauth2/token', FRONT, {
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    subject_token: await signInToken(),
    subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    audience: 'billing-api',
    scope: 'orders.read',
  });
  expect(answer.status).toBe(200);
  return (JSON.parse(answer.text) as { access_token: string }).access_token;
}

const introspect = (client: { id: string; secret: string } | undefined, token: string) =>
  post('/oauth2/introspect', client, { token });

describe('RFC 8414 authorization server metadata', () => {
  it('names the token, revocation and introspection endpoints, and discovery agrees', async () => {
    const metadata = (await (
      await fetch(`${gateway.url}/.well-known/oauth-authorization-server`)
    ).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      issuer: gateway.url,
      token_endpoint: `${gateway.url}/oauth2/token`,
      revocation_endpoint: `${gateway.url}/oauth2/revoke`,
      introspection_endpoint: `${gateway.url}/oauth2/introspect`,
      jwks_uri: `${gateway.url}/.well-known/jwks.json`,
    });
    expect(metadata.revocation_endpoint_auth_methods_supported).toContain('client_secret_basic');
    const oidc = (await (await fetch(`${gateway.url}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    // The OpenID document used to point revocation_endpoint at /sts/revoke, which is not RFC 7009.
    expect(oidc.revocation_endpoint).toBe(metadata.revocation_endpoint);
    expect(oidc.introspection_endpoint).toBe(metadata.introspection_endpoint);
  });
});

describe('RFC 7662 introspection', () => {
  it('an active token issued to the client: active, with scope, client_id, exp and the role', async () => {
    const token = await exchangedForBilling();
    const answer = await introspect(FRONT, token);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const body = JSON.parse(answer.text) as Record<string, unknown>;
    expect(body).toMatchObject({
      active: true,
      scope: 'orders.read',
      client_id: 'front',
      aud: 'billing-api',
      iss: gateway.url,
      token_type: 'Bearer',
      role: 'arn:fedgate:iam::000000000000:role/Developer',
    });
    expect(body.exp).toBeGreaterThan(Math.floor(Date.now() / 1000));
  });

  it('the audience itself, registered as a client (a resource server), may introspect it too', async () => {
    const answer = await introspect(BILLING, await exchangedForBilling());
    expect(JSON.parse(answer.text)).toMatchObject({ active: true, aud: 'billing-api' });
  });

  it("another client's token is inactive: a client cannot probe credentials it has no part in", async () => {
    const answer = await introspect(OTHER, await exchangedForBilling());
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ active: false });
  });

  it('garbage, a forged token and an oversized one are inactive, never an error', async () => {
    const token = await exchangedForBilling();
    const [header, payload] = token.split('.');
    for (const candidate of ['not-a-token', `${header}.${payload}.AAAA`, 'x'.repeat(20_000)]) {
      const answer = await introspect(FRONT, candidate);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.text)).toEqual({ active: false });
    }
  });

  it('without client authentication: 401 invalid_client with a Basic challenge', async () => {
    const answer = await introspect(undefined, await exchangedForBilling());
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Basic realm="fedgate"');
    expect(JSON.parse(answer.text)).toMatchObject({ error: 'invalid_client' });
  });

  it('a wrong client secret: 401 invalid_client', async () => {
    const answer = await introspect({ id: FRONT.id, secret: 'wrong-secret-0123456789' }, 'x');
    expect(answer.status).toBe(401);
  });
});

describe('RFC 7009 revocation', () => {
  it('revokes a token issued to the client: 200 with an empty body, then it introspects inactive and /authz refuses it', async () => {
    const token = await exchangedForBilling();
    const answer = await post('/oauth2/revoke', FRONT, { token, token_type_hint: 'access_token' });
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('');
    expect(JSON.parse((await introspect(FRONT, token)).text)).toEqual({ active: false });
    expect(gateway.audit).toContainEqual(
      expect.objectContaining({
        event: 'session.revoked',
        outcome: 'success',
        details: expect.objectContaining({ client: 'front' }),
      }),
    );
  });

  it('an invalid or already revoked token is not an error (RFC 7009 §2.2)', async () => {
    const token = await exchangedForBilling();
    expect((await post('/oauth2/revoke', FRONT, { token })).status).toBe(200);
    expect((await post('/oauth2/revoke', FRONT, { token })).status).toBe(200);
    expect((await post('/oauth2/revoke', FRONT, { token: 'garbage' })).status).toBe(200);
  });

  it("revoking another client's token is refused and the token stays live", async () => {
    const token = await exchangedForBilling();
    const answer = await post('/oauth2/revoke', OTHER, { token });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toMatchObject({ error: 'unauthorized_client' });
    expect(JSON.parse((await introspect(FRONT, token)).text)).toMatchObject({ active: true });
  });

  it('an unknown token_type_hint is unsupported_token_type, without echoing it', async () => {
    const answer = await post('/oauth2/revoke', FRONT, { token: 'x', token_type_hint: 'id_token_zzz' });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toMatchObject({ error: 'unsupported_token_type' });
    expect(answer.text).not.toContain('id_token_zzz');
  });

  it('a missing token parameter is invalid_request; GET is 405', async () => {
    const answer = await post('/oauth2/revoke', FRONT, {});
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toMatchObject({ error: 'invalid_request' });
    expect((await fetch(`${gateway.url}/oauth2/revoke`)).status).toBe(405);
  });
});
