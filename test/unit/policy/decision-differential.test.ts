import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  authorize,
  parsePolicy,
  type CompiledPolicy,
  type ContextInput,
  type DecisionKind,
  type PolicyKind,
  type PolicySet,
  type PrincipalIdentity,
} from '../../../src/policy/index.js';

/*
 * A randomized differential test of the decision procedure (issue 13). Generated policy sets and requests are
 * decided twice: by `authorize` (action index, compiled matchers, one pass) and by a reference written here from
 * the README's rules, which asks the engine only whether each single statement applies (a one-statement Deny
 * probe) and combines the layers itself. On top, invariants of the procedure that must hold for any input.
 */

const ACCOUNT = '000000000000';
const SESSION = `arn:fedgate:sts::${ACCOUNT}:assumed-role/Developer/alice`;
const ROLE = `arn:fedgate:iam::${ACCOUNT}:role/Developer`;
const ALICE: PrincipalIdentity = { type: 'AWS', id: SESSION, aliases: [ROLE], account: ACCOUNT };

const ACTIONS = ['orders:GetOrder', 'orders:Get*', 'orders:*', 'billing:*', '*'];
const RESOURCES = [
  '*',
  'arn:fedgate:orders:::order/*',
  'arn:fedgate:orders:::order/${aws:PrincipalTag/team}/*',
  'arn:fedgate:orders::111111111111:*',
  'arn:fedgate:billing:::*',
];
const CONDITIONS: Record<string, unknown>[] = [
  { StringEquals: { 'aws:PrincipalTag/team': 'red' } },
  { StringNotEquals: { 'aws:PrincipalTag/team': 'blue' } },
  { 'ForAnyValue:StringEqualsIfExists': { 'fedgate:groups': 'admin' } },
  { 'ForAllValues:StringLike': { 'fedgate:groups': ['dev*', 'admin'] } },
  { 'ForAnyValue:Null': { 'fedgate:groups': 'true' } },
  { 'ForAllValues:Null': { 'fedgate:groups': 'false' } },
  { ArnNotLike: { 'aws:SourceArn': 'arn:fedgate:billing:::*' } },
  { ArnLike: { 'aws:SourceArn': 'arn:fedgate:orders:::*' } },
  { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'true' } },
];
const PRINCIPALS = [
  { element: '*', kind: 'direct' },
  { element: { AWS: SESSION }, kind: 'direct' },
  { element: { AWS: ROLE }, kind: 'capped' },
  { element: { AWS: ACCOUNT }, kind: 'delegate' },
  { element: { AWS: `arn:fedgate:iam::${ACCOUNT}:role/Other` }, kind: 'none' },
] as const;

type GrantKind = 'direct' | 'capped' | 'delegate' | 'none';
interface GeneratedStatement {
  readonly json: Record<string, unknown>;
  /** For resource-policy Allows: what the statement grants when it applies. */
  readonly grant: GrantKind;
}

const identityStatementArb = fc
  .record({
    effect: fc.constantFrom('Allow', 'Allow', 'Deny'),
    action: fc.subarray(ACTIONS, { minLength: 1, maxLength: 2 }),
    resource: fc.subarray(RESOURCES, { minLength: 1, maxLength: 2 }),
    notResource: fc.boolean(),
    condition: fc.option(fc.constantFrom(...CONDITIONS), { nil: undefined }),
  })
  .map((s): GeneratedStatement => ({
    json: {
      Effect: s.effect,
      Action: s.action,
      [s.notResource && s.effect === 'Deny' ? 'NotResource' : 'Resource']: s.resource,
      ...(s.condition === undefined ? {} : { Condition: s.condition }),
    },
    grant: 'direct',
  }));

const resourceStatementArb = fc
  .record({
    statement: identityStatementArb,
    principal: fc.constantFrom(...PRINCIPALS),
    notPrincipal: fc.boolean(),
  })
  .map(({ statement, principal, notPrincipal }): GeneratedStatement => {
    const deny = statement.json.Effect === 'Deny';
    const useNot = deny && notPrincipal;
    return {
      json: { ...statement.json, [useNot ? 'NotPrincipal' : 'Principal']: principal.element },
      grant: principal.kind,
    };
  });

const policyArb = (statement: fc.Arbitrary<GeneratedStatement>) =>
  fc.array(statement, { minLength: 1, maxLength: 4 });

const contextArb = fc.record(
  {
    'aws:PrincipalTag/team': fc.constantFrom('red', 'blue'),
    'fedgate:groups': fc.subarray(['dev', 'admin', 'ops']),
    'aws:SourceArn': fc.constantFrom('arn:fedgate:orders:::x', 'arn:fedgate:billing:::y', 'not-an-arn'),
    'aws:MultiFactorAuthPresent': fc.constantFrom('true', 'false'),
  },
  { requiredKeys: [] },
);

const requestArb = fc.record({
  action: fc.constantFrom('orders:GetOrder', 'orders:DeleteOrder', 'billing:Pay'),
  resource: fc.constantFrom(
    'arn:fedgate:orders:::order/red/1',
    'arn:fedgate:orders:::order/blue/2',
    'arn:fedgate:orders::111111111111:order/red/3',
    'arn:fedgate:billing:::invoice/4',
  ),
  context: contextArb,
});

