import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FedgateError } from '../../../src/errors/index.js';
import { WebIdentityVerifier } from '../../../src/identity-providers/web-identity/index.js';
import type {
  WebIdentityProviderOptions,
  WebIdentityVerifierDeps,
} from '../../../src/identity-providers/web-identity/index.js';
import { createMemoryStore } from '../../../src/store/index.js';
import type { Store } from '../../../src/store/index.js';
import { startTestOidcIdp } from '../../support/oidc-idp.js';
import type { TestOidcIdp } from '../../support/oidc-idp.js';

let idp: TestOidcIdp;
let store: Store;
/** The verifier's clock, epoch seconds; tokens are issued relative to it. */
let now: number;

const CI_CLAIMS = {
  sub: 'repo:acme/orders:ref:refs/heads/main',
  repository: 'acme/orders',
  groups: ['deployers'],
  amr: ['hwk'],
};

function provider(overrides: Partial<WebIdentityProviderOptions> = {}): WebIdentityProviderOptions {
  return {
    id: 'ci',
    issuer: idp.issuer,
    audiences: ['fedgate', 'sts.fedgate'],
    allowedAlgorithms: ['RS256', 'ES256'],
    replayProtection: false,
    subject: 'claim:sub',
    groups: 'claim:groups',
    sessionName: 'claim:repository',
    tags: { repo: 'claim:repository' },
    ...overrides,
  };
}

function verifier(
  providers: WebIdentityProviderOptions[] = [provider()],
  deps: Partial<WebIdentityVerifierDeps> = {},
): WebIdentityVerifier {
  return new WebIdentityVerifier(providers, { store, now: () => now * 1000, ...deps });
}

function token(
  claims: Record<string, unknown> = {},
  options: {
    aud?: string;
    kid?: string;
    alg?: 'RS256' | 'ES256';
    expiresIn?: number;
    issuedAt?: number;
  } = {},
): Promise<string> {
  return idp.issueIdToken(
    { ...CI_CLAIMS, ...claims },
    {
      aud: options.aud ?? 'fedgate',
      issuedAt: options.issuedAt ?? now,
      expiresIn: options.expiresIn ?? 300,
      ...(options.kid === undefined ? {} : { kid: options.kid }),
      ...(options.alg === undefined ? {} : { alg: options.alg }),
    },
  );
}

async function refusal(promise: Promise<unknown>): Promise<FedgateError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(FedgateError);
  return error as FedgateError;
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

beforeAll(async () => {
  idp = await startTestOidcIdp({ clients: [], accounts: {} });
});

afterAll(async () => {
  await idp.stop();
});

beforeEach(() => {
  store = createMemoryStore();
  now = Math.floor(Date.now() / 1000);
});

afterEach(async () => {
  await store.close();
});

describe('web identity tokens: accepted', () => {
  it.each(['RS256', 'ES256'] as const)(
    'a %s token from a discovered issuer gives the federated identity',
    async (alg) => {
      const identity = await verifier().verify(await token({ auth_time: now - 5 }, { alg }));
      expect(identity).toMatchObject({
        provider: 'ci',
        providerType: 'oidc',
        issuer: idp.issuer,
        subject: CI_CLAIMS.sub,
        groups: ['deployers'],
        amr: ['hwk'],
        mfa: true,
        authTime: now - 5,
        audience: 'fedgate',
        sessionName: 'acme/orders',
        tags: { repo: 'acme/orders' },
        // The token's own exp, so what is exchanged from it need not decode it again to be bounded by it.
        expiresAt: now + 300,
      });
      expect(identity.attributes['repository']).toEqual(['acme/orders']);
    },
  );

  it('the audience reported is the configured one the token carries', async () => {
    const identity = await verifier().verify(await token({ aud: ['other', 'sts.fedgate'] }));
    expect(identity.audience).toBe('sts.fedgate');
  });

  it('a configured jwksUri is used without discovery', async () => {
    const fetched: string[] = [];
    const recordingFetch: typeof fetch = (input, init) => {
      fetched.push(String(input));
      return fetch(input, init);
    };
    await verifier([provider({ jwksUri: idp.jwksUri })], { fetch: recordingFetch }).verify(await token());
    expect(fetched).toEqual([idp.jwksUri]);
  });

  it('the AWS tags claim becomes session tags and transitive tag keys', async () => {
    const identity = await verifier().verify(
      await token({
        'https://aws.amazon.com/tags': { principal_tags: { env: ['prod'] }, transitive_tag_keys: ['env'] },
      }),
    );
    expect(identity.tags).toEqual({ env: 'prod', repo: 'acme/orders' });
    expect(identity.transitiveTagKeys).toEqual(['env']);
  });

  it('within skew: a token expired 30 s ago is still accepted (60 s skew)', async () => {
    const issued = await token({}, { issuedAt: now - 330, expiresIn: 300 });
    await expect(verifier().verify(issued)).resolves.toMatchObject({ subject: CI_CLAIMS.sub });
  });
});

