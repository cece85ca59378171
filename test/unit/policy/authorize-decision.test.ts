import { describe, expect, it } from 'vitest';
import {
  authorize,
  prepareContext,
  type PolicySet,
  type PrincipalIdentity,
} from '../../../src/policy/index.js';
import { allow, deny, policy } from './policy-test-helpers.js';

const ACCOUNT = '000000000000';
const SESSION = `arn:fedgate:sts::${ACCOUNT}:assumed-role/Developer/alice`;
const ROLE = `arn:fedgate:iam::${ACCOUNT}:role/Developer`;
const alice: PrincipalIdentity = { type: 'AWS', id: SESSION, aliases: [ROLE], account: ACCOUNT };
const ORDER = 'arn:fedgate:orders:::order/42';
const request = (context = {}, resource = ORDER) => ({
  principal: alice,
  action: 'orders:GetOrder',
  resource,
  context,
});

const identityAllow = policy('identity', 'identity', allow('orders:*', '*', { Sid: 'IdAllow' }));
const boundaryAllow = policy('boundary', 'boundary', allow('orders:Get*', '*', { Sid: 'PbAllow' }));
const boundaryOther = policy('boundary', 'boundary', allow('billing:*', '*', { Sid: 'PbOther' }));
const sessionAllow = policy('session', 'session', allow('orders:GetOrder', '*', { Sid: 'SpAllow' }));
const sessionOther = policy('session', 'session', allow('orders:ListOrders', '*', { Sid: 'SpOther' }));
const guardAllow = policy('guard', 'guardrail', allow('*', '*', { Sid: 'FullAccess' }));
const guardOther = policy('guard', 'guardrail', allow('billing:*', '*', { Sid: 'BillingOnly' }));
const resourceFor = (principal: unknown, sid = 'RpAllow') =>
  policy('resource', 'resource', allow('orders:GetOrder', ORDER, { Sid: sid, Principal: principal }));

