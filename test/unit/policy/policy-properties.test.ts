import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PolicyDocumentError,
  simulate,
  authorize,
  parsePolicy,
  parsePolicyText,
  type ContextInput,
  type Decision,
  type PolicyKind,
  type PolicySet,
} from '../../../src/policy/index.js';

const ACTIONS = [
  'orders:GetOrder',
  'orders:*',
  'orders:Get*',
  'orders:List?rders',
  'billing:*',
  '*',
  'ORDERS:getorder',
];
const RESOURCES = [
  '*',
  'arn:fedgate:orders:::order/*',
  'arn:fedgate:orders:::order/${aws:PrincipalTag/team}/*',
  'arn:fedgate:billing:::*',
  'arn:fedgate:*',
];
const CONDITIONS: Record<string, unknown>[] = [
  { StringEquals: { 'aws:PrincipalTag/team': 'red' } },
  { StringNotEquals: { 'aws:PrincipalTag/team': 'blue' } },
  { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
  { 'ForAnyValue:StringLike': { 'fedgate:groups': 'admin*' } },
  { 'ForAllValues:StringEquals': { 'fedgate:groups': ['dev', 'ops'] } },
  { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'true' } },
  { NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } },
];

const statementArb = (effect?: 'Allow' | 'Deny') =>
  fc
    .record({
      Effect: effect === undefined ? fc.constantFrom('Allow', 'Deny') : fc.constant(effect),
      Action: fc.subarray(ACTIONS, { minLength: 1, maxLength: 3 }),
      Resource: fc.subarray(RESOURCES, { minLength: 1, maxLength: 2 }),
      Condition: fc.option(fc.constantFrom(...CONDITIONS), { nil: undefined }),
    })
    .map((s) => {
      const out: Record<string, unknown> = { Effect: s.Effect, Action: s.Action, Resource: s.Resource };
      if (s.Condition !== undefined) out.Condition = s.Condition;
      return out;
    });

const docArb = (effect?: 'Allow' | 'Deny') =>
  fc
    .array(statementArb(effect), { minLength: 1, maxLength: 4 })
    .map((Statement) => ({ Version: '2012-10-17', Statement }));

const requestArb = fc.record({
  action: fc.constantFrom('orders:GetOrder', 'orders:ListOrders', 'billing:Pay', 'other:Thing'),
  resource: fc.constantFrom(
    'arn:fedgate:orders:::order/red/1',
    'arn:fedgate:orders:::order/1',
    'arn:fedgate:billing:::inv/1',
    'plain',
  ),
  context: fc.record(
    {
      'aws:PrincipalTag/team': fc.constantFrom('red', 'blue'),
      'aws:SourceIp': fc.constantFrom('10.1.1.1', '8.8.8.8'),
      'fedgate:groups': fc.subarray(['dev', 'ops', 'admins']),
      'aws:MultiFactorAuthPresent': fc.boolean(),
      'aws:MultiFactorAuthAge': fc.integer({ min: 0, max: 7200 }),
    },
    { requiredKeys: [] },
  ) as fc.Arbitrary<ContextInput>,
});

const compile = (doc: unknown, name: string, kind: PolicyKind) => parsePolicy(doc, { name, kind });
const rank = (d: Decision) => (d.decision === 'Allow' ? 1 : 0);

