import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FedgateError } from '../../../src/errors/index.js';
import {
  WebIdentityVerifier,
  type WebIdentityProviderOptions,
} from '../../../src/identity-providers/web-identity/index.js';
import { createMemoryStore } from '../../../src/store/index.js';
import { startTestOidcIdp, type TestOidcIdp } from '../../support/oidc-idp.js';

let idpA: TestOidcIdp;
let idpB: TestOidcIdp;
let attacker: Server;
let attackerUrl: string;
let attackerJwksFetches = 0;
const attackerKeys = await generateKeyPair('RS256');

function provider(id: string, idp: TestOidcIdp): WebIdentityProviderOptions {
  return {
    id,
    issuer: idp.issuer,
    audiences: ['fedgate'],
    allowedAlgorithms: ['RS256', 'ES256'],
    replayProtection: false,
    subject: 'claim:sub',
    tags: {},
  };
}

function verifier(): WebIdentityVerifier {
  return new WebIdentityVerifier([provider('provider-a', idpA), provider('provider-b', idpB)], {
    store: createMemoryStore(),
  });
}

async function refusal(promise: Promise<unknown>): Promise<FedgateError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(FedgateError);
  return error as FedgateError;
}

beforeAll(async () => {
  idpA = await startTestOidcIdp({ clients: [], accounts: {} });
  idpB = await startTestOidcIdp({ clients: [], accounts: {} });
  const jwk = { ...(await exportJWK(attackerKeys.publicKey)), kid: 'attacker', alg: 'RS256', use: 'sig' };
  attacker = createServer((_req, res) => {
    attackerJwksFetches += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/jwks`;
});

afterAll(async () => {
  await Promise.all([
    idpA.stop(),
    idpB.stop(),
    new Promise<void>((resolve) => attacker.close(() => resolve())),
  ]);
});

describe('web identity: token header and issuer attacks', () => {
  it('jku-header-pointing-elsewhere: a token naming an attacker JWKS in jku is refused and the URL is never fetched', async () => {
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ sub: 'repo:acme/orders:ref:refs/heads/main' })
      .setProtectedHeader({ alg: 'RS256', kid: 'attacker', jku: attackerUrl })
      .setIssuer(idpA.issuer)
      .setAudience('fedgate')
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(attackerKeys.privateKey);
    const error = await refusal(verifier().verify(forged));
    expect(error.code).toBe('InvalidIdentityToken');
    expect(attackerJwksFetches).toBe(0);
  });

  it('token-from-provider-A-presented-as-provider-B: A signs a token claiming B as issuer, refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    const signedByA = await idpA.issueIdToken(
      { sub: 'alice', iss: idpB.issuer },
      { aud: 'fedgate', issuedAt: now, expiresIn: 300 },
    );
    const error = await refusal(verifier().verify(signedByA));
    expect(error.code).toBe('InvalidIdentityToken');
    expect(error.reason).toBe('bad-signature');
  });

  it('a genuine token of each provider is accepted and attributed to its own provider', async () => {
    const now = Math.floor(Date.now() / 1000);
    const fromB = await idpB.issueIdToken({ sub: 'bob' }, { aud: 'fedgate', issuedAt: now, expiresIn: 300 });
    const identity = await verifier().verify(fromB);
    expect(identity.provider).toBe('provider-b');
    expect(identity.subject).toBe('bob');
  });
});
