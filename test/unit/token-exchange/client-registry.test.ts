import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../../src/store/index.js';
import { ClientRegistry, type ClientCredentials } from '../../../src/token-exchange/index.js';

const ISSUER = 'https://sso.example.com';
const NOW = 1_800_000_000_000;
const store = createMemoryStore({ now: () => NOW });

let privateKey: CryptoKey;
let publicJwk: JWK;
let jwksServer: Server;
let jwksUri: string;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  privateKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' };
  jwksServer = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  jwksUri = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => jwksServer.close(() => resolve()));
  await store.close();
});

function registry(): ClientRegistry {
  return ClientRegistry.fromConfig(
    [
      { id: 'secret-app', secret: 's3cret-value', audiences: ['api'] },
      { id: 'key-app', jwks: { keys: [publicJwk as Record<string, unknown>] }, audiences: ['api'] },
      { id: 'remote-app', jwksUri, audiences: ['api'] },
    ],
    { store, issuer: ISSUER, now: () => NOW },
  );
}

async function assertion(
  claims: Record<string, unknown> = {},
  alg = 'ES256',
  key: CryptoKey | Uint8Array = privateKey,
) {
  const iat = NOW / 1000;
  return new SignJWT({
    iss: 'key-app',
    sub: 'key-app',
    aud: `${ISSUER}/oauth2/token`,
    iat,
    exp: iat + 60,
    jti: crypto.randomUUID(),
    ...claims,
  })
    .setProtectedHeader({ alg, kid: 'k1' })
    .sign(key);
}

const jwt = (assertionValue: string, clientId?: string): ClientCredentials => ({
  method: 'private_key_jwt',
  assertion: assertionValue,
  ...(clientId === undefined ? {} : { clientId }),
});

async function refusal(promise: Promise<unknown>): Promise<{ error: string; reason: string }> {
  const error = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as { error: string; reason: string } | undefined;
  expect(error, 'expected a refusal').toBeDefined();
  return { error: error?.error ?? '', reason: error?.reason ?? '' };
}

describe('client secrets', () => {
  it('the right secret authenticates; basic and post are both registered for a secret client', async () => {
    const client = await registry().authenticate({
      method: 'client_secret_post',
      clientId: 'secret-app',
      secret: 's3cret-value',
    });
    expect(client).toMatchObject({
      id: 'secret-app',
      authMethods: ['client_secret_basic', 'client_secret_post'],
    });
  });

  it('wrong-secret: invalid_client WrongClientSecret', async () => {
    const result = await refusal(
      registry().authenticate({
        method: 'client_secret_basic',
        clientId: 'secret-app',
        secret: 's3cret-valuf',
      }),
    );
    expect(result).toEqual({ error: 'invalid_client', reason: 'WrongClientSecret' });
  });

  it('secret-for-a-key-client: a client registered with keys cannot authenticate with a secret', async () => {
    const result = await refusal(
      registry().authenticate({ method: 'client_secret_post', clientId: 'key-app', secret: 'x' }),
    );
    expect(result).toEqual({ error: 'invalid_client', reason: 'AuthMethodNotRegistered' });
  });

  it('the registry keeps no plaintext secret', () => {
    expect(JSON.stringify(registry().get('secret-app'))).not.toContain('s3cret-value');
  });
});

describe('private_key_jwt client assertions (RFC 7523)', () => {
  it('a fresh assertion with aud = token endpoint or issuer authenticates, once', async () => {
    const clients = registry();
    await expect(clients.authenticate(jwt(await assertion()))).resolves.toMatchObject({ id: 'key-app' });
    await expect(clients.authenticate(jwt(await assertion({ aud: ISSUER })))).resolves.toMatchObject({
      id: 'key-app',
    });
  });

  it('replayed-assertion: the same jti is refused the second time', async () => {
    const clients = registry();
    const once = await assertion();
    await clients.authenticate(jwt(once));
    expect(await refusal(clients.authenticate(jwt(once)))).toEqual({
      error: 'invalid_client',
      reason: 'AssertionReplayed',
    });
  });

  it('hmac-assertion: an HS256 assertion is refused (asymmetric algorithms only)', async () => {
    const result = await refusal(
      registry().authenticate(jwt(await assertion({}, 'HS256', new Uint8Array(32)))),
    );
    expect(result.error).toBe('invalid_client');
  });

  it('long-lived-assertion: exp more than 5 minutes ahead is refused', async () => {
    const result = await refusal(registry().authenticate(jwt(await assertion({ exp: NOW / 1000 + 3600 }))));
    expect(result).toEqual({ error: 'invalid_client', reason: 'AssertionLifetimeTooLong' });
  });

  it('expired-assertion is refused', async () => {
    const result = await refusal(registry().authenticate(jwt(await assertion({ exp: NOW / 1000 - 120 }))));
    expect(result).toEqual({ error: 'invalid_client', reason: 'AssertionExpired' });
  });

  it('wrong-aud: an assertion for another server is refused', async () => {
    const result = await refusal(
      registry().authenticate(jwt(await assertion({ aud: 'https://other.example.com/token' }))),
    );
    expect(result).toEqual({ error: 'invalid_client', reason: 'AssertionClaimInvalid' });
  });

  it('iss-not-sub: iss and sub must both be the client id', async () => {
    const result = await refusal(registry().authenticate(jwt(await assertion({ sub: 'someone-else' }))));
    expect(result.error).toBe('invalid_client');
  });

  it('missing-jti is refused', async () => {
    const result = await refusal(registry().authenticate(jwt(await assertion({ jti: undefined }))));
    expect(result.error).toBe('invalid_client');
  });

  it('client-id-mismatch: a body client_id naming another client does not borrow its keys', async () => {
    const result = await refusal(registry().authenticate(jwt(await assertion(), 'remote-app')));
    expect(result.error).toBe('invalid_client');
  });

  it('unknown-client: an assertion from an unregistered client id', async () => {
    const result = await refusal(
      registry().authenticate(jwt(await assertion({ iss: 'ghost', sub: 'ghost' }))),
    );
    expect(result).toEqual({ error: 'invalid_client', reason: 'UnknownClient' });
  });

  it('jwksUri: the client keys are fetched from its jwks_uri', async () => {
    const signed = await assertion({ iss: 'remote-app', sub: 'remote-app' });
    await expect(registry().authenticate(jwt(signed))).resolves.toMatchObject({ id: 'remote-app' });
  });
});

describe('configuration refusals', () => {
  const load = (client: Record<string, unknown>) => () =>
    ClientRegistry.fromConfig([{ id: 'c', audiences: ['api'], ...client } as never], {
      store,
      issuer: ISSUER,
    });

  it('a private key in a client JWKS is refused', () => {
    expect(load({ jwks: { keys: [{ ...publicJwk, d: 'secret' }] } })).toThrow(/private key/);
  });

  it('a symmetric key in a client JWKS is refused', () => {
    expect(load({ jwks: { keys: [{ kty: 'oct', k: 'abc' }] } })).toThrow(/symmetric/);
  });

  it('a client with no way to authenticate is refused', () => {
    expect(load({})).toThrow(/secret, jwks or jwksUri/);
  });

  it("the gateway's own audience (fedgate) cannot be a client audience", () => {
    expect(load({ secret: 'x', audiences: ['fedgate'] })).toThrow(/own audience/);
  });
});