describe('web identity tokens: refused', () => {
  it('unknown-issuer: a token from an issuer that is not configured', async () => {
    const error = await refusal(verifier().verify(await token({ iss: 'https://token.example.com' })));
    expect(error).toMatchObject({ code: 'InvalidIdentityToken', reason: 'unknown-issuer', status: 400 });
  });

  it('invalid-aud: a token for another audience', async () => {
    const error = await refusal(verifier().verify(await token({}, { aud: 'someone-else' })));
    expect(error).toMatchObject({ code: 'InvalidIdentityToken', reason: 'bad-audience' });
  });

  it('invalid-aud: a provider with no audiences accepts no token', async () => {
    const error = await refusal(verifier([provider({ audiences: [] })]).verify(await token()));
    expect(error.reason).toBe('bad-audience');
  });

  it('alg none: an unsigned token is refused', async () => {
    const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ ...CI_CLAIMS, iss: idp.issuer, aud: 'fedgate', iat: now, exp: now + 300 })}.`;
    expect((await refusal(verifier().verify(unsigned))).reason).toBe('alg-not-allowed');
  });

  it('HS256 with the public key as secret: the key-confusion forgery is refused', async () => {
    const publicJwk = idp.jwks().keys.find((key) => key.kid === idp.kids.RS256);
    const forged = await new SignJWT({
      ...CI_CLAIMS,
      iss: idp.issuer,
      aud: 'fedgate',
      iat: now,
      exp: now + 300,
    })
      .setProtectedHeader({ alg: 'HS256', kid: idp.kids.RS256 })
      .sign(new TextEncoder().encode(JSON.stringify(publicJwk)));
    expect((await refusal(verifier().verify(forged))).reason).toBe('alg-not-allowed');
  });

  it('alg-not-allowed: a validly signed ES256 token when only RS256 is allowed', async () => {
    const strict = verifier([provider({ allowedAlgorithms: ['RS256'] })]);
    expect((await refusal(strict.verify(await token({}, { alg: 'ES256' })))).reason).toBe('alg-not-allowed');
  });

  it('bad-signature: a token signed by another key under the IdP kid', async () => {
    const attacker = await generateKeyPair('RS256');
    const forged = await new SignJWT({
      ...CI_CLAIMS,
      iss: idp.issuer,
      aud: 'fedgate',
      iat: now,
      exp: now + 300,
    })
      .setProtectedHeader({ alg: 'RS256', kid: idp.kids.RS256 })
      .sign(attacker.privateKey);
    expect((await refusal(verifier().verify(forged))).reason).toBe('bad-signature');
  });

  it('bad-signature: a payload changed after signing', async () => {
    const [header, , signature] = (await token()).split('.');
    const tampered = `${header}.${base64url({ ...CI_CLAIMS, sub: 'repo:acme/payments:ref:refs/heads/main', iss: idp.issuer, aud: 'fedgate', iat: now, exp: now + 300 })}.${signature}`;
    expect((await refusal(verifier().verify(tampered))).reason).toBe('bad-signature');
  });

  it('expired beyond skew: a token expired 61 s ago is ExpiredToken', async () => {
    const issued = await token({}, { issuedAt: now - 361, expiresIn: 300 });
    const error = await refusal(verifier().verify(issued));
    expect(error).toMatchObject({ code: 'ExpiredToken', reason: 'expired', status: 401 });
  });

  it('not-yet-valid: nbf beyond the skew', async () => {
    expect((await refusal(verifier().verify(await token({ nbf: now + 120 })))).reason).toBe('not-yet-valid');
  });

  it('nbf within the skew is accepted', async () => {
    await expect(verifier().verify(await token({ nbf: now + 30 }))).resolves.toMatchObject({
      provider: 'ci',
    });
  });

  it('not-yet-valid: iat in the future beyond the skew', async () => {
    expect((await refusal(verifier().verify(await token({}, { issuedAt: now + 120 })))).reason).toBe(
      'not-yet-valid',
    );
  });

  it('a token without exp is refused (it would never expire)', async () => {
    const issued = await token({ exp: undefined });
    expect(JSON.parse(Buffer.from(issued.split('.')[1] ?? '', 'base64url').toString())).not.toHaveProperty(
      'exp',
    );
    expect((await refusal(verifier().verify(issued))).reason).toBe('invalid-claims');
  });

  it('malformed: not a JWT', async () => {
    expect((await refusal(verifier().verify('not.a.jwt'))).reason).toBe('malformed');
    expect((await refusal(verifier().verify(''))).reason).toBe('malformed');
  });

  it('missing-subject: a token without the configured subject claim', async () => {
    const byEmail = verifier([provider({ subject: 'claim:email' })]);
    expect((await refusal(byEmail.verify(await token()))).reason).toBe('missing-subject');
  });
});

describe('replay protection', () => {
  it('replayed: with replay protection a jti is accepted once', async () => {
    const protectedVerifier = verifier([provider({ replayProtection: true })]);
    const issued = await token({ jti: 'run-42-attempt-1' });
    await protectedVerifier.verify(issued);
    const error = await refusal(protectedVerifier.verify(issued));
    expect(error).toMatchObject({ code: 'InvalidIdentityToken', reason: 'replayed' });
  });

  it('replayed: the jti cache is in the shared store, so another instance refuses it too', async () => {
    const issued = await token({ jti: 'run-43' });
    await verifier([provider({ replayProtection: true })]).verify(issued);
    expect((await refusal(verifier([provider({ replayProtection: true })]).verify(issued))).reason).toBe(
      'replayed',
    );
  });

  it('missing-jti: with replay protection a token without jti is refused', async () => {
    const protectedVerifier = verifier([provider({ replayProtection: true })]);
    expect((await refusal(protectedVerifier.verify(await token()))).reason).toBe('missing-jti');
  });

  it('without replay protection the same token may be presented again', async () => {
    const v = verifier();
    const issued = await token({ jti: 'same' });
    await v.verify(issued);
    await expect(v.verify(issued)).resolves.toMatchObject({ provider: 'ci' });
  });
});

describe('JWKS refetch', () => {
  it('unknown kid: the JWKS is refetched and the new key accepted', async () => {
    const v = verifier([provider()], { jwksCooldownMs: 0 });
    await v.verify(await token());
    const before = idp.jwksRequests();
    const kid = await idp.addSigningKey('RS256');
    await expect(v.verify(await token({}, { kid }))).resolves.toMatchObject({ provider: 'ci' });
    expect(idp.jwksRequests()).toBe(before + 1);
  });

  it('unknown kid within the cooldown: refused without hammering the IdP', async () => {
    const v = verifier([provider()], { jwksCooldownMs: 3_600_000 });
    await v.verify(await token());
    const before = idp.jwksRequests();
    const kid = await idp.addSigningKey('RS256');
    const error = await refusal(v.verify(await token({}, { kid })));
    expect(error.reason).toBe('bad-signature');
    expect(idp.jwksRequests()).toBe(before);
  });
});

describe('issuer discovery', () => {
  it('a discovery document for another issuer is not used', async () => {
    const lyingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!String(input).endsWith('/.well-known/openid-configuration')) return response;
      const document = (await response.json()) as Record<string, unknown>;
      return Response.json({ ...document, issuer: 'https://evil.example.com' });
    };
    const error = await refusal(verifier([provider()], { fetch: lyingFetch }).verify(await token()));
    expect(error).toMatchObject({ code: 'ServiceUnavailable', reason: 'discovery-issuer-mismatch' });
  });

  it('an unreachable issuer is ServiceUnavailable, and discovery is retried on the next token', async () => {
    let down = true;
    const flakyFetch: typeof fetch = (input, init) =>
      down ? Promise.reject(new TypeError('fetch failed')) : fetch(input, init);
    const v = verifier([provider()], { fetch: flakyFetch });
    const issued = await token();
    expect((await refusal(v.verify(issued))).code).toBe('ServiceUnavailable');
    down = false;
    await expect(v.verify(issued)).resolves.toMatchObject({ provider: 'ci' });
  });

  it('configuration errors: alg none, HS256, http off loopback', () => {
    expect(() => verifier([provider({ allowedAlgorithms: ['none'] })])).toThrow(TypeError);
    expect(() => verifier([provider({ allowedAlgorithms: ['HS256'] })])).toThrow(TypeError);
    expect(() => verifier([provider({ issuer: 'http://token.example.com' })])).toThrow(TypeError);
  });
});
