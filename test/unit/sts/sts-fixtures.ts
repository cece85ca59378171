import { memoryAuditSink, AuditLog, type AuditRecord } from '../../../src/audit/index.js';
import { gatewayConfigSchema, type GatewayConfigInput } from '../../../src/config/index.js';
import type { FederatedIdentity } from '../../../src/federation/index.js';
import { PolicyCatalog } from '../../../src/roles/index.js';
import { SessionService, SigningKeyRing } from '../../../src/sessions/index.js';
import { createMemoryStore, type Store } from '../../../src/store/index.js';
import {
  StsService,
  type SamlAssertionVerifier,
  type StsServiceOptions,
  type WebIdentityTokenVerifier,
} from '../../../src/sts/index.js';

/** 2026-01-01T00:00:00Z. */
export const T0 = Date.UTC(2026, 0, 1);
export const ACCOUNT = '000000000000';
export const ARN = (kind: string, name: string): string => `arn:fedgate:iam::${ACCOUNT}:${kind}/${name}`;
const SAML_PROVIDER_ARN = ARN('saml-provider', 'corp-saml');

const allow = (action: string | string[], resource: string | string[] = '*', extra: object = {}) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: action, Resource: resource, ...extra }],
});

/** Roles that exercise each trust rule; see the test names for what each one proves. */
export function testConfig(overrides: Partial<GatewayConfigInput> = {}): GatewayConfigInput {
  return {
    publicUrl: 'https://sso.example.com',
    identityProviders: [
      {
        id: 'corp-saml',
        type: 'saml',
        issuer: 'https://idp.example.com/metadata',
        entryPoint: 'https://idp.example.com/sso',
        idpCertificates: [],
      },
    ] as unknown as GatewayConfigInput['identityProviders'],
    sessions: { defaultDuration: '1h', chainedMaxDuration: '1h' },
    policies: {
      OrdersReadOnly: allow(['orders:GetOrder', 'orders:ListOrders']),
      OrdersDelete: allow('orders:DeleteOrder'),
    },
    roles: [
      {
        name: 'CiDeploy',
        maxSessionDuration: '1h',
        trustPolicy: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: {
                Federated: 'arn:fedgate:iam::000000000000:oidc-provider/token.actions.githubusercontent.com',
              },
              Action: 'sts:AssumeRoleWithWebIdentity',
              Condition: {
                StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:acme/*' },
                StringEquals: { 'token.actions.githubusercontent.com:aud': 'fedgate' },
              },
            },
          ],
        },
        policies: ['OrdersReadOnly'],
      },
      {
        name: 'Developer',
        maxSessionDuration: '4h',
        trustPolicy: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Federated: 'corp-saml' },
              Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession', 'sts:SetSourceIdentity'],
              Condition: { 'ForAnyValue:StringEquals': { 'fedgate:groups': 'engineering' } },
            },
          ],
        },
        inlinePolicies: {
          Work: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: ['orders:*'], Resource: '*' },
              {
                Effect: 'Allow',
                Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
                Resource: [ARN('role', 'Auditor'), ARN('role', 'Vault'), ARN('role', 'LongAuditor')],
              },
            ],
          },
        },
      },
      {
        name: 'Admin',
        trustPolicy: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Federated: SAML_PROVIDER_ARN },
              Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession', 'sts:SetSourceIdentity'],
              Condition: {
                Bool: { 'aws:MultiFactorAuthPresent': 'true' },
                StringEquals: { 'saml:department': 'it' },
              },
            },
          ],
        },
        inlinePolicies: { Revoke: allow('fedgate:RevokeSessions') },
      },
      {
        name: 'NoTags',
        trustPolicy: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Federated: 'corp-saml' }, Action: 'sts:AssumeRoleWithSAML' },
          ],
        },
        inlinePolicies: { Work: allow('orders:GetOrder') },
      },
      {
        name: 'Auditor',
        trustPolicy: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: ARN('role', 'Developer') },
              Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
            },
          ],
        },
        inlinePolicies: { Read: allow(['orders:GetOrder', 'sts:AssumeRole']) },
      },
      {
        name: 'LongAuditor',
        maxSessionDuration: '8h',
        trustPolicy: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { AWS: ARN('role', 'Developer') }, Action: 'sts:AssumeRole' },
          ],
        },
        inlinePolicies: { Read: allow('orders:GetOrder') },
      },
      {
        name: 'Vault',
        trustPolicy: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { AWS: ARN('role', 'Admin') }, Action: 'sts:AssumeRole' },
          ],
        },
        inlinePolicies: { Read: allow('vault:Read') },
      },
      {
        // Trusts the whole account: that only delegates, so a caller also needs its own sts:AssumeRole Allow.
        name: 'Ledger',
        trustPolicy: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: '000000000000' }, Action: 'sts:AssumeRole' }],
        },
        inlinePolicies: { Read: allow('ledger:Read') },
      },
    ],
    ...overrides,
  };
}

/** A SAML identity of `alice` in the engineering group; override what the test is about. */
export function samlIdentity(overrides: Partial<FederatedIdentity> = {}): FederatedIdentity {
  return {
    provider: 'corp-saml',
    providerType: 'saml',
    issuer: 'https://idp.example.com/metadata',
    subject: 'alice@example.com',
    attributes: {
      email: ['alice@example.com'],
      department: ['engineering'],
      memberOf: ['engineering', 'staff'],
    },
    groups: ['engineering', 'staff'],
    amr: ['urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport'],
    mfa: false,
    authTime: T0 / 1000 - 60,
    nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
    audience: 'https://sso.example.com/saml/corp-saml/acs',
    ...overrides,
  };
}

/** A GitHub Actions web identity for `repo:acme/api`. */
export function githubIdentity(overrides: Partial<FederatedIdentity> = {}): FederatedIdentity {
  const sub = 'repo:acme/api:ref:refs/heads/main';
  return {
    provider: 'github-actions',
    providerType: 'oidc',
    issuer: 'https://token.actions.githubusercontent.com',
    subject: sub,
    attributes: { sub: [sub], aud: ['fedgate'], repository: ['acme/api'], ref: ['refs/heads/main'] },
    claims: { sub, aud: 'fedgate', repository: 'acme/api', ref: 'refs/heads/main' },
    groups: [],
    amr: [],
    mfa: false,
    authTime: T0 / 1000 - 10,
    audience: 'fedgate',
    ...overrides,
  };
}

/** The STS service over real parts: memory store, key ring, session service, catalog and audit log. */
export interface StsHarness {
  readonly sts: StsService;
  readonly sessions: SessionService;
  readonly catalog: PolicyCatalog;
  readonly store: Store;
  readonly audit: readonly AuditRecord[];
  readonly clock: { now: () => number; advance(ms: number): void };
  /** How many keys the store holds that belong to sessions (to prove nothing was written). */
  sessionCount(): Promise<number>;
  close(): Promise<void>;
}

/** Builds the harness; `webIdentity`/`saml` are the identity-provider boundary (the real ones are in integration tests). */
export async function openSts(
  options: {
    config?: GatewayConfigInput;
    webIdentity?: WebIdentityTokenVerifier;
    saml?: Readonly<Record<string, SamlAssertionVerifier>>;
  } = {},
): Promise<StsHarness> {
  let at = T0;
  const clock = {
    now: () => at,
    advance: (ms: number) => {
      at += ms;
    },
  };
  const config = gatewayConfigSchema.parse(options.config ?? testConfig());
  const catalog = PolicyCatalog.fromConfig(config);
  const store = createMemoryStore({ now: clock.now });
  const keys = await SigningKeyRing.open({
    store,
    algorithm: 'ES256',
    rotationIntervalSeconds: 86_400,
    maxTokenLifetimeSeconds: 12 * 3600,
    now: clock.now,
  });
  const sessions = new SessionService({
    store,
    keys,
    issuer: config.publicUrl,
    partition: config.partition,
    account: config.account,
    now: clock.now,
  });
  const sink = memoryAuditSink();
  const auditLog = new AuditLog([sink], clock.now);
  const stsOptions: StsServiceOptions = {
    catalog: () => catalog,
    settings: () => ({
      partition: config.partition,
      account: config.account,
      defaultDurationSeconds: config.sessions.defaultDuration,
      chainedMaxDurationSeconds: config.sessions.chainedMaxDuration,
    }),
    sessions,
    webIdentity: options.webIdentity ?? {
      verify: () => Promise.reject(new Error('no web identity verifier in this test')),
    },
    samlProvider: (id) => options.saml?.[id],
    audit: auditLog,
    now: clock.now,
  };
  return {
    sts: new StsService(stsOptions),
    sessions,
    catalog,
    store,
    audit: sink.records,
    clock,
    sessionCount: async () => (await sessions.list()).length,
    close: async () => {
      keys.close();
      await sessions.close();
      await store.close();
    },
  };
}
