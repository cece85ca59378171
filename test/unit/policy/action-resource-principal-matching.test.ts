import { describe, expect, it } from 'vitest';
import { authorize, evaluateTrustPolicy, type PrincipalIdentity } from '../../../src/policy/index.js';
import { allow, policy } from './policy-test-helpers.js';

function actionAllowed(pattern: string | string[], action: string, not = false): boolean {
  const statement = not ? { Effect: 'Allow', NotAction: pattern, Resource: '*' } : allow(pattern);
  const p = policy('p', 'identity', statement);
  return (
    authorize({ action, resource: 'arn:fedgate:x:::y', context: {} }, { identityPolicies: [p] }).decision ===
    'Allow'
  );
}

function resourceAllowed(pattern: string | string[], resource: string, not = false): boolean {
  const statement = not ? { Effect: 'Allow', Action: '*', NotResource: pattern } : allow('*', pattern);
  const p = policy('p', 'identity', statement);
  return (
    authorize({ action: 'svc:Act', resource, context: {} }, { identityPolicies: [p] }).decision === 'Allow'
  );
}

describe('Action matching (IAM-SEMANTICS 1.2)', () => {
  it.each([
    ['actions match case-insensitively (service and name)', 'iam:ListAccessKeys', 'IAM:listaccesskeys', true],
    ['a pattern in any case matches', 'S3:getobj*', 's3:GetObject', true],
    ['* alone matches every action', '*', 'orders:GetOrder', true],
    ['service:* matches every action of the service', 'orders:*', 'orders:DeleteOrder', true],
    ['service:* does not match another service', 'orders:*', 'billing:GetInvoice', false],
    ['? matches one character', 'gw:Lis?', 'gw:List', true],
    ['? does not match two characters', 'gw:Lis?', 'gw:Lists', false],
    ['a prefix pattern does not match a shorter name', 'orders:Get*', 'orders:Ge', false],
    ['a wildcard service part matches several services', 'ord*:Get*', 'orders:GetOrder', true],
    ['exact names do not match by prefix', 'orders:Get', 'orders:GetOrder', false],
    ['an action without a service only matches *', 'orders:Get', 'Get', false],
  ] as const)('%s', (_rule, pattern, action, expected) => {
    expect(actionAllowed(pattern, action)).toBe(expected);
  });

  it('several actions in a list are ORed', () => {
    expect(actionAllowed(['a:One', 'b:Two'], 'b:two')).toBe(true);
  });

  it('Allow + NotAction grants every other action, of any service', () => {
    expect(actionAllowed('orders:Delete*', 'billing:Pay', true)).toBe(true);
    expect(actionAllowed('orders:Delete*', 'orders:DeleteOrder', true)).toBe(false);
    expect(actionAllowed('orders:Delete*', 'ORDERS:deleteorder', true)).toBe(false);
  });

  it('a statement listed under several index entries still decides once', () => {
    const p = policy('p', 'identity', allow(['orders:GetOrder', 'orders:Get*', '*'], '*', { Sid: 'S' }));
    const d = authorize({ action: 'orders:GetOrder', resource: '*', context: {} }, { identityPolicies: [p] });
    expect(d.matchedStatements).toEqual([{ policy: 'p', sid: 'S', effect: 'Allow' }]);
  });
});

describe('Resource matching (IAM-SEMANTICS 1.2)', () => {
  it.each([
    ['Resource * matches anything, ARN or not', '*', 'whatever', true],
    ['an exact ARN matches itself', 'arn:fedgate:orders:::order/42', 'arn:fedgate:orders:::order/42', true],
    [
      'the resource part is case-sensitive',
      'arn:fedgate:docs:::DATA-red/*',
      'arn:fedgate:docs:::data-red/x',
      false,
    ],
    [
      'partition, service, region and account match case-insensitively',
      'arn:FEDGATE:Orders:::order/42',
      'arn:fedgate:orders:::order/42',
      true,
    ],
    [
      '* in the resource part spans /',
      'arn:aws:s3:::bucket/*/test/*',
      'arn:aws:s3:::bucket/1/2/test/3/x',
      true,
    ],
    [
      '* in the resource part spans :',
      'arn:aws:ssm:*:*:parameter/*',
      'arn:aws:ssm:eu-west-1:123:parameter/a:b',
      true,
    ],
    [
      '* in the region part does not span into the account',
      'arn:aws:ssm:*:123:parameter/x',
      'arn:aws:ssm:eu:1:123:parameter/x',
      false,
    ],
    [
      '? matches one character in the resource part',
      'arn:fedgate:orders:::order/?',
      'arn:fedgate:orders:::order/7',
      true,
    ],
    [
      '? does not match two characters',
      'arn:fedgate:orders:::order/?',
      'arn:fedgate:orders:::order/77',
      false,
    ],
    [
      'a wildcard region matches any region',
      'arn:aws:svc:*:111122223333:thing',
      'arn:aws:svc:us-east-1:111122223333:thing',
      true,
    ],
    [
      'a different account does not match',
      'arn:aws:svc:*:111122223333:thing',
      'arn:aws:svc:us-east-1:999999999999:thing',
      false,
    ],
    [
      'a short ARN ending in * is padded with * parts',
      'arn:fedgate:*',
      'arn:fedgate:orders:::order/42',
      true,
    ],
    ['a short ARN does not match another partition', 'arn:fedgate:*', 'arn:aws:orders:::order/42', false],
    ['an ARN pattern never matches a non-ARN resource', 'arn:*:*:*:*:*', 'not-an-arn', false],
    [
      'an empty region in the pattern needs an empty region',
      'arn:fedgate:orders:::order/1',
      'arn:fedgate:orders:eu::order/1',
      false,
    ],
  ] as const)('%s', (_rule, pattern, resource, expected) => {
    expect(resourceAllowed(pattern, resource)).toBe(expected);
  });

  it('NotResource matches every resource except those listed', () => {
    expect(resourceAllowed('arn:fedgate:orders:::order/secret*', 'arn:fedgate:orders:::order/1', true)).toBe(
      true,
    );
    expect(
      resourceAllowed('arn:fedgate:orders:::order/secret*', 'arn:fedgate:orders:::order/secret-1', true),
    ).toBe(false);
  });
});

