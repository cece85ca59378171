import { describe, expect, it } from 'vitest';
import {
  authorize,
  parsePolicy,
  validatePolicy,
  type PolicyKind,
  type ValidatePolicyOptions,
} from '../../../src/policy/index.js';

/*
 * Issue 13's validator findings, each anchored on an IAM Access Analyzer policy check
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html): the row names
 * the check, the policy that trips it, and the finding fedgate reports.
 */

const V = '2012-10-17';
const codes = (
  statement: Record<string, unknown>,
  kind: PolicyKind = 'identity',
  options?: ValidatePolicyOptions,
) =>
  validatePolicy({ Version: V, Statement: [statement] }, kind, options).map(
    (f) => `${f.severity}:${f.code}@${f.path}`,
  );
const allow = (extra: Record<string, unknown>) => ({
  Effect: 'Allow',
  Action: 'orders:Get*',
  Resource: '*',
  ...extra,
});
const trust = (extra: Record<string, unknown>) => ({ Effect: 'Allow', ...extra });

describe('Access Analyzer checks added by issue 13', () => {
  it.each([
    [
      'Error – Invalid global condition key: a misspelt aws: key',
      allow({ Condition: { StringEquals: { 'aws:PrincipalTags/team': 'red' } } }),
      'identity',
      'error:InvalidGlobalConditionKey@Statement[0].Condition.StringEquals["aws:PrincipalTags/team"]',
    ],
    [
      'Error – Missing tag key in condition',
      allow({ Condition: { StringEquals: { 'aws:PrincipalTag/': 'red' } } }),
      'identity',
      'error:MissingTagKeyInCondition@Statement[0].Condition.StringEquals["aws:PrincipalTag/"]',
    ],
    [
      'Error – Mismatched action for principal: Federated with sts:AssumeRole',
      trust({
        Principal: { Federated: 'corp' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'corp:sub': 'a' } },
      }),
      'trust',
      'error:MismatchedActionForPrincipal@Statement[0].Action',
    ],
    [
      'Security Warning – ForAllValues with single valued key: an IdP subject claim',
      trust({
        Principal: { Federated: 'corp' },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { 'ForAllValues:StringEquals': { 'corp:sub': 'repo:acme/app' } },
      }),
      'trust',
      'security-warning:ForAllValuesWithSingleValuedKey@Statement[0].Condition["ForAllValues:StringEquals"]["corp:sub"]',
    ],
    [
      'Security Warning – ForAllValues with single valued key: an issuer-host audience claim',
      trust({
        Principal: { Federated: 'corp' },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { 'ForAllValues:StringEquals': { 'token.actions.githubusercontent.com:aud': 'sts' } },
      }),
      'trust',
      'security-warning:ForAllValuesWithSingleValuedKey@Statement[0].Condition["ForAllValues:StringEquals"]["token.actions.githubusercontent.com:aud"]',
    ],
    [
      'StringLike "*" on a subject (Missing github repo condition key / specific repo recommended)',
      trust({
        Principal: { Federated: 'corp' },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringLike: { 'corp:sub': '*' }, StringEquals: { 'corp:aud': 'x' } },
      }),
      'trust',
      'security-warning:SubjectWildcardOnly@Statement[0].Condition.StringLike["corp:sub"]',
    ],
    [
      'broad sts:AssumeRole* on every role',
      { Effect: 'Allow', Action: 'sts:AssumeRole*', Resource: '*' },
      'identity',
      'security-warning:BroadAssumeRoleGrant@Statement[0].Resource',
    ],
    [
      'broad sts:* on every role ARN',
      { Effect: 'Allow', Action: 'sts:*', Resource: 'arn:fedgate:iam::000000000000:role/*' },
      'identity',
      'security-warning:BroadAssumeRoleGrant@Statement[0].Resource',
    ],
    [
      'Suggestion – Redundant action',
      allow({ Action: ['orders:Get*', 'orders:GetOrder'] }),
      'identity',
      'suggestion:RedundantAction@Statement[0].Action[1]',
    ],
    [
      'Suggestion – Redundant resource',
      allow({ Resource: ['arn:fedgate:orders:::order/*', 'arn:fedgate:orders:::order/42'] }),
      'identity',
      'suggestion:RedundantResource@Statement[0].Resource[1]',
    ],
    [
      'Suggestion – Improve IP range: host bits set',
      allow({ Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.7/24' } } }),
      'identity',
      'suggestion:ImproveIpRange@Statement[0].Condition.IpAddress["aws:SourceIp"]',
    ],
    [
      'Suggestion – Private IP address subset in aws:SourceIp',
      allow({ Condition: { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '10.0.0.0/8'] } } }),
      'identity',
      'suggestion:PrivateIpAddress@Statement[0].Condition.IpAddress["aws:SourceIp"][1]',
    ],
    [
      'Suggestion – Wildcard in service name',
      allow({ Action: 'ord*:GetOrder' }),
      'identity',
      'suggestion:WildcardInServiceName@Statement[0].Action',
    ],
    [
      'Suggestion – Null with qualifier',
      allow({ Condition: { 'ForAnyValue:Null': { 'aws:TagKeys': 'true' } } }),
      'identity',
      'suggestion:NullWithQualifier@Statement[0].Condition["ForAnyValue:Null"]',
    ],
    [
      'Suggestion – Null with qualifier (ForAllValues)',
      allow({ Condition: { 'ForAllValues:Null': { 'aws:TagKeys': 'false' } } }),
      'identity',
      'suggestion:NullWithQualifier@Statement[0].Condition["ForAllValues:Null"]',
    ],
    [
      'Suggestion – Empty array condition (kept a suggestion, not an error)',
      allow({ Condition: { StringEquals: { 'aws:PrincipalTag/team': [] } } }),
      'identity',
      'suggestion:EmptyArrayCondition@Statement[0].Condition.StringEquals["aws:PrincipalTag/team"]',
    ],
    [
      'NotPrincipal with Deny (permissions boundaries page)',
      { Effect: 'Deny', NotPrincipal: { AWS: '000000000000' }, Action: 'orders:*', Resource: '*' },
      'resource',
      'warning:DenyWithNotPrincipal@Statement[0].NotPrincipal',
    ],
  ] as const)('%s', (_check, statement, kind, expected) => {
    expect(codes(statement, kind)).toContain(expected);
  });

  it.each([
    ['StringEquals', false, false],
    ['ForAnyValue:StringEquals', false, false],
    ['ForAllValues:StringEquals', true, false],
    ['StringEqualsIfExists', true, false],
  ] as const)(
    'an empty value list under %s is legal (a suggestion, never an error) and decides as the suggestion says',
    (operator, whenMissing, whenPresent) => {
      // Access Analyzer reports "Empty array condition" as a suggestion; the policy still compiles and applies.
      const document = {
        Version: V,
        Statement: [allow({ Condition: { [operator]: { 'orders:status': [] } } })],
      };
      const findings = validatePolicy(document, 'identity');
      expect(findings.map((f) => `${f.severity}:${f.code}`)).toEqual(['suggestion:EmptyArrayCondition']);
      const policy = parsePolicy(document, { name: 'p', kind: 'identity' });
      const allows = (context: Record<string, string>) =>
        authorize(
          { action: 'orders:GetOrder', resource: 'arn:fedgate:orders:::order/1', context },
          { identityPolicies: [policy] },
        ).decision === 'Allow';
      expect(allows({})).toBe(whenMissing);
      expect(allows({ 'orders:status': 'open' })).toBe(whenPresent);
    },
  );

  it('Suggestion – Redundant statement: the same statement twice', () => {
    const s = allow({});
    expect(
      validatePolicy(
        {
          Version: V,
          Statement: [
            { Sid: 'A', ...s },
            { Sid: 'B', ...s },
          ],
        },
        'identity',
      ).map((f) => `${f.severity}:${f.code}@${f.path}`),
    ).toContain('suggestion:RedundantStatement@Statement[1]');
  });

  it('a bare host in Federated is an error unless it is exactly a configured issuer without scheme', () => {
    const options = { federatedPrincipalNames: ['corp', 'oidc.example.com/id/A'] };
    const host = trust({
      Principal: { Federated: 'oidc.example.com' },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { 'oidc.example.com/id/A:sub': 'x' } },
    });
    expect(codes(host, 'trust', options)).toContain(
      'error:InvalidFederatedPrincipal@Statement[0].Principal.Federated',
    );
    for (const name of [
      'corp',
      'oidc.example.com/id/A',
      'arn:fedgate:iam::000000000000:oidc-provider/oidc.example.com/id/A',
    ]) {
      expect(codes({ ...host, Principal: { Federated: name } }, 'trust', options)).not.toContain(
        'error:InvalidFederatedPrincipal@Statement[0].Principal.Federated',
      );
    }
  });

  it('no "*"-in-trust warning when an organisation or subject condition restricts it', () => {
    const star = { Principal: '*', Action: 'sts:AssumeRole' };
    expect(codes(trust(star), 'trust')).toContain(
      'security-warning:PrincipalStarInTrustPolicy@Statement[0].Principal',
    );
    for (const condition of [
      { StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } },
      { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': 'o-abc/*' } },
      { ArnEquals: { 'aws:PrincipalArn': 'arn:fedgate:iam::000000000000:role/Ci' } },
      { StringEquals: { 'aws:PrincipalAccount': '000000000000' } },
      { StringEquals: { 'token.actions.githubusercontent.com:sub': 'repo:acme/app:ref:refs/heads/main' } },
      { StringLike: { 'corp:sub': 'team-a/*' } },
    ]) {
      expect(codes(trust({ ...star, Condition: condition }), 'trust')).not.toContain(
        'security-warning:PrincipalStarInTrustPolicy@Statement[0].Principal',
      );
    }
  });

  it('the "*"-in-trust warning stays when the condition on those keys lets any principal through', () => {
    // Each of these names an organisation, account or subject key, yet restricts nothing: a negated operator
    // admits every other value, …IfExists and ForAllValues: admit a principal without the key, Null "false" admits
    // every principal that has one, and StringLike "*" matches every value.
    const star = { Principal: '*', Action: 'sts:AssumeRole' };
    for (const condition of [
      { StringNotEquals: { 'aws:PrincipalOrgID': 'o-other' } },
      { StringEqualsIfExists: { 'aws:PrincipalOrgID': 'o-abc' } },
      { 'ForAllValues:StringLike': { 'aws:PrincipalOrgPaths': 'o-abc/*' } },
      { Null: { 'aws:PrincipalOrgID': 'false' } },
      { StringLike: { 'aws:PrincipalArn': '*' } },
      { ArnLike: { 'aws:PrincipalArn': ['arn:fedgate:iam::000000000000:role/Ci', '*'] } },
      { StringLike: { 'corp:sub': '*' } },
    ]) {
      expect(codes(trust({ ...star, Condition: condition }), 'trust')).toContain(
        'security-warning:PrincipalStarInTrustPolicy@Statement[0].Principal',
      );
    }
  });

  it('the checks stay quiet on a clean policy', () => {
    expect(
      codes({
        Effect: 'Allow',
        Action: ['orders:GetOrder', 'orders:ListOrders', 'sts:AssumeRole'],
        Resource: [
          'arn:fedgate:orders:::order/${aws:PrincipalTag/team}/*',
          'arn:fedgate:iam::000000000000:role/Auditor',
        ],
        Condition: {
          IpAddress: { 'aws:SourceIp': '203.0.113.0/24' },
          StringEquals: { 'aws:PrincipalTag/team': 'red' },
        },
      }),
    ).toEqual([]);
  });
});
