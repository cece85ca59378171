import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestOidcIdp, type TestOidcIdp } from '../../support/oidc-idp.js';
import {
  basicAuth,
  exchangeForm,
  IDP_ID,
  JWT_BEARER_ASSERTION_TYPE,
  REPORTS_SECRET,
  startExchangeGateway,
  TOKEN_TYPE,
  type ExchangeGateway,
} from './exchange-gateway.js';

let idp: TestOidcIdp;
let gw: ExchangeGateway;

beforeAll(async () => {
  idp = await startTestOidcIdp({ clients: [], accounts: {} });
  gw = await startExchangeGateway({ idp });
});

afterAll(async () => {
  await gw?.close();
  await idp?.stop();
});

const reports = () => basicAuth('reports-app', REPORTS_SECRET);

async function oauthError(response: Response): Promise<string> {
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(response.headers.get('cache-control')).toBe('no-store');
  const body = (await response.json()) as { error: string; error_description: string };
  expect(typeof body.error_description).toBe('string');
  return body.error;
}

async function exchanged(response: Response): Promise<{ token: string; expiresIn: number; scope?: string }> {
  const body = (await response.json()) as Record<string, unknown>;
  expect(response.status, JSON.stringify(body)).toBe(200);
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(body['token_type']).toBe('Bearer');
  expect(body['issued_token_type']).toBe(TOKEN_TYPE.accessToken);
  return {
    token: body['access_token'] as string,
    expiresIn: body['expires_in'] as number,
    ...(body['scope'] === undefined ? {} : { scope: body['scope'] as string }),
  };
}

describe('client authentication', () => {
  it('client_secret_basic: a fedgate session is exchanged for a token whose aud is the requested audience', async () => {
    const subject = await gw.issueSession('Developer');
    const { token } = await exchanged(
      await gw.token(exchangeForm(subject.token, { audience: 'reports-api' }), reports()),
    );
    const claims = decodeJwt(token);
    expect(claims.aud).toBe('reports-api');
    expect(claims.sub).toBe(subject.session.principalArn);
    expect(claims['fsub']).toBe('alice');
    expect(claims.jti).not.toBe(subject.session.id);
  });

  it('client_secret_post: client_id and client_secret in the body authenticate the client', async () => {
    const subject = await gw.issueSession('Developer');
    const form = exchangeForm(subject.token, {
      audience: 'reports-api',
      client_id: 'reports-app',
      client_secret: REPORTS_SECRET,
    });
    await exchanged(await gw.token(form));
  });

  it('private_key_jwt: a client assertion signed with the registered key authenticates the client', async () => {
    const subject = await gw.issueSession('Developer');
    const form = exchangeForm(subject.token, {
      client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
      client_assertion: await gw.clientAssertion(),
    });
    const { token } = await exchanged(await gw.token(form));
    expect(decodeJwt(token).aud).toBe('reports-api');
  });

  it('replayed-client-assertion: the same assertion (jti) is refused the second time with invalid_client', async () => {
    const subject = await gw.issueSession('Developer');
    const assertion = await gw.clientAssertion();
    const form = exchangeForm(subject.token, {
      client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
      client_assertion: assertion,
    });
    await exchanged(await gw.token(form));
    const replay = await gw.token(form);
    expect(replay.status).toBe(401);
    expect(await oauthError(replay)).toBe('invalid_client');
    expect(gw.audit.at(-1)).toMatchObject({ event: 'token.refused', reason: 'AssertionReplayed' });
  });

  it('wrong-client-secret: invalid_client, 401 and WWW-Authenticate Basic', async () => {
    const subject = await gw.issueSession('Developer');
    const response = await gw.token(exchangeForm(subject.token), basicAuth('reports-app', 'not-the-secret'));
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Basic realm="fedgate"');
    expect(await oauthError(response)).toBe('invalid_client');
  });

  it('unknown-client: invalid_client', async () => {
    const subject = await gw.issueSession('Developer');
    const response = await gw.token(exchangeForm(subject.token), basicAuth('nobody', REPORTS_SECRET));
    expect(response.status).toBe(401);
    expect(await oauthError(response)).toBe('invalid_client');
  });

  it('no-client-authentication: invalid_client', async () => {
    const subject = await gw.issueSession('Developer');
    const response = await gw.token(exchangeForm(subject.token));
    expect(response.status).toBe(401);
    expect(await oauthError(response)).toBe('invalid_client');
  });

  it('two-client-authentication-methods: invalid_request', async () => {
    const subject = await gw.issueSession('Developer');
    const form = exchangeForm(subject.token, { client_id: 'reports-app', client_secret: REPORTS_SECRET });
    const response = await gw.token(form, reports());
    expect(response.status).toBe(400);
    expect(await oauthError(response)).toBe('invalid_request');
  });
});

