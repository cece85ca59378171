import { generateKeyPair, exportJWK, SignJWT, type CryptoKey, type JWK } from 'jose';
import { randomBytes } from 'node:crypto';
import type { RequestListener } from 'node:http';
import { AuditLog, memoryAuditSink, type AuditRecord } from '../../../src/audit/index.js';
import {
  gatewayConfigSchema,
  type GatewayConfig,
  type GatewayConfigInput,
} from '../../../src/config/index.js';
import { createHttpApp, listen, type RunningServer } from '../../../src/http/index.js';
import { discoveryRoutes } from '../../../src/http/discovery-routes.js';
import { tokenRoutes } from '../../../src/http/token-routes.js';
import { WebIdentityVerifier } from '../../../src/identity-providers/web-identity/index.js';
import { GatewayMetrics } from '../../../src/observability/metrics.js';
import { PolicyCatalog } from '../../../src/roles/index.js';
import {
  SessionService,
  SigningKeyRing,
  type IssuedCredential,
  type RoleSessionInput,
} from '../../../src/sessions/index.js';
import { createMemoryStore, type Store } from '../../../src/store/index.js';
import {
  ClientRegistry,
  JWT_BEARER_ASSERTION_TYPE,
  TOKEN_EXCHANGE_GRANT_TYPE,
  TOKEN_TYPE,
  TokenExchangeService,
} from '../../../src/token-exchange/index.js';
import type { TestOidcIdp } from '../../support/oidc-idp.js';
import { suiteLogger } from '../../support/suite-log-capture.js';

/** The identity provider id the test configuration gives the in-process OIDC IdP. */
export const IDP_ID = 'test-idp';
/** Secret of the `reports-app` client. */
export const REPORTS_SECRET = 'reports-app-secret-0123456789';

/** A key pair the `signing-app` client signs its assertions with. */
export interface ClientKey {
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

/** Generates the ES256 key of a private_key_jwt client. */
export async function newClientKey(): Promise<ClientKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return {
    privateKey,
    publicJwk: { ...(await exportJWK(publicKey)), kid: 'client-key-1', alg: 'ES256', use: 'sig' },
  };
}

/** A running gateway with only what token exchange needs, on a loopback port, with a fixed clock. */
export interface ExchangeGateway {
  readonly url: string;
  readonly store: Store;
  readonly sessions: SessionService;
  readonly keys: SigningKeyRing;
  readonly catalog: PolicyCatalog;
  readonly service: TokenExchangeService;
  readonly audit: readonly AuditRecord[];
  readonly clientKey: ClientKey;
  /** Epoch ms of the fixed clock. */
  now(): number;
  advance(ms: number): void;
  /** A fedgate role session (`fedgate` audience), as the portal or STS would mint it. */
  issueSession(roleName: string, overrides?: Partial<RoleSessionInput>): Promise<IssuedCredential>;
  /** A signed private_key_jwt assertion of `signing-app` (claims override the defaults). */
  clientAssertion(claims?: Record<string, unknown>, key?: CryptoKey): Promise<string>;
  /** POSTs a form to /oauth2/token. */
  token(form: Record<string, string | string[]>, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/** The roles, clients and provider of every token exchange test. */
function configInput(
  publicUrl: string,
  idp: TestOidcIdp | undefined,
  clientKey: ClientKey,
): GatewayConfigInput {
  const trust = (subjects: string[]) => ({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: IDP_ID },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { [`${IDP_ID}:sub`]: subjects } },
      },
    ],
  });
  return {
    publicUrl,
    sessions: { defaultDuration: '1h' },
    identityProviders:
      idp === undefined
        ? []
        : [{ id: IDP_ID, type: 'oidc', issuer: idp.issuer, webIdentityOnly: true, audiences: ['fedgate'] }],
    roles: [
      {
        name: 'Developer',
        maxSessionDuration: '4h',
        trustPolicy: trust(['alice', 'carol']),
        inlinePolicies: {
          Exchange: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: 'sts:ExchangeToken',
                Resource: [
                  'arn:fedgate:sts::000000000000:audience/reports-api',
                  'arn:fedgate:sts::000000000000:audience/billing-api',
                  'arn:fedgate:sts::000000000000:audience/ledger-api',
                ],
              },
            ],
          },
        },
      },
      {
        name: 'Auditor',
        maxSessionDuration: '1h',
        trustPolicy: trust(['bob', 'carol']),
        inlinePolicies: {
          ReadOnly: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 'orders:Get*', Resource: '*' }],
          },
        },
      },
    ],
    clients: [
      {
        id: 'reports-app',
        secret: REPORTS_SECRET,
        audiences: ['reports-api', 'billing-api', 'audit-api'],
        scopes: ['reports.read', 'reports.write'],
      },
      {
        id: 'signing-app',
        jwks: { keys: [clientKey.publicJwk as Record<string, unknown>] },
        audiences: ['reports-api'],
      },
      { id: 'billing-api', secret: 'billing-api-secret-0123456789', audiences: ['ledger-api'] },
    ],
  };
}