const setArb = fc.record({
  identity: fc.array(policyArb(identityStatementArb), { maxLength: 2 }),
  boundary: fc.option(policyArb(identityStatementArb), { nil: undefined }),
  session: fc.option(policyArb(identityStatementArb), { nil: undefined }),
  guardrail: fc.option(policyArb(identityStatementArb), { nil: undefined }),
  resource: fc.option(policyArb(resourceStatementArb), { nil: undefined }),
});

type GeneratedSet = {
  identity: GeneratedStatement[][];
  boundary: GeneratedStatement[] | undefined;
  session: GeneratedStatement[] | undefined;
  guardrail: GeneratedStatement[] | undefined;
  resource: GeneratedStatement[] | undefined;
};
type Request = { action: string; resource: string; context: ContextInput };

function compile(statements: readonly GeneratedStatement[], kind: PolicyKind, name: string): CompiledPolicy {
  return parsePolicy({ Version: '2012-10-17', Statement: statements.map((s) => s.json) }, { name, kind });
}

function policySetOf(g: GeneratedSet): PolicySet {
  return {
    identityPolicies: g.identity.map((p, i) => compile(p, 'identity', `identity${i}`)),
    permissionsBoundary: g.boundary === undefined ? undefined : compile(g.boundary, 'boundary', 'boundary'),
    sessionPolicies: g.session === undefined ? undefined : [compile(g.session, 'session', 'session')],
    guardrails: g.guardrail === undefined ? undefined : [compile(g.guardrail, 'guardrail', 'guardrail')],
    resourcePolicies: g.resource === undefined ? undefined : [compile(g.resource, 'resource', 'resource')],
  };
}