describe('decision procedure (SPEC 7.4, IAM-SEMANTICS 1.1)', () => {
  it('no policy at all is an implicit deny', () => {
    expect(authorize(request(), { identityPolicies: [] })).toMatchObject({
      decision: 'ImplicitDeny',
      matchedStatements: [],
      blockedBy: 'identity',
    });
  });

  it('an identity Allow allows and lists the allowing statement', () => {
    expect(authorize(request(), { identityPolicies: [identityAllow] })).toEqual({
      decision: 'Allow',
      matchedStatements: [{ policy: 'identity', sid: 'IdAllow', effect: 'Allow' }],
      missingContextKeys: [],
    });
  });

  it.each([
    [
      'an explicit Deny in an identity policy wins',
      { identityPolicies: [identityAllow, policy('d', 'identity', deny('orders:*', '*', { Sid: 'D' }))] },
    ],
    [
      'an explicit Deny in the boundary wins',
      {
        identityPolicies: [identityAllow],
        permissionsBoundary: policy('d', 'boundary', deny('*', '*', { Sid: 'D' })),
      },
    ],
    [
      'an explicit Deny in a session policy wins',
      {
        identityPolicies: [identityAllow],
        sessionPolicies: [policy('d', 'session', deny('*', '*', { Sid: 'D' }))],
      },
    ],
    [
      'an explicit Deny in a guardrail wins',
      {
        identityPolicies: [identityAllow],
        guardrails: [guardAllow, policy('d', 'guardrail', deny('orders:Get*', '*', { Sid: 'D' }))],
      },
    ],
    [
      'an explicit Deny in a resource policy wins',
      {
        identityPolicies: [identityAllow],
        resourcePolicies: [policy('d', 'resource', deny('*', '*', { Sid: 'D', Principal: '*' }))],
      },
    ],
    [
      'an explicit Deny wins over a resource policy naming the session',
      {
        identityPolicies: [policy('d', 'identity', deny('*', '*', { Sid: 'D' }))],
        resourcePolicies: [resourceFor({ AWS: SESSION })],
      },
    ],
  ] as PolicySetCase[])('%s', (_rule, set) => {
    const d = authorize(request(), set);
    expect(d.decision).toBe('ExplicitDeny');
    expect(d.matchedStatements).toEqual([{ policy: 'd', sid: 'D', effect: 'Deny' }]);
  });

  it('on ExplicitDeny every matching Deny is listed, in document order', () => {
    const d = authorize(request(), {
      identityPolicies: [
        policy(
          'd',
          'identity',
          deny('orders:*', '*', { Sid: 'B' }),
          deny('orders:GetOrder', '*', { Sid: 'A' }),
          deny('x:y', '*', { Sid: 'C' }),
        ),
      ],
    });
    expect(d.matchedStatements.map((s) => s.sid)).toEqual(['B', 'A']);
  });

  it('Deny + StringNotEquals fires when the principal tag is missing', () => {
    const d = authorize(request(), {
      identityPolicies: [
        identityAllow,
        policy(
          'd',
          'identity',
          deny('*', '*', { Condition: { StringNotEquals: { 'aws:PrincipalTag/team': 'red' } } }),
        ),
      ],
    });
    expect(d.decision).toBe('ExplicitDeny');
    expect(d.missingContextKeys).toEqual(['aws:PrincipalTag/team']);
  });

  it('a permissions boundary without the action blocks an identity Allow', () => {
    expect(
      authorize(request(), { identityPolicies: [identityAllow], permissionsBoundary: boundaryOther }),
    ).toMatchObject({ decision: 'ImplicitDeny', blockedBy: 'boundary' });
  });

  it('a boundary alone grants nothing', () => {
    expect(authorize(request(), { identityPolicies: [], permissionsBoundary: boundaryAllow }).decision).toBe(
      'ImplicitDeny',
    );
  });

  it('identity ∩ boundary allows and lists both allowing statements', () => {
    expect(
      authorize(request(), { identityPolicies: [identityAllow], permissionsBoundary: boundaryAllow })
        .matchedStatements,
    ).toEqual([
      { policy: 'boundary', sid: 'PbAllow', effect: 'Allow' },
      { policy: 'identity', sid: 'IdAllow', effect: 'Allow' },
    ]);
  });

  it('a session policy without the action blocks an identity Allow', () => {
    expect(
      authorize(request(), { identityPolicies: [identityAllow], sessionPolicies: [sessionOther] }),
    ).toMatchObject({ decision: 'ImplicitDeny', blockedBy: 'session' });
  });

  it('session policies are a union: one of them allowing is enough', () => {
    expect(
      authorize(request(), {
        identityPolicies: [identityAllow],
        sessionPolicies: [sessionOther, sessionAllow],
      }).decision,
    ).toBe('Allow');
  });

  it('an empty sessionPolicies list means no session policy', () => {
    expect(authorize(request(), { identityPolicies: [identityAllow], sessionPolicies: [] }).decision).toBe(
      'Allow',
    );
  });

  it('guardrails need an Allow (like SCPs)', () => {
    expect(
      authorize(request(), { identityPolicies: [identityAllow], guardrails: [guardOther] }),
    ).toMatchObject({ decision: 'ImplicitDeny', blockedBy: 'guardrail' });
    expect(
      authorize(request(), { identityPolicies: [identityAllow], guardrails: [guardOther, guardAllow] })
        .decision,
    ).toBe('Allow');
  });

  it('with no guardrails the guardrail step is skipped', () => {
    expect(authorize(request(), { identityPolicies: [identityAllow], guardrails: [] }).decision).toBe(
      'Allow',
    );
  });

  it('a guardrail Allow grants nothing by itself', () => {
    expect(authorize(request(), { identityPolicies: [], guardrails: [guardAllow] }).decision).toBe(
      'ImplicitDeny',
    );
  });

  it('a same-account resource policy naming the session ARN suffices on its own', () => {
    const d = authorize(request(), {
      identityPolicies: [],
      permissionsBoundary: boundaryOther,
      sessionPolicies: [sessionOther],
      resourcePolicies: [resourceFor({ AWS: SESSION })],
    });
    expect(d).toEqual({
      decision: 'Allow',
      matchedStatements: [{ policy: 'resource', sid: 'RpAllow', effect: 'Allow' }],
      missingContextKeys: [],
    });
  });

  it('a resource policy naming the session ARN is still capped by guardrails', () => {
    expect(
      authorize(request(), {
        identityPolicies: [],
        guardrails: [guardOther],
        resourcePolicies: [resourceFor({ AWS: SESSION })],
      }).decision,
    ).toBe('ImplicitDeny');
  });

  it('a resource policy naming the role ARN allows without an identity policy…', () => {
    expect(
      authorize(request(), { identityPolicies: [], resourcePolicies: [resourceFor({ AWS: ROLE })] }).decision,
    ).toBe('Allow');
  });

  it('…but is still limited by the permissions boundary', () => {
    expect(
      authorize(request(), {
        identityPolicies: [],
        permissionsBoundary: boundaryOther,
        resourcePolicies: [resourceFor({ AWS: ROLE })],
      }),
    ).toMatchObject({ decision: 'ImplicitDeny', blockedBy: 'boundary' });
  });

  it('…and by session policies', () => {
    expect(
      authorize(request(), {
        identityPolicies: [],
        sessionPolicies: [sessionOther],
        resourcePolicies: [resourceFor({ AWS: ROLE })],
      }),
    ).toMatchObject({ decision: 'ImplicitDeny', blockedBy: 'session' });
  });

  it('a resource policy naming the account only delegates: alone it grants nothing (issue 13, rule 1)', () => {
    expect(
      authorize(request(), { identityPolicies: [], resourcePolicies: [resourceFor({ AWS: ACCOUNT })] }),
    ).toMatchObject({ decision: 'ImplicitDeny', blockedBy: 'identity' });
    expect(
      authorize(request(), {
        identityPolicies: [],
        permissionsBoundary: boundaryOther,
        resourcePolicies: [resourceFor({ AWS: ACCOUNT })],
      }).decision,
    ).toBe('ImplicitDeny');
  });

  it('a resource policy for another principal does not allow', () => {
    expect(
      authorize(request(), {
        identityPolicies: [],
        resourcePolicies: [resourceFor({ AWS: `arn:fedgate:iam::${ACCOUNT}:role/Other` })],
      }).decision,
    ).toBe('ImplicitDeny');
  });

  it('cross-account: a resource policy alone is not enough', () => {
    const resource = 'arn:fedgate:orders::111111111111:order/42';
    const rp = policy(
      'resource',
      'resource',
      allow('orders:GetOrder', resource, { Principal: { AWS: SESSION } }),
    );
    expect(authorize(request({}, resource), { identityPolicies: [], resourcePolicies: [rp] })).toMatchObject({
      decision: 'ImplicitDeny',
      blockedBy: 'identity',
    });
    expect(
      authorize(request({}, resource), { identityPolicies: [identityAllow], resourcePolicies: [rp] })
        .decision,
    ).toBe('Allow');
  });

  it('cross-account: an identity policy alone is not enough', () => {
    const resource = 'arn:fedgate:orders::111111111111:order/42';
    expect(authorize(request({}, resource), { identityPolicies: [identityAllow] })).toMatchObject({
      decision: 'ImplicitDeny',
      blockedBy: 'resource',
    });
  });

  it('missingContextKeys lists keys referenced by considered statements that the context lacks', () => {
    const p = policy(
      'p',
      'identity',
      allow('orders:*', 'arn:fedgate:orders:::order/${aws:PrincipalTag/shard}', {
        Condition: {
          StringEquals: { 'aws:PrincipalTag/team': 'red' },
          IpAddress: { 'aws:SourceIp': '10.0.0.0/8' },
        },
      }),
      allow('billing:*', '*', { Condition: { Bool: { 'billing:Unrelated': 'true' } } }),
    );
    const d = authorize(request({ 'aws:sourceip': '10.0.0.1' }), { identityPolicies: [p] });
    expect(d.missingContextKeys).toEqual(['aws:PrincipalTag/shard', 'aws:PrincipalTag/team']);
  });

  it('a prepared context can be reused across decisions', () => {
    const context = prepareContext({ 'aws:PrincipalTag/team': 'red' });
    const p = policy(
      'p',
      'identity',
      allow('orders:*', '*', { Condition: { StringEquals: { 'aws:PrincipalTag/team': 'red' } } }),
    );
    expect(authorize({ ...request(), context }, { identityPolicies: [p] }).decision).toBe('Allow');
    expect(
      authorize({ ...request(), action: 'orders:ListOrders', context }, { identityPolicies: [p] }).decision,
    ).toBe('Allow');
  });

  it('the same compiled policy used in two layers is evaluated in each', () => {
    const both = policy('both', 'identity', allow('orders:*'));
    expect(
      authorize(request(), { identityPolicies: [both], permissionsBoundary: both }).matchedStatements,
    ).toHaveLength(2);
  });

  it('context keys equal up to case are refused (ambiguous)', () => {
    expect(() =>
      authorize(request({ 'aws:username': 'a', 'AWS:USERNAME': 'b' }), { identityPolicies: [identityAllow] }),
    ).toThrow(expect.objectContaining({ code: 'ValidationError' }));
  });
});

type PolicySetCase = [string, PolicySet];
