import { generateKeyPair, decodeJwt, SignJWT } from 'jose';
import type { JWTPayload } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FedgateError } from '../../../src/errors/index.js';
import { OidcRelyingParty } from '../../../src/identity-providers/oidc/index.js';
import type { OidcProviderOptions } from '../../../src/identity-providers/oidc/index.js';
import { createMemoryStore } from '../../../src/store/index.js';
import type { Store } from '../../../src/store/index.js';
import { startTestOidcIdp } from '../../support/oidc-idp.js';
import type { TestOidcIdp } from '../../support/oidc-idp.js';

const PUBLIC_URL = 'http://127.0.0.1:18080';
const REDIRECT_URI = `${PUBLIC_URL}/oidc/corp/callback`;
const ACCOUNTS = {
  alice: {
    amr: ['pwd', 'mfa'],
    claims: {
      email: 'alice@example.com',
      groups: ['engineering', 'payments'],
      department: 'payments',
      'https://aws.amazon.com/tags': {
        principal_tags: { project: ['apollo'] },
        transitive_tag_keys: ['project'],
      },
    },
  },
  bob: { amr: ['pwd'], password: 'hunter2', claims: { email: 'bob@example.com', groups: ['audit'] } },
};

let idp: TestOidcIdp;
let store: Store;
let rp: OidcRelyingParty;

function options(overrides: Partial<OidcProviderOptions> = {}): OidcProviderOptions {
  return {
    id: 'corp',
    issuer: idp.issuer,
    clientId: 'fedgate',
    clientSecret: 'client-secret',
    scopes: ['openid', 'email'],
    redirectUri: REDIRECT_URI,
    subject: 'claim:sub',
    groups: 'claim:groups',
    sessionName: 'claim:email',
    tags: { team: 'claim:department' },
    userinfo: false,
    allowedAlgorithms: ['RS256', 'ES256'],
    ...overrides,
  };
}

/** Starts a login at the RP and completes the browser part at the IdP; returns what the callback receives. */
async function signIn(
  username = 'alice',
  relyingParty = rp,
): Promise<{ callback: URL; browserBinding: string }> {
  const { authorizationUrl, browserBinding } = await relyingParty.beginLogin({ returnTo: '/apps/orders' });
  return { callback: await idp.login(authorizationUrl, { username }), browserBinding };
}

async function refusal(promise: Promise<unknown>): Promise<FedgateError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(FedgateError);
  return error as FedgateError;
}

