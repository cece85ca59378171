import { describe, expect, it } from 'vitest';
import {
  assumableRoles,
  decideAssumeRole,
  federatedTrustRequest,
  type FederatedIdentity,
  type TrustRequestFacts,
} from '../../../src/federation/index.js';
import { parsePolicy } from '../../../src/policy/index.js';
import type { RoleDefinition } from '../../../src/roles/index.js';

const scope = { partition: 'fedgate', account: '000000000000' };
const NOW = Date.UTC(2026, 0, 1);

function role(name: string, statements: object[]): RoleDefinition {
  return {
    name,
    arn: `arn:fedgate:iam::000000000000:role/${name}`,
    maxSessionDurationSeconds: 3600,
    trustPolicy: parsePolicy(
      { Version: '2012-10-17', Statement: statements },
      { name: `${name}.trust`, kind: 'trust' },
    ),
    identityPolicies: [],
    tags: {},
  };
}

const facts = (overrides: Partial<TrustRequestFacts> = {}): TrustRequestFacts => ({
  sessionName: 'session',
  requestTags: {},
  transitiveTagKeys: [],
  now: NOW,
  ...overrides,
});

function github(sub: string): FederatedIdentity {
  return {
    provider: 'github-actions',
    providerType: 'oidc',
    issuer: 'https://token.actions.githubusercontent.com',
    subject: sub,
    attributes: { sub: [sub], aud: ['fedgate'] },
    groups: [],
    amr: [],
    mfa: false,
    authTime: NOW / 1000,
    audience: 'fedgate',
  };
}

function samlUser(overrides: Partial<FederatedIdentity> = {}): FederatedIdentity {
  return {
    provider: 'corp-saml',
    providerType: 'saml',
    issuer: 'https://idp.example.com',
    subject: 'alice',
    attributes: { department: ['finance'] },
    groups: ['staff'],
    amr: [],
    mfa: false,
    authTime: NOW / 1000,
    ...overrides,
  };
}

const decide = (target: RoleDefinition, identity: FederatedIdentity, f: TrustRequestFacts = facts()) =>
  decideAssumeRole(target, federatedTrustRequest(identity, f, scope));

const ciRole = role('CiDeploy', [
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
]);

describe('trust policy: OIDC claims', () => {
  it('allows a GitHub workflow whose sub matches repo:acme/*', () => {
    expect(decide(ciRole, github('repo:acme/api:ref:refs/heads/main')).allowed).toBe(true);
  });

  it('refuses a workflow from another organisation', () => {
    expect(decide(ciRole, github('repo:evil/api:ref:refs/heads/main'))).toMatchObject({
      allowed: false,
      reason: 'TrustPolicyDenied',
    });
  });

  it('refuses a token whose audience is not the one the trust policy requires', () => {
    const identity = { ...github('repo:acme/api'), audience: 'sts.amazonaws.com' };
    expect(decide(ciRole, identity).allowed).toBe(false);
  });

  it('refuses an identity from another provider even with the same claims (the principal must match)', () => {
    const target = role('R', [
      {
        Effect: 'Allow',
        Principal: { Federated: 'github-actions' },
        Action: 'sts:AssumeRoleWithWebIdentity',
      },
    ]);
    const impostor = { ...github('repo:acme/api'), provider: 'gitlab', issuer: 'https://gitlab.example.com' };
    expect(decide(target, impostor)).toMatchObject({ allowed: false, reason: 'TrustPolicyDenied' });
    expect(decide(target, github('repo:acme/api')).allowed).toBe(true);
  });

  it('matches a trust policy naming the provider by id, by issuer host or by ARN', () => {
    for (const name of [
      'github-actions',
      'token.actions.githubusercontent.com',
      'arn:fedgate:iam::000000000000:oidc-provider/token.actions.githubusercontent.com',
    ]) {
      const target = role('R', [
        { Effect: 'Allow', Principal: { Federated: name }, Action: 'sts:AssumeRoleWithWebIdentity' },
      ]);
      expect(decide(target, github('repo:acme/api')).allowed).toBe(true);
    }
  });

  it('asks for sts:AssumeRoleWithWebIdentity, not the SAML action, for an OIDC identity', () => {
    const target = role('R', [
      { Effect: 'Allow', Principal: { Federated: 'github-actions' }, Action: 'sts:AssumeRoleWithSAML' },
    ]);
    expect(decide(target, github('repo:acme/api')).allowed).toBe(false);
  });
});