describe('policy engine properties', () => {
  it('parsing random JSON text never throws anything but PolicyDocumentError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string()), (text) => {
        try {
          parsePolicyText(text, { name: 'p', kind: 'identity' });
        } catch (error) {
          if (!(error instanceof PolicyDocumentError)) throw error;
        }
      }),
      { numRuns: 500 },
    );
  });

  it('parsing random policy-shaped values never throws anything but PolicyDocumentError', () => {
    const value = fc.jsonValue();
    const shaped = fc.record(
      {
        Version: fc.oneof(fc.constant('2012-10-17'), value),
        Statement: fc.oneof(
          fc.array(
            fc.record(
              {
                Effect: fc.oneof(fc.constant('Allow'), value),
                Action: value,
                Resource: value,
                Condition: fc.dictionary(fc.string(), fc.dictionary(fc.string(), value)),
              },
              { requiredKeys: [] },
            ),
          ),
          value,
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(shaped, fc.constantFrom<PolicyKind>('identity', 'resource', 'trust'), (doc, kind) => {
        try {
          parsePolicy(doc, { name: 'p', kind });
        } catch (error) {
          if (!(error instanceof PolicyDocumentError)) throw error;
        }
      }),
      { numRuns: 500 },
    );
  });

  it('simulate answers every JSON value with a decision or an error, never a throw', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.record(
            {
              action: fc.string(),
              resource: fc.string(),
              identityPolicies: fc.array(fc.jsonValue()),
              context: fc.jsonValue(),
            },
            { requiredKeys: [] },
          ),
        ),
        (request) => {
          const result = simulate(request);
          expect('decision' in result || 'error' in result).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('adding a Deny statement never turns a decision into Allow', () => {
    fc.assert(
      fc.property(docArb(), statementArb('Deny'), requestArb, (doc, extra, req) => {
        const before = authorize(req, { identityPolicies: [compile(doc, 'p', 'identity')] });
        const after = authorize(req, {
          identityPolicies: [compile({ ...doc, Statement: [...doc.Statement, extra] }, 'p', 'identity')],
        });
        expect(rank(after)).toBeLessThanOrEqual(rank(before));
      }),
      { numRuns: 300 },
    );
  });

  it('adding a boundary, a guardrail or a session policy never widens', () => {
    fc.assert(
      fc.property(
        docArb(),
        docArb(),
        requestArb,
        fc.constantFrom('boundary', 'guardrail', 'session'),
        (identity, extra, req, layer) => {
          const base: PolicySet = { identityPolicies: [compile(identity, 'id', 'identity')] };
          const capped: PolicySet =
            layer === 'boundary'
              ? { ...base, permissionsBoundary: compile(extra, 'x', 'boundary') }
              : layer === 'guardrail'
                ? { ...base, guardrails: [compile(extra, 'x', 'guardrail')] }
                : { ...base, sessionPolicies: [compile(extra, 'x', 'session')] };
          expect(rank(authorize(req, capped))).toBeLessThanOrEqual(rank(authorize(req, base)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('statement order and policy order never change the decision', () => {
    fc.assert(
      fc.property(docArb(), docArb(), requestArb, (a, b, req) => {
        const forward = authorize(req, {
          identityPolicies: [compile(a, 'a', 'identity'), compile(b, 'b', 'identity')],
        });
        const reversedA = { ...a, Statement: [...a.Statement].reverse() };
        const backward = authorize(req, {
          identityPolicies: [compile(b, 'b', 'identity'), compile(reversedA, 'a', 'identity')],
        });
        expect(backward.decision).toBe(forward.decision);
        expect(new Set(backward.missingContextKeys)).toEqual(new Set(forward.missingContextKeys));
        expect(backward.matchedStatements.length).toBe(forward.matchedStatements.length);
      }),
      { numRuns: 300 },
    );
  });

  it('parse → serialise → parse is stable', () => {
    fc.assert(
      fc.property(docArb(), (doc) => {
        const once = compile(doc, 'p', 'identity');
        const text = JSON.stringify(once.document);
        const twice = parsePolicyText(text, { name: 'p', kind: 'identity' });
        expect(twice.document).toEqual(once.document);
      }),
      { numRuns: 200 },
    );
  });

  it('the action index gives the decisions of an independent linear regex scan', () => {
    const toRegex = (glob: string) =>
      new RegExp(
        `^${glob
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.')}$`,
        'i',
      );
    const plain = fc.array(
      fc.record({
        Effect: fc.constantFrom('Allow', 'Deny'),
        Action: fc.subarray(ACTIONS, { minLength: 1, maxLength: 3 }),
        Resource: fc.constant('*'),
      }),
      { minLength: 1, maxLength: 12 },
    );
    fc.assert(
      fc.property(
        plain,
        fc.constantFrom(
          'orders:GetOrder',
          'orders:ListOrders',
          'orders:LISTORDERS',
          'billing:Pay',
          'other:Thing',
          'nocolon',
        ),
        (statements, action) => {
          const matching = statements.filter((s) => s.Action.some((a) => toRegex(a).test(action)));
          const expected = matching.some((s) => s.Effect === 'Deny')
            ? 'ExplicitDeny'
            : matching.length > 0
              ? 'Allow'
              : 'ImplicitDeny';
          const p = compile({ Version: '2012-10-17', Statement: statements }, 'p', 'identity');
          expect(
            authorize({ action, resource: 'arn:fedgate:x:::y', context: {} }, { identityPolicies: [p] })
              .decision,
          ).toBe(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});
