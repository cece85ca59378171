/**
 * A whole gateway for the hardening tests (faults, fuzzing, secrets in logs, metrics) and the soak: started
 * through the real composition root with an in-process OpenID provider (web identity and browser logins), a test
 * SAML IdP (IdP-initiated responses), token-exchange clients, chained roles and authorizer routes; on the embedded
 * store or a private redis-server, with an optional in-memory log destination.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DestinationStream } from 'pino';
import { stringify } from 'yaml';
import { memoryAuditSink, type AuditRecord } from '../../../src/audit/index.js';
import { suiteAuditSink, suiteLogger } from '../../support/suite-log-capture.js';
import { startGateway, type RunningGateway } from '../../../src/main.js';
import { createLogger } from '../../../src/observability/logger.js';
import { startTestOidcIdp, type TestOidcIdp } from '../../support/oidc-idp.js';
import { createTestSamlIdp, type TestSamlIdp } from '../../support/saml-idp.js';

/** The key-encryption key of every Redis-backed bed (SPEC 6.5). */
export const KEK = 'hardening-tests-key-encryption-key-0123456789abcdef';
/** The OIDC provider id: browser logins and web-identity tokens. */
export const OIDC_ID = 'corp';
/** The SAML provider id (IdP-initiated responses allowed). */
export const SAML_ID = 'corp-saml';
/** The secret of the OIDC relying party fedgate is at the IdP. */
export const OIDC_CLIENT_SECRET = 'oidc-rp-secret-0f4e1c2b9a8d7e6f5a4b3c2d';
/** The token-exchange client and its secret. */
export const EXCHANGE_CLIENT = { id: 'reports-app', secret: 'reports-app-secret-7d1f0c9e8b2a4f6e' } as const;
/** The authorizer's protected host. */
export const ORDERS_HOST = 'orders.test';
/** A quarantined order: an explicit deny. */
export const DENIED_ORDER = '666';

const OIDC_CLIENT_ID = 'fedgate-hardening';
const SAML_ENTITY_ID = 'https://idp.saml.test/metadata';
const ORG_ROLE = 'arn:fedgate:iam::000000000000:role';
const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const REQUEST_TIMEOUT_MS = 10_000;

/** People at both IdPs; `Developer` trusts every one of them. */
export const PEOPLE = ['alice', 'bob', 'carol'] as const;

/** A free loopback port, for a gateway whose public URL the IdPs must know before it starts. */
export async function reservePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no loopback port');
  return address.port;
}

/** The identity providers of a bed; they outlive gateway restarts. */
export interface BedIdps {
  readonly oidc: TestOidcIdp;
  readonly saml: TestSamlIdp;
  stop(): Promise<void>;
}

/** Starts both IdPs for a gateway that will listen on `port`. */
export async function startBedIdps(port: number, peopleCount = 0): Promise<BedIdps> {
  const url = `http://127.0.0.1:${port}`;
  const people = [...PEOPLE, ...Array.from({ length: peopleCount }, (_, i) => `user${i}`)];
  const oidc = await startTestOidcIdp({
    clients: [
      {
        clientId: OIDC_CLIENT_ID,
        clientSecret: OIDC_CLIENT_SECRET,
        redirectUris: [`${url}/oidc/${OIDC_ID}/callback`],
        idTokenSignedResponseAlg: 'ES256',
      },
    ],
    accounts: Object.fromEntries(
      people.map((name) => [
        name,
        {
          password: `${name}-pass`,
          amr: ['pwd'],
          claims: { email: `${name}@example.com`, groups: ['developers'] },
        },
      ]),
    ),
    skipConsent: true,
  });
  const saml = createTestSamlIdp({ entityId: SAML_ENTITY_ID, ssoUrl: 'https://idp.saml.test/sso' });
  return { oidc, saml, stop: () => oidc.stop() };
}

/** Options of startFederationBed. */
export interface FederationBedOptions {
  readonly idps: BedIdps;
  readonly port: number;
  /** A private redis-server; the embedded store otherwise. */
  readonly redisUrl?: string;
  /** Every log line the gateway writes goes here (default: nothing is logged). */
  readonly logDestination?: DestinationStream;
  /** Keep every audit record in `audit` (default true); a long soak turns it off so the harness does not grow. */
  readonly keepAudit?: boolean;
  /** `authorizer.cacheMaxEntries` (default: the gateway's default). */
  readonly authorizerCacheMaxEntries?: number;
}