/** Starts the gateway: store, keys, sessions, policies, web identity, clients, HTTP with discovery and token routes. */
export async function startExchangeGateway(options: { idp?: TestOidcIdp } = {}): Promise<ExchangeGateway> {
  // Whole seconds: tokens carry seconds, and an aligned clock keeps lifetimes exact.
  let clock = Math.floor(Date.now() / 1000) * 1000;
  const now = (): number => clock;
  // The app needs the issuer, which is the URL of the port the server binds: it is plugged in afterwards.
  const route: { handler?: RequestListener } = {};
  const server: RunningServer = await listen(
    (req, res) => {
      if (route.handler === undefined) res.writeHead(503).end();
      else route.handler(req, res);
    },
    '127.0.0.1',
    0,
  );
  const url = server.url;
  const clientKey = await newClientKey();
  const config: GatewayConfig = gatewayConfigSchema.parse(configInput(url, options.idp, clientKey));
  const store = createMemoryStore({ now });
  const keys = await SigningKeyRing.open({
    store,
    algorithm: config.signing.algorithm,
    rotationIntervalSeconds: config.signing.rotationInterval,
    maxTokenLifetimeSeconds: 12 * 3600,
    now,
  });
  const sessions = new SessionService({
    store,
    keys,
    issuer: url,
    partition: config.partition,
    account: config.account,
    now,
  });
  await sessions.start();
  const catalog = PolicyCatalog.fromConfig(config);
  const webIdentity = new WebIdentityVerifier(
    options.idp === undefined
      ? []
      : [
          {
            id: IDP_ID,
            issuer: options.idp.issuer,
            audiences: ['fedgate'],
            jwksUri: options.idp.jwksUri,
            allowedAlgorithms: ['RS256', 'ES256'],
            replayProtection: false,
            subject: 'claim:sub',
            tags: {},
          },
        ],
    { store, now },
  );
  const clients = ClientRegistry.fromConfig(config.clients, { store, issuer: url, now });
  const sink = memoryAuditSink();
  const service = new TokenExchangeService({
    clients: () => clients,
    catalog: () => catalog,
    settings: () => ({
      issuer: config.publicUrl,
      partition: config.partition,
      account: config.account,
      defaultDurationSeconds: config.sessions.defaultDuration,
    }),
    sessions,
    webIdentity: () => webIdentity,
    audit: new AuditLog([sink], now),
    now,
  });
  const app = createHttpApp({
    logger: suiteLogger(),
    metrics: new GatewayMetrics({ defaultMetrics: false }),
    readiness: {},
    trustProxies: [],
    mounts: [
      discoveryRoutes({
        issuer: () => url,
        algorithm: () => config.signing.algorithm,
        jwks: () => keys.jwks(),
      }),
      tokenRoutes(service),
    ],
  });
  route.handler = (req, res) => {
    app(req, res);
  };

  return {
    url,
    store,
    sessions,
    keys,
    catalog,
    service,
    audit: sink.records,
    clientKey,
    now,
    advance(ms) {
      clock += ms;
    },
    issueSession(roleName, overrides = {}) {
      return sessions.issue({
        roleName,
        sessionName: 'alice',
        provider: IDP_ID,
        subject: 'alice',
        tags: {},
        transitiveTagKeys: [],
        mfa: false,
        amr: ['pwd'],
        chain: 0,
        sessionPolicies: [],
        hasSessionPolicy: false,
        audience: 'fedgate',
        durationSeconds: 3600,
        ...overrides,
      });
    },
    async clientAssertion(claims = {}, key = clientKey.privateKey) {
      const iat = Math.floor(clock / 1000);
      return new SignJWT({
        iss: 'signing-app',
        sub: 'signing-app',
        aud: `${url}/oauth2/token`,
        iat,
        exp: iat + 60,
        jti: randomBytes(12).toString('base64url'),
        ...claims,
      })
        .setProtectedHeader({ alg: 'ES256', kid: 'client-key-1' })
        .sign(key);
    },
    token(form, headers = {}) {
      const body = new URLSearchParams();
      for (const [name, value] of Object.entries(form))
        for (const item of Array.isArray(value) ? value : [value]) body.append(name, item);
      return fetch(`${url}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body,
      });
    },
    async close() {
      await server.close(0);
      await sessions.close();
      keys.close();
      await store.close();
    },
  };
}

/** `Authorization: Basic …` of a client id and secret, form-encoded first as RFC 6749 §2.3.1 says. */
export function basicAuth(clientId: string, secret: string): Record<string, string> {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return {
    authorization: `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}`,
  };
}

/** The form of an exchange of a fedgate session credential. */
export function exchangeForm(
  subjectToken: string,
  extra: Record<string, string | string[]> = {},
): Record<string, string | string[]> {
  return {
    grant_type: TOKEN_EXCHANGE_GRANT_TYPE,
    subject_token: subjectToken,
    subject_token_type: TOKEN_TYPE.accessToken,
    ...extra,
  };
}

export { JWT_BEARER_ASSERTION_TYPE, TOKEN_TYPE };
