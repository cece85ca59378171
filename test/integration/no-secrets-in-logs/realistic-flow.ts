/**
 * A realistic day at the gateway, through HTTP only: browser logins (OIDC and SAML), web-identity and SAML
 * assume-role, a chained assume-role, token exchanges (with and without an actor), authorizer allow/deny by
 * bearer and cookie, `/authz/check`, caller identity, a revoke by the bearer, and a few refusals. Returns every
 * secret that crossed the wire so that tests can look for them where they must never be.
 */
import { expect } from 'vitest';
import {
  DENIED_ORDER,
  EXCHANGE_CLIENT,
  KEK,
  OIDC_CLIENT_SECRET,
  credentialsOf,
  type FederationBed,
} from '../faults/federation-bed.js';

/** Every secret the flow saw, by what it is. */
export interface FlowSecrets {
  readonly [kind: string]: readonly string[];
}

/** Runs the flow against `bed`, asserting each step answered as it should; returns the secrets. */
export async function runRealisticFlow(bed: FederationBed): Promise<FlowSecrets> {
  const webIdentityTokens: string[] = [];
  const sessionTokens: string[] = [];
  const secretAccessKeys: string[] = [];
  const exchangedTokens: string[] = [];
  const cookies: string[] = [];
  const samlResponses: string[] = [];

  // Browser sign-in at the portal through the OIDC IdP: exactly one role trusts alice, so it is assumed at once.
  const browser = await bed.browserLogin('alice');
  for (const name of ['fedgate_portal', 'fedgate_session']) {
    const value = browser[name];
    expect(value, name).toBeTypeOf('string');
    cookies.push(value ?? '');
  }

  // Browser sign-in through SAML (IdP-initiated) at the ACS, confirmed on the "Continue as …?" page.
  const samlLogin = await bed.samlResponse('bob');
  samlResponses.push(samlLogin);
  const interstitial = await bed.postAcs({ SAMLResponse: samlLogin });
  expect(interstitial.status).toBe(200);
  for (const line of interstitial.headers.getSetCookie())
    cookies.push(line.split(';')[0]?.split('=')[1] ?? '');
  const acs = await bed.confirmAcs(interstitial);
  expect(acs.status).toBeLessThan(400);
  for (const line of acs.headers.getSetCookie()) cookies.push(line.split(';')[0]?.split('=')[1] ?? '');

  // A workload: web identity → role session.
  const webIdentity = await bed.webIdentityToken('carol');
  webIdentityTokens.push(webIdentity);
  const developer = await credentialsOf(await bed.assumeWithWebIdentity(webIdentity));
  sessionTokens.push(developer.SessionToken);
  secretAccessKeys.push(developer.SecretAccessKey);

  // STS with a SAML assertion.
  const stsSaml = await bed.samlResponse('carol');
  samlResponses.push(stsSaml);
  const viaSaml = await credentialsOf(await bed.assumeWithSaml(stsSaml));
  sessionTokens.push(viaSaml.SessionToken);
  secretAccessKeys.push(viaSaml.SecretAccessKey);

  // Role chaining.
  const reader = await credentialsOf(await bed.assumeChained(developer.SessionToken));
  sessionTokens.push(reader.SessionToken);
  secretAccessKeys.push(reader.SecretAccessKey);
  expect((await bed.callerIdentity(reader.SessionToken)).status).toBe(200);

  // Token exchange, then one with an actor.
  const exchanged = await bed.exchange(developer.SessionToken);
  expect(exchanged.status).toBe(200);
  exchangedTokens.push(((await exchanged.json()) as { access_token: string }).access_token);
  const delegated = await bed.exchange(developer.SessionToken, {
    actor_token: viaSaml.SessionToken,
    actor_token_type: 'urn:ietf:params:oauth:token-type:access_token',
  });
  expect(delegated.status).toBe(200);
  exchangedTokens.push(((await delegated.json()) as { access_token: string }).access_token);

  // The authorizer: allow, explicit deny, implicit deny, by bearer and by cookie; the check API.
  expect((await bed.authz({ bearer: developer.SessionToken })).status).toBe(200);
  expect((await bed.authz({ bearer: reader.SessionToken }, '7')).status).toBe(200);
  expect((await bed.authz({ bearer: developer.SessionToken }, DENIED_ORDER)).status).toBe(403);
  expect((await bed.authz({ bearer: developer.SessionToken }, '42', 'DELETE')).status).toBe(403);
  expect((await bed.authz({ cookie: browser['fedgate_session'] ?? '' })).status).toBe(200);
  expect((await bed.authz({})).status).toBe(401);
  const check = await bed.authzCheck({
    token: developer.SessionToken,
    action: 'orders:GetOrder',
    resource: 'arn:fedgate:orders:::order/1',
  });
  expect(check.status).toBe(200);

  // Refusals: a tampered web-identity token, a wrong client secret, an unknown bearer.
  const tampered = `${webIdentity.slice(0, -4)}AAAA`;
  webIdentityTokens.push(tampered);
  expect((await bed.assumeWithWebIdentity(tampered)).status).toBe(400);
  const wrongSecret = `Basic ${Buffer.from(`${EXCHANGE_CLIENT.id}:not-${EXCHANGE_CLIENT.secret}`).toString('base64')}`;
  expect((await bed.exchange(developer.SessionToken, {}, wrongSecret)).status).toBe(401);
  expect((await bed.authz({ bearer: `${reader.SessionToken.slice(0, -4)}AAAA` })).status).toBe(401);

  // The reader revokes its own session (no portal): it stops working at once.
  expect((await bed.revoke(reader.SessionToken)).status).toBe(200);
  expect((await bed.authz({ bearer: reader.SessionToken }, '7')).status).toBe(401);

  return {
    webIdentityTokens,
    sessionTokens,
    secretAccessKeys,
    exchangedTokens,
    cookies: cookies.filter((value) => value.length >= 16),
    samlResponses,
    clientSecrets: [EXCHANGE_CLIENT.secret, `not-${EXCHANGE_CLIENT.secret}`, OIDC_CLIENT_SECRET],
    keyEncryptionKey: [KEK],
  };
}
