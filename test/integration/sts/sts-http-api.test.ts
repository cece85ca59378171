import type { Express } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, memoryAuditSink } from '../../../src/audit/index.js';
import { gatewayConfigSchema } from '../../../src/config/index.js';
import { createHttpApp } from '../../../src/http/index.js';
import { stsRoutes } from '../../../src/http/sts-routes.js';
import { sharedSamlVerifierPool } from '../../../src/identity-providers/saml/index.js';
import { WebIdentityVerifier } from '../../../src/identity-providers/web-identity/index.js';
import { GatewayMetrics } from '../../../src/observability/metrics.js';
import { PolicyCatalog } from '../../../src/roles/index.js';
import { roleIdFor, SessionService, SigningKeyRing } from '../../../src/sessions/index.js';
import { StsService } from '../../../src/sts/index.js';
import { startTestOidcIdp, type TestOidcIdp } from '../../support/oidc-idp.js';
import { createSamlHarness, type SamlHarness } from '../saml/saml-test-provider.js';
import { suiteLogger } from '../../support/suite-log-capture.js';

/*
 * The STS API over HTTP with real parts only: an in-process OpenID provider (npm oidc-provider) signing
 * web-identity tokens, a test SAML IdP signing assertions, the real verifiers, session service, policy
 * engine and Express app. Everything runs on the SAML harness's clock.
 */

let idp: TestOidcIdp;
let saml: SamlHarness;
let app: Express;
let keys: SigningKeyRing;
let sessions: SessionService;
const audit = memoryAuditSink();

const ORG_ROLE = 'arn:fedgate:iam::000000000000:role';

beforeAll(async () => {
  idp = await startTestOidcIdp({ clients: [], accounts: {} });
  saml = await createSamlHarness();
  const issuerHost = new URL(idp.issuer).host;
  const config = gatewayConfigSchema.parse({
    publicUrl: 'https://sso.fedgate.test',
    roles: [
      {
        name: 'CiDeploy',
        maxSessionDuration: '2h',
        trustPolicy: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Federated: 'ci' },
              Action: 'sts:AssumeRoleWithWebIdentity',
              Condition: {
                StringLike: { [`${issuerHost}:sub`]: 'repo:acme/*' },
                StringEquals: { 'ci:aud': 'fedgate' },
              },
            },
          ],
        },
        inlinePolicies: {
          Deploy: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: ['deploy:*', 'sts:AssumeRole'], Resource: '*' }],
          },
        },
      },
      {
        name: 'Developer',
        trustPolicy: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Federated: 'arn:fedgate:iam::000000000000:saml-provider/corp-saml' },
              Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'],
              Condition: { 'ForAnyValue:StringEquals': { 'fedgate:groups': 'engineers' } },
            },
          ],
        },
        inlinePolicies: {
          Work: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 'orders:*', Resource: '*' }],
          },
        },
      },
      {
        name: 'Release',
        trustPolicy: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { AWS: `${ORG_ROLE}/CiDeploy` }, Action: 'sts:AssumeRole' },
          ],
        },
        inlinePolicies: {
          Release: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 'deploy:Release', Resource: '*' }],
          },
        },
      },
    ],
  });
  const catalog = PolicyCatalog.fromConfig(config);
  const { store, clock } = saml;
  keys = await SigningKeyRing.open({
    store,
    algorithm: 'ES256',
    rotationIntervalSeconds: 86_400,
    maxTokenLifetimeSeconds: 12 * 3600,
    now: clock.now,
  });
  sessions = new SessionService({
    store,
    keys,
    issuer: config.publicUrl,
    partition: config.partition,
    account: config.account,
    now: clock.now,
  });
  const webIdentity = new WebIdentityVerifier(
    [
      {
        id: 'ci',
        issuer: idp.issuer,
        audiences: ['fedgate'],
        allowedAlgorithms: ['RS256', 'ES256'],
        replayProtection: false,
        subject: 'claim:sub',
        tags: {},
      },
    ],
    { store, now: clock.now },
  );
  const sts = new StsService({
    catalog: () => catalog,
    settings: () => ({
      partition: config.partition,
      account: config.account,
      defaultDurationSeconds: config.sessions.defaultDuration,
      chainedMaxDurationSeconds: config.sessions.chainedMaxDuration,
    }),
    sessions,
    webIdentity,
    samlProvider: (id) => (id === 'corp-saml' ? saml.sp : undefined),
    audit: new AuditLog([audit], clock.now),
    now: clock.now,
  });
  app = createHttpApp({
    logger: suiteLogger(),
    metrics: new GatewayMetrics(),
    readiness: {},
    trustProxies: [],
    mounts: [stsRoutes(sts, { splitSamlJsonBody: (body) => sharedSamlVerifierPool().splitJsonBody(body) })],
  });
});