const ALLOW_ALL = parsePolicy(
  { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
  { name: 'all', kind: 'boundary' },
);

/** Whether one statement applies to the request: asked as a lone Deny in the layer it belongs to. */
function applies(s: GeneratedStatement, kind: PolicyKind, request: Request, hasBoundary: boolean): boolean {
  const probe = compile([{ ...s, json: { ...s.json, Effect: 'Deny' } }], kind, 'probe');
  const set: PolicySet =
    kind === 'resource'
      ? {
          identityPolicies: [],
          resourcePolicies: [probe],
          permissionsBoundary: hasBoundary ? ALLOW_ALL : undefined,
        }
      : { identityPolicies: [probe] };
  return authorize({ principal: ALICE, ...request }, set).decision === 'ExplicitDeny';
}

/** The decision procedure as the README states it, layer by layer. */
function reference(g: GeneratedSet, request: Request): DecisionKind {
  const hasBoundary = g.boundary !== undefined;
  const layers: [GeneratedStatement[], PolicyKind][] = [
    ...g.identity.map((p): [GeneratedStatement[], PolicyKind] => [p, 'identity']),
    ...(g.boundary === undefined ? [] : [[g.boundary, 'boundary'] as [GeneratedStatement[], PolicyKind]]),
    ...(g.session === undefined ? [] : [[g.session, 'session'] as [GeneratedStatement[], PolicyKind]]),
    ...(g.guardrail === undefined ? [] : [[g.guardrail, 'guardrail'] as [GeneratedStatement[], PolicyKind]]),
    ...(g.resource === undefined ? [] : [[g.resource, 'resource'] as [GeneratedStatement[], PolicyKind]]),
  ];
  for (const [statements, kind] of layers)
    for (const s of statements)
      if (s.json.Effect === 'Deny' && applies(s, kind, request, hasBoundary)) return 'ExplicitDeny';
  const allows = (statements: readonly GeneratedStatement[] | undefined, kind: PolicyKind) =>
    (statements ?? []).filter((s) => s.json.Effect === 'Allow' && applies(s, kind, request, hasBoundary));
  if (g.guardrail !== undefined && allows(g.guardrail, 'guardrail').length === 0) return 'ImplicitDeny';
  const boundaryOk = g.boundary === undefined || allows(g.boundary, 'boundary').length > 0;
  const sessionOk = g.session === undefined || allows(g.session, 'session').length > 0;
  const identityOk = g.identity.some((p) => allows(p, 'identity').length > 0);
  const resourceAllows = allows(g.resource, 'resource');
  const crossAccount = request.resource.split(':')[4] === '111111111111';
  if (crossAccount) {
    return boundaryOk && sessionOk && identityOk && resourceAllows.length > 0 ? 'Allow' : 'ImplicitDeny';
  }
  if (resourceAllows.some((s) => s.grant === 'direct')) return 'Allow';
  if (!boundaryOk || !sessionOk) return 'ImplicitDeny';
  return identityOk || resourceAllows.some((s) => s.grant === 'capped') ? 'Allow' : 'ImplicitDeny';
}

const decide = (g: GeneratedSet, request: Request): DecisionKind =>
  authorize({ principal: ALICE, ...request }, policySetOf(g)).decision;

const RUNS = { numRuns: 200, seed: Number(process.env['FC_SEED'] ?? 13) };

describe('decision procedure, randomized (issue 13)', () => {
  it('authorize agrees with the layer-by-layer reference on every generated request', () => {
    fc.assert(
      fc.property(setArb, requestArb, (g, request) => {
        expect(decide(g, request)).toBe(reference(g, request));
      }),
      RUNS,
    );
  });

  it('adding a Deny statement never turns a decision into Allow', () => {
    fc.assert(
      fc.property(setArb, requestArb, identityStatementArb, (g, request, extra) => {
        const before = decide(g, request);
        const withDeny = {
          ...g,
          identity: [...g.identity, [{ ...extra, json: { ...extra.json, Effect: 'Deny' } }]],
        };
        const after = decide(withDeny, request);
        if (before !== 'Allow') expect(after).not.toBe('Allow');
        if (before === 'ExplicitDeny') expect(after).toBe('ExplicitDeny');
      }),
      RUNS,
    );
  });

  it('an account-principal Allow in a resource policy never grants without an identity Allow (rule 1)', () => {
    fc.assert(
      fc.property(setArb, requestArb, (g, request) => {
        const onlyDelegation: GeneratedSet = {
          ...g,
          identity: [],
          resource: [
            {
              json: { Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: '*', Resource: '*' },
              grant: 'delegate',
            },
          ],
        };
        expect(decide(onlyDelegation, request)).not.toBe('Allow');
      }),
      RUNS,
    );
  });

  it('a same-account "*" grant is not changed by the boundary or session policies (rule 2)', () => {
    fc.assert(
      fc.property(setArb, requestArb, (g, request) => {
        fc.pre(!request.resource.includes('111111111111'));
        const allowsOnly = (p: GeneratedStatement[]): GeneratedStatement[] => {
          const kept = p.filter((s) => s.json.Effect === 'Allow');
          return kept.length > 0
            ? kept
            : [{ json: { Effect: 'Allow', Action: 'none:None', Resource: '*' }, grant: 'direct' }];
        };
        const star: GeneratedSet = {
          identity: g.identity.map(allowsOnly),
          boundary: g.boundary === undefined ? undefined : allowsOnly(g.boundary),
          session: g.session === undefined ? undefined : allowsOnly(g.session),
          guardrail: undefined,
          resource: [
            { json: { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }, grant: 'direct' },
          ],
        };
        expect(decide(star, request)).toBe('Allow');
      }),
      RUNS,
    );
  });

  it('a Deny … NotResource whose variable has no value denies every resource of its action (rule 4)', () => {
    fc.assert(
      fc.property(setArb, requestArb, (g, request) => {
        const context = { ...request.context };
        delete (context as Record<string, unknown>)['aws:PrincipalTag/team'];
        const guarded: GeneratedSet = {
          ...g,
          guardrail: [
            ...(g.guardrail ?? []),
            {
              json: {
                Effect: 'Deny',
                Action: '*',
                NotResource: 'arn:fedgate:*:::*/${aws:PrincipalTag/team}/*',
              },
              grant: 'direct',
            },
          ],
        };
        expect(decide(guarded, { ...request, context })).toBe('ExplicitDeny');
      }),
      RUNS,
    );
  });

  it('with a boundary, a matching Deny … NotPrincipal denies whatever it lists; without one it spares the listed session (rule 3)', () => {
    fc.assert(
      fc.property(setArb, requestArb, fc.constantFrom(...PRINCIPALS), (g, request, listed) => {
        const notPrincipalDeny: GeneratedStatement = {
          json: { Effect: 'Deny', NotPrincipal: listed.element, Action: '*', Resource: '*' },
          grant: 'none',
        };
        const withDeny = (set: GeneratedSet): GeneratedSet => ({
          ...set,
          resource: [...(set.resource ?? []), notPrincipalDeny],
        });
        const bounded: GeneratedSet = {
          ...g,
          boundary: g.boundary ?? [
            { json: { Effect: 'Allow', Action: '*', Resource: '*' }, grant: 'direct' },
          ],
        };
        expect(decide(withDeny(bounded), request)).toBe('ExplicitDeny');
        if (listed.kind === 'direct' || listed.kind === 'capped' || listed.kind === 'delegate') {
          // The listed principal (everyone, the session, its role or its account) is not denied by it.
          const unbounded: GeneratedSet = { ...g, boundary: undefined };
          expect(decide(withDeny(unbounded), request)).toBe(decide(unbounded, request));
        }
      }),
      RUNS,
    );
  });

  it('the order of statements inside a policy does not change the decision', () => {
    fc.assert(
      fc.property(setArb, requestArb, (g, request) => {
        const reversed: GeneratedSet = {
          identity: g.identity.map((p) => [...p].reverse()),
          boundary: g.boundary === undefined ? undefined : [...g.boundary].reverse(),
          session: g.session === undefined ? undefined : [...g.session].reverse(),
          guardrail: g.guardrail === undefined ? undefined : [...g.guardrail].reverse(),
          resource: g.resource === undefined ? undefined : [...g.resource].reverse(),
        };
        expect(decide(reversed, request)).toBe(decide(g, request));
      }),
      RUNS,
    );
  });
});