const SESSION = 'arn:fedgate:sts::000000000000:assumed-role/Developer/alice';
const ROLE = 'arn:fedgate:iam::000000000000:role/Developer';
const alice: PrincipalIdentity = { type: 'AWS', id: SESSION, aliases: [ROLE], account: '000000000000' };
const oidc: PrincipalIdentity = {
  type: 'Federated',
  id: 'arn:fedgate:iam::000000000000:oidc-provider/idp.example.com',
  aliases: ['idp.example.com'],
};

/**
 * Whether a resource-policy statement names `who`: asked with a Deny, so the answer depends on principal
 * matching alone, not on what an Allow through that kind of principal grants (see authorize-decision tests).
 */
function trusts(principal: unknown, who: PrincipalIdentity | undefined, notPrincipal = false): boolean {
  const p = policy('trust', 'resource', {
    Effect: 'Deny',
    ...(notPrincipal ? { NotPrincipal: principal } : { Principal: principal }),
    Action: 'svc:Act',
    Resource: '*',
  });
  return (
    authorize(
      { principal: who, action: 'svc:Act', resource: 'arn:fedgate:svc:::x', context: {} },
      { identityPolicies: [], resourcePolicies: [p] },
    ).decision === 'ExplicitDeny'
  );
}

describe('Principal matching (IAM-SEMANTICS 1.2)', () => {
  it.each([
    ['"*" matches every principal', '*', alice, true],
    ['"*" matches anonymous callers', '*', undefined, true],
    ['{"AWS": "*"} is the same as "*"', { AWS: '*' }, undefined, true],
    ['an account id names every principal of the account', { AWS: '000000000000' }, alice, true],
    [
      'an account root ARN names the whole account',
      { AWS: 'arn:fedgate:iam::000000000000:root' },
      alice,
      true,
    ],
    ['another account does not match', { AWS: '111111111111' }, alice, false],
    ['the session ARN matches exactly', { AWS: SESSION }, alice, true],
    ['the role ARN (an alias) matches', { AWS: ROLE }, alice, true],
    ['principal ARNs are case-sensitive', { AWS: SESSION.replace('alice', 'Alice') }, alice, false],
    [
      'a list of principals is ORed',
      { AWS: ['arn:fedgate:iam::000000000000:role/Other', ROLE] },
      alice,
      true,
    ],
    ['Federated matches the provider ARN', { Federated: oidc.id }, oidc, true],
    ['Federated matches the issuer without scheme', { Federated: 'idp.example.com' }, oidc, true],
    ['Federated does not match an AWS principal of the same name', { Federated: ROLE }, alice, false],
    [
      'Service matches the service name',
      { Service: 'orders.fedgate' },
      { type: 'Service', id: 'orders.fedgate' },
      true,
    ],
    ['a specific principal never matches anonymous callers', { AWS: '000000000000' }, undefined, false],
  ] as const)('%s', (_rule, principal, who, expected) => {
    expect(trusts(principal, who)).toBe(expected);
  });

  it('NotPrincipal matches every principal except those listed', () => {
    expect(trusts({ AWS: ROLE }, { type: 'AWS', id: 'arn:fedgate:iam::000000000000:role/Other' }, true)).toBe(
      true,
    );
    expect(trusts({ AWS: ROLE }, alice, true)).toBe(false);
  });

  it('a trust policy needs an Allow naming the principal', () => {
    const trust = policy('trust', 'trust', {
      Effect: 'Allow',
      Principal: { Federated: 'idp.example.com' },
      Action: 'sts:AssumeRoleWithWebIdentity',
    });
    expect(
      evaluateTrustPolicy(trust, {
        principal: oidc,
        action: 'sts:AssumeRoleWithWebIdentity',
        resource: ROLE,
        context: {},
      }).decision,
    ).toBe('Allow');
    expect(
      evaluateTrustPolicy(trust, {
        principal: alice,
        action: 'sts:AssumeRoleWithWebIdentity',
        resource: ROLE,
        context: {},
      }),
    ).toMatchObject({
      decision: 'ImplicitDeny',
      blockedBy: 'trust',
    });
    expect(
      evaluateTrustPolicy(trust, { principal: oidc, action: 'sts:AssumeRole', resource: ROLE, context: {} })
        .decision,
    ).toBe('ImplicitDeny');
  });
});