afterAll(async () => {
  keys.close();
  await sessions.close();
  saml.sp.close();
  await saml.store.close();
  await idp.stop();
});

beforeEach(() => {
  audit.records.length = 0;
});

const nowSeconds = (): number => Math.floor(saml.clock.now() / 1000);
const ciToken = (claims: Record<string, unknown> = {}, options: { aud?: string; expiresIn?: number } = {}) =>
  idp.issueIdToken(
    { sub: 'repo:acme/api:ref:refs/heads/main', repository: 'acme/api', ...claims },
    { aud: options.aud ?? 'fedgate', issuedAt: nowSeconds(), expiresIn: options.expiresIn ?? 300 },
  );

function expectProblem(response: request.Response, status: number, code: string): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ status, code });
  expect(JSON.stringify(response.body)).not.toMatch(/stack|eyJ/i);
  // A refusal never says which trust statement (or none) decided it.
  if (code === 'AccessDenied') expect(JSON.stringify(response.body)).not.toMatch(/Statement|Sid|Condition/);
}

describe('POST /sts/assume-role-with-web-identity', () => {
  it('exchanges a CI token from a trusted repository for exactly the SPEC 4.3 answer', async () => {
    const response = await request(app)
      .post('/sts/assume-role-with-web-identity')
      .send({ RoleName: 'CiDeploy', WebIdentityToken: await ciToken(), RoleSessionName: 'build-42' });
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(Object.keys(response.body).sort()).toEqual([
      'AssumedRoleUser',
      'Audience',
      'Credentials',
      'PackedPolicySize',
      'Provider',
      'SubjectFromWebIdentityToken',
    ]);
    expect(response.body).toMatchObject({
      AssumedRoleUser: {
        Arn: 'arn:fedgate:sts::000000000000:assumed-role/CiDeploy/build-42',
        AssumedRoleId: `${roleIdFor(`${ORG_ROLE}/CiDeploy`)}:build-42`,
      },
      Provider: 'ci',
      SubjectFromWebIdentityToken: 'repo:acme/api:ref:refs/heads/main',
      Audience: 'fedgate',
    });
    const expiration = new Date(saml.clock.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    expect(response.body.Credentials.Expiration).toBe(expiration);
    expect(audit.records.at(-1)).toMatchObject({ event: 'role.assumed', provider: 'ci', role: 'CiDeploy' });
  });

  it('refuses a token from a repository the trust policy does not name, without saying why', async () => {
    const response = await request(app)
      .post('/sts/assume-role-with-web-identity')
      .send({
        RoleName: 'CiDeploy',
        WebIdentityToken: await ciToken({ sub: 'repo:evil/api:ref:refs/heads/main' }),
      });
    expectProblem(response, 403, 'AccessDenied');
    expect(audit.records.at(-1)).toMatchObject({ event: 'role.refused', reason: 'AccessDenied' });
    expect(await sessions.list({ role: 'CiDeploy' })).toHaveLength(1);
  });

  it('refuses a token for another audience as InvalidIdentityToken', async () => {
    const response = await request(app)
      .post('/sts/assume-role-with-web-identity')
      .send({ RoleName: 'CiDeploy', WebIdentityToken: await ciToken({}, { aud: 'someone-else' }) });
    expectProblem(response, 400, 'InvalidIdentityToken');
  });

  it('refuses an expired token as ExpiredToken', async () => {
    const token = await ciToken({}, { expiresIn: 60 });
    saml.clock.advance(10 * 60_000);
    const response = await request(app)
      .post('/sts/assume-role-with-web-identity')
      .send({ RoleName: 'CiDeploy', WebIdentityToken: token });
    expectProblem(response, 401, 'ExpiredToken');
  });

  it('refuses DurationSeconds outside 900 … the role maximum with ValidationError', async () => {
    for (const DurationSeconds of [899, 7201]) {
      const response = await request(app)
        .post('/sts/assume-role-with-web-identity')
        .send({ RoleName: 'CiDeploy', WebIdentityToken: await ciToken(), DurationSeconds });
      expectProblem(response, 400, 'ValidationError');
    }
  });

  it('refuses a malformed session Policy with MalformedPolicyDocument', async () => {
    const response = await request(app)
      .post('/sts/assume-role-with-web-identity')
      .send({
        RoleName: 'CiDeploy',
        WebIdentityToken: await ciToken(),
        Policy: '{"Version":"2012-10-17","Statement":[{}]}',
      });
    expectProblem(response, 400, 'MalformedPolicyDocument');
    expect(response.body.detail).toBe('Policy: Statement[0].Effect: a statement needs an Effect');
  });

  it('refuses a body that is not JSON with ValidationError', async () => {
    const response = await request(app)
      .post('/sts/assume-role-with-web-identity')
      .set('Content-Type', 'application/json')
      .send('{"RoleName":');
    expectProblem(response, 400, 'ValidationError');
  });
});

describe('POST /sts/assume-role-with-saml', () => {
  it('exchanges a signed SAML response for a session with the AWS SAML fields', async () => {
    const response = await request(app)
      .post('/sts/assume-role-with-saml')
      .send({
        RoleArn: `${ORG_ROLE}/Developer`,
        PrincipalArn: 'arn:fedgate:iam::000000000000:saml-provider/corp-saml',
        SAMLAssertion: await saml.response(),
      });
    expect(response.status).toBe(200);
    expect(Object.keys(response.body).sort()).toEqual([
      'AssumedRoleUser',
      'Audience',
      'Credentials',
      'Issuer',
      'NameQualifier',
      'PackedPolicySize',
      'Subject',
      'SubjectType',
    ]);
    expect(response.body).toMatchObject({
      AssumedRoleUser: { Arn: 'arn:fedgate:sts::000000000000:assumed-role/Developer/alice@example.com' },
      Subject: 'alice@example.com',
      Issuer: 'https://idp.example.test/metadata',
    });
    const session = await sessions.verify(response.body.Credentials.SessionToken);
    expect(session.tags).toEqual({ team: 'payments' });
  });

  it('refuses an unknown SAML provider with ValidationError', async () => {
    const response = await request(app)
      .post('/sts/assume-role-with-saml')
      .send({ RoleName: 'Developer', ProviderId: 'nope', SAMLAssertion: await saml.response() });
    expectProblem(response, 400, 'ValidationError');
  });

  // Its JSON body is decoded and parsed in a SAML verification worker, not by the app's JSON parser: each
  // answer below is compared with the app's own for the same body at a route the app's parser reads.
  const sendJson = (path: string, body: string, contentType = 'application/json') =>
    request(app).post(path).set('Content-Type', contentType).send(body);
  const WEB_IDENTITY = '/sts/assume-role-with-web-identity';
  const SAML = '/sts/assume-role-with-saml';

  it.each([
    ['a truncated object', '{"RoleName":'],
    ['a bare string (strict JSON: an object or array at the top)', '"PHNhbWxwOlJlc3BvbnNlLz4="'],
    ['a number', '42'],
    ['nothing but spaces', '   '],
  ])("answers %s exactly as the app's JSON parser does", async (_what, body) => {
    const mine = await sendJson(SAML, body);
    // Refused inside the service, so audited as its other refusals are.
    expect(audit.records.at(-1)).toMatchObject({
      event: 'role.refused',
      reason: 'ValidationError',
      details: { action: 'sts:AssumeRoleWithSAML' },
    });
    const parsers = await sendJson(WEB_IDENTITY, body);
    expectProblem(mine, parsers.status, parsers.body.code);
    expect(mine.body.detail).toBe(parsers.body.detail);
  });

  it("reads an empty JSON body as {}, as the app's JSON parser does, so the schema names what is missing", async () => {
    const response = await sendJson(SAML, '');
    expectProblem(response, 400, 'ValidationError');
    expect(response.body.detail).toContain('SAMLAssertion: is required');
  });

  it('refuses an array, a non-string SAMLAssertion and an unknown member with ValidationError, as before', async () => {
    for (const body of [
      '[{"SAMLAssertion":"x"}]',
      '{"RoleName":"Developer","ProviderId":"corp-saml","SAMLAssertion":42}',
      '{"RoleName":"Developer","ProviderId":"corp-saml","SAMLAssertion":"eA==","__proto__":{"admin":true}}',
    ])
      expectProblem(await sendJson(SAML, body), 400, 'ValidationError');
  });

  it('reads a body with a byte order mark, spaces and an explicit UTF-8 charset', async () => {
    const body = JSON.stringify({
      RoleArn: `${ORG_ROLE}/Developer`,
      PrincipalArn: 'arn:fedgate:iam::000000000000:saml-provider/corp-saml',
      SAMLAssertion: await saml.response(),
    });
    const response = await sendJson(SAML, `\uFEFF \n${body}`, 'application/json; charset=UTF-8');
    expect(response.status).toBe(200);
    expect(response.body.Subject).toBe('alice@example.com');
  });

  it('refuses JSON in another charset with UnsupportedMediaType (RFC 8259 section 8.1: JSON is UTF-8)', async () => {
    const body = Buffer.from(JSON.stringify({ RoleName: 'Developer', SAMLAssertion: 'eA==' }), 'utf16le');
    const response = await request(app)
      .post(SAML)
      .set('Content-Type', 'application/json; charset=utf-16le')
      .send(body);
    expectProblem(response, 415, 'UnsupportedMediaType');
  });
});

describe('role chaining, caller identity and revocation over HTTP', () => {
  async function ciSession(): Promise<string> {
    const response = await request(app)
      .post('/sts/assume-role-with-web-identity')
      .send({ RoleName: 'CiDeploy', WebIdentityToken: await ciToken(), RoleSessionName: 'build-43' });
    expect(response.status).toBe(200);
    return response.body.Credentials.SessionToken as string;
  }

  it('chains with the bearer credential, names the bearer, and revokes it', async () => {
    const caller = await ciSession();
    const chained = await request(app)
      .post('/sts/assume-role')
      .set('Authorization', `Bearer ${caller}`)
      .send({ RoleName: 'Release', RoleSessionName: 'release-1', DurationSeconds: 3600 });
    expect(chained.status).toBe(200);
    expect(chained.body.AssumedRoleUser.Arn).toBe(
      'arn:fedgate:sts::000000000000:assumed-role/Release/release-1',
    );

    const who = await request(app)
      .get('/sts/caller-identity')
      .set('Authorization', `Bearer ${chained.body.Credentials.SessionToken}`);
    expect(who.status).toBe(200);
    expect(who.body).toEqual({
      Arn: 'arn:fedgate:sts::000000000000:assumed-role/Release/release-1',
      UserId: `${roleIdFor(`${ORG_ROLE}/Release`)}:release-1`,
      Account: '000000000000',
    });

    const revoked = await request(app).post('/sts/revoke').set('Authorization', `Bearer ${caller}`).send({});
    expect(revoked.status).toBe(200);
    const after = await request(app).get('/sts/caller-identity').set('Authorization', `Bearer ${caller}`);
    expectProblem(after, 401, 'InvalidToken');
    expect(after.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });

  it('refuses chaining longer than one hour', async () => {
    const response = await request(app)
      .post('/sts/assume-role')
      .set('Authorization', `Bearer ${await ciSession()}`)
      .send({ RoleName: 'Release', RoleSessionName: 'release-2', DurationSeconds: 3601 });
    expectProblem(response, 400, 'ValidationError');
  });

  it('answers 401 with a Bearer challenge when the credential is missing', async () => {
    const response = await request(app)
      .post('/sts/assume-role')
      .send({ RoleName: 'Release', RoleSessionName: 'r1' });
    expectProblem(response, 401, 'InvalidToken');
    expect(response.headers['www-authenticate']).toBe('Bearer');
  });

  it("refuses another role's chaining target with AccessDenied and writes nothing", async () => {
    const samlResponse = await request(app)
      .post('/sts/assume-role-with-saml')
      .send({ RoleName: 'Developer', ProviderId: 'corp-saml', SAMLAssertion: await saml.response() });
    const before = (await sessions.list()).length;
    const response = await request(app)
      .post('/sts/assume-role')
      .set('Authorization', `Bearer ${samlResponse.body.Credentials.SessionToken}`)
      .send({ RoleName: 'Release', RoleSessionName: 'sneaky' });
    expectProblem(response, 403, 'AccessDenied');
    expect((await sessions.list()).length).toBe(before);
  });
});