/** What a credential is presented as. */
export type Presented = { readonly bearer: string } | { readonly cookie: string } | Record<string, never>;

/** A running gateway with its IdPs and request helpers; every helper returns the raw Response. */
export interface FederationBed {
  readonly url: string;
  readonly gateway: RunningGateway;
  readonly audit: readonly AuditRecord[];
  readonly idps: BedIdps;
  /** A web-identity token of the OIDC IdP for `sub` (audience `fedgate`). */
  webIdentityToken(sub?: string, claims?: Record<string, unknown>): Promise<string>;
  assumeWithWebIdentity(token: string, body?: Record<string, unknown>): Promise<Response>;
  assumeChained(sessionToken: string, body?: Record<string, unknown>): Promise<Response>;
  callerIdentity(sessionToken: string): Promise<Response>;
  revoke(sessionToken: string, body?: Record<string, unknown>): Promise<Response>;
  /** An IdP-initiated SAML response for `person`, base64 (as posted to the ACS or the STS). */
  samlResponse(
    person: string,
    overrides?: { sign?: 'assertion' | 'response' | 'both' | 'none' },
  ): Promise<string>;
  assumeWithSaml(samlResponse: string, body?: Record<string, unknown>): Promise<Response>;
  postAcs(form: Record<string, string>): Promise<Response>;
  /**
   * Answers the "Continue as …?" page an IdP-initiated SAML login gets from the ACS: the same-origin POST of its
   * form, with the confirmation cookie the page set.
   */
  confirmAcs(interstitial: Response): Promise<Response>;
  /** RFC 8693 exchange by `reports-app` (client_secret_basic) of a fedgate credential for `reports-api`. */
  exchange(
    subjectToken: string,
    form?: Record<string, string>,
    authorization?: string | null,
  ): Promise<Response>;
  /** `/authz` as Traefik asks it, for `GET /orders/<orderId>` (or another method). */
  authz(presented: Presented, orderId?: string, method?: string): Promise<Response>;
  authzCheck(body: Record<string, unknown>): Promise<Response>;
  /** A browser sign-in through the OIDC IdP; the cookies fedgate set (`fedgate_portal`, `fedgate_session`). */
  browserLogin(person: string): Promise<Record<string, string>>;
  get(path: string): Promise<Response>;
  close(): Promise<void>;
}

function trustPolicy(): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: [OIDC_ID, SAML_ID] },
        Action: ['sts:AssumeRoleWithWebIdentity', 'sts:AssumeRoleWithSAML'],
      },
    ],
  };
}

