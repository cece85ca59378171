import { describe, expect, it } from 'vitest';
import { validatePolicy, type PolicyKind } from '../../../src/policy/index.js';

const V = '2012-10-17';
const codes = (doc: unknown, kind: PolicyKind = 'identity') =>
  validatePolicy(doc, kind).map((f) => `${f.severity}:${f.code}@${f.path}`);

describe('validatePolicy findings (Access Analyzer style)', () => {
  it('a clean policy has no findings', () => {
    expect(
      validatePolicy(
        {
          Version: V,
          Statement: { Effect: 'Allow', Action: 'orders:Get*', Resource: 'arn:fedgate:orders:::order/*' },
        },
        'identity',
      ),
    ).toEqual([]);
  });

  it('reports the first grammar error of every statement', () => {
    const doc = {
      Version: V,
      Statement: [
        { Effect: 'Allow', Action: 'x', Resource: '*' },
        { Effect: 'Allow', Action: 'a:b', Resource: '*', Condition: { StringEqualsFoo: { 'a:b': 'c' } } },
      ],
    };
    expect(codes(doc)).toEqual([
      'error:InvalidAction@Statement[0].Action',
      'error:UnknownConditionOperator@Statement[1].Condition.StringEqualsFoo',
    ]);
  });

  it.each([
    [
      'NullIfExists is an error',
      { Condition: { NullIfExists: { 'a:b': 'true' } } },
      'error:NullWithIfExists@Statement.Condition.NullIfExists',
    ],
    [
      'a number operator with a non-number is an error',
      { Condition: { NumericLessThan: { 'a:b': 'x' } } },
      'error:InvalidConditionValue@Statement.Condition.NumericLessThan["a:b"]',
    ],
    [
      'condition keys duplicated up to case are an error',
      { Condition: { StringEquals: { 'a:b': 'x', 'A:B': 'y' } } },
      'error:DuplicateConditionKey@Statement.Condition.StringEquals["A:B"]',
    ],
    [
      'a wildcard in StringEquals is a warning',
      { Condition: { StringEquals: { 'a:b': 'home/*' } } },
      'warning:WildcardWithoutLikeOperator@Statement.Condition.StringEquals["a:b"]',
    ],
    [
      'ForAllValues on a single-valued key is a security warning',
      { Condition: { 'ForAllValues:StringEquals': { 'aws:username': 'a' } } },
      'security-warning:ForAllValuesWithSingleValuedKey@Statement.Condition["ForAllValues:StringEquals"]["aws:username"]',
    ],
    [
      'Allow with NotAction is a security warning',
      { Action: undefined, NotAction: 'iam:*' },
      'security-warning:AllowWithNotAction@Statement.NotAction',
    ],
    [
      'Allow with NotResource is a security warning',
      { Resource: undefined, NotResource: 'arn:fedgate:x:::y' },
      'security-warning:AllowWithNotResource@Statement.NotResource',
    ],
    [
      'Action * with Resource * is a security warning',
      { Action: '*', Resource: '*' },
      'security-warning:FullAccess@Statement.Action',
    ],
    [
      'unknown policy variables are a warning',
      { Resource: 'arn:fedgate:x:::${aws:usrname}' },
      'warning:UnknownPolicyVariable@Statement.Resource',
    ],
    [
      'an empty Condition is a suggestion',
      { Condition: {} },
      'suggestion:EmptyCondition@Statement.Condition',
    ],
    [
      'a plain operator on a multi-valued key is a warning',
      { Condition: { StringEquals: { 'fedgate:groups': 'a' } } },
      'warning:MultiValuedKeyWithoutSetOperator@Statement.Condition.StringEquals["fedgate:groups"]',
    ],
  ] as const)('%s', (_rule, extra, expected) => {
    const statement = { Effect: 'Allow', Action: 'orders:Get', Resource: 'arn:fedgate:orders:::o', ...extra };
    expect(codes({ Version: V, Statement: JSON.parse(JSON.stringify(statement)) })).toContain(expected);
  });

  it('variables in a 2008-10-17 policy are a warning (they are literal)', () => {
    expect(
      codes({
        Version: '2008-10-17',
        Statement: { Effect: 'Allow', Action: 'a:b', Resource: 'arn:fedgate:x:::${aws:username}' },
      }),
    ).toContain('warning:VariableUnsupportedInVersion@Statement.Resource');
  });

  it('a missing Version is a warning', () => {
    expect(codes({ Statement: { Effect: 'Allow', Action: 'a:b', Resource: '*' } })).toContain(
      'warning:MissingVersion@Version',
    );
  });

  it('Allow with NotPrincipal in a resource policy is a security warning', () => {
    expect(
      codes(
        {
          Version: V,
          Statement: { Effect: 'Allow', NotPrincipal: { AWS: '000000000000' }, Action: 'a:b', Resource: '*' },
        },
        'resource',
      ),
    ).toContain('security-warning:AllowWithNotPrincipal@Statement.NotPrincipal');
  });

  it('a federated trust statement without aud/sub conditions is a security warning', () => {
    const trust = (condition?: object) => ({
      Version: V,
      Statement: {
        Effect: 'Allow',
        Principal: { Federated: 'arn:fedgate:iam::000000000000:oidc-provider/idp.example.com' },
        Action: 'sts:AssumeRoleWithWebIdentity',
        ...(condition ? { Condition: condition } : {}),
      },
    });
    expect(codes(trust(), 'trust')).toContain(
      'security-warning:MissingAudienceOrSubjectCondition@Statement.Principal',
    );
    expect(codes(trust({ StringEquals: { 'idp.example.com:aud': 'fedgate' } }), 'trust')).toEqual([]);
  });

  it('Principal "*" in a trust policy is a security warning', () => {
    expect(
      codes(
        { Version: V, Statement: { Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' } },
        'trust',
      ),
    ).toContain('security-warning:PrincipalStarInTrustPolicy@Statement.Principal');
  });
});