describe('request parameters', () => {
  it('missing subject_token: invalid_request', async () => {
    const response = await gw.token(
      {
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token_type: TOKEN_TYPE.accessToken,
      },
      reports(),
    );
    expect(response.status).toBe(400);
    expect(await oauthError(response)).toBe('invalid_request');
  });

  it('missing grant_type: invalid_request; another grant type: unsupported_grant_type', async () => {
    const subject = await gw.issueSession('Developer');
    const { grant_type: _omitted, ...withoutGrant } = exchangeForm(subject.token);
    expect(await oauthError(await gw.token(withoutGrant, reports()))).toBe('invalid_request');
    const other = await gw.token(
      { ...exchangeForm(subject.token), grant_type: 'client_credentials' },
      reports(),
    );
    expect(await oauthError(other)).toBe('unsupported_grant_type');
  });

  it('repeated subject_token: invalid_request', async () => {
    const subject = await gw.issueSession('Developer');
    const form = { ...exchangeForm(subject.token), subject_token: [subject.token, subject.token] };
    expect(await oauthError(await gw.token(form, reports()))).toBe('invalid_request');
  });

  it('unsupported subject_token_type: invalid_request', async () => {
    const subject = await gw.issueSession('Developer');
    const form = exchangeForm(subject.token, {
      subject_token_type: 'urn:ietf:params:oauth:token-type:saml2',
    });
    expect(await oauthError(await gw.token(form, reports()))).toBe('invalid_request');
  });

  it('requested_token_type other than access_token or jwt: invalid_request', async () => {
    const subject = await gw.issueSession('Developer');
    const form = exchangeForm(subject.token, {
      audience: 'reports-api',
      requested_token_type: TOKEN_TYPE.idToken,
    });
    expect(await oauthError(await gw.token(form, reports()))).toBe('invalid_request');
    const jwt = await gw.token(
      exchangeForm(subject.token, { audience: 'reports-api', requested_token_type: TOKEN_TYPE.jwt }),
      reports(),
    );
    expect(((await jwt.json()) as Record<string, unknown>)['issued_token_type']).toBe(TOKEN_TYPE.jwt);
  });

  it('a JSON body is refused: the token endpoint takes forms only (invalid_request)', async () => {
    const subject = await gw.issueSession('Developer');
    const response = await fetch(`${gw.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...reports() },
      body: JSON.stringify(exchangeForm(subject.token)),
    });
    expect(response.status).toBe(400);
    expect(await oauthError(response)).toBe('invalid_request');
  });

  it('GET /oauth2/token: 405 with Allow: POST', async () => {
    const response = await fetch(`${gw.url}/oauth2/token`);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  it('an invalid subject_token (not signed by fedgate): invalid_request, per RFC 8693 §2.2.2', async () => {
    const subject = await gw.issueSession('Developer');
    const tampered = `${subject.token.slice(0, -4)}AAAA`;
    expect(
      await oauthError(await gw.token(exchangeForm(tampered, { audience: 'reports-api' }), reports())),
    ).toBe('invalid_request');
  });
});

describe('target, scope and policy', () => {
  it('audience-not-allowed: an audience the client may not request is invalid_target', async () => {
    const subject = await gw.issueSession('Developer');
    const response = await gw.token(exchangeForm(subject.token, { audience: 'payroll-api' }), reports());
    expect(response.status).toBe(400);
    expect(await oauthError(response)).toBe('invalid_target');
  });

  it('two different audiences in one request: invalid_target', async () => {
    const subject = await gw.issueSession('Developer');
    const form = exchangeForm(subject.token, { audience: ['reports-api', 'billing-api'] });
    expect(await oauthError(await gw.token(form, reports()))).toBe('invalid_target');
  });

  it('a client with several audiences must name one: invalid_request', async () => {
    const subject = await gw.issueSession('Developer');
    expect(await oauthError(await gw.token(exchangeForm(subject.token), reports()))).toBe('invalid_request');
  });

  it('role-without-sts:ExchangeToken: the Auditor role is refused with invalid_grant and audited', async () => {
    const subject = await gw.issueSession('Auditor');
    const response = await gw.token(exchangeForm(subject.token, { audience: 'reports-api' }), reports());
    expect(response.status).toBe(400);
    expect(await oauthError(response)).toBe('invalid_grant');
    expect(gw.audit.at(-1)).toMatchObject({
      event: 'token.refused',
      outcome: 'denied',
      reason: 'ImplicitDeny',
      role: subject.session.roleArn,
      details: { clientId: 'reports-app', audience: 'reports-api', error: 'invalid_grant' },
    });
  });

  it('exchange-not-allowed-for-that-audience: Developer may exchange for reports-api but not audit-api', async () => {
    const subject = await gw.issueSession('Developer');
    expect(
      await oauthError(await gw.token(exchangeForm(subject.token, { audience: 'audit-api' }), reports())),
    ).toBe('invalid_grant');
  });

  it('scope-widening beyond the client: invalid_scope', async () => {
    const subject = await gw.issueSession('Developer');
    const form = exchangeForm(subject.token, { audience: 'reports-api', scope: 'reports.read admin' });
    expect(await oauthError(await gw.token(form, reports()))).toBe('invalid_scope');
  });

  it('scope-widening beyond the subject: a subject scoped to reports.read cannot get reports.write (invalid_scope)', async () => {
    const subject = await gw.issueSession('Developer', { scope: 'reports.read' });
    const wider = exchangeForm(subject.token, { audience: 'reports-api', scope: 'reports.write' });
    expect(await oauthError(await gw.token(wider, reports()))).toBe('invalid_scope');
    const same = await exchanged(
      await gw.token(
        exchangeForm(subject.token, { audience: 'reports-api', scope: 'reports.read' }),
        reports(),
      ),
    );
    expect(same.scope).toBe('reports.read');
  });

  it('without a scope parameter the client and subject scopes are intersected', async () => {
    const subject = await gw.issueSession('Developer', { scope: 'reports.write other' });
    const result = await exchanged(
      await gw.token(exchangeForm(subject.token, { audience: 'reports-api' }), reports()),
    );
    expect(result.scope).toBe('reports.write');
  });
});

describe('subject tokens from a configured OIDC provider', () => {
  const idToken = (sub: string, expiresIn = 300) =>
    idp.issueIdToken({ sub }, { aud: 'fedgate', issuedAt: Math.floor(gw.now() / 1000), expiresIn });

  it('an ID token the Developer trust policy allows becomes a reports-api token of that role, bounded by the ID token', async () => {
    const subjectToken = await idToken('alice');
    const form = {
      ...exchangeForm(subjectToken, { audience: 'reports-api' }),
      subject_token_type: TOKEN_TYPE.idToken,
    };
    const { token, expiresIn } = await exchanged(await gw.token(form, reports()));
    const claims = decodeJwt(token);
    expect(claims['role']).toBe('arn:fedgate:iam::000000000000:role/Developer');
    expect(claims['idp']).toBe(IDP_ID);
    expect(claims['fsub']).toBe('alice');
    expect(claims.exp).toBeLessThanOrEqual(decodeJwt(subjectToken).exp as number);
    expect(expiresIn).toBeLessThanOrEqual(300);
    const session = await gw.sessions.verify(token, { audience: 'reports-api' });
    expect(session.parentSessionId).toBeUndefined();
  });

  it('a jwt-typed provider token works too', async () => {
    const form = {
      ...exchangeForm(await idToken('alice'), { audience: 'reports-api' }),
      subject_token_type: TOKEN_TYPE.jwt,
    };
    await exchanged(await gw.token(form, reports()));
  });

  it('an identity no role trusts: invalid_grant', async () => {
    const form = {
      ...exchangeForm(await idToken('mallory'), { audience: 'reports-api' }),
      subject_token_type: TOKEN_TYPE.idToken,
    };
    expect(await oauthError(await gw.token(form, reports()))).toBe('invalid_grant');
  });

  it('trusted-by-two-roles: the role parameter is required, and it picks the role whose policies then decide', async () => {
    const base = {
      ...exchangeForm(await idToken('carol'), { audience: 'reports-api' }),
      subject_token_type: TOKEN_TYPE.idToken,
    };
    expect(await oauthError(await gw.token(base, reports()))).toBe('invalid_request');
    expect(await oauthError(await gw.token({ ...base, role: 'Auditor' }, reports()))).toBe('invalid_grant');
    const { token } = await exchanged(await gw.token({ ...base, role: 'Developer' }, reports()));
    expect(decodeJwt(token)['role']).toBe('arn:fedgate:iam::000000000000:role/Developer');
  });

  it('an expired provider token: invalid_request', async () => {
    const token = await idp.issueIdToken(
      { sub: 'alice' },
      { aud: 'fedgate', issuedAt: Math.floor(gw.now() / 1000) - 600, expiresIn: 300 },
    );
    const form = {
      ...exchangeForm(token, { audience: 'reports-api' }),
      subject_token_type: TOKEN_TYPE.idToken,
    };
    expect(await oauthError(await gw.token(form, reports()))).toBe('invalid_request');
  });
});

describe('delegation (actor_token)', () => {
  it('an actor token puts the actor in the act claim', async () => {
    const subject = await gw.issueSession('Developer');
    const actor = await gw.issueSession('Developer', {
      sessionName: 'report-builder',
      subject: 'report-builder',
    });
    const form = exchangeForm(subject.token, {
      audience: 'reports-api',
      actor_token: actor.token,
      actor_token_type: TOKEN_TYPE.accessToken,
    });
    const { token } = await exchanged(await gw.token(form, reports()));
    const claims = decodeJwt(token);
    expect(claims.sub).toBe(subject.session.principalArn);
    expect(claims['act']).toEqual({ sub: actor.session.principalArn, iss: gw.url });
  });

  it('act is nested for chains: a delegated token exchanged again by its audience keeps the earlier actor inside', async () => {
    const subject = await gw.issueSession('Developer');
    const actor = await gw.issueSession('Developer', {
      sessionName: 'report-builder',
      subject: 'report-builder',
    });
    const first = await exchanged(
      await gw.token(
        exchangeForm(subject.token, {
          audience: 'billing-api',
          actor_token: actor.token,
          actor_token_type: TOKEN_TYPE.accessToken,
        }),
        reports(),
      ),
    );
    // billing-api received that token and now calls ledger-api on the user's behalf, acting with a CI identity.
    const ciToken = await idp.issueIdToken(
      { sub: 'ledger-job' },
      { aud: 'fedgate', issuedAt: Math.floor(gw.now() / 1000) },
    );
    const second = await exchanged(
      await gw.token(
        exchangeForm(first.token, {
          audience: 'ledger-api',
          actor_token: ciToken,
          actor_token_type: TOKEN_TYPE.idToken,
        }),
        basicAuth('billing-api', 'billing-api-secret-0123456789'),
      ),
    );
    expect(decodeJwt(second.token)['act']).toEqual({
      sub: 'ledger-job',
      iss: idp.issuer,
      act: { sub: actor.session.principalArn, iss: gw.url },
    });
  });

  it('a token for another client cannot be exchanged by a client it was not issued to (invalid_request)', async () => {
    const subject = await gw.issueSession('Developer');
    const first = await exchanged(
      await gw.token(exchangeForm(subject.token, { audience: 'billing-api' }), reports()),
    );
    const form = exchangeForm(first.token, {
      client_assertion_type: JWT_BEARER_ASSERTION_TYPE,
      client_assertion: await gw.clientAssertion(),
    });
    expect(await oauthError(await gw.token(form))).toBe('invalid_request');
  });
});

describe('the exchanged token downstream', () => {
  it('a downstream service verifies it with only the public JWKS (iss, aud, typ fedgate-session+jwt)', async () => {
    const subject = await gw.issueSession('Developer');
    const { token } = await exchanged(
      await gw.token(exchangeForm(subject.token, { audience: 'reports-api' }), reports()),
    );
    const discovery = (await (await fetch(`${gw.url}/.well-known/openid-configuration`)).json()) as Record<
      string,
      string
    >;
    const jwks = createRemoteJWKSet(new URL(discovery['jwks_uri'] as string));
    const { payload, protectedHeader } = await jwtVerify(token, jwks, {
      issuer: discovery['issuer'] as string,
      audience: 'reports-api',
      typ: 'fedgate-session+jwt',
      currentDate: new Date(gw.now()),
    });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload.sub).toBe(subject.session.principalArn);
    await expect(
      jwtVerify(token, jwks, {
        issuer: discovery['issuer'] as string,
        audience: 'fedgate',
        currentDate: new Date(gw.now()),
      }),
    ).rejects.toThrow();
  });

  it('an exchanged token is not a fedgate session: verify with the default audience refuses it', async () => {
    const subject = await gw.issueSession('Developer');
    const { token } = await exchanged(
      await gw.token(exchangeForm(subject.token, { audience: 'reports-api' }), reports()),
    );
    await expect(gw.sessions.verify(token)).rejects.toMatchObject({ code: 'InvalidToken' });
    await expect(gw.sessions.verify(token, { audience: 'reports-api' })).resolves.toMatchObject({
      parentSessionId: subject.session.id,
      audience: 'reports-api',
    });
  });

  it('revoked-subject: revoking the subject session makes its exchanged tokens (and theirs) fail SessionService.verify', async () => {
    const subject = await gw.issueSession('Developer');
    const child = await exchanged(
      await gw.token(exchangeForm(subject.token, { audience: 'billing-api' }), reports()),
    );
    const grandchild = await exchanged(
      await gw.token(
        exchangeForm(child.token, { audience: 'ledger-api' }),
        basicAuth('billing-api', 'billing-api-secret-0123456789'),
      ),
    );
    await gw.sessions.verify(grandchild.token, { audience: 'ledger-api' });
    await gw.sessions.revokeSession(subject.session.id);
    await vi.waitFor(async () => {
      await expect(gw.sessions.verify(child.token, { audience: 'billing-api' })).rejects.toMatchObject({
        code: 'InvalidToken',
      });
      await expect(gw.sessions.verify(grandchild.token, { audience: 'ledger-api' })).rejects.toMatchObject({
        code: 'InvalidToken',
      });
    });
  });

  it('revoked-subject: a revoked subject cannot be exchanged any more (invalid_request)', async () => {
    const subject = await gw.issueSession('Developer');
    await gw.sessions.revokeSession(subject.session.id);
    expect(
      await oauthError(await gw.token(exchangeForm(subject.token, { audience: 'reports-api' }), reports())),
    ).toBe('invalid_request');
  });

  it('lifetime: the exchanged token never outlives its subject, and a nearly expired subject is refused', async () => {
    const subject = await gw.issueSession('Developer', { durationSeconds: 900 });
    gw.advance(300_000);
    const { token, expiresIn } = await exchanged(
      await gw.token(exchangeForm(subject.token, { audience: 'reports-api' }), reports()),
    );
    expect(expiresIn).toBeLessThanOrEqual(600);
    expect(decodeJwt(token).exp).toBeLessThanOrEqual(subject.session.expiresAt);
    gw.advance(599_000);
    expect(
      await oauthError(await gw.token(exchangeForm(subject.token, { audience: 'reports-api' }), reports())),
    ).toBe('invalid_request');
  });

  it('audit: token.exchanged names client, audience, principal and the new session, never a token', async () => {
    const subject = await gw.issueSession('Developer');
    const { token } = await exchanged(
      await gw.token(exchangeForm(subject.token, { audience: 'reports-api' }), reports()),
    );
    const record = gw.audit.at(-1);
    expect(record).toMatchObject({
      event: 'token.exchanged',
      outcome: 'success',
      principal: subject.session.principalArn,
      session: decodeJwt(token).jti,
      details: { clientId: 'reports-app', audience: 'reports-api', parentSession: subject.session.id },
    });
    const all = JSON.stringify(gw.audit);
    expect(all).not.toContain(token);
    expect(all).not.toContain(subject.token);
    expect(all).not.toContain(REPORTS_SECRET);
  });
});