/** Replaces the ID token of the next token responses with what `forge` makes of the genuine claims. */
function rewriteIdToken(forge: (claims: JWTPayload) => Promise<string>): void {
  idp.onTokenResponse(async (body) => ({
    ...body,
    id_token: await forge(decodeJwt(String(body['id_token']))),
  }));
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

beforeAll(async () => {
  idp = await startTestOidcIdp({
    clients: [
      {
        clientId: 'fedgate',
        clientSecret: 'client-secret',
        redirectUris: [REDIRECT_URI],
        postLogoutRedirectUris: [`${PUBLIC_URL}/`],
      },
    ],
    accounts: ACCOUNTS,
  });
});

afterAll(async () => {
  await idp.stop();
});

beforeEach(async () => {
  idp.onTokenResponse(undefined);
  store = createMemoryStore();
  rp = await OidcRelyingParty.create(options(), { store });
});

afterEach(async () => {
  idp.onTokenResponse(undefined);
  await store.close();
});

describe('OIDC login against a real oidc-provider', () => {
  it('completes the code flow with PKCE S256, state and nonce; amr with mfa means mfa', async () => {
    const { authorizationUrl, browserBinding } = await rp.beginLogin({ returnTo: '/apps/orders' });
    const request = new URL(authorizationUrl).searchParams;
    expect(request.get('code_challenge_method')).toBe('S256');
    expect(request.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(request.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(request.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(request.get('redirect_uri')).toBe(REDIRECT_URI);

    const callback = await idp.login(authorizationUrl, { username: 'alice' });
    const { identity, returnTo, idToken } = await rp.completeLogin(callback, browserBinding);

    expect(returnTo).toBe('/apps/orders');
    // The ID token comes apart from the identity (which the portal stores): never inside it.
    expect(idToken).toMatch(/^eyJ/);
    expect(identity).toMatchObject({
      provider: 'corp',
      providerType: 'oidc',
      issuer: idp.issuer,
      subject: 'alice',
      groups: ['engineering', 'payments'],
      amr: ['pwd', 'mfa'],
      mfa: true,
      audience: 'fedgate',
      sessionName: 'alice@example.com',
      tags: { team: 'payments', project: 'apollo' },
      transitiveTagKeys: ['project'],
    });
    expect(identity.attributes['email']).toEqual(['alice@example.com']);
    expect(identity.authTime).toBeTypeOf('number');
    expect(JSON.stringify(identity)).not.toMatch(/eyJ[A-Za-z0-9_-]+\.eyJ/);
  });

  it('a password-only login is not mfa', async () => {
    const { callback, browserBinding } = await signIn('bob');
    const { identity } = await rp.completeLogin(callback, browserBinding);
    expect(identity).toMatchObject({ subject: 'bob', amr: ['pwd'], mfa: false, groups: ['audit'] });
  });

  it('a browser that started two logins can finish both (the binding is reused)', async () => {
    const first = await rp.beginLogin({});
    const second = await rp.beginLogin({ browserBinding: first.browserBinding });
    expect(second.browserBinding).toBe(first.browserBinding);
    const callback = await idp.login(second.authorizationUrl, { username: 'bob' });
    await expect(rp.completeLogin(callback, first.browserBinding)).resolves.toMatchObject({
      identity: { subject: 'bob' },
    });
  });

  it('endSessionUrl points at the IdP logout with client_id and the post-logout redirect; id_token_hint when given', async () => {
    await rp.beginLogin({});
    const url = new URL(rp.endSessionUrl({ postLogoutRedirectUri: `${PUBLIC_URL}/` }) ?? 'about:blank');
    expect(url.origin + url.pathname).toBe(`${idp.issuer}/session/end`);
    expect(url.searchParams.get('client_id')).toBe('fedgate');
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe(`${PUBLIC_URL}/`);
    expect(url.searchParams.has('id_token_hint')).toBe(false);

    const { callback, browserBinding } = await signIn();
    const { idToken } = await rp.completeLogin(callback, browserBinding);
    const hinted = new URL(
      rp.endSessionUrl({ postLogoutRedirectUri: `${PUBLIC_URL}/`, idTokenHint: idToken }) ?? 'about:blank',
    );
    expect(hinted.searchParams.get('id_token_hint')).toBe(idToken);
  });
});

describe('userinfo', () => {
  let conformIdp: TestOidcIdp;
  beforeAll(async () => {
    conformIdp = await startTestOidcIdp({
      clients: [{ clientId: 'fedgate', clientSecret: 'client-secret', redirectUris: [REDIRECT_URI] }],
      accounts: ACCOUNTS,
      claimsInIdToken: false,
      skipConsent: true,
    });
  });
  afterAll(async () => {
    await conformIdp.stop();
  });

  it.each([
    [true, ['engineering', 'payments']],
    [false, []],
  ])('userinfo=%s: claims only served at userinfo are read when configured', async (userinfo, groups) => {
    const relyingParty = await OidcRelyingParty.create(
      options({ issuer: conformIdp.issuer, userinfo, scopes: ['openid', 'profile'] }),
      { store },
    );
    const { authorizationUrl, browserBinding } = await relyingParty.beginLogin({});
    const callback = await conformIdp.login(authorizationUrl, { username: 'alice' });
    const { identity } = await relyingParty.completeLogin(callback, browserBinding);
    expect(identity.groups).toEqual(groups);
    expect(identity.mfa).toBe(true);
  });
});

describe('state: single use and bound to the browser', () => {
  it('replayed state: the same callback is accepted once', async () => {
    const { callback, browserBinding } = await signIn();
    await rp.completeLogin(callback, browserBinding);
    const error = await refusal(rp.completeLogin(callback, browserBinding));
    expect(error).toMatchObject({ code: 'InvalidOidcResponse', reason: 'state-replayed', status: 400 });
  });

  it('state from another browser is refused and does not burn the login of the browser that started it', async () => {
    const { callback, browserBinding } = await signIn();
    const attacker = await rp.beginLogin({});
    const error = await refusal(rp.completeLogin(callback, attacker.browserBinding));
    expect(error.reason).toBe('state-mismatch');
    await expect(rp.completeLogin(callback, browserBinding)).resolves.toMatchObject({
      identity: { subject: 'alice' },
    });
  });

  it('missing browser binding: a callback without the cookie is refused', async () => {
    const { callback } = await signIn();
    expect((await refusal(rp.completeLogin(callback, undefined))).reason).toBe('missing-browser-binding');
  });

  it('missing state: a callback without state is refused', async () => {
    const { callback, browserBinding } = await signIn();
    callback.searchParams.delete('state');
    expect((await refusal(rp.completeLogin(callback, browserBinding))).reason).toBe('state-mismatch');
  });

  it('unknown state: a state fedgate never issued is refused', async () => {
    const { callback, browserBinding } = await signIn();
    callback.searchParams.set('state', oidc.randomState());
    expect((await refusal(rp.completeLogin(callback, browserBinding))).reason).toBe('state-mismatch');
  });

  it('state is kept in the shared store: another instance completes the login', async () => {
    const { callback, browserBinding } = await signIn();
    const otherInstance = await OidcRelyingParty.create(options(), { store });
    await expect(otherInstance.completeLogin(callback, browserBinding)).resolves.toMatchObject({
      identity: { subject: 'alice' },
    });
  });
});

describe('authorization response', () => {
  it('iss-mismatch: an authorization response iss from another issuer is refused (RFC 9207)', async () => {
    const { callback, browserBinding } = await signIn();
    callback.searchParams.set('iss', 'http://127.0.0.1:1/other-idp');
    expect((await refusal(rp.completeLogin(callback, browserBinding))).reason).toBe('iss-mismatch');
  });

  it('iss-mismatch: a missing iss is refused when the IdP advertises RFC 9207', async () => {
    const { callback, browserBinding } = await signIn();
    callback.searchParams.delete('iss');
    expect((await refusal(rp.completeLogin(callback, browserBinding))).reason).toBe('iss-mismatch');
  });

  it('idp-error: a login cancelled at the IdP is refused with the OAuth error code only', async () => {
    const { authorizationUrl, browserBinding } = await rp.beginLogin({});
    const callback = await idp.login(authorizationUrl, { username: 'alice', deny: true });
    expect(callback.searchParams.get('error')).toBe('access_denied');
    const error = await refusal(rp.completeLogin(callback, browserBinding));
    expect(error).toMatchObject({ reason: 'idp-error' });
    expect(error.detail).toContain('access_denied');
    expect(error.detail).not.toContain('End-User');
  });

  it('code replay: a used authorization code is refused by the IdP even under a fresh state', async () => {
    const first = await rp.beginLogin({});
    const second = await rp.beginLogin({ browserBinding: first.browserBinding });
    const used = await idp.login(first.authorizationUrl, { username: 'alice' });
    await rp.completeLogin(used, first.browserBinding);
    const replay = new URL(used);
    replay.searchParams.set('state', new URL(second.authorizationUrl).searchParams.get('state') ?? '');
    const error = await refusal(rp.completeLogin(replay, first.browserBinding));
    expect(error).toMatchObject({ reason: 'idp-error' });
    expect(error.detail).toContain('invalid_grant');
  });
});

describe('ID token from the token endpoint', () => {
  it('forged ID token: re-signed by another key under the IdP kid is refused thanks to non-repudiation checks', async () => {
    const attacker = await generateKeyPair('RS256');
    rewriteIdToken((claims) =>
      new SignJWT({ ...claims, sub: 'bob' })
        .setProtectedHeader({ alg: 'RS256', kid: idp.kids.RS256 })
        .sign(attacker.privateKey),
    );
    const { callback, browserBinding } = await signIn();
    const error = await refusal(rp.completeLogin(callback, browserBinding));
    expect(error).toMatchObject({ code: 'InvalidOidcResponse', reason: 'bad-signature' });
  });

  it('forged ID token: openid-client without enableNonRepudiationChecks would have accepted it', async () => {
    // The control experiment for the test above: the library alone trusts the TLS channel, not the signature.
    const attacker = await generateKeyPair('RS256');
    rewriteIdToken((claims) =>
      new SignJWT({ ...claims, sub: 'bob' })
        .setProtectedHeader({ alg: 'RS256', kid: idp.kids.RS256 })
        .sign(attacker.privateKey),
    );
    const config = await oidc.discovery(new URL(idp.issuer), 'fedgate', 'client-secret', undefined, {
      execute: [oidc.allowInsecureRequests],
    });
    const verifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid',
      state,
      nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const callback = await idp.login(url, { username: 'alice' });
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedNonce: nonce,
      expectedState: state,
    });
    expect(tokens.claims()?.sub).toBe('bob');
  });

  it('alg none: an unsigned ID token is refused', async () => {
    rewriteIdToken(async (claims) => `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`);
    const { callback, browserBinding } = await signIn();
    expect((await refusal(rp.completeLogin(callback, browserBinding))).reason).toBe('alg-not-allowed');
  });

  it('HS256 with the public key as secret: the key-confusion forgery is refused', async () => {
    const publicJwk = idp.jwks().keys.find((key) => key.kid === idp.kids.RS256);
    const secret = new TextEncoder().encode(JSON.stringify(publicJwk));
    rewriteIdToken((claims) =>
      new SignJWT({ ...claims }).setProtectedHeader({ alg: 'HS256', kid: idp.kids.RS256 }).sign(secret),
    );
    const { callback, browserBinding } = await signIn();
    expect((await refusal(rp.completeLogin(callback, browserBinding))).reason).toBe('alg-not-allowed');
  });

  it('alg-not-allowed: a validly signed RS256 token is refused when only ES256 is allowed', async () => {
    const strict = await OidcRelyingParty.create(options({ allowedAlgorithms: ['ES256'] }), { store });
    const { callback, browserBinding } = await signIn('alice', strict);
    expect((await refusal(strict.completeLogin(callback, browserBinding))).reason).toBe('alg-not-allowed');
  });

  it('alg-not-allowed: with several algorithms allowed the header is still checked against the list', async () => {
    const strict = await OidcRelyingParty.create(options({ allowedAlgorithms: ['ES256', 'PS256'] }), {
      store,
    });
    const { callback, browserBinding } = await signIn('alice', strict);
    expect((await refusal(strict.completeLogin(callback, browserBinding))).reason).toBe('alg-not-allowed');
  });

  it('invalid-aud: a token signed by the IdP for another client is refused', async () => {
    rewriteIdToken((claims) =>
      idp.issueIdToken({ ...claims, aud: 'another-client' }, { aud: 'another-client' }),
    );
    const { callback, browserBinding } = await signIn();
    expect((await refusal(rp.completeLogin(callback, browserBinding))).reason).toBe('bad-audience');
  });

  it('invalid-azp: several audiences with another authorized party are refused', async () => {
    rewriteIdToken((claims) =>
      idp.issueIdToken(
        { ...claims, aud: ['fedgate', 'another-client'], azp: 'another-client' },
        { aud: 'fedgate' },
      ),
    );
    const { callback, browserBinding } = await signIn();
    expect((await refusal(rp.completeLogin(callback, browserBinding))).reason).toBe('bad-audience');
  });

  it('missing-nonce: a token without the nonce is refused', async () => {
    rewriteIdToken((claims) => {
      const { nonce: _nonce, ...rest } = claims;
      return idp.issueIdToken(rest, { aud: 'fedgate' });
    });
    const { callback, browserBinding } = await signIn();
    expect((await refusal(rp.completeLogin(callback, browserBinding))).reason).toBe('nonce-mismatch');
  });

  it('nonce-mismatch: a token for another login (other nonce) is refused', async () => {
    rewriteIdToken((claims) =>
      idp.issueIdToken({ ...claims, nonce: oidc.randomNonce() }, { aud: 'fedgate' }),
    );
    const { callback, browserBinding } = await signIn();
    expect((await refusal(rp.completeLogin(callback, browserBinding))).reason).toBe('nonce-mismatch');
  });

  it('invalid-iss: a token whose iss is not the IdP is refused', async () => {
    rewriteIdToken((claims) =>
      idp.issueIdToken({ ...claims, iss: 'https://evil.example.com' }, { aud: 'fedgate' }),
    );
    const { callback, browserBinding } = await signIn();
    expect((await refusal(rp.completeLogin(callback, browserBinding))).reason).toBe('iss-mismatch');
  });

  it('expired: a token past its exp (beyond the tolerance) is refused', async () => {
    const past = Math.floor(Date.now() / 1000) - 3000;
    rewriteIdToken((claims) => {
      const { iat: _iat, exp: _exp, ...rest } = claims;
      return idp.issueIdToken(rest, { aud: 'fedgate', issuedAt: past, expiresIn: 600 });
    });
    const { callback, browserBinding } = await signIn();
    expect((await refusal(rp.completeLogin(callback, browserBinding))).reason).toBe('expired');
  });

  it('an ID token re-issued with the IdP own key and the right claims is accepted (the tamper hook itself is sound)', async () => {
    rewriteIdToken((claims) => idp.issueIdToken({ ...claims }, { aud: 'fedgate', alg: 'ES256' }));
    const { callback, browserBinding } = await signIn();
    await expect(rp.completeLogin(callback, browserBinding)).resolves.toMatchObject({
      identity: { subject: 'alice', mfa: true },
    });
  });
});

describe('configuration and availability', () => {
  it.each([['none'], ['HS256']])('alg %s in allowedAlgorithms is a configuration error', async (alg) => {
    await expect(OidcRelyingParty.create(options({ allowedAlgorithms: [alg] }), { store })).rejects.toThrow(
      TypeError,
    );
  });

  it('a plain-http issuer off loopback is a configuration error', async () => {
    await expect(
      OidcRelyingParty.create(options({ issuer: 'http://idp.example.com' }), { store }),
    ).rejects.toThrow(TypeError);
  });

  it('an unreachable IdP does not fail creation; the login answers ServiceUnavailable', async () => {
    const down = await OidcRelyingParty.create(options({ issuer: 'http://127.0.0.1:9' }), { store });
    expect(down.endSessionUrl({ postLogoutRedirectUri: `${PUBLIC_URL}/` })).toBeUndefined();
    const error = await refusal(down.beginLogin({}));
    expect(error).toMatchObject({ code: 'ServiceUnavailable', reason: 'discovery-failed' });
  });
});