/** The configuration document of the bed. */
export function bedConfig(options: {
  port: number;
  idps: BedIdps;
  redisUrl?: string;
  authorizerCacheMaxEntries?: number;
}): Record<string, unknown> {
  const url = `http://127.0.0.1:${options.port}`;
  return {
    publicUrl: url,
    listen: { host: '127.0.0.1', port: options.port },
    trustProxies: ['127.0.0.1/32', '::1/128'],
    store:
      options.redisUrl === undefined
        ? { kind: 'memory' }
        : { kind: 'redis', url: options.redisUrl, keyPrefix: 'fedgate:' },
    cookies: { secure: false },
    ...(options.authorizerCacheMaxEntries === undefined
      ? {}
      : { authorizer: { cacheMaxEntries: options.authorizerCacheMaxEntries } }),
    audit: { sinks: [] },
    log: { level: 'trace' },
    // The hardening tests and the soak send many requests from one address.
    rateLimits: { login: { points: 1_000_000 }, sts: { points: 1_000_000 }, token: { points: 1_000_000 } },
    identityProviders: [
      {
        id: OIDC_ID,
        type: 'oidc',
        issuer: options.idps.oidc.issuer,
        clientId: OIDC_CLIENT_ID,
        clientSecret: OIDC_CLIENT_SECRET,
        scopes: ['openid', 'email'],
        audiences: ['fedgate'],
        groups: 'claim:groups',
        sessionName: 'claim:email',
      },
      {
        id: SAML_ID,
        type: 'saml',
        issuer: SAML_ENTITY_ID,
        entryPoint: options.idps.saml.ssoUrl,
        allowIdpInitiated: true,
        idpCertificates: [options.idps.saml.certificatePem],
        wantAssertionsSigned: true,
        groups: 'attr:groups',
        sessionName: 'attr:email',
      },
    ],
    roles: [
      {
        name: 'Developer',
        trustPolicy: trustPolicy(),
        inlinePolicies: {
          Work: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'ReadOrders',
                Effect: 'Allow',
                Action: 'orders:GetOrder',
                Resource: 'arn:fedgate:orders:::order/*',
              },
              {
                Sid: 'Quarantine',
                Effect: 'Deny',
                Action: 'orders:*',
                Resource: `arn:fedgate:orders:::order/${DENIED_ORDER}`,
              },
              { Sid: 'Chain', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `${ORG_ROLE}/Reader` },
              {
                Sid: 'Exchange',
                Effect: 'Allow',
                Action: 'sts:ExchangeToken',
                Resource: 'arn:fedgate:sts::000000000000:audience/reports-api',
              },
            ],
          },
        },
      },
      {
        name: 'Reader',
        trustPolicy: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { AWS: `${ORG_ROLE}/Developer` }, Action: 'sts:AssumeRole' },
          ],
        },
        inlinePolicies: {
          Read: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: 'orders:GetOrder', Resource: 'arn:fedgate:orders:::order/*' },
            ],
          },
        },
      },
    ],
    routes: [
      {
        host: ORDERS_HOST,
        methods: ['GET'],
        path: '/orders/:orderId',
        action: 'orders:GetOrder',
        resource: 'arn:fedgate:orders:::order/${orderId}',
      },
      {
        host: ORDERS_HOST,
        methods: ['DELETE'],
        path: '/orders/:orderId',
        action: 'orders:DeleteOrder',
        resource: 'arn:fedgate:orders:::order/${orderId}',
      },
    ],
    clients: [{ id: EXCHANGE_CLIENT.id, secret: EXCHANGE_CLIENT.secret, audiences: ['reports-api'] }],
  };
}

