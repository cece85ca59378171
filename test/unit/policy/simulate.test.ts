import { describe, expect, it } from 'vitest';
import { principalFromArn, simulate, type RolePolicyDocuments } from '../../../src/policy/index.js';

const SESSION = 'arn:fedgate:sts::000000000000:assumed-role/Developer/alice';
const readOrders = {
  Version: '2012-10-17',
  Statement: {
    Sid: 'Read',
    Effect: 'Allow',
    Action: 'orders:Get*',
    Resource: 'arn:fedgate:orders:::order/*',
    Condition: { StringEquals: { 'aws:PrincipalTag/team': 'payments' } },
  },
};
const base = { principal: SESSION, action: 'orders:GetOrder', resource: 'arn:fedgate:orders:::order/42' };

describe('simulate (SPEC 7.6)', () => {
  it('decides the SPEC example shape', () => {
    expect(
      simulate({
        ...base,
        identityPolicies: [readOrders],
        context: {
          'aws:PrincipalTag/team': 'payments',
          'aws:SourceIp': '10.1.2.3',
          'fedgate:groups': ['a', 'b'],
        },
      }),
    ).toEqual({
      decision: 'Allow',
      matchedStatements: [{ policy: 'identityPolicies[0]', sid: 'Read', effect: 'Allow' }],
      missingContextKeys: [],
    });
  });

  it('names policies by their request field', () => {
    const result = simulate({
      ...base,
      identityPolicies: [readOrders],
      sessionPolicies: [
        { Version: '2012-10-17', Statement: { Sid: 'X', Effect: 'Deny', Action: '*', Resource: '*' } },
      ],
    });
    expect(result).toMatchObject({
      decision: 'ExplicitDeny',
      matchedStatements: [{ policy: 'sessionPolicies[0]', sid: 'X' }],
    });
  });

  it('an invalid policy answers MalformedPolicyDocument with the full path', () => {
    expect(
      simulate({
        ...base,
        identityPolicies: [
          readOrders,
          { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'x', Resource: '*' }] },
        ],
      }),
    ).toEqual({
      error: {
        code: 'MalformedPolicyDocument',
        path: 'identityPolicies[1].Statement[0].Action',
        message: expect.any(String),
      },
    });
  });

  it('a session policy over 2,048 characters is refused', () => {
    const big = {
      Version: '2012-10-17',
      Statement: { Sid: 'x'.repeat(2100), Effect: 'Allow', Action: '*', Resource: '*' },
    };
    expect(simulate({ ...base, sessionPolicies: [big] })).toMatchObject({
      error: { path: 'sessionPolicies[0]', code: 'MalformedPolicyDocument' },
    });
  });

  it.each([
    ['the request must be an object', [], ''],
    ['action is required', { resource: 'arn:a:b:::c' }, 'action'],
    ['resource is required', { action: 'a:b' }, 'resource'],
    ['unknown fields are refused', { ...base, polices: [] }, 'polices'],
    [
      'context values must be scalars or lists',
      { ...base, context: { 'a:b': { nested: 1 } } },
      'context["a:b"]',
    ],
    ['"role" needs a resolver (--config)', { ...base, role: 'Developer' }, 'role'],
  ] as const)('%s', (_rule, request, path) => {
    expect(simulate(request)).toMatchObject({ error: { code: 'ValidationError', path } });
  });

  it('"role" uses the configured policies, boundary, guardrails and resource policy', () => {
    const docs: RolePolicyDocuments = {
      identityPolicies: [{ name: 'ReadOrders', document: readOrders }],
      permissionsBoundary: {
        name: 'Boundary',
        document: {
          Version: '2012-10-17',
          Statement: { Effect: 'Allow', Action: 'orders:*', Resource: '*' },
        },
      },
      guardrails: [
        {
          name: 'guardrails[0]',
          document: {
            Version: '2012-10-17',
            Statement: { Sid: 'All', Effect: 'Allow', Action: '*', Resource: '*' },
          },
        },
      ],
      principal: 'arn:fedgate:iam::000000000000:role/Developer',
    };
    const seen: (string | undefined)[] = [];
    const resolve = (role: string, resource?: string) => {
      seen.push(resource);
      return role === 'Developer' ? docs : undefined;
    };
    expect(
      simulate(
        {
          role: 'Developer',
          action: 'orders:GetOrder',
          resource: base.resource,
          context: { 'aws:PrincipalTag/team': 'payments' },
        },
        resolve,
      ),
    ).toMatchObject({
      decision: 'Allow',
      matchedStatements: [
        { policy: 'guardrails[0]' },
        { policy: 'Boundary' },
        { policy: 'ReadOrders', sid: 'Read' },
      ],
    });
    expect(seen).toEqual([base.resource]);
    expect(simulate({ role: 'Nobody', action: 'a:b', resource: 'arn:a:b:::c' }, resolve)).toMatchObject({
      error: { path: 'role' },
    });
    expect(
      simulate({ role: 'Developer', identityPolicies: [], action: 'a:b', resource: 'arn:a:b:::c' }, resolve),
    ).toMatchObject({ error: { path: 'identityPolicies' } });
  });

  it('principalFromArn aliases a role session with its role ARN', () => {
    expect(principalFromArn(SESSION)).toEqual({
      type: 'AWS',
      id: SESSION,
      aliases: ['arn:fedgate:iam::000000000000:role/Developer'],
      account: '000000000000',
    });
    expect(principalFromArn('arn:fedgate:iam::000000000000:oidc-provider/idp.example.com')).toMatchObject({
      type: 'Federated',
      aliases: ['idp.example.com'],
    });
  });
});