describe('trust policy: SAML attributes, groups and MFA', () => {
  const financeRole = role('Finance', [
    {
      Effect: 'Allow',
      Principal: { Federated: 'corp-saml' },
      Action: 'sts:AssumeRoleWithSAML',
      Condition: { StringEquals: { 'saml:department': 'finance' } },
    },
  ]);
  const engRole = role('Eng', [
    {
      Effect: 'Allow',
      Principal: { Federated: 'corp-saml' },
      Action: 'sts:AssumeRoleWithSAML',
      Condition: { 'ForAnyValue:StringEquals': { 'fedgate:groups': ['engineering', 'sre'] } },
    },
  ]);
  const mfaRole = role('Admin', [
    {
      Effect: 'Allow',
      Principal: { Federated: 'corp-saml' },
      Action: 'sts:AssumeRoleWithSAML',
      Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
    },
  ]);

  it('allows by a SAML attribute and refuses another value', () => {
    expect(decide(financeRole, samlUser()).allowed).toBe(true);
    expect(decide(financeRole, samlUser({ attributes: { department: ['sales'] } })).allowed).toBe(false);
  });

  it('allows when one of the groups is listed and refuses when none is', () => {
    expect(decide(engRole, samlUser({ groups: ['staff', 'sre'] })).allowed).toBe(true);
    expect(decide(engRole, samlUser({ groups: ['staff'] })).allowed).toBe(false);
  });

  it('requires MFA when the trust policy says so', () => {
    expect(decide(mfaRole, samlUser({ mfa: true })).allowed).toBe(true);
    expect(decide(mfaRole, samlUser({ mfa: false })).allowed).toBe(false);
  });

  it('lets an explicit Deny win over an Allow', () => {
    const denied = role('D', [
      { Effect: 'Allow', Principal: { Federated: 'corp-saml' }, Action: 'sts:AssumeRoleWithSAML' },
      {
        Effect: 'Deny',
        Principal: { Federated: 'corp-saml' },
        Action: 'sts:AssumeRoleWithSAML',
        Condition: { StringEquals: { 'saml:department': 'finance' } },
      },
    ]);
    expect(decide(denied, samlUser())).toMatchObject({ allowed: false, reason: 'TrustPolicyDenied' });
    expect(decide(denied, samlUser({ attributes: { department: ['eng'] } })).allowed).toBe(true);
  });

  it('honours the AWS SAML Role attribute: only the roles it names may be chosen', () => {
    const open = role('Open', [
      { Effect: 'Allow', Principal: { Federated: 'corp-saml' }, Action: 'sts:AssumeRoleWithSAML' },
    ]);
    const restricted = samlUser({ allowedRoleArns: ['arn:fedgate:iam::000000000000:role/Other'] });
    expect(decide(open, restricted)).toEqual({ allowed: false, reason: 'RoleNotInIdpRoleList' });
    expect(decide(open, samlUser({ allowedRoleArns: [open.arn] })).allowed).toBe(true);
  });
});

describe('trust policy: session tags and source identity need their own permission', () => {
  const assumeOnly = role('AssumeOnly', [
    { Effect: 'Allow', Principal: { Federated: 'corp-saml' }, Action: 'sts:AssumeRoleWithSAML' },
  ]);
  const withTagging = role('Tagging', [
    {
      Effect: 'Allow',
      Principal: { Federated: 'corp-saml' },
      Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'],
      Condition: { StringEqualsIfExists: { 'aws:RequestTag/team': 'payments' } },
    },
  ]);

  it('refuses tags without sts:TagSession', () => {
    expect(decide(assumeOnly, samlUser(), facts({ requestTags: { team: 'payments' } }))).toMatchObject({
      allowed: false,
      reason: 'TagSessionDenied',
    });
    expect(decide(assumeOnly, samlUser()).allowed).toBe(true);
  });

  it('allows tags with sts:TagSession and checks their values through aws:RequestTag', () => {
    expect(decide(withTagging, samlUser(), facts({ requestTags: { team: 'payments' } })).allowed).toBe(true);
    expect(decide(withTagging, samlUser(), facts({ requestTags: { team: 'red' } })).allowed).toBe(false);
  });

  it('refuses a source identity without sts:SetSourceIdentity', () => {
    expect(decide(withTagging, samlUser(), facts({ sourceIdentity: 'alice' }))).toMatchObject({
      allowed: false,
      reason: 'SetSourceIdentityDenied',
    });
  });
});

describe('assumableRoles', () => {
  it('lists exactly the roles whose trust policy allows the identity, in order', () => {
    const roles = [
      role('A', [
        { Effect: 'Allow', Principal: { Federated: 'corp-saml' }, Action: 'sts:AssumeRoleWithSAML' },
      ]),
      role('B', [{ Effect: 'Allow', Principal: { Federated: 'other' }, Action: 'sts:AssumeRoleWithSAML' }]),
      role('C', [
        {
          Effect: 'Allow',
          Principal: { Federated: 'corp-saml' },
          Action: 'sts:AssumeRoleWithSAML',
          Condition: { StringEquals: { 'saml:department': 'finance' } },
        },
      ]),
    ];
    expect(assumableRoles(samlUser(), roles, facts(), scope).map((r) => r.name)).toEqual(['A', 'C']);
  });
});
