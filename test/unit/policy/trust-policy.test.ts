import { describe, expect, it } from 'vitest';
import { evaluateTrustPolicy, type PrincipalIdentity } from '../../../src/policy/index.js';
import { policy } from './policy-test-helpers.js';

const PROVIDER = 'arn:fedgate:iam::000000000000:oidc-provider/idp.example.com';
const oidc: PrincipalIdentity = { type: 'Federated', id: PROVIDER, aliases: ['idp.example.com'] };
const saml: PrincipalIdentity = { type: 'Federated', id: 'arn:fedgate:iam::000000000000:saml-provider/corp' };
const ROLE = 'arn:fedgate:iam::000000000000:role/Developer';

const webIdentityTrust = policy('trust', 'trust', {
  Sid: 'Idp',
  Effect: 'Allow',
  Principal: { Federated: PROVIDER },
  Action: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'],
  Condition: {
    StringEquals: { 'idp.example.com:aud': 'fedgate' },
    StringLike: { 'idp.example.com:sub': 'repo:acme/*' },
  },
});

const assume = (
  principal: PrincipalIdentity | undefined,
  context: Record<string, string | string[]>,
  action = 'sts:AssumeRoleWithWebIdentity',
) => evaluateTrustPolicy(webIdentityTrust, { principal, action, resource: ROLE, context });

describe('trust policies (SPEC 7.4, IAM-SEMANTICS 1.1 step 5)', () => {
  it('an Allow naming the provider with matching aud and sub allows', () => {
    expect(
      assume(oidc, { 'idp.example.com:aud': 'fedgate', 'idp.example.com:sub': 'repo:acme/app' }),
    ).toEqual({
      decision: 'Allow',
      matchedStatements: [{ policy: 'trust', sid: 'Idp', effect: 'Allow' }],
      missingContextKeys: [],
    });
  });

  it('a wrong audience is refused', () => {
    expect(
      assume(oidc, { 'idp.example.com:aud': 'other', 'idp.example.com:sub': 'repo:acme/app' }).decision,
    ).toBe('ImplicitDeny');
  });

  it('a missing subject claim is refused and reported', () => {
    const d = assume(oidc, { 'idp.example.com:aud': 'fedgate' });
    expect(d.decision).toBe('ImplicitDeny');
    expect(d.missingContextKeys).toEqual(['idp.example.com:sub']);
  });

  it('another provider is refused even with matching claims', () => {
    expect(
      assume(saml, { 'idp.example.com:aud': 'fedgate', 'idp.example.com:sub': 'repo:acme/app' }).decision,
    ).toBe('ImplicitDeny');
  });

  it('anonymous callers are refused', () => {
    expect(
      assume(undefined, { 'idp.example.com:aud': 'fedgate', 'idp.example.com:sub': 'repo:acme/app' })
        .decision,
    ).toBe('ImplicitDeny');
  });

  it('an action not allowed by the trust policy is refused', () => {
    expect(
      assume(
        oidc,
        { 'idp.example.com:aud': 'fedgate', 'idp.example.com:sub': 'repo:acme/app' },
        'sts:AssumeRole',
      ).decision,
    ).toBe('ImplicitDeny');
  });

  it('a Deny in the trust policy wins over its Allow', () => {
    const trust = policy(
      'trust',
      'trust',
      {
        Effect: 'Allow',
        Principal: { Federated: 'arn:fedgate:iam::000000000000:saml-provider/corp' },
        Action: 'sts:AssumeRoleWithSAML',
      },
      {
        Sid: 'NoContractors',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sts:*',
        Condition: { 'ForAnyValue:StringEquals': { 'saml:groups': 'contractors' } },
      },
    );
    const decide = (groups: string[]) =>
      evaluateTrustPolicy(trust, {
        principal: saml,
        action: 'sts:AssumeRoleWithSAML',
        resource: ROLE,
        context: { 'saml:groups': groups },
      });
    expect(decide(['staff']).decision).toBe('Allow');
    expect(decide(['staff', 'contractors'])).toMatchObject({
      decision: 'ExplicitDeny',
      matchedStatements: [{ policy: 'trust', sid: 'NoContractors', effect: 'Deny' }],
    });
  });

  it('a role session can be trusted by its role ARN', () => {
    const trust = policy('trust', 'trust', {
      Effect: 'Allow',
      Principal: { AWS: ROLE },
      Action: 'sts:AssumeRole',
    });
    const session: PrincipalIdentity = {
      type: 'AWS',
      id: 'arn:fedgate:sts::000000000000:assumed-role/Developer/alice',
      aliases: [ROLE],
    };
    expect(
      evaluateTrustPolicy(trust, {
        principal: session,
        action: 'sts:AssumeRole',
        resource: ROLE,
        context: {},
      }).decision,
    ).toBe('Allow');
  });

  it('evaluateTrustPolicy refuses a policy that is not a trust policy (programmer error)', () => {
    const identity = policy('p', 'identity', { Effect: 'Allow', Action: '*', Resource: '*' });
    expect(() =>
      evaluateTrustPolicy(identity, {
        principal: oidc,
        action: 'sts:AssumeRole',
        resource: ROLE,
        context: {},
      }),
    ).toThrow(TypeError);
  });
});