/** Writes the configuration and starts a gateway through `startGateway`; call `close()` (the IdPs stay up). */
export async function startFederationBed(options: FederationBedOptions): Promise<FederationBed> {
  const dir = await mkdtemp(join(tmpdir(), 'fedgate-hardening-'));
  const configPath = join(dir, 'gateway.yaml');
  await writeFile(
    configPath,
    stringify(
      bedConfig({
        port: options.port,
        idps: options.idps,
        ...(options.redisUrl === undefined ? {} : { redisUrl: options.redisUrl }),
        ...(options.authorizerCacheMaxEntries === undefined
          ? {}
          : { authorizerCacheMaxEntries: options.authorizerCacheMaxEntries }),
      }),
    ),
  );
  const sink = memoryAuditSink();
  let gateway: RunningGateway;
  try {
    gateway = await startGateway({
      configPath,
      env: { FEDGATE_KEY_ENCRYPTION_KEY: KEK },
      port: options.port,
      watch: false,
      auditSinks: options.keepAudit === false ? [] : [sink, suiteAuditSink()],
      logger:
        options.logDestination === undefined
          ? suiteLogger()
          : createLogger({ level: 'trace', destination: options.logDestination }),
    });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const url = gateway.url;
  const { oidc, saml } = options.idps;

  const send = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${url}${path}`, { redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS), ...init });
  const json = (path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
    send(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const acs = `${url}/saml/${SAML_ID}/acs`;

  return {
    url,
    gateway,
    audit: sink.records,
    idps: options.idps,
    webIdentityToken: (sub = 'alice', claims = {}) =>
      oidc.issueIdToken(
        { sub, email: `${sub}@example.com`, groups: ['developers'], ...claims },
        { aud: 'fedgate', alg: 'ES256' },
      ),
    assumeWithWebIdentity: (token, body = {}) =>
      json('/sts/assume-role-with-web-identity', {
        RoleName: 'Developer',
        RoleSessionName: 'web-identity',
        WebIdentityToken: token,
        ...body,
      }),
    assumeChained: (sessionToken, body = {}) =>
      json(
        '/sts/assume-role',
        { RoleName: 'Reader', RoleSessionName: 'chained', ...body },
        { authorization: `Bearer ${sessionToken}` },
      ),
    callerIdentity: (sessionToken) =>
      send('/sts/caller-identity', { headers: { authorization: `Bearer ${sessionToken}` } }),
    revoke: (sessionToken, body = {}) =>
      json('/sts/revoke', body, { authorization: `Bearer ${sessionToken}` }),
    samlResponse: (person, overrides = {}) =>
      saml.createResponse({
        destination: acs,
        recipient: acs,
        audience: `${url}/saml/${SAML_ID}/metadata`,
        nameId: `${person}@example.com`,
        attributes: { email: `${person}@example.com`, groups: ['developers'] },
        sign: overrides.sign ?? 'assertion',
      }),
    assumeWithSaml: (samlResponse, body = {}) =>
      json('/sts/assume-role-with-saml', {
        RoleName: 'Developer',
        ProviderId: SAML_ID,
        SAMLAssertion: samlResponse,
        ...body,
      }),
    postAcs: (form) =>
      send(`/saml/${SAML_ID}/acs`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      }),
    async confirmAcs(interstitial) {
      const page = await interstitial.text();
      const action = /<form method="post" action="([^"]+)"/.exec(page)?.[1] ?? '';
      const handle = /name="handle" value="([^"]+)"/.exec(page)?.[1] ?? '';
      const cookie = interstitial.headers
        .getSetCookie()
        .map((line) => line.split(';')[0])
        .join('; ');
      return send(action, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: url, cookie },
        body: new URLSearchParams({ handle }).toString(),
      });
    },
    exchange: (subjectToken, form = {}, authorization) =>
      send('/oauth2/token', {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(authorization === null
            ? {}
            : {
                authorization:
                  authorization ??
                  `Basic ${Buffer.from(`${EXCHANGE_CLIENT.id}:${EXCHANGE_CLIENT.secret}`).toString('base64')}`,
              }),
        },
        body: new URLSearchParams({
          grant_type: TOKEN_EXCHANGE_GRANT,
          subject_token: subjectToken,
          subject_token_type: ACCESS_TOKEN_TYPE,
          audience: 'reports-api',
          ...form,
        }).toString(),
      }),
    authz: (presented, orderId = '42', method = 'GET') =>
      send('/authz', {
        headers: {
          'x-forwarded-method': method,
          'x-forwarded-proto': 'https',
          'x-forwarded-host': ORDERS_HOST,
          'x-forwarded-uri': `/orders/${orderId}`,
          ...('bearer' in presented ? { authorization: `Bearer ${presented.bearer}` } : {}),
          ...('cookie' in presented ? { cookie: `fedgate_session=${presented.cookie}` } : {}),
        },
      }),
    authzCheck: (body) => json('/authz/check', body),
    browserLogin: async (person) => {
      const jar = new Map<string, string>();
      const remember = (response: Response): void => {
        for (const line of response.headers.getSetCookie()) {
          const [pair = ''] = line.split(';');
          const eq = pair.indexOf('=');
          jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
        }
      };
      const cookieHeader = (): string => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
      const start = await send(`/login/${OIDC_ID}`);
      remember(start);
      const location = start.headers.get('location');
      if (start.status !== 302 || location === null) throw new Error(`login start answered ${start.status}`);
      const callback = await oidc.login(location, { username: person, password: `${person}-pass` });
      const landed = await fetch(callback, {
        redirect: 'manual',
        headers: { cookie: cookieHeader() },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      remember(landed);
      await landed.arrayBuffer();
      if (landed.status >= 400) throw new Error(`OIDC callback answered ${landed.status}`);
      return Object.fromEntries(jar);
    },
    get: (path) => send(path),
    async close() {
      await gateway.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The `Credentials` of a successful STS answer (throws with the status and code otherwise). */
export async function credentialsOf(
  response: Response,
): Promise<{ AccessKeyId: string; SecretAccessKey: string; SessionToken: string }> {
  const body = (await response.json()) as {
    Credentials?: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
    code?: string;
  };
  if (response.status !== 200 || body.Credentials === undefined)
    throw new Error(`STS answered ${response.status} ${body.code ?? ''}`);
  return body.Credentials;
}
